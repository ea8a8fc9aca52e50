"""Sub-results, pure: the committed path through them, reached and missed, and the breakdown
judged on the next one and on a missed one (5% of |value − baseline|), direct and as properties."""

from datetime import date, timedelta

from hypothesis import assume, given
from hypothesis import strategies as st

from bot.coaching.subresults import (
    SubResultState,
    check_new,
    committed_value,
    gaps_too_long,
    judge_all,
    next_pending,
    path_points,
    short_on,
    verdict,
)
from bot.coaching.trajectory import CommitmentFacts, Milestone, Report, Verdict
from bot.coaching.trajectory import verdict as due_date_verdict

START = date(2026, 1, 1)


def day(n: int) -> date:
    return START + timedelta(days=n)


def facts(baseline=0.0, target=100.0, due=200, reports=(), milestones=()) -> CommitmentFacts:
    return CommitmentFacts(
        baseline,
        target,
        START,
        day(due),
        tuple(Report(day(d), v) for d, v in reports),
        tuple(Milestone(day(d), v) for d, v in milestones),
    )


# ---------------------------------------------------------------- the committed path


def test_the_committed_path_runs_through_each_sub_result_in_date_order():
    f = facts(milestones=[(150, 30), (100, 10)])  # given out of order
    assert path_points(f) == [(START, 0.0), (day(100), 10), (day(150), 30), (day(200), 100.0)]
    assert committed_value(f, day(50)) == 5
    assert committed_value(f, day(125)) == 20
    assert committed_value(f, day(175)) == 65
    assert committed_value(f, day(300)) == 100


def test_sub_results_outside_the_dates_do_not_count():
    f = facts(due=100, milestones=[(0, 10), (100, 50), (150, 60)])  # e.g. after a renegotiated due date
    assert path_points(f) == [(START, 0.0), (day(100), 100.0)]
    assert judge_all(f, day(120)) == []


# ---------------------------------------------------------------- reached and missed


def test_reached_on_or_before_its_day_missed_when_its_day_passes_first():
    f = facts(reports=[(40, 12), (60, 25)], milestones=[(50, 10), (55, 20), (90, 50)])
    reached, missed, pending = judge_all(f, day(70))
    assert (reached.state, reached.reached_on) == (SubResultState.REACHED, day(40))
    assert missed.state == SubResultState.MISSED  # 25 came on day 60, after its day 55
    assert pending.state == SubResultState.PENDING
    assert next_pending(f, day(70)) == Milestone(day(90), 50)


def test_reached_is_direction_aware():
    down = facts(baseline=100, target=0, reports=[(40, 70)], milestones=[(50, 75), (60, 60)])
    reached, pending = judge_all(down, day(45))
    assert reached.state == SubResultState.REACHED and pending.state == SubResultState.PENDING


# ---------------------------------------------------------------- breakdowns


def test_breakdown_on_the_next_sub_result_with_5_percent_tolerance():
    # Trajectory through (0, 0) and (20, x): at day 40 it is 2x; the sub-result is 40 by day 40.
    on_edge = facts(target=100, due=50, reports=[(20, 19)], milestones=[(40, 40)])  # 38 = 40 - 5% of 40
    assert short_on(on_edge, day(20)) is None
    short = facts(target=100, due=50, reports=[(20, 18.9)], milestones=[(40, 40)])
    assert short_on(short, day(20)) == Milestone(day(40), 40)


def test_a_missed_sub_result_is_a_breakdown_until_caught_up():
    within = facts(target=100, due=100, reports=[(10, 5), (40, 38)], milestones=[(30, 40)])
    assert judge_all(within, day(40))[0].state == SubResultState.MISSED
    assert short_on(within, day(40)) is None  # 2 short of 40: within 5% of 40
    behind = facts(target=100, due=100, reports=[(10, 5), (40, 30)], milestones=[(30, 40)])
    assert short_on(behind, day(40)) == Milestone(day(30), 40)
    caught_up = facts(target=100, due=100, reports=[(10, 5), (40, 30), (45, 41)], milestones=[(30, 40)])
    assert short_on(caught_up, day(45)) is None


def test_not_judged_and_no_recent_numbers_stay_as_they_are():
    young = facts(reports=[(3, 0)], milestones=[(20, 90)])
    assert verdict(young, day(5)) is Verdict.NOT_JUDGED
    silent = facts(reports=[(3, 0)], milestones=[(20, 90)])
    assert verdict(silent, day(40)) is Verdict.NO_RECENT_NUMBERS


values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
offsets = st.integers(min_value=1, max_value=199)


@given(
    baseline=values,
    target=values,
    reports=st.lists(st.tuples(st.integers(0, 260), values), max_size=8),
    milestones=st.lists(st.tuples(offsets, values), max_size=4, unique_by=lambda m: m[0]),
    today=st.integers(0, 260),
)
def test_sub_results_only_add_breakdowns(baseline, target, reports, milestones, today):
    """With sub-results a commitment is in breakdown whenever it is without them, and never
    judged differently otherwise (not judged, no recent numbers)."""
    assume(baseline != target)
    with_them = facts(baseline, target, 200, reports, milestones)
    without = facts(baseline, target, 200, reports)
    plain, judged = due_date_verdict(without, day(today)), verdict(with_them, day(today))
    if plain is not Verdict.ON_TRACK:
        assert judged is plain
    else:
        assert judged in (Verdict.ON_TRACK, Verdict.BREAKDOWN)


@given(
    baseline=values,
    target=values,
    milestones=st.lists(st.tuples(offsets, values), max_size=4, unique_by=lambda m: m[0]),
    at=st.integers(-10, 230),
)
def test_the_path_passes_through_every_sub_result_and_stays_between_its_neighbours(baseline, target, milestones, at):
    f = facts(baseline, target, 200, (), milestones)
    points = path_points(f)
    for d, v in points:
        assert committed_value(f, d) == v
    value = committed_value(f, day(at))
    days = [d for d, _ in points]
    before = max((i for i, d in enumerate(days) if d <= day(at)), default=0)
    after = min((i for i, d in enumerate(days) if d >= day(at)), default=len(days) - 1)
    low, high = sorted((points[before][1], points[after][1]))
    assert low - 1e-6 * max(1, abs(low)) <= value <= high + 1e-6 * max(1, abs(high))


@given(
    reports=st.lists(st.tuples(st.integers(0, 200), values), max_size=8),
    milestone=st.tuples(offsets, values),
    today=st.integers(0, 260),
)
def test_each_sub_result_is_exactly_one_of_reached_missed_pending(reports, milestone, today):
    f = facts(0, 100, 200, reports, [milestone])
    [judged] = judge_all(f, day(today))
    m_day, m_value = day(milestone[0]), milestone[1]
    reached = any(d <= m_day and v >= m_value for d, v in ((day(d), v) for d, v in reports))
    if reached:
        assert judged.state == SubResultState.REACHED
    elif day(today) > m_day:
        assert judged.state == SubResultState.MISSED
    else:
        assert judged.state == SubResultState.PENDING


# ---------------------------------------------------------------- asking and adding


def test_long_commitments_are_asked_for_sub_results_no_more_than_100_days_apart():
    assert not gaps_too_long(START, day(100), [])
    assert gaps_too_long(START, day(101), [])
    assert not gaps_too_long(START, day(180), [day(90)])
    assert gaps_too_long(START, day(250), [day(90)])


def test_a_new_sub_result_lies_between_the_dates_and_the_values_on_no_taken_day():
    f = facts(baseline=120, target=300, due=120, milestones=[(60, 200)])
    assert check_new(f, 180, day(30), day(10)) == []
    assert [p[0] for p in check_new(f, 180, day(0), day(0))] == ["due"]
    assert [p[0] for p in check_new(f, 180, day(120), day(0))] == ["due"]
    assert [p[0] for p in check_new(f, 180, day(5), day(10))] == ["due"]  # already past
    assert [p[0] for p in check_new(f, 180, day(60), day(0))] == ["due"]  # taken
    assert [p[0] for p in check_new(f, 300, day(30), day(0))] == ["value"]
    assert [p[0] for p in check_new(f, 100, day(30), day(0))] == ["value"]
    down = facts(baseline=300, target=120, due=120)
    assert check_new(down, 200, day(30), day(0)) == []
