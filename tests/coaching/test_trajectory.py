from datetime import date, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.coaching.trajectory import (
    BREAKDOWN_TOLERANCE,
    MIN_AGE_DAYS,
    RECENT_DAYS,
    WINDOW_DAYS,
    CommitmentFacts,
    Line,
    Report,
    Verdict,
    committed_path,
    committed_value,
    has_recent_numbers,
    is_breakthrough,
    is_missed,
    latest_report,
    progress_fraction,
    projected_value,
    shortfall,
    trajectory,
    verdict,
)

START = date(2026, 1, 1)


def day(n: int) -> date:
    return START + timedelta(days=n)


def facts(baseline=0.0, target=100.0, due=100, reports=()) -> CommitmentFacts:
    return CommitmentFacts(baseline, target, START, day(due), tuple(Report(day(d), v) for d, v in reports))


# ---------------------------------------------------------------- basics


def test_direction_and_span():
    assert (facts(0, 100).direction, facts(0, 100).span) == (1, 100)
    assert (facts(100, 40).direction, facts(100, 40).span) == (-1, 60)


def test_reports_given_as_a_list_are_stored_as_a_tuple():
    f = CommitmentFacts(0, 1, START, day(9), [Report(day(1), 1.0)])
    assert f.reports == (Report(day(1), 1.0),)


def test_committed_value_is_the_straight_line():
    f = facts(baseline=100, target=300, due=100)
    assert committed_value(f, START) == 100
    assert committed_value(f, day(50)) == 200
    assert committed_value(f, day(100)) == 300
    assert committed_path(f) == Line(2.0, 100.0, START)


def test_latest_report_ties_go_to_the_last_given():
    f = facts(reports=[(5, 1.0), (9, 2.0), (9, 3.0), (2, 4.0)])
    assert latest_report(f) == Report(day(9), 3.0)
    assert latest_report(facts()) is None


def test_progress_fraction():
    assert progress_fraction(facts(100, 300), 150) == 0.25
    assert progress_fraction(facts(100, 300), 400) == 1.5
    assert progress_fraction(facts(100, 50), 75) == 0.5
    assert progress_fraction(facts(100, 50), 120) == pytest.approx(-0.4)


# ---------------------------------------------------------------- trajectory


def test_exact_least_squares_with_the_baseline_as_a_point():
    f = facts(reports=[(10, 12.0), (20, 18.0)])
    line = trajectory(f, day(20))
    # points (0, 0), (10, 12), (20, 18): slope 180 / 200, intercept 10 - 0.9 * 10
    assert line.slope == pytest.approx(0.9)
    assert line.intercept == pytest.approx(1.0)
    assert projected_value(f, day(20)) == pytest.approx(91.0)
    assert shortfall(f, day(20)) == pytest.approx(9.0)
    assert verdict(f, day(20)) is Verdict.BREAKDOWN


def test_window_includes_today_minus_28_and_excludes_today_minus_29():
    today = day(60)
    f = facts(reports=[(60 - 29, 1000.0), (60 - 28, 30.0), (60, 58.0)])
    line = trajectory(f, today)
    assert line.slope == pytest.approx(1.0)
    assert line.value_at(day(60)) == pytest.approx(58.0)


def test_baseline_counts_only_while_the_start_is_in_the_window():
    inside = facts(reports=[(20, 20.0), (28, 20.0)])
    assert trajectory(inside, day(28)).slope > 0  # baseline (day 0) is day 28 - 28
    outside = facts(reports=[(20, 20.0), (29, 20.0)])
    assert trajectory(outside, day(29)).slope == 0


def test_one_point_in_the_window_draws_the_line_from_the_baseline():
    f = facts(baseline=10.0, reports=[(50, 60.0)])
    line = trajectory(f, day(50))
    assert line.value_at(START) == pytest.approx(10.0)
    assert line.slope == pytest.approx(1.0)


def test_several_reports_on_one_day_count_as_their_mean():
    f = facts(baseline=0.0, reports=[(40, 30.0), (40, 50.0)])
    assert trajectory(f, day(40)).value_at(day(80)) == pytest.approx(80.0)


def test_reports_on_the_start_date_are_a_flat_line_at_their_mean():
    f = facts(baseline=0.0, reports=[(0, 10.0), (0, 20.0)])
    assert trajectory(f, day(3)) == Line(0.0, 15.0, START)


def test_no_report_at_all_is_flat_at_the_baseline():
    f = facts(baseline=7.0)
    assert trajectory(f, day(40)) == Line(0.0, 7.0, START)
    assert verdict(f, day(40)) is Verdict.NO_RECENT_NUMBERS  # the baseline alone judges nothing


def test_no_report_in_the_window_is_flat_at_the_latest_report():
    f = facts(reports=[(5, 40.0), (10, 60.0)])
    assert trajectory(f, day(50)) == Line(0.0, 60.0, START)


def test_reports_after_today_are_ignored():
    f = facts(reports=[(90, 100.0)])
    assert trajectory(f, day(30)) == Line(0.0, 0.0, START)


# ---------------------------------------------------------------- verdict


def test_exactly_five_percent_short_is_on_track():
    assert verdict(facts(reports=[(50, 47.5)]), day(50)) is Verdict.ON_TRACK
    assert verdict(facts(reports=[(50, 47.4)]), day(50)) is Verdict.BREAKDOWN


def test_down_direction_five_percent_boundary():
    assert verdict(facts(100, 0, reports=[(50, 52.5)]), day(50)) is Verdict.ON_TRACK
    assert verdict(facts(100, 0, reports=[(50, 52.6)]), day(50)) is Verdict.BREAKDOWN
    assert shortfall(facts(100, 0, reports=[(50, 40.0)]), day(50)) == pytest.approx(-20.0)


def test_up_direction_ahead_is_on_track():
    assert verdict(facts(reports=[(30, 60.0)]), day(30)) is Verdict.ON_TRACK


def test_young_commitments_are_not_judged():
    assert verdict(facts(), day(MIN_AGE_DAYS - 1)) is Verdict.NOT_JUDGED
    assert verdict(facts(), day(MIN_AGE_DAYS)) is Verdict.NO_RECENT_NUMBERS
    assert verdict(facts(reports=[(1, 0.0)]), day(MIN_AGE_DAYS)) is Verdict.BREAKDOWN


def test_no_recent_numbers_after_fourteen_days_without_a_report():
    f = facts(reports=[(10, 10.0)])  # on the committed path
    assert verdict(f, day(10 + RECENT_DAYS)) is Verdict.ON_TRACK  # 14 days ago still counts
    assert verdict(f, day(10 + RECENT_DAYS + 1)) is Verdict.NO_RECENT_NUMBERS
    short = facts(reports=[(10, 0.0)])  # a breakdown while it is recent
    assert verdict(short, day(20)) is Verdict.BREAKDOWN
    assert verdict(short, day(10 + RECENT_DAYS + 1)) is Verdict.NO_RECENT_NUMBERS
    assert verdict(facts(reports=[(90, 90.0)]), day(30)) is Verdict.NO_RECENT_NUMBERS  # future reports don't count


def test_breakthrough_and_missed():
    up = facts(reports=[(40, 100.0)])
    assert is_breakthrough(up) and not is_missed(up, day(200))
    down = facts(100, 20, reports=[(40, 19.0)])
    assert is_breakthrough(down)
    late = facts(reports=[(101, 120.0)])
    assert not is_breakthrough(late) and is_missed(late, day(101))
    fell_back = facts(reports=[(40, 100.0), (50, 99.0)])
    assert not is_breakthrough(fell_back)
    assert not is_missed(fell_back, day(100)) and is_missed(fell_back, day(101))
    assert not is_breakthrough(facts())


# ---------------------------------------------------------------- properties

values = st.integers(-10_000, 10_000).map(float)


@st.composite
def commitments(draw, min_age=0):
    baseline = draw(values)
    target = draw(values.filter(lambda t: t != baseline))
    length = draw(st.integers(1, 400))
    age = draw(st.integers(min_age, length + 60))
    offsets = draw(st.lists(st.integers(0, age), max_size=8))
    reports = tuple(Report(day(o), draw(values)) for o in offsets)
    return CommitmentFacts(baseline, target, START, day(length), reports), day(age)


def negated(f: CommitmentFacts) -> CommitmentFacts:
    reports = tuple(Report(r.day, -r.value) for r in f.reports)
    return CommitmentFacts(-f.baseline, -f.target, f.start, f.due, reports)


@given(commitments())
@settings(max_examples=300, deadline=None)
def test_mirroring_gives_the_same_verdict(case):
    f, today = case
    assert verdict(negated(f), today) == verdict(f, today)
    assert shortfall(negated(f), today) == shortfall(f, today)


@given(commitments(min_age=1), st.data())
@settings(max_examples=300, deadline=None)
def test_reports_on_the_committed_path_are_never_a_breakdown(case, data):
    f, today = case
    age = (today - START).days
    first = max(1, age - WINDOW_DAYS)
    in_window = data.draw(st.integers(first, age))
    days = [r.day for r in f.reports] + [day(in_window)]
    on_path = tuple(Report(d, committed_value(f, d)) for d in days)
    f = CommitmentFacts(f.baseline, f.target, f.start, f.due, on_path)
    assert verdict(f, today) is not Verdict.BREAKDOWN


@st.composite
def near_path_before_due(draw):
    """Commitments judged before their due date, reports scattered around the committed path."""
    baseline = draw(values)
    target = baseline + draw(st.sampled_from([-1, 1])) * draw(st.integers(1, 10_000))
    length = draw(st.integers(MIN_AGE_DAYS + 1, 400))
    age = draw(st.integers(MIN_AGE_DAYS, length))
    f = CommitmentFacts(baseline, target, START, day(length))
    offsets = draw(st.lists(st.integers(max(0, age - WINDOW_DAYS), age - 1), min_size=1, max_size=6))
    reports = tuple(
        Report(day(o), committed_value(f, day(o)) + f.direction * f.span * draw(st.floats(-0.05, 0.3))) for o in offsets
    )
    return CommitmentFacts(baseline, target, START, day(length), reports), day(age)


@given(near_path_before_due(), st.data())
@settings(max_examples=300, deadline=None)
def test_a_better_report_never_turns_on_track_into_breakdown(case, data):
    f, today = case
    assume(verdict(f, today) is Verdict.ON_TRACK)
    age = (today - START).days
    last = max((r.day for r in f.reports), default=START - timedelta(days=1))
    first = max(age - WINDOW_DAYS, (last - START).days + 1)
    new_day = day(data.draw(st.integers(first, age)))
    better_by = data.draw(st.floats(1e-3, 10.0)) * f.span
    value = trajectory(f, today).value_at(new_day) + f.direction * better_by
    improved = CommitmentFacts(f.baseline, f.target, f.start, f.due, f.reports + (Report(new_day, value),))
    assert verdict(improved, today) is Verdict.ON_TRACK


@given(commitments())
@settings(max_examples=200, deadline=None)
def test_young_commitments_are_never_judged(case):
    f, today = case
    young = day((today - START).days % MIN_AGE_DAYS)
    assert verdict(f, young) is Verdict.NOT_JUDGED


@given(commitments(min_age=0))
@settings(max_examples=200, deadline=None)
def test_with_no_reports_the_projection_is_the_baseline(case):
    f, today = case
    f = CommitmentFacts(f.baseline, f.target, f.start, f.due, ())
    assert projected_value(f, today) == f.baseline


@given(commitments(min_age=MIN_AGE_DAYS))
@settings(max_examples=200, deadline=None)
def test_verdict_matches_the_tolerance(case):
    f, today = case
    if not has_recent_numbers(f, today):
        assert verdict(f, today) is Verdict.NO_RECENT_NUMBERS
        return
    short = shortfall(f, today)
    expected = Verdict.BREAKDOWN if short > BREAKDOWN_TOLERANCE * f.span + 1e-6 else None
    if expected is not None:
        assert verdict(f, today) is expected
    if short < BREAKDOWN_TOLERANCE * f.span - 1e-6:
        assert verdict(f, today) is Verdict.ON_TRACK


@given(commitments(min_age=MIN_AGE_DAYS))
@settings(max_examples=300, deadline=None)
def test_no_recent_numbers_exactly_when_no_report_in_the_last_fourteen_days(case):
    f, today = case
    recent = [r for r in f.reports if 0 <= (today - r.day).days <= RECENT_DAYS]
    assert (verdict(f, today) is Verdict.NO_RECENT_NUMBERS) == (not recent)


@given(commitments(min_age=MIN_AGE_DAYS), values)
@settings(max_examples=300, deadline=None)
def test_a_report_today_always_gets_a_judgement(case, value):
    f, today = case
    reported = CommitmentFacts(f.baseline, f.target, f.start, f.due, f.reports + (Report(today, value),))
    assert verdict(reported, today) in (Verdict.ON_TRACK, Verdict.BREAKDOWN)


@given(commitments(min_age=MIN_AGE_DAYS), st.lists(st.tuples(st.integers(RECENT_DAYS + 1, 500), values), max_size=4))
@settings(max_examples=300, deadline=None)
def test_older_reports_never_end_no_recent_numbers(case, older):
    f, today = case
    assume(verdict(f, today) is Verdict.NO_RECENT_NUMBERS)
    more = tuple(Report(today - timedelta(days=d), v) for d, v in older)
    later = CommitmentFacts(f.baseline, f.target, f.start, f.due, f.reports + more)
    assert verdict(later, today) is Verdict.NO_RECENT_NUMBERS
