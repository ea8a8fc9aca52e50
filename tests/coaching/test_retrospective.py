from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.coaching.integrity import PromiseFacts
from bot.coaching.retrospective import BreakdownSpan, retrospective

START, END = date(2026, 11, 26), date(2027, 3, 31)


def test_the_record_of_a_missed_commitment():
    r = retrospective(
        ending="missed",
        start=START,
        ended=END,
        baseline=120,
        target=300,
        last=255,
        breakdowns=[BreakdownSpan(date(2027, 2, 1), None), BreakdownSpan(date(2026, 12, 14), date(2026, 12, 28))],
        promises=[
            PromiseFacts(date(2027, 1, 10), done_on=date(2027, 1, 9)),
            PromiseFacts(date(2027, 1, 20), revoked_on=date(2027, 1, 15)),
            PromiseFacts(date(2027, 2, 10)),
            PromiseFacts(date(2027, 2, 20), done_on=date(2027, 2, 25)),
        ],
        released=2,
        enrolled=["U1", "U2", "U1"],
        agreements=["Teams ship weekly"],
    )
    assert r.days == 125
    assert r.progress == 0.75
    assert r.breakdowns_open == (14, 58)  # in the order opened; the open one until the end
    assert (r.made, r.kept, r.revoked, r.broken, r.released) == (6, 1, 1, 2, 2)
    assert (r.integrity.honoured, r.integrity.due) == (2, 4)
    assert r.enrolled == ("U1", "U2")


def test_nobody_reported_means_the_baseline_is_the_last_value():
    r = retrospective(
        ending="withdrawn",
        start=START,
        ended=START,
        baseline=10,
        target=5,
        last=None,
        breakdowns=[],
        promises=[],
        released=0,
        enrolled=["U1"],
    )
    assert (r.last, r.progress, r.days, r.made, r.integrity.due) == (10, 0, 0, 0, 0)


days = st.integers(min_value=0, max_value=400)


@given(
    st.lists(st.tuples(days, st.one_of(st.none(), days), st.one_of(st.none(), days)), max_size=20),
    st.integers(min_value=0, max_value=10),
    st.lists(st.tuples(days, st.one_of(st.none(), days)), max_size=5),
    days,
)
def test_promises_add_up_and_released_ones_count_in_no_integrity(promises, released, spans, length):
    ended = START + timedelta(days=length)
    facts = [
        PromiseFacts(
            START + timedelta(days=due),
            done_on=START + timedelta(days=done) if done is not None else None,
            revoked_on=START + timedelta(days=revoked) if revoked is not None else None,
        )
        for due, done, revoked in promises
    ]
    breakdowns = [
        BreakdownSpan(START + timedelta(days=a), START + timedelta(days=b) if b is not None else None) for a, b in spans
    ]
    r = retrospective(
        ending="missed",
        start=START,
        ended=ended,
        baseline=0,
        target=100,
        last=50,
        breakdowns=breakdowns,
        promises=facts,
        released=released,
        enrolled=[],
    )
    assert r.kept + r.revoked + r.broken + r.released <= r.made
    assert r.made - r.released == len(facts)
    assert r.integrity.due == r.kept + r.revoked + r.broken
    assert r.integrity.honoured == r.kept + r.revoked
    assert all(d >= 0 for d in r.breakdowns_open) and len(r.breakdowns_open) == len(spans)
    assert r.days == length
