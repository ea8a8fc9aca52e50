"""Listeners for check-ins and breakdowns: `/commit checkin …`, `/commit checkin off` and
`/commit breakdown #N …`. The weekly run itself is bot/checkins/runner.py."""

from __future__ import annotations

from datetime import timedelta

from bot.charts.upload import upload_chart
from bot.checkins import views
from bot.checkins.runner import schedule_of
from bot.coaching import parsing
from bot.coaching.schedule import first_after, next_checkin
from bot.commitments import access
from bot.commitments.facts import review
from bot.slack.commands import CommandRequest, CommitRouter
from bot.slack.posting import post
from storage import checkins as store
from storage import commitments as commitment_store


def set_checkin(req: CommandRequest) -> None:
    p, services = req.parsed, req.services
    db, now = services.db, services.now()
    change = store.set_schedule(
        db, req.team_id, req.channel_id, weekday=p.weekday, at=p.at.strftime("%H:%M"), zone=p.timezone, now=now
    )
    schedule = schedule_of(change.settings, services.settings.timezone)
    first = store.first_declared(db, req.team_id, req.channel_id)
    starts = first_after(first, change.settings.first_checkin_after) if first else None
    weeks = store.weeks_posted(db, req.team_id, req.channel_id, since=now - timedelta(days=8))
    req.reply(views.schedule_set(schedule, next_checkin(schedule, starts, weeks, now), now, change.was_paused))


def checkin_off(req: CommandRequest) -> None:
    store.turn_off(req.services.db, req.team_id, req.channel_id)
    req.reply(views.schedule_off())


def declare_breakdown(req: CommandRequest) -> None:
    p, services = req.parsed, req.services
    db = services.db
    commitment = access.typed(req, access.is_active, access.is_enrolled)
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


def register(router: CommitRouter) -> None:
    router.on(parsing.SetCheckin)(set_checkin)
    router.on(parsing.CheckinOff)(checkin_off)
    router.on(parsing.DeclareBreakdown)(declare_breakdown)
