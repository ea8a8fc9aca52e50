"""Listeners for check-ins and breakdowns: `/commit checkin …`, `/commit checkin off`,
`/commit checkin holidays …`, `/commit checkin skip …` and `/commit breakdown #N …`. The weekly
run itself is bot/checkins/runner.py."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.charts.upload import upload_chart
from bot.checkins import views
from bot.checkins.runner import schedule_of
from bot.coaching import parsing
from bot.coaching.schedule import Schedule, first_after, local_day, next_checkin, next_scheduled, week_key
from bot.commitments import access
from bot.commitments.facts import review
from bot.slack.commands import CommandRequest, CommitRouter, with_usage
from bot.slack.guard import CoachError
from bot.slack.posting import post
from bot.slack.text import escape
from storage import checkins as store
from storage import commitments as commitment_store
from storage import reminders as reminder_store
from storage.models import ChannelSettings


def _next_checkin(
    req: CommandRequest, settings: ChannelSettings | None, now: datetime
) -> tuple[Schedule, datetime | None]:
    """The channel's schedule, holidays and skipped weeks included, and when its next check-in
    is posted (None: no commitment declared here yet)."""
    db = req.services.db
    skips = reminder_store.skipped_weeks(db, req.team_id, req.channel_id)
    schedule = schedule_of(settings, req.services.settings.timezone, skips)
    first = store.first_declared(db, req.team_id, req.channel_id)
    starts = first_after(first, settings.first_checkin_after if settings else None) if first else None
    weeks = store.weeks_posted(db, req.team_id, req.channel_id, since=now - timedelta(days=8))
    return schedule, next_checkin(schedule, starts, weeks, now)


def _is_on(settings: ChannelSettings | None) -> bool:
    return settings is None or (settings.checkin_enabled and not settings.checkin_paused_reason)


def _next_text(req: CommandRequest, settings: ChannelSettings | None, now: datetime) -> str:
    if not _is_on(settings):
        return views.off_note(settings.checkin_paused_reason)
    schedule, next_at = _next_checkin(req, settings, now)
    return views.next_line(next_at, now, schedule)


def set_checkin(req: CommandRequest) -> None:
    p, services = req.parsed, req.services
    db, now = services.db, services.now()
    change = store.set_schedule(
        db, req.team_id, req.channel_id, weekday=p.weekday, at=p.at.strftime("%H:%M"), zone=p.timezone, now=now
    )
    schedule, next_at = _next_checkin(req, change.settings, now)
    req.reply(views.schedule_set(schedule, next_at, now, change.was_paused))


def set_holidays(req: CommandRequest) -> None:
    """`/commit checkin holidays <CC>`: the parser knows the country already."""
    now = req.services.now()
    settings = reminder_store.set_holidays(req.services.db, req.team_id, req.channel_id, req.parsed.country)
    schedule = schedule_of(settings, req.services.settings.timezone)
    req.reply(views.holidays_set(schedule, _next_text(req, settings, now)))


def holidays_off(req: CommandRequest) -> None:
    now = req.services.now()
    settings = reminder_store.set_holidays(req.services.db, req.team_id, req.channel_id, None)
    req.reply(views.holidays_off(_next_text(req, settings, now)))


def skip_week(req: CommandRequest) -> None:
    """`/commit checkin skip <date>`: a week already past (in the channel's check-in timezone) is
    refused with the usage, nothing stored; this week and later ones are skipped. The answer
    names the week and the next check-in (and the first after the skipped week, when later)."""
    services, day = req.services, req.parsed.day
    db, now = services.db, services.now()
    settings = store.get_settings(db, req.team_id, req.channel_id)
    zone = schedule_of(settings, services.settings.timezone).zone
    try:
        parsing.check_skip_date(day, local_day(now, zone))
    except parsing.ParseError as problem:
        raise CoachError(with_usage(escape(problem.message))) from None
    week = week_key(day)
    new = reminder_store.skip_week(db, req.team_id, req.channel_id, week, req.user_id, now)
    if not _is_on(settings):
        req.reply(views.week_skipped(day, new, False, views.off_note(settings.checkin_paused_reason), None))
        return
    schedule, next_at = _next_checkin(req, settings, now)
    posted = week in store.weeks_posted(db, req.team_id, req.channel_id, since=now - timedelta(days=8))
    after = None
    if next_at is not None and week_key(local_day(next_at, zone)) < week:  # the skipped week is later on
        sunday = day + timedelta(days=6 - day.weekday())
        end_of_week = datetime.combine(sunday, datetime.max.time()).replace(tzinfo=schedule.tz)
        after = views.moment_in(next_scheduled(schedule, end_of_week), schedule)
    req.reply(views.week_skipped(day, new, posted, views.next_line(next_at, now, schedule), after))


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
    router.on(parsing.SetHolidays)(set_holidays)
    router.on(parsing.HolidaysOff)(holidays_off)
    router.on(parsing.SkipWeek)(skip_week)
    router.on(parsing.DeclareBreakdown)(declare_breakdown)
