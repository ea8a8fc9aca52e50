"""Which nudges and reminders are due at a moment (SPEC "Nobody forgets"): pure decisions over
the facts `storage.reminders.load_facts` gives, each with the unique key its claim takes.

Times of day are the channel's check-in timezone; "away" is read there too (a person away
until the 10th, inclusive, gets nothing until the 11th begins in that channel's timezone).

Each message is due while it is still relevant, so one missed while the app was down goes out
when it comes back, and one no longer relevant never does:
- progress nudge: from 24 hours before the channel's next check-in until that check-in;
- promise due tomorrow: from 09:00 the day before the due date until the due date begins; not
  for a promise made after that 09:00 (it was just made: its owner knows);
- promise overdue: from 09:00 the day after the due date, for 7 days (the check-ins list it too);
- request unanswered: from 2 days after it was asked until 14 days after, while it waits and its
  due date hasn't passed; the asker is told when the owner is reminded (never when the owner is
  away);
- breakdown follow-up: 2 days after it opened, while open with no promise made since, until 7
  days after it opened (the next check-in asks again).
Nothing is due for someone away that day: it goes out when they are back, if still relevant.

Every window lasts less than `CLAIM_HORIZON`, so the claims of the last `CLAIM_HORIZON` hold
every claim of a reminder still relevant (one query, `storage.reminders.claimed_since`).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.coaching.schedule import Schedule, iso_week, local_day, local_moment, next_scheduled, nudge_time
from storage.reminders import (
    ActiveCommitment,
    ChannelCalendar,
    OpenAction,
    OpenBreakdown,
    ReminderFacts,
)

STALE_AFTER = timedelta(days=6)  # a commitment whose latest report is older than this is nudged
REMINDER_TIME = time(9, 0)  # due-tomorrow and overdue reminders start at 09:00 local
OVERDUE_FOR = timedelta(days=7)
REQUEST_AFTER = timedelta(days=2)
REQUEST_FOR = timedelta(days=14)  # counted from when it was asked
FOLLOWUP_AFTER = timedelta(days=2)
FOLLOWUP_FOR = timedelta(days=7)
CLAIM_HORIZON = timedelta(days=15)  # longer than any window above


class Kind:
    NUDGE = "nudge"
    DUE = "due"
    OVERDUE = "overdue"
    REQUEST = "request"  # to the request's owner
    ASKER = "asker"  # to the person who asked: their request was reminded
    FOLLOWUP = "followup"


KINDS = (Kind.NUDGE, Kind.DUE, Kind.OVERDUE, Kind.REQUEST, Kind.ASKER, Kind.FOLLOWUP)


@dataclass(frozen=True)
class Reminder:
    """One direct message to send: `key` is its exactly-once claim."""

    key: str
    kind: str
    team_id: str
    channel_id: str
    user_id: str  # who gets it
    commitments: tuple[ActiveCommitment, ...] = ()  # nudge: the stale commitments
    action: OpenAction | None = None  # due, overdue, request, asker
    breakdown: OpenBreakdown | None = None  # followup
    checkin_at: datetime | None = None  # nudge: the check-in it prepares


def nudge_key(team_id: str, channel_id: str, user_id: str, week: str) -> str:
    return f"{Kind.NUDGE}:{team_id}:{channel_id}:{user_id}:{week}"


def action_key(kind: str, action_id: int) -> str:
    return f"{kind}:{action_id}"


def followup_key(breakdown_id: int, user_id: str) -> str:
    return f"{Kind.FOLLOWUP}:{breakdown_id}:{user_id}"


def schedule_of(channel: ChannelCalendar) -> Schedule:
    return Schedule(channel.weekday, channel.at, channel.zone, channel.holidays, channel.skips)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass aware datetimes only")
    return moment.astimezone(timezone.utc)


class _Away:
    """Who is away on a day; also remembers today's date per timezone (asked for every item)."""

    def __init__(self, away: dict[tuple[str, str], date]):
        self._away = away
        self._days: dict[tuple[datetime, str], date] = {}

    def today(self, now: datetime, zone: str) -> date:
        key = (now, zone)
        found = self._days.get(key)
        if found is None:
            found = self._days[key] = local_day(now, zone)
        return found

    def on(self, team_id: str, user_id: str, day: date) -> bool:
        until = self._away.get((team_id, user_id))
        return until is not None and day <= until


def upcoming_checkin(channel: ChannelCalendar, now: datetime, _cache: dict | None = None) -> datetime | None:
    """The channel's next check-in after `now` whose nudges are due at `now` (None: none is)."""
    if not channel.enabled or channel.starts_after is None:
        return None
    schedule = schedule_of(channel)
    if _cache is None:
        checkin = next_scheduled(schedule, now)
    else:  # channels share schedules: each is worked out once per pass
        checkin = _cache.get(schedule)
        if checkin is None:
            checkin = _cache[schedule] = next_scheduled(schedule, now)
    if checkin <= _utc(channel.starts_after) or now < nudge_time(checkin):
        return None
    return checkin


def nudges(facts: ReminderFacts, now: datetime, away: _Away | None = None) -> list[Reminder]:
    """One nudge per owner per channel check-in, naming every stale commitment of theirs there."""
    away = away or _Away(facts.away)
    checkins: dict[tuple[str, str], datetime | None] = {}
    schedules: dict[Schedule, datetime] = {}
    stale: dict[tuple[str, str, str], list[ActiveCommitment]] = defaultdict(list)
    for c in facts.commitments:
        key = (c.team_id, c.channel_id)
        if key not in checkins:
            channel = facts.channels.get(key)
            checkins[key] = upcoming_checkin(channel, now, schedules) if channel is not None else None
        if checkins[key] is None or now - c.last_report_at <= STALE_AFTER:
            continue
        stale[(c.team_id, c.channel_id, c.owner_id)].append(c)
    found = []
    for (team_id, channel_id, owner_id), commitments in stale.items():
        channel = facts.channels[(team_id, channel_id)]
        if away.on(team_id, owner_id, away.today(now, channel.zone)):
            continue
        checkin = checkins[(team_id, channel_id)]
        week = iso_week(checkin, channel.zone)
        found.append(
            Reminder(
                nudge_key(team_id, channel_id, owner_id, week),
                Kind.NUDGE,
                team_id,
                channel_id,
                owner_id,
                commitments=tuple(sorted(commitments, key=lambda c: c.number)),
                checkin_at=checkin,
            )
        )
    return found


def _zone_of(facts: ReminderFacts, team_id: str, channel_id: str, default_zone: str) -> str:
    channel = facts.channels.get((team_id, channel_id))
    return channel.zone if channel is not None else default_zone


@functools.lru_cache(maxsize=4096)
def due_tomorrow_window(due: date, zone: str) -> tuple[datetime, datetime]:
    """[09:00 the day before the due date, the due date's midnight), in the zone, as UTC."""
    tz = ZoneInfo(zone)
    return local_moment(due - timedelta(days=1), REMINDER_TIME, tz), local_moment(due, time(0), tz)


@functools.lru_cache(maxsize=4096)
def overdue_window(due: date, zone: str) -> tuple[datetime, datetime]:
    """[09:00 the day after the due date, 7 days later), in the zone, as UTC."""
    start = local_moment(due + timedelta(days=1), REMINDER_TIME, ZoneInfo(zone))
    return start, start + OVERDUE_FOR


def promise_reminders(
    facts: ReminderFacts, now: datetime, default_zone: str = "UTC", away: _Away | None = None
) -> list[Reminder]:
    away = away or _Away(facts.away)
    found = []
    for p in facts.promises:
        zone = _zone_of(facts, p.team_id, p.channel_id, default_zone)
        if away.on(p.team_id, p.owner_id, away.today(now, zone)):
            continue
        start, end = due_tomorrow_window(p.due, zone)
        if start <= now < end and (p.promised_at is None or p.promised_at < start):
            found.append(Reminder(action_key(Kind.DUE, p.id), Kind.DUE, p.team_id, p.channel_id, p.owner_id, action=p))
            continue
        start, end = overdue_window(p.due, zone)
        if start <= now < end:
            found.append(
                Reminder(action_key(Kind.OVERDUE, p.id), Kind.OVERDUE, p.team_id, p.channel_id, p.owner_id, action=p)
            )
    return found


def request_reminders(
    facts: ReminderFacts, now: datetime, default_zone: str = "UTC", away: _Away | None = None
) -> list[Reminder]:
    away = away or _Away(facts.away)
    found = []
    for r in facts.requests:
        zone = _zone_of(facts, r.team_id, r.channel_id, default_zone)
        today = away.today(now, zone)
        if not (REQUEST_AFTER <= now - r.asked_at < REQUEST_FOR) or today > r.due:
            continue
        if away.on(r.team_id, r.owner_id, today):
            continue
        found.append(
            Reminder(action_key(Kind.REQUEST, r.id), Kind.REQUEST, r.team_id, r.channel_id, r.owner_id, action=r)
        )
        if r.asker_id != r.owner_id and not away.on(r.team_id, r.asker_id, today):
            found.append(
                Reminder(action_key(Kind.ASKER, r.id), Kind.ASKER, r.team_id, r.channel_id, r.asker_id, action=r)
            )
    return found


def followups(
    facts: ReminderFacts, now: datetime, default_zone: str = "UTC", away: _Away | None = None
) -> list[Reminder]:
    away = away or _Away(facts.away)
    found = []
    for b in facts.breakdowns:
        if b.promised_since or not (b.announced_at + FOLLOWUP_AFTER <= now < b.announced_at + FOLLOWUP_FOR):
            continue
        today = away.today(now, _zone_of(facts, b.team_id, b.channel_id, default_zone))
        for person in dict.fromkeys(b.enrolled or (b.owner_id,)):
            if not away.on(b.team_id, person, today):
                found.append(
                    Reminder(followup_key(b.id, person), Kind.FOLLOWUP, b.team_id, b.channel_id, person, breakdown=b)
                )
    return found


def due_reminders(facts: ReminderFacts, now: datetime, default_zone: str = "UTC") -> list[Reminder]:
    """Every nudge and reminder due at `now`, in a stable order (kind, then key); claimed ones
    included: the caller leaves out the keys already claimed."""
    now = _utc(now)
    away = _Away(facts.away)
    found = [
        *nudges(facts, now, away),
        *promise_reminders(facts, now, default_zone, away),
        *request_reminders(facts, now, default_zone, away),
        *followups(facts, now, default_zone, away),
    ]
    order = {kind: n for n, kind in enumerate(KINDS)}
    return sorted(found, key=lambda r: (order[r.kind], r.key))


def unclaimed(reminders: Iterable[Reminder], claimed: set[str]) -> list[Reminder]:
    return [r for r in reminders if r.key not in claimed]
