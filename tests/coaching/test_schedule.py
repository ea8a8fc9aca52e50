from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.coaching.schedule import (
    Due,
    Schedule,
    checkin_day,
    checkin_of_week,
    due_checkin,
    first_after,
    is_holiday,
    iso_week,
    latest_scheduled,
    local_moment,
    next_checkin,
    next_scheduled,
    nudge_time,
    week_key,
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


# ---------------------------------------------------------------- holidays and skips


def test_a_monday_holiday_moves_the_check_in_to_tuesday_same_time():
    easter = Schedule(0, time(9), "Europe/Berlin", holidays="DE")
    assert is_holiday("DE", date(2026, 4, 6))  # Easter Monday
    assert checkin_of_week(easter, date(2026, 4, 8)) == utc(2026, 4, 7, 7)  # Tuesday 09:00 CEST
    assert next_scheduled(easter, utc(2026, 4, 3)) == utc(2026, 4, 7, 7)
    assert latest_scheduled(easter, utc(2026, 4, 6, 12)) == utc(2026, 3, 30, 7)
    assert due_checkin(easter, utc(2026, 3, 1), None, utc(2026, 4, 6, 12)) is None  # last week's, not now
    assert due_checkin(easter, utc(2026, 3, 1), None, utc(2026, 4, 7, 7)) == Due(utc(2026, 4, 7, 7), "2026-W15")
    # the nudge moves with it
    assert nudge_time(next_scheduled(easter, utc(2026, 4, 3))) == utc(2026, 4, 6, 7)
    # without holidays it stays on Monday
    assert next_scheduled(Schedule(0, time(9), "Europe/Berlin"), utc(2026, 4, 3)) == utc(2026, 4, 6, 7)


def test_a_holiday_on_a_thursday_before_a_working_friday_moves_to_friday():
    thanksgiving = Schedule(3, time(16, 30), "America/New_York", holidays="US")
    assert checkin_day(thanksgiving, date(2026, 11, 26)) == date(2026, 11, 27)
    assert checkin_of_week(thanksgiving, date(2026, 11, 23)) == utc(2026, 11, 27, 21, 30)


def test_a_friday_holiday_means_no_check_in_that_week():
    good_friday = Schedule(4, time(9), "Europe/Berlin", holidays="DE")
    assert checkin_of_week(good_friday, date(2026, 4, 1)) is None
    assert next_scheduled(good_friday, utc(2026, 3, 28)) == utc(2026, 4, 10, 7)
    assert latest_scheduled(good_friday, utc(2026, 4, 5)) == utc(2026, 3, 27, 8)  # CET before 29 March
    assert due_checkin(good_friday, utc(2026, 3, 1), None, utc(2026, 4, 3, 12)) is None


def test_holidays_that_fill_the_rest_of_the_week_mean_no_check_in():
    # 2026-12-25 (Fri) and 12-26 (Sat) in Germany: a Friday check-in has no working day left.
    christmas = Schedule(4, time(9), "UTC", holidays="DE")
    assert checkin_of_week(christmas, date(2026, 12, 21)) is None
    # a Thursday one is not on a holiday at all
    assert checkin_day(Schedule(3, time(9), "UTC", holidays="DE"), date(2026, 12, 21)) == date(2026, 12, 24)


def test_a_weekend_check_in_stays_on_the_weekend_unless_it_is_a_holiday():
    saturday = Schedule(5, time(10), "UTC", holidays="DE")
    assert checkin_day(saturday, date(2026, 12, 7)) == date(2026, 12, 12)
    assert checkin_day(saturday, date(2026, 12, 21)) is None  # 26 Dec: no working day after it that week


def test_a_skipped_week_has_no_check_in_and_the_next_week_has_one():
    skipping = Schedule(0, time(9), "UTC", skips=frozenset({"2026-W52"}))
    assert checkin_of_week(skipping, date(2026, 12, 23)) is None
    assert next_scheduled(skipping, utc(2026, 12, 15)) == utc(2026, 12, 28, 9)  # 2026-W53
    assert latest_scheduled(skipping, utc(2026, 12, 27)) == utc(2026, 12, 14, 9)
    assert due_checkin(skipping, utc(2026, 11, 1), None, utc(2026, 12, 21, 10)) is None
    assert next_checkin(skipping, utc(2026, 11, 1), ["2026-W51"], utc(2026, 12, 15)) == utc(2026, 12, 28, 9)


def test_many_skipped_weeks_in_a_row():
    weeks = frozenset(week_key(date(2026, 1, 5) + timedelta(weeks=w)) for w in range(80))
    skipping = Schedule(0, time(9), "UTC", skips=weeks)
    assert next_scheduled(skipping, utc(2026, 1, 1)) == local_moment(
        date(2026, 1, 5) + timedelta(weeks=80), time(9), ZoneInfo("UTC")
    )


def test_nudge_time_is_a_day_before():
    assert nudge_time(utc(2026, 12, 7, 9)) == utc(2026, 12, 6, 9)
    with pytest.raises(ValueError):
        nudge_time(datetime(2026, 12, 7, 9))


COUNTRIES = ["DE", "US", "IN", "FR", "GB", "JP", "BR", "NZ"]
days = st.dates(date(2024, 1, 1), date(2030, 12, 31))
week_keys = st.builds(week_key, days)
calendar_schedules = st.builds(
    Schedule,
    weekday=st.integers(0, 6),
    at=st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45])),
    zone=st.sampled_from(ZONES),
    holidays=st.one_of(st.none(), st.sampled_from(COUNTRIES)),
    skips=st.frozensets(week_keys, max_size=5),
)


@settings(max_examples=400, deadline=None)
@given(calendar_schedules, days)
def test_a_moved_check_in_stays_in_its_week_off_holidays_and_weekends_at_the_same_time(schedule, day):
    monday = day - timedelta(days=day.weekday())
    scheduled = monday + timedelta(days=schedule.weekday)
    moved = checkin_day(schedule, day)
    if moved is None:
        assert week_key(day) in schedule.skips or (
            is_holiday(schedule.holidays, scheduled)
            and all(
                is_holiday(schedule.holidays, d)
                for d in (monday + timedelta(days=i) for i in range(5))
                if d > scheduled
            )
        )
        return
    assert week_key(moved) == week_key(day) not in schedule.skips
    assert not is_holiday(schedule.holidays, moved)
    if moved != scheduled:
        assert moved > scheduled and moved.weekday() < 5
        assert is_holiday(schedule.holidays, scheduled)
        # the first working day after it: every day between was a holiday or a weekend
        between = [scheduled + timedelta(days=i) for i in range(1, (moved - scheduled).days)]
        assert all(d.weekday() >= 5 or is_holiday(schedule.holidays, d) for d in between)
    slot = checkin_of_week(schedule, day)
    assert slot == local_moment(moved, schedule.at, schedule.tz)
    assert slot.astimezone(schedule.tz).date() == moved


@settings(max_examples=200, deadline=None)
@given(calendar_schedules, days, st.frozensets(week_keys, max_size=8))
def test_skips_remove_exactly_their_weeks(schedule, day, more):
    with_skips = Schedule(schedule.weekday, schedule.at, schedule.zone, schedule.holidays, schedule.skips | more)
    if week_key(day) in more:
        assert checkin_of_week(with_skips, day) is None
    else:
        assert checkin_of_week(with_skips, day) == checkin_of_week(schedule, day)


@settings(max_examples=200, deadline=None)
@given(calendar_schedules, moments)
def test_next_and_latest_scheduled_are_the_weeks_check_ins(schedule, moment):
    following = next_scheduled(schedule, moment)
    latest = latest_scheduled(schedule, moment)
    assert latest <= moment < following
    for slot in (following, latest):
        local_day = slot.astimezone(schedule.tz).date()
        assert checkin_of_week(schedule, local_day) == slot
        assert week_key(local_day) not in schedule.skips
    # no check-in strictly between them
    assert next_scheduled(schedule, latest) == following


@settings(max_examples=100, deadline=None)
@given(calendar_schedules, moments, st.lists(st.integers(1, 60 * 24 * 9), min_size=1, max_size=30))
def test_with_holidays_and_skips_runs_post_at_most_once_a_week_never_in_a_skipped_week(schedule, start, gaps):
    posted: set[str] = set()
    last_week = None
    now = start
    for gap in gaps:
        now += timedelta(minutes=gap)
        due = due_checkin(schedule, start, last_week, now)
        if due is None:
            continue
        assert due.week not in posted and due.week not in schedule.skips
        assert not is_holiday(schedule.holidays, due.scheduled_for.astimezone(schedule.tz).date())
        assert start < due.scheduled_for <= now
        posted.add(due.week)
        last_week = due.week
