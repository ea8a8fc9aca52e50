from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.coaching.integrity import (
    Integrity,
    PromiseFacts,
    PromiseState,
    can_revoke,
    enrolment_coverage,
    integrity,
    promise_state,
)

DUE = date(2026, 3, 10)
BEFORE, AFTER = DUE - timedelta(days=1), DUE + timedelta(days=1)


@pytest.mark.parametrize(
    ("promise", "today", "state"),
    [
        (PromiseFacts(DUE), BEFORE, PromiseState.OPEN),
        (PromiseFacts(DUE), DUE, PromiseState.OPEN),
        (PromiseFacts(DUE), AFTER, PromiseState.BROKEN),
        (PromiseFacts(DUE, done_on=BEFORE), BEFORE, PromiseState.KEPT),
        (PromiseFacts(DUE, done_on=DUE), AFTER, PromiseState.KEPT),
        (PromiseFacts(DUE, done_on=AFTER), AFTER, PromiseState.BROKEN),
        (PromiseFacts(DUE, revoked_on=BEFORE), BEFORE, PromiseState.REVOKED),
        (PromiseFacts(DUE, revoked_on=DUE), AFTER, PromiseState.REVOKED),
        (PromiseFacts(DUE, revoked_on=AFTER), AFTER, PromiseState.BROKEN),
        (PromiseFacts(DUE, done_on=DUE, revoked_on=BEFORE), DUE, PromiseState.KEPT),
    ],
)
def test_promise_states(promise, today, state):
    assert promise_state(promise, today) is state


def test_not_done_is_possible_only_while_open_and_not_past_due():
    assert can_revoke(PromiseFacts(DUE), DUE)
    assert not can_revoke(PromiseFacts(DUE), AFTER)
    assert not can_revoke(PromiseFacts(DUE, done_on=BEFORE), BEFORE)
    assert not can_revoke(PromiseFacts(DUE, revoked_on=BEFORE), BEFORE)


def test_integrity_counts():
    promises = [
        PromiseFacts(DUE, done_on=DUE),  # kept
        PromiseFacts(DUE, done_on=AFTER),  # delivered late: broken
        PromiseFacts(DUE, revoked_on=BEFORE),  # revoked: honoured
        PromiseFacts(DUE),  # silent miss once past due
        PromiseFacts(AFTER + timedelta(days=5)),  # open, not due yet
        PromiseFacts(AFTER + timedelta(days=5), done_on=AFTER),  # kept early: due
    ]
    result = integrity(promises, AFTER)
    assert result == Integrity(honoured=3, due=5, kept=2)
    assert result.ratio == 0.6
    assert result.kept_rate == 0.4
    assert result.describe() == "60% (3 of 5 honoured) · kept 40%"


def test_describe_example_and_empty():
    assert Integrity(11, 12, 9).describe() == "92% (11 of 12 honoured) · kept 75%"
    assert Integrity(0, 0, 0).describe() == "no promises due yet"
    assert Integrity(0, 0, 0).ratio is None and Integrity(0, 0, 0).kept_rate is None


def test_describe_never_rounds_to_a_full_or_empty_score():
    assert Integrity(199, 200, 1).describe() == "99% (199 of 200 honoured) · kept 1%"


def test_open_promises_not_yet_due_do_not_count():
    assert integrity([PromiseFacts(DUE)], BEFORE) == Integrity(0, 0, 0)


def test_enrolment_coverage():
    assert enrolment_coverage(["U1", "U2", "U3", "U4"], ["U1", "U1", "U3", "U9"]) == 0.5
    assert enrolment_coverage([], ["U1"]) is None
    assert enrolment_coverage(["U1"], []) == 0.0


# ---------------------------------------------------------------- properties

TODAY = date(2026, 6, 1)
offsets = st.integers(-60, 60)


@st.composite
def promises(draw):
    due = TODAY + timedelta(days=draw(offsets))
    done = draw(st.none() | offsets.map(lambda d: TODAY + timedelta(days=min(d, 0))))
    revoked = draw(st.none() | offsets.map(lambda d: TODAY + timedelta(days=min(d, 0))))
    return PromiseFacts(due, done, revoked, draw(st.sampled_from(["U1", "U2", "U3"])))


def at_least(after: float | None, before: float | None) -> bool:
    return before is None or (after is not None and after >= before)


@given(st.lists(promises(), max_size=12))
@settings(max_examples=150, deadline=None)
def test_ratio_is_between_zero_and_one(items):
    result = integrity(items, TODAY)
    assert result.kept <= result.honoured <= result.due <= len(items)
    assert result.ratio is None or 0 <= result.ratio <= 1


@given(st.lists(promises(), max_size=12), offsets)
@settings(max_examples=150, deadline=None)
def test_a_kept_promise_never_lowers_integrity(items, due_offset):
    due = TODAY + timedelta(days=due_offset)
    kept = PromiseFacts(due, done_on=min(due, TODAY))
    assert at_least(integrity([*items, kept], TODAY).ratio, integrity(items, TODAY).ratio)


@given(st.lists(promises(), min_size=1, max_size=12), st.data())
@settings(max_examples=150, deadline=None)
def test_revoking_before_the_due_date_never_lowers_integrity(items, data):
    index = data.draw(st.integers(0, len(items) - 1))
    p = items[index]
    p = PromiseFacts(max(p.due, TODAY), owner=p.owner)
    items[index] = p
    assert can_revoke(p, TODAY)
    before = integrity(items, TODAY).ratio
    items[index] = PromiseFacts(p.due, revoked_on=TODAY, owner=p.owner)
    assert at_least(integrity(items, TODAY).ratio, before)


@given(st.lists(promises(), max_size=12))
@settings(max_examples=150, deadline=None)
def test_only_broken_promises_lower_integrity(items):
    result = integrity(items, TODAY)
    broken = sum(promise_state(p, TODAY) is PromiseState.BROKEN for p in items)
    assert result.due - result.honoured == broken
    honest = [p for p in items if promise_state(p, TODAY) is not PromiseState.BROKEN]
    assert integrity(honest, TODAY).ratio in (None, 1.0)
