"""Which nudges and reminders are due: table tests and properties over the pure decisions."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.coaching.reminders import (
    CLAIM_HORIZON,
    Kind,
    Reminder,
    due_reminders,
    due_tomorrow_window,
    overdue_window,
    unclaimed,
    upcoming_checkin,
)
from bot.coaching.schedule import local_day
from storage.models import ActionStatus
from storage.reminders import ActiveCommitment, ChannelCalendar, OpenAction, OpenBreakdown, ReminderFacts

UTC = timezone.utc


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


DECLARED = utc(2026, 11, 1, 10)


def channel(
    channel_id="C1", weekday=0, at=time(9), zone="UTC", holidays=None, skips=(), enabled=True, team="T1", since=DECLARED
):
    return ChannelCalendar(team, channel_id, weekday, at, zone, holidays, frozenset(skips), enabled, since)


def commitment(id_=1, owner="U1", channel_id="C1", last=utc(2026, 11, 20), value=150.0, team="T1"):
    return ActiveCommitment(id_, team, channel_id, id_, f"Outcome {id_}", "teams", owner, 120.0, value, last)


def promise(id_=1, owner="U1", due=date(2026, 12, 10), promised_at=utc(2026, 12, 1), channel_id="C1", asker=None):
    return OpenAction(
        id_, "T1", channel_id, 1, 1, "Outcome 1", f"Do thing {id_}", owner, asker or owner, due,
        ActionStatus.PROMISED, promised_at, promised_at,
    )  # fmt: skip


def request(id_=1, owner="U2", asker="U1", due=date(2026, 12, 20), asked_at=utc(2026, 12, 1, 10)):
    return OpenAction(
        id_,
        "T1",
        "C1",
        1,
        1,
        "Outcome 1",
        f"Please do {id_}",
        owner,
        asker,
        due,
        ActionStatus.REQUESTED,
        asked_at,
        None,
    )


def breakdown(id_=1, owner="U1", enrolled=("U1", "U2"), opened=utc(2026, 11, 30, 9), promised_since=False):
    return OpenBreakdown(id_, "T1", "C1", 1, 1, "Outcome 1", owner, tuple(enrolled), opened, promised_since)


def facts(channels=(), commitments=(), promises=(), requests=(), breakdowns=(), away=None):
    return ReminderFacts(
        channels={(c.team_id, c.channel_id): c for c in channels},
        commitments=list(commitments),
        promises=list(promises),
        requests=list(requests),
        breakdowns=list(breakdowns),
        away=dict(away or {}),
    )


def keys(found: list[Reminder]) -> list[str]:
    return [r.key for r in found]


# --- progress nudges -----------------------------------------------------------------------------

# Monday 2026-12-07 09:00 UTC is C1's check-in (ISO week 2026-W50): nudges from Sunday 09:00.


def test_a_nudge_goes_24_hours_before_the_check_in_to_each_owner_of_stale_commitments():
    f = facts(
        [channel()],
        [
            commitment(1, "U1", last=utc(2026, 11, 29, 8)),  # 8 days old at the nudge
            commitment(2, "U1", last=utc(2026, 11, 28)),
            commitment(3, "U2", last=utc(2026, 12, 4)),  # fresh: 2 days old
            commitment(4, "U3", last=utc(2026, 11, 30, 8, 59)),  # 6 days and 1 minute
        ],
    )
    assert due_reminders(f, utc(2026, 12, 6, 8, 59)) == []
    found = due_reminders(f, utc(2026, 12, 6, 9))
    assert keys(found) == ["nudge:T1:C1:U1:2026-W50", "nudge:T1:C1:U3:2026-W50"]
    assert [c.id for c in found[0].commitments] == [1, 2]
    assert found[0].checkin_at == utc(2026, 12, 7, 9)
    # still due until the check-in (a pass missed at 09:00 Sunday sends it later), not after it
    assert keys(due_reminders(f, utc(2026, 12, 7, 8, 59))) == keys(found)
    assert due_reminders(f, utc(2026, 12, 7, 9)) == []


def test_exactly_six_days_is_not_stale_yet():
    f = facts([channel()], [commitment(1, last=utc(2026, 11, 30, 9))])
    assert due_reminders(f, utc(2026, 12, 6, 9)) == []
    assert len(due_reminders(f, utc(2026, 12, 6, 9, 1))) == 1


def test_no_nudge_when_check_ins_are_off_paused_skipped_or_not_started():
    stale = [commitment(1, last=utc(2026, 11, 1))]
    sunday = utc(2026, 12, 6, 12)
    assert due_reminders(facts([channel(enabled=False)], stale), sunday) == []
    assert due_reminders(facts([channel(skips={"2026-W50"})], stale), sunday) == []
    late_start = ChannelCalendar("T1", "C1", 0, time(9), "UTC", None, frozenset(), True, utc(2026, 12, 7, 9))
    assert due_reminders(facts([late_start], stale), sunday) == []
    assert due_reminders(facts([], stale), sunday) == []  # no calendar: nothing to prepare


def test_the_nudge_moves_with_a_holiday_check_in():
    # 2026-04-06 is Easter Monday in Germany: the check-in is Tuesday 09:00 Berlin (07:00 UTC).
    f = facts(
        [channel(zone="Europe/Berlin", holidays="DE", since=utc(2026, 1, 1))], [commitment(1, last=utc(2026, 3, 1))]
    )
    assert due_reminders(f, utc(2026, 4, 5, 7)) == []  # Sunday: not yet
    [nudge] = due_reminders(f, utc(2026, 4, 6, 7))
    assert nudge.checkin_at == utc(2026, 4, 7, 7) and nudge.key.endswith(":2026-W15")


def test_one_nudge_per_channel_check_in_for_an_owner_in_two_channels():
    f = facts(
        [channel("C1"), channel("C2", zone="Asia/Kolkata")],
        [commitment(1, "U1", "C1", last=utc(2026, 11, 1)), commitment(2, "U1", "C2", last=utc(2026, 11, 1))],
    )
    found = due_reminders(f, utc(2026, 12, 6, 12))
    assert keys(found) == ["nudge:T1:C1:U1:2026-W50", "nudge:T1:C2:U1:2026-W50"]


# --- promises --------------------------------------------------------------------------------------


def test_a_promise_due_tomorrow_from_nine_the_day_before_until_the_due_date():
    f = facts([channel(zone="Europe/Paris")], promises=[promise(7, due=date(2026, 12, 10))])
    assert due_reminders(f, utc(2026, 12, 9, 7, 59)) == []  # 08:59 Paris
    [due] = due_reminders(f, utc(2026, 12, 9, 8))
    assert (due.key, due.kind, due.user_id, due.action.id) == ("due:7", Kind.DUE, "U1", 7)
    assert keys(due_reminders(f, utc(2026, 12, 9, 22, 59))) == ["due:7"]  # 23:59 Paris
    assert due_reminders(f, utc(2026, 12, 9, 23)) == []  # the due date has come
    assert due_reminders(f, utc(2026, 12, 11, 7, 59)) == []
    assert keys(due_reminders(f, utc(2026, 12, 11, 8))) == ["overdue:7"]  # 09:00 the day after
    assert keys(due_reminders(f, utc(2026, 12, 18, 7, 59))) == ["overdue:7"]
    assert due_reminders(f, utc(2026, 12, 18, 8)) == []  # a week later: the check-ins carry it


def test_a_promise_made_after_nine_the_day_before_is_not_reminded_as_due_tomorrow():
    just_made = promise(1, due=date(2026, 12, 10), promised_at=utc(2026, 12, 9, 15))
    assert due_reminders(facts([channel()], promises=[just_made]), utc(2026, 12, 9, 16)) == []
    assert keys(due_reminders(facts([channel()], promises=[just_made]), utc(2026, 12, 11, 9))) == ["overdue:1"]


def test_requests_unanswered_for_two_days_remind_the_owner_and_tell_the_asker():
    f = facts([channel()], requests=[request(3, asked_at=utc(2026, 12, 1, 10), due=date(2026, 12, 5))])
    assert due_reminders(f, utc(2026, 12, 3, 9, 59)) == []
    found = due_reminders(f, utc(2026, 12, 3, 10))
    assert [(r.key, r.user_id) for r in found] == [("request:3", "U2"), ("asker:3", "U1")]
    assert len(due_reminders(f, utc(2026, 12, 5, 23))) == 2
    assert due_reminders(f, utc(2026, 12, 6)) == []  # past its due date
    later = facts([channel()], requests=[request(3, asked_at=utc(2026, 12, 1, 10), due=date(2027, 3, 1))])
    assert len(due_reminders(later, utc(2026, 12, 15, 9, 59))) == 2
    assert due_reminders(later, utc(2026, 12, 15, 10)) == []  # two weeks on: the reminder's moment has passed


def test_a_breakdown_without_a_new_promise_is_followed_up_with_its_people():
    f = facts([channel()], breakdowns=[breakdown(4, enrolled=("U1", "U2", "U3"))])
    assert due_reminders(f, utc(2026, 12, 2, 8, 59)) == []
    found = due_reminders(f, utc(2026, 12, 2, 9))
    assert [(r.key, r.user_id) for r in found] == [
        ("followup:4:U1", "U1"),
        ("followup:4:U2", "U2"),
        ("followup:4:U3", "U3"),
    ]
    assert due_reminders(f, utc(2026, 12, 7, 9)) == []  # a week on: the check-in asks again
    answered = facts([channel()], breakdowns=[breakdown(4, promised_since=True)])
    assert due_reminders(answered, utc(2026, 12, 2, 9)) == []


# --- time away ---------------------------------------------------------------------------------------


def test_nothing_reaches_someone_away_and_it_goes_out_when_they_are_back_if_still_relevant():
    f = facts(
        [channel()],
        [commitment(1, "U1", last=utc(2026, 11, 1))],
        [promise(1, "U1", due=date(2026, 12, 10))],
        [request(2, owner="U1", asker="U2", asked_at=utc(2026, 12, 1))],
        [breakdown(3, enrolled=("U1", "U2"), opened=utc(2026, 12, 6, 9))],
        away={("T1", "U1"): date(2026, 12, 9)},
    )
    at = utc(2026, 12, 9, 12)  # U1 away today (inclusive)
    assert [(r.key, r.user_id) for r in due_reminders(f, at)] == [("followup:3:U2", "U2")]
    back = utc(2026, 12, 10, 0, 1)
    # the due-tomorrow reminder is no longer relevant; the request and the follow-up still are
    assert {r.key for r in due_reminders(f, back) if r.user_id == "U1"} == {"request:2", "followup:3:U1"}


def test_the_asker_is_not_told_while_the_owner_is_away():
    f = facts([channel()], requests=[request(2, owner="U2", asker="U1")], away={("T1", "U2"): date(2026, 12, 31)})
    assert due_reminders(f, utc(2026, 12, 4)) == []


def test_unclaimed_leaves_out_what_was_claimed():
    f = facts([channel()], promises=[promise(1, due=date(2026, 12, 10)), promise(2, due=date(2026, 12, 10))])
    found = due_reminders(f, utc(2026, 12, 9, 10))
    assert keys(unclaimed(found, {"due:1"})) == ["due:2"]


def test_upcoming_checkin_is_the_next_one_within_a_day():
    c = channel(weekday=4, at=time(16, 30), zone="America/New_York")
    assert upcoming_checkin(c, utc(2026, 12, 3, 21, 29)) is None
    assert upcoming_checkin(c, utc(2026, 12, 3, 21, 30)) == utc(2026, 12, 4, 21, 30)


def test_windows_are_in_the_channels_timezone():
    assert due_tomorrow_window(date(2026, 12, 10), "Asia/Kolkata") == (
        utc(2026, 12, 9, 3, 30),
        utc(2026, 12, 9, 18, 30),
    )
    assert overdue_window(date(2026, 12, 10), "UTC") == (utc(2026, 12, 11, 9), utc(2026, 12, 18, 9))


# --- properties ---------------------------------------------------------------------------------------

ZONES = ["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"]
PEOPLE = ["U1", "U2", "U3", "U4"]
moments = st.datetimes(min_value=datetime(2026, 11, 1), max_value=datetime(2027, 1, 31), timezones=st.just(UTC))
days = st.dates(date(2026, 11, 1), date(2027, 1, 31))


@st.composite
def fact_sets(draw):
    zones = {f"C{n}": draw(st.sampled_from(ZONES)) for n in range(2)}
    channels = [
        ChannelCalendar(
            "T1",
            cid,
            draw(st.integers(0, 6)),
            time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 30]))),
            zone,
            draw(st.sampled_from([None, "DE", "US"])),
            frozenset(),
            draw(st.booleans()),
            draw(moments),
        )
        for cid, zone in zones.items()
    ]
    cids = sorted(zones)
    commitments = [
        ActiveCommitment(i, "T1", draw(st.sampled_from(cids)), i, "O", None, draw(st.sampled_from(PEOPLE)), 0, None, draw(moments))
        for i in range(1, draw(st.integers(0, 6)) + 1)
    ]  # fmt: skip
    actions = []
    for i in range(1, draw(st.integers(0, 8)) + 1):
        status = draw(st.sampled_from([ActionStatus.PROMISED, ActionStatus.REQUESTED]))
        asked = draw(moments)
        actions.append(
            OpenAction(
                i, "T1", draw(st.sampled_from(cids)), 1, 1, "O", "w", draw(st.sampled_from(PEOPLE)),
                draw(st.sampled_from(PEOPLE)), draw(days), status, asked,
                draw(st.one_of(st.none(), st.just(asked))) if status == ActionStatus.PROMISED else None,
            )
        )  # fmt: skip
    breakdowns = [
        OpenBreakdown(
            i, "T1", draw(st.sampled_from(cids)), 1, 1, "O", "U1",
            tuple(draw(st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=4, unique=True))),
            draw(moments), draw(st.booleans()),
        )
        for i in range(1, draw(st.integers(0, 3)) + 1)
    ]  # fmt: skip
    away = draw(st.dictionaries(st.sampled_from([("T1", p) for p in PEOPLE]), days, max_size=3))
    return ReminderFacts(
        channels={c.key: c for c in channels},
        commitments=commitments,
        promises=[a for a in actions if a.status == ActionStatus.PROMISED],
        requests=[a for a in actions if a.status == ActionStatus.REQUESTED],
        breakdowns=breakdowns,
        away=away,
    )


@settings(max_examples=300, deadline=None)
@given(fact_sets(), moments)
def test_never_to_someone_away_that_day(f, now):
    for r in due_reminders(f, now):
        until = f.away.get((r.team_id, r.user_id))
        zone = f.channels[(r.team_id, r.channel_id)].zone
        assert until is None or local_day(now, zone) > until


@settings(max_examples=300, deadline=None)
@given(fact_sets(), moments)
def test_keys_are_unique_and_name_their_kind_and_target(f, now):
    found = due_reminders(f, now)
    assert len({r.key for r in found}) == len(found)
    for r in found:
        assert r.key.startswith(f"{r.kind}:")
        if r.kind in (Kind.DUE, Kind.OVERDUE, Kind.REQUEST, Kind.ASKER):
            assert r.key == f"{r.kind}:{r.action.id}"
        elif r.kind == Kind.FOLLOWUP:
            assert r.key == f"followup:{r.breakdown.id}:{r.user_id}"
        else:
            assert r.key.startswith(f"nudge:{r.team_id}:{r.channel_id}:{r.user_id}:")
            assert r.commitments and all(c.owner_id == r.user_id for c in r.commitments)


@settings(max_examples=300, deadline=None)
@given(fact_sets(), moments)
def test_due_tomorrow_never_on_or_after_the_due_date_and_overdue_only_after_it(f, now):
    for r in due_reminders(f, now):
        if r.kind in (Kind.DUE, Kind.OVERDUE):
            today = local_day(now, f.channels[(r.team_id, r.channel_id)].zone)
            assert (today < r.action.due) if r.kind == Kind.DUE else (today > r.action.due)
            assert today == r.action.due - timedelta(days=1) if r.kind == Kind.DUE else True


@settings(max_examples=200, deadline=None)
@given(fact_sets(), moments)
def test_nudges_only_for_stale_commitments_within_a_day_of_an_enabled_check_in(f, now):
    for r in due_reminders(f, now):
        if r.kind != Kind.NUDGE:
            continue
        channel_ = f.channels[(r.team_id, r.channel_id)]
        assert channel_.enabled
        assert now < r.checkin_at <= now + timedelta(hours=24)
        assert all(now - c.last_report_at > timedelta(days=6) for c in r.commitments)


@settings(max_examples=200, deadline=None)
@given(fact_sets(), moments)
def test_every_window_is_shorter_than_the_claim_horizon(f, now):
    """A reminder due at `now` is not due any more a horizon later: its claim, made while it
    was due, is always among the claims `claimed_since(now - CLAIM_HORIZON)` reads."""
    due = {r.key for r in due_reminders(f, now)}
    later = {r.key for r in due_reminders(f, now + CLAIM_HORIZON)}
    assert not due & later


@settings(max_examples=100, deadline=None)
@given(fact_sets(), moments, st.lists(st.integers(1, 60 * 30), min_size=1, max_size=30))
def test_passes_at_any_times_send_each_key_once_when_claims_are_kept(f, start, gaps):
    claimed: set[str] = set()
    now = start
    for gap in gaps:
        now += timedelta(minutes=gap)
        for r in unclaimed(due_reminders(f, now), claimed):
            assert r.key not in claimed
            claimed.add(r.key)
