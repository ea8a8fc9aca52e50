"""Where a commitment is heading: committed path, trajectory, breakdown, breakthrough.

Time is counted in whole days: x = days since the commitment's start date.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from typing import NamedTuple

WINDOW_DAYS = 28
MIN_AGE_DAYS = 7
# A commitment with no progress report dated within this many days up to today (inclusive, like
# the trajectory's window; the baseline not counting) has "no recent numbers" and is not judged.
RECENT_DAYS = 14
BREAKDOWN_TOLERANCE = 0.05
# Relative slack for float noise, so that exactly 5% short stays on track.
_FLOAT_NOISE = 1e-9


class Milestone(NamedTuple):
    """A sub-result: `value` committed by `day` (between the start and the due date)."""

    day: date
    value: float


class Report(NamedTuple):
    """A progress report: the value measured on a day. (A named tuple: a check-in builds
    hundreds of thousands of these, and a tuple is several times cheaper than a frozen
    dataclass to create.)"""

    day: date
    value: float


@dataclass(frozen=True)
class CommitmentFacts:
    """What the coach needs to judge a commitment; reports in any order."""

    baseline: float
    target: float
    start: date
    due: date
    reports: tuple[Report, ...] = ()
    milestones: tuple[Milestone, ...] = ()  # sub-results, any order (bot/coaching/subresults.py)

    def __post_init__(self) -> None:
        object.__setattr__(self, "reports", tuple(self.reports))
        object.__setattr__(self, "milestones", tuple(self.milestones))

    @property
    def direction(self) -> int:
        """+1 when the commitment goes up, -1 when it goes down (0 if target == baseline)."""
        return (self.target > self.baseline) - (self.target < self.baseline)

    @property
    def span(self) -> float:
        """|target - baseline|."""
        return abs(self.target - self.baseline)


@dataclass(frozen=True)
class Line:
    """value = intercept + slope * (days since `start`); intercept is the value at `start`."""

    slope: float
    intercept: float
    start: date

    def value_at(self, day: date) -> float:
        return self.intercept + self.slope * (day - self.start).days


class Verdict(str, Enum):
    NOT_JUDGED = "not_judged"
    ON_TRACK = "on_track"
    BREAKDOWN = "breakdown"
    NO_RECENT_NUMBERS = "no_recent_numbers"  # judged on nothing: never opens or closes a breakdown


def _x(facts: CommitmentFacts, day: date) -> int:
    return (day - facts.start).days


def committed_path(facts: CommitmentFacts) -> Line:
    """The straight line from (start, baseline) to (due, target)."""
    length = _x(facts, facts.due)
    if length <= 0:
        return Line(0.0, facts.target, facts.start)
    return Line((facts.target - facts.baseline) / length, facts.baseline, facts.start)


def committed_value(facts: CommitmentFacts, day: date) -> float:
    """Where the committed path says the commitment should be on `day`."""
    return committed_path(facts).value_at(day)


def latest_report(facts: CommitmentFacts) -> Report | None:
    """The report with the latest day; on a tie, the last one given."""
    latest: Report | None = None
    for report in facts.reports:
        if latest is None or report.day >= latest.day:
            latest = report
    return latest


def _flat(facts: CommitmentFacts, value: float) -> Line:
    return Line(0.0, value, facts.start)


def _latest_known_value(facts: CommitmentFacts, today: date) -> float:
    """The latest value known by today; the baseline counts as a report on the start date."""
    past = CommitmentFacts(
        facts.baseline,
        facts.target,
        facts.start,
        facts.due,
        tuple(r for r in facts.reports if r.day <= today),
    )
    latest = latest_report(past)
    if latest is None or latest.day < facts.start <= today:
        return facts.baseline
    return latest.value


def _least_squares(points: list[tuple[int, float]], start: date) -> Line:
    count = len(points)
    mean_x = math.fsum(x for x, _ in points) / count
    mean_y = math.fsum(y for _, y in points) / count
    sxx = math.fsum((x - mean_x) ** 2 for x, _ in points)
    sxy = math.fsum((x - mean_x) * (y - mean_y) for x, y in points)
    slope = sxy / sxx
    return Line(slope, mean_y - slope * mean_x, start)


def trajectory(facts: CommitmentFacts, today: date) -> Line:
    """Least-squares line through the reports dated today-28 .. today (inclusive).

    - The baseline counts as a report on the start date when the start is in the window,
      unless a real report is dated on the start date (it then corrects the baseline).
    - All points on one day: their mean is the one point; the line goes from
      (start, baseline) to it, or is flat at it when that day is the start date.
    - No report at all: flat at the baseline.
    - Reports, but none in the window (decision): flat at the latest value known by
      today, the baseline counting as a report on the start date. Reports dated after
      today are ignored.
    """
    window_start = today - timedelta(days=WINDOW_DAYS)
    in_window = [r for r in facts.reports if window_start <= r.day <= today]
    if not in_window:
        return _flat(facts, _latest_known_value(facts, today))
    points = [(_x(facts, r.day), r.value) for r in in_window]
    start_in_window = window_start <= facts.start <= today
    if start_in_window and all(r.day != facts.start for r in in_window):
        points.append((0, facts.baseline))
    days = {x for x, _ in points}
    if len(days) > 1:
        return _least_squares(points, facts.start)
    (x,) = days
    mean = math.fsum(y for _, y in points) / len(points)
    if x == 0:
        return _flat(facts, mean)
    return Line((mean - facts.baseline) / x, facts.baseline, facts.start)


def projected_value(facts: CommitmentFacts, today: date) -> float:
    """The trajectory's value at the due date."""
    return trajectory(facts, today).value_at(facts.due)


def shortfall(facts: CommitmentFacts, today: date) -> float:
    """How far the projection falls short of the target (> 0 short, <= 0 reaching)."""
    return (facts.target - projected_value(facts, today)) * facts.direction


def has_recent_numbers(facts: CommitmentFacts, today: date) -> bool:
    """A progress report dated within the `RECENT_DAYS` up to today, inclusive (the baseline
    does not count; reports dated after today are ignored)."""
    first = today - timedelta(days=RECENT_DAYS)
    return any(first <= r.day <= today for r in facts.reports)


def verdict(facts: CommitmentFacts, today: date, projected: float | None = None) -> Verdict:
    """Breakdown when the projection falls short of the target by more than 5% of the span.
    Not judged in the first 7 days; after them, "no recent numbers" without a report in the
    last 14 days. `projected`: `projected_value(facts, today)` when the caller has it already."""
    if (today - facts.start).days < MIN_AGE_DAYS:
        return Verdict.NOT_JUDGED
    if not has_recent_numbers(facts, today):
        return Verdict.NO_RECENT_NUMBERS
    allowed = BREAKDOWN_TOLERANCE * facts.span
    noise = _FLOAT_NOISE * max(1.0, abs(facts.baseline), abs(facts.target))
    if projected is None:
        projected = projected_value(facts, today)
    if (facts.target - projected) * facts.direction - allowed > noise:
        return Verdict.BREAKDOWN
    return Verdict.ON_TRACK


def reaches_target(facts: CommitmentFacts, value: float) -> bool:
    """Whether `value` is at or beyond the target in the commitment's direction."""
    if facts.direction > 0:
        return value >= facts.target
    if facts.direction < 0:
        return value <= facts.target
    return value == facts.target


def is_breakthrough(facts: CommitmentFacts) -> bool:
    """The latest report reaches the target on or before the due date."""
    latest = latest_report(facts)
    return latest is not None and latest.day <= facts.due and reaches_target(facts, latest.value)


def is_missed(facts: CommitmentFacts, today: date) -> bool:
    """The due date has passed without a breakthrough."""
    return today > facts.due and not is_breakthrough(facts)


def progress_fraction(facts: CommitmentFacts, value: float) -> float:
    """(value - baseline) / (target - baseline): 0 at the baseline, 1 at the target.

    Returns 0.0 when target == baseline (not a valid commitment).
    """
    if facts.target == facts.baseline:
        return 0.0
    return (value - facts.baseline) / (facts.target - facts.baseline)
