"""What a check-in decides for each commitment (bot/checkins/plan.py): properties over any
history of reports, breakdowns and promises."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.actions.promises import coverage_of, integrity_of
from bot.checkins.plan import check_commitment
from bot.coaching.trajectory import Verdict
from storage.commitments import CommitmentState
from storage.models import Action, Breakdown, Commitment, ProgressReport

START = date(2026, 1, 5)
UTC = timezone.utc


def at(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def day_of(moment: datetime) -> date:
    return moment.astimezone(UTC).date()


@st.composite
def situations(draw):
    baseline = draw(st.integers(-100, 100))
    target = baseline + draw(st.sampled_from([-1, 1])) * draw(st.integers(1, 200))
    length = draw(st.integers(1, 120))
    due = START + timedelta(days=length)
    c = Commitment(
        id=1,
        team_id="T1",
        channel_id="C1",
        number=1,
        outcome="x",
        baseline=baseline,
        target=target,
        start_date=START,
        due=due,
        owner_id="U1",
        declared_at=at(START),
    )
    report_days = draw(st.lists(st.integers(0, length + 30), max_size=6))
    reports = tuple(
        ProgressReport(
            id=i,
            commitment_id=1,
            user_id="U1",
            value=draw(st.integers(-300, 300)),
            reported_at=at(START + timedelta(days=d)),
        )
        for i, d in enumerate(sorted(report_days), start=1)
    )
    today = START + timedelta(days=draw(st.integers(0, length + 40)))
    reports = tuple(r for r in reports if day_of(r.reported_at) <= today)
    breakdowns = [
        Breakdown(
            id=i,
            commitment_id=1,
            source=draw(st.sampled_from(["checkin", "declared"])),
            opened_at=at(START + timedelta(days=draw(st.integers(0, (today - START).days)))),
        )
        for i in range(1, draw(st.integers(0, 2)) + 1)
    ]
    breakdowns.sort(key=lambda b: b.opened_at)
    enrolled = tuple(draw(st.lists(st.sampled_from(["U1", "U2", "U3"]), min_size=1, max_size=3, unique=True)))
    actions = [
        Action(
            id=i,
            commitment_id=1,
            what="a",
            owner_id=draw(st.sampled_from(["U1", "U2", "U4"])),
            asker_id="U1",
            due=START + timedelta(days=draw(st.integers(0, length))),
            status=draw(st.sampled_from(["promised", "requested", "declined"])),
            created_at=at(START),
            promised_at=at(START + timedelta(days=draw(st.integers(0, 30)))),
        )
        for i in range(1, draw(st.integers(0, 5)) + 1)
    ]
    return CommitmentState(c, enrolled, reports), breakdowns, actions, today


@settings(max_examples=300, deadline=None)
@given(situations(), st.none() | st.integers(0, 60))
def test_a_check_in_decides_one_consistent_thing_per_commitment(situation, last_offset):
    state, breakdowns, actions, today = situation
    last = None if last_offset is None else today - timedelta(days=last_offset)
    check = check_commitment(state, breakdowns, actions, today, day_of, last)
    open_ids = {b.id for b in breakdowns}
    closing = {b.id for b in check.closes}

    assert closing <= open_ids
    if check.ending:
        assert closing == open_ids and not check.opens_breakdown and not check.in_breakdown
    if check.opens_breakdown:
        assert check.review.verdict is Verdict.BREAKDOWN and not breakdowns
    if check.review.verdict is Verdict.BREAKDOWN and not check.ending:
        assert check.in_breakdown and not closing  # a breakdown never closes while the trajectory falls short
    if check.review.verdict is not Verdict.BREAKDOWN and not breakdowns:
        assert not check.in_breakdown
    if check.review.verdict is Verdict.NO_RECENT_NUMBERS and not check.ending:
        # silence is never a breakdown, nor the end of one: every open breakdown stays open
        assert not check.opens_breakdown and not closing
        assert check.in_breakdown == bool(breakdowns) and check.asks_for_numbers
        assert check.still_open is (breakdowns[0] if breakdowns else None)
    assert check.asks_for_numbers == (check.review.verdict is Verdict.NO_RECENT_NUMBERS and not check.ending)
    if check.still_open is not None:
        assert check.still_open.id in open_ids - closing
    promises = [a for a in actions if a.status == "promised"]
    assert 0 <= check.promises_since <= len(promises)
    for due_action in check.due_actions:
        assert due_action.action.status == "promised" and due_action.action.due <= today
        assert last is None or due_action.action.due > last
    assert check.integrity == integrity_of(actions, today)
    assert check.integrity.honoured <= check.integrity.due <= len(promises)
    coverage = coverage_of(state.enrolled, actions)
    assert 0 <= coverage.holders <= coverage.enrolled == len(set(state.enrolled))


@settings(max_examples=300, deadline=None)
@given(situations())
def test_silence_for_fourteen_days_never_opens_or_closes_a_breakdown(situation):
    """The same history, with every report of the last 14 days taken away: no breakdown opens or
    closes before the commitment ends."""
    state, breakdowns, actions, today = situation
    old = tuple(r for r in state.reports if (today - day_of(r.reported_at)).days > 14)
    silent = CommitmentState(state.commitment, state.enrolled, old)
    check = check_commitment(silent, breakdowns, actions, today, day_of, None)
    if check.ending or (today - state.commitment.start_date).days < 7:
        return
    assert check.review.verdict is Verdict.NO_RECENT_NUMBERS
    assert not check.opens_breakdown and check.closes == []
    assert check.in_breakdown == bool(breakdowns)
