"""Listeners for check-ins and breakdowns: `/commit checkin …`, `/commit checkin off`,
`/commit breakdown #N …`, and the promises part of `/commit status #N`."""

from __future__ import annotations

from datetime import timedelta

from slack_bolt import App

from bot.actions.promises import coverage_of, integrity_of, promise_facts, promises
from bot.charts.upload import upload_chart
from bot.checkins import views
from bot.checkins.runner import schedule_of
from bot.coaching import parsing
from bot.coaching.integrity import promise_state
from bot.coaching.schedule import first_after, next_checkin
from bot.commitments import access
from bot.commitments.facts import review
from bot.services import Services
from bot.slack.commands import CommandRequest, CommitRouter
from bot.slack.posting import post
from storage import actions as action_store
from storage import checkins as store
from storage import commitments as commitment_store
from storage.models import Commitment


def status_blocks(services: Services, commitment: Commitment) -> list[dict]:
    """Open promises, integrity, enrolment coverage and the open breakdown of one commitment."""
    today = services.today()
    actions = action_store.of_commitment(services.db, commitment.id)
    state = commitment_store.load_state(services.db, commitment)
    states = {a.id: promise_state(promise_facts(a), today) for a in promises(actions)}
    open_breakdowns = store.open_breakdowns_of(services.db, commitment.id)
    open_since = first_promise = None
    if open_breakdowns:
        opened_at = open_breakdowns[0].opened_at
        open_since = services.day_of(opened_at)
        made = sorted(a.promised_at for a in promises(actions) if a.promised_at and a.promised_at >= opened_at)
        first_promise = services.day_of(made[0]) if made else None
    return views.status_extras(
        promises(actions),
        integrity_of(actions, today),
        coverage_of(state.enrolled, actions),
        today,
        open_since,
        first_promise,
        states,
    )


def register(app: App, router: CommitRouter, services: Services, flows=None) -> None:
    db = services.db
    if flows is not None and hasattr(flows, "card_extras"):
        flows.card_extras.append(lambda commitment: status_blocks(services, commitment))

    @router.on(parsing.SetCheckin)
    def set_checkin(req: CommandRequest) -> None:
        p = req.parsed
        now = services.now()
        change = store.set_schedule(
            db, req.team_id, req.channel_id, weekday=p.weekday, at=p.at.strftime("%H:%M"), zone=p.timezone, now=now
        )
        schedule = schedule_of(change.settings, services.settings.timezone)
        first = store.first_declared(db, req.team_id, req.channel_id)
        starts = first_after(first, change.settings.first_checkin_after) if first else None
        weeks = store.weeks_posted(db, req.team_id, req.channel_id, since=now - timedelta(days=8))
        req.reply(views.schedule_set(schedule, next_checkin(schedule, starts, weeks, now), now, change.was_paused))

    @router.on(parsing.CheckinOff)
    def checkin_off(req: CommandRequest) -> None:
        store.turn_off(db, req.team_id, req.channel_id)
        req.reply(views.schedule_off())

    @router.on(parsing.DeclareBreakdown)
    def declare_breakdown(req: CommandRequest) -> None:
        p = req.parsed
        commitment = access.in_channel(services, req.team_id, req.channel_id, p.number)
        access.enrolled(services, access.active(commitment), req.user_id)
        state = commitment_store.load_state(db, commitment)
        r = review(state, services.today(), services.day_of)
        breakdown = store.open_breakdown(
            db,
            commitment.id,
            source="declared",
            what=p.what,
            declared_by=req.user_id,
            projected=r.projected,
            now=services.now(),
        )
        req.reply(
            f"Breakdown declared on #{commitment.number}. It's in the commitment's thread, "
            "with a button to add new actions."
        )
        ts = post(
            req.client,
            commitment.channel_id,
            views.declared_breakdown(r, req.user_id, p.what, breakdown.id),
            thread_ts=commitment.home_ts,
        )
        store.set_announced(db, {breakdown.id: ts})
        upload_chart(req.client, services, commitment, state)  # acknowledged above: the chart can take a moment
