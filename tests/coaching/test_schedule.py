from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.coaching.schedule import (
    Due,
    Schedule,
    due_checkin,
    first_after,
    iso_week,
    latest_scheduled,
    local_moment,
    next_checkin,
    next_scheduled,
)

UTC = timezone.utc
ZONES = ["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham"]


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


# ---------------------------------------------------------------- examples


@pytest.mark.parametrize(
    ("zone", "after", "expected"),
    [
        ("UTC", utc(2026, 11, 26, 10), utc(2026, 11, 30, 9)),
        ("UTC", utc(2026, 11, 30, 9), utc(2026, 12, 7, 9)),  # strictly after
        ("UTC", utc(2026, 11, 30, 8, 59), utc(2026, 11, 30, 9)),
        ("Asia/Kolkata", utc(2026, 11, 26, 10), utc(2026, 11, 30, 3, 30)),  # +05:30
        ("Europe/Paris", utc(2026, 11, 26, 10), utc(2026, 11, 30, 8)),  # CET +1
        ("Europe/Paris", utc(2026, 6, 1, 12), utc(2026, 6, 8, 7)),  # CEST +2
        ("America/New_York", utc(2026, 11, 26, 10), utc(2026, 11, 30, 14)),  # EST -5
    ],
)
def test_next_scheduled_monday_nine(zone, after, expected):
    assert next_scheduled(Schedule(0, time(9), zone), after) == expected


def test_a_time_skipped_in_spring_posts_when_the_clock_jumps():
    paris = ZoneInfo("Europe/Paris")
    # 2026-03-29: 02:00 CET jumps to 03:00 CEST; 02:30 never happens → 03:00 local = 01:00 UTC.
    moment = local_moment(date(2026, 3, 29), time(2, 30), paris)
    assert moment == utc(2026, 3, 29, 1)
    assert moment.astimezone(paris).strftime("%H:%M") == "03:00"
    sunday = Schedule(6, time(2, 30), "Europe/Paris")
    assert next_scheduled(sunday, utc(2026, 3, 28)) == utc(2026, 3, 29, 1)
    new_york = Schedule(6, time(2, 30), "America/New_York")  # 2026-03-08 02:00 EST → 03:00 EDT
    assert next_scheduled(new_york, utc(2026, 3, 7)) == utc(2026, 3, 8, 7)


def test_a_time_repeated_in_autumn_posts_once_at_its_first_occurrence():
    sunday = Schedule(6, time(2, 30), "Europe/Paris")  # 2026-10-25 03:00 CEST → 02:00 CET
    first = next_scheduled(sunday, utc(2026, 10, 24))
    assert first == utc(2026, 10, 25, 0, 30)  # 02:30 CEST, not 02:30 CET (01:30 UTC)
    assert next_scheduled(sunday, first) == utc(2026, 11, 1, 1, 30)  # the repeat is not a slot
    assert due_checkin(sunday, utc(2026, 10, 1), iso_week(first, "Europe/Paris"), utc(2026, 10, 25, 1, 30)) is None
    new_york = Schedule(6, time(1, 30), "America/New_York")  # 2026-11-01 02:00 EDT → 01:00 EST
    assert next_scheduled(new_york, utc(2026, 10, 31)) == utc(2026, 11, 1, 5, 30)


def test_iso_week_is_the_channels_week():
    moment = utc(2026, 11, 29, 20)  # Sunday evening in UTC, already Monday in Kolkata
    assert iso_week(moment, "UTC") == "2026-W48"
    assert iso_week(moment, "Asia/Kolkata") == "2026-W49"
    assert iso_week(utc(2027, 1, 1, 12), "UTC") == "2026-W53"


MONDAY = Schedule(0, time(9), "UTC")


def test_due_this_week_once_and_caught_up_later_the_same_week():
    declared = utc(2026, 11, 26, 10)
    assert due_checkin(MONDAY, declared, None, utc(2026, 11, 30, 8, 59)) is None
    assert due_checkin(MONDAY, declared, None, utc(2026, 11, 30, 9)) == Due(utc(2026, 11, 30, 9), "2026-W49")
    assert due_checkin(MONDAY, declared, "2026-W49", utc(2026, 11, 30, 9, 1)) is None
    # Down from Sunday to Thursday: caught up on Thursday, the same week.
    assert due_checkin(MONDAY, declared, "2026-W48", utc(2026, 12, 3, 15)) == Due(utc(2026, 11, 30, 9), "2026-W49")
    # Down for two weeks, back on the next Monday before nine: nothing until nine.
    assert due_checkin(MONDAY, declared, None, utc(2026, 12, 14, 8)) is None
    assert due_checkin(MONDAY, declared, None, utc(2026, 12, 14, 9)).week == "2026-W51"


def test_the_first_check_in_is_the_first_scheduled_time_after_the_first_commitment():
    assert due_checkin(MONDAY, None, None, utc(2026, 11, 30, 10)) is None  # no commitment yet
    declared_on_monday_at_ten = utc(2026, 11, 30, 10)
    assert due_checkin(MONDAY, declared_on_monday_at_ten, None, utc(2026, 12, 2)) is None
    assert due_checkin(MONDAY, declared_on_monday_at_ten, None, utc(2026, 12, 7, 9)).week == "2026-W50"


def test_next_checkin_says_when_the_next_post_will_be():
    declared = utc(2026, 11, 26, 10)
    assert next_checkin(MONDAY, None, [], utc(2026, 11, 26)) is None
    assert next_checkin(MONDAY, declared, [], utc(2026, 11, 27)) == utc(2026, 11, 30, 9)
    assert next_checkin(MONDAY, declared, [], utc(2026, 12, 1)) == utc(2026, 12, 1)  # due now
    assert next_checkin(MONDAY, declared, ["2026-W49"], utc(2026, 12, 1)) == utc(2026, 12, 7, 9)
    friday = Schedule(4, time(16), "UTC")
    assert next_checkin(friday, declared, ["2026-W49"], utc(2026, 12, 1)) == utc(2026, 12, 11, 16)


def test_first_after_is_the_latest_known_moment():
    assert first_after(None, None) is None
    assert first_after(utc(2026, 1, 1), None, utc(2026, 2, 1)) == utc(2026, 2, 1)


# ---------------------------------------------------------------- properties

schedules = st.builds(
    Schedule,
    weekday=st.integers(0, 6),
    at=st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45])),
    zone=st.sampled_from(ZONES),
)
moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC))


@settings(max_examples=300, deadline=None)
@given(schedules, moments)
def test_next_scheduled_is_the_first_slot_after(schedule, after):
    slot = next_scheduled(schedule, after)
    assert after < slot <= after + timedelta(days=7, hours=1)
    local = slot.astimezone(schedule.tz)
    wall = datetime.combine(local.date(), schedule.at)
    assert local.replace(tzinfo=None) >= wall
    # On the wall clock it is the scheduled time, or the first minute after a skipped one.
    if local.replace(tzinfo=None) != wall:
        just_before = (slot - timedelta(seconds=1)).astimezone(schedule.tz).replace(tzinfo=None)
        assert just_before < wall
    assert local.weekday() == schedule.weekday
    assert latest_scheduled(schedule, slot) == slot
    assert latest_scheduled(schedule, slot - timedelta(seconds=1)) <= after


@settings(max_examples=200, deadline=None)
@given(schedules, moments, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=30)))
def test_next_scheduled_is_monotone(schedule, after, later):
    assert next_scheduled(schedule, after) <= next_scheduled(schedule, after + later)


@settings(max_examples=200, deadline=None)
@given(schedules, moments)
def test_exactly_one_slot_per_iso_week(schedule, moment):
    slot = latest_scheduled(schedule, moment)
    following = next_scheduled(schedule, slot)
    assert slot <= moment < following
    assert iso_week(slot, schedule.zone) != iso_week(following, schedule.zone)
    assert (following - slot) <= timedelta(days=7, hours=1)


@settings(max_examples=100, deadline=None)
@given(
    schedules,
    moments,
    st.lists(st.integers(1, 60 * 24 * 9), min_size=1, max_size=40),  # minutes between runs
)
def test_runs_at_any_times_post_at_most_once_a_week_and_only_after_the_slot(schedule, start, gaps):
    """A runner waking at arbitrary times (restarts, downtime) posts at most once per ISO week,
    never before the week's slot, never for a week it did not run in."""
    posted: dict[str, datetime] = {}
    last_week = None
    now = start
    for gap in gaps:
        now += timedelta(minutes=gap)
        due = due_checkin(schedule, start, last_week, now)
        if due is None:
            continue
        assert due.week not in posted
        assert start < due.scheduled_for <= now
        assert iso_week(now, schedule.zone) == due.week
        posted[due.week] = now
        last_week = due.week
    assert len(posted) == len(set(posted))


@settings(max_examples=60, deadline=None)
@given(schedules, moments, st.integers(2, 6))
def test_a_runner_every_minute_posts_every_week(schedule, start, weeks):
    """Running continuously, every week after the first commitment gets exactly one check-in."""
    last_week = None
    posts = []
    slots = 0
    now = start
    end = start + timedelta(weeks=weeks)
    while now < end:
        slot = next_scheduled(schedule, now)
        slots += 1
        # jump from slot to slot (the runner would find nothing due in between)
        for probe in (slot - timedelta(minutes=1), slot, slot + timedelta(minutes=1)):
            due = due_checkin(schedule, start, last_week, probe)
            if due is not None:
                assert probe >= slot
                posts.append(due.week)
                last_week = due.week
        now = slot
    assert len(posts) == len(set(posts)) == slots
