"""The weekly check-in schedule: when each channel's check-in falls, in the channel's timezone.

A schedule is a weekday (Monday 0) and a wall-clock time in an IANA timezone. Every moment
here is an aware datetime; results are in UTC.

Daylight saving time:
- a wall-clock time that happens twice (autumn) means its first occurrence (fold=0);
- a wall-clock time that never happens (spring) means the first moment after the gap,
  e.g. 02:30 on spring-forward day in Europe/Paris is 03:00 local.
Both are "the first moment whose local wall-clock reading reaches the scheduled time".

A check-in belongs to the ISO week ("2026-W49") of its scheduled day in the channel's timezone.

Holidays and skips (SPEC "Nobody forgets"): with a country (`holidays`), a check-in whose day is
a public holiday there moves to the next day that is neither a holiday nor a weekend (Saturday,
Sunday), at the same wall-clock time, when that day is in the same ISO week; otherwise that week
has no check-in. A week in `skips` has no check-in. Its nudge moves with it (`nudge_time`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

DEFAULT_WEEKDAY = 0  # Monday
NUDGE_BEFORE = timedelta(hours=24)
DEFAULT_TIME = time(9, 0)
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Schedule:
    """Every `weekday` at `at` (wall clock) in `zone`; moved off the public holidays of
    `holidays` (a country code), and none in the ISO weeks of `skips` ("2026-W52")."""

    weekday: int
    at: time
    zone: str
    holidays: str | None = None
    skips: frozenset[str] = field(default_factory=frozenset)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)

    def describe(self) -> str:
        """E.g. "Mondays at 09:00 (Europe/Paris)"."""
        return f"{WEEKDAY_NAMES[self.weekday]}s at {self.at.strftime('%H:%M')} ({self.zone})"


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass aware datetimes only")
    return moment.astimezone(timezone.utc)


def _wall(moment_utc: datetime, tz: ZoneInfo) -> datetime:
    """The naive local wall-clock reading of a UTC moment."""
    return moment_utc.astimezone(tz).replace(tzinfo=None)


def local_moment(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The first moment (UTC) whose wall-clock reading in `tz` reaches `day` at `at`."""
    wall = datetime.combine(day, at)
    candidates = [_utc(wall.replace(tzinfo=tz, fold=fold)) for fold in (0, 1)]
    real = [c for c in candidates if _wall(c, tz) == wall]
    if real:
        return min(real)  # a repeated time: its first occurrence
    # Skipped by a forward transition: the transition itself is the first moment past `wall`.
    low, high = min(candidates), max(candidates)
    while _wall(low, tz) >= wall:  # safety for unusual zones: widen until `low` is before
        low -= timedelta(hours=1)
    while _wall(high, tz) < wall:
        high += timedelta(hours=1)
    # Invariant: wall(low) < wall <= wall(high). Bisect to the second.
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if middle <= low:
            break
        if _wall(middle, tz) >= wall:
            high = middle
        else:
            low = middle
    return high


def local_day(moment: datetime, zone: str) -> date:
    return _utc(moment).astimezone(ZoneInfo(zone)).date()


def iso_week(moment: datetime, zone: str) -> str:
    """The ISO week key ("2026-W49") of `moment` in `zone`."""
    year, week, _ = local_day(moment, zone).isocalendar()
    return f"{year}-W{week:02d}"


def week_key(day: date) -> str:
    """The ISO week key ("2026-W49") of a day."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


@functools.lru_cache(maxsize=512)
def public_holidays(country: str, year: int) -> frozenset[date]:
    """The public holidays of `country` in `year`, from the `holidays` package (imported on
    first use; cached per country and year)."""
    import holidays

    return frozenset(holidays.country_holidays(country, years=year).keys())


def is_holiday(country: str | None, day: date) -> bool:
    return country is not None and day in public_holidays(country, day.year)


def checkin_day(schedule: Schedule, day_in_week: date) -> date | None:
    """The day of the check-in of the ISO week holding `day_in_week`, holidays and skips
    applied; None when that week has none."""
    if week_key(day_in_week) in schedule.skips:
        return None
    monday = day_in_week - timedelta(days=day_in_week.weekday())
    day = monday + timedelta(days=schedule.weekday)
    if not is_holiday(schedule.holidays, day):
        return day
    for later in range(schedule.weekday + 1, 7):
        day = monday + timedelta(days=later)
        if later < 5 and not is_holiday(schedule.holidays, day):
            return day
    return None


def checkin_of_week(schedule: Schedule, day_in_week: date) -> datetime | None:
    """The moment (UTC) of the check-in of the ISO week holding `day_in_week`; None: no check-in
    that week (skipped, or a holiday with no working day left in the week)."""
    day = checkin_day(schedule, day_in_week)
    return None if day is None else local_moment(day, schedule.at, schedule.tz)


def _weeks_to_search(schedule: Schedule) -> int:
    # Weeks without a check-in are skipped weeks, or weeks whose working days after the
    # scheduled day are all holidays (a few a year at most): always found within this.
    return len(schedule.skips) + 60


def _week_slots(schedule: Schedule, moment: datetime, step: int):
    """The check-ins of the weeks from the one before `moment`'s (step 1) or after it (step -1)."""
    today = _utc(moment).astimezone(schedule.tz).date()
    monday = today - timedelta(days=today.weekday())
    for w in range(_weeks_to_search(schedule)):
        slot = checkin_of_week(schedule, monday + timedelta(weeks=step * (w - 1)))
        if slot is not None:
            yield slot


def next_scheduled(schedule: Schedule, after: datetime) -> datetime:
    """The first scheduled moment strictly after `after` (UTC)."""
    after = _utc(after)
    for slot in _week_slots(schedule, after, 1):
        if slot > after:
            return slot
    raise AssertionError("a weekly schedule always has a slot")  # pragma: no cover


def latest_scheduled(schedule: Schedule, at_or_before: datetime) -> datetime:
    """The last scheduled moment at or before `at_or_before` (UTC)."""
    moment = _utc(at_or_before)
    for slot in _week_slots(schedule, moment, -1):
        if slot <= moment:
            return slot
    raise AssertionError("a weekly schedule always has a slot")  # pragma: no cover


def nudge_time(checkin_moment: datetime) -> datetime:
    """When the progress nudges of a check-in go out: 24 hours before it."""
    return _utc(checkin_moment) - NUDGE_BEFORE


def first_after(*moments: datetime | None) -> datetime | None:
    """The latest of the given moments (None when none is known): check-ins start after it."""
    known = [_utc(m) for m in moments if m is not None]
    return max(known) if known else None


@dataclass(frozen=True)
class Due:
    """A check-in to post now: its scheduled moment and its ISO week key."""

    scheduled_for: datetime
    week: str


def due_checkin(
    schedule: Schedule, starts_after: datetime | None, posted_week: str | None, now: datetime
) -> Due | None:
    """Whether a channel's check-in is due at `now`.

    Due when the latest scheduled moment at or before `now` is after `starts_after` (the
    channel's first check-in is the first scheduled time after that), lies in the same ISO
    week as `now` (a check-in missed while the app was down is posted the same week, and
    never one per missed week), and that week was not posted yet (`posted_week`).
    """
    if starts_after is None:
        return None
    now = _utc(now)
    slot = latest_scheduled(schedule, now)
    if slot <= _utc(starts_after):
        return None
    week = iso_week(slot, schedule.zone)
    if week != iso_week(now, schedule.zone) or week == posted_week:
        return None
    return Due(slot, week)


def next_checkin(
    schedule: Schedule, starts_after: datetime | None, posted_weeks: Iterable[str], now: datetime
) -> datetime | None:
    """When the next check-in will be posted, as seen at `now` (None: no commitment yet).

    A due check-in not yet posted is "now"; otherwise the first scheduled moment after
    both `now` and `starts_after` whose week has not been posted already.
    """
    if starts_after is None:
        return None
    posted = set(posted_weeks)
    due = due_checkin(schedule, starts_after, None, now)
    if due is not None and due.week not in posted:
        return _utc(now)
    moment = max(_utc(now), _utc(starts_after))
    for _ in range(3):
        slot = next_scheduled(schedule, moment)
        if iso_week(slot, schedule.zone) not in posted:
            return slot
        moment = slot
    return next_scheduled(schedule, moment)  # pragma: no cover
