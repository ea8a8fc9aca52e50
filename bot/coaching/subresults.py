"""Sub-results (SPEC §1): the committed path through them, reached and missed, and the breakdown
judged against them. Pure: no Slack, no database.

- The committed path runs from (start, baseline) through each sub-result, in date order, to
  (due, target). Only sub-results dated strictly between the start and the due date count (a
  renegotiated due date may leave some outside: they are kept, not used).
- A sub-result is *reached* when a progress report dated on or before its day reaches its value
  (in the commitment's direction), and *missed* when its day has passed first.
- Breakdown, beside the trajectory at the due date (trajectory.verdict):
  - the trajectory's value at the day of the next sub-result not yet reached falls short of it by
    more than 5% of |its value − baseline|;
  - a missed sub-result (decision): while the latest value known today falls short of it by more
    than 5% of |its value − baseline|. Catching up with it later clears that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.coaching.trajectory import (
    _FLOAT_NOISE,
    BREAKDOWN_TOLERANCE,
    MIN_AGE_DAYS,
    CommitmentFacts,
    Milestone,
    Verdict,
    has_recent_numbers,
    trajectory,
)
from bot.coaching.trajectory import verdict as due_date_verdict

MAX_GAP_DAYS = 100  # a commitment due later than this after its start is asked for sub-results


class SubResultState:
    PENDING = "pending"
    REACHED = "reached"
    MISSED = "missed"


@dataclass(frozen=True)
class Judged:
    milestone: Milestone
    state: str
    reached_on: date | None = None  # the day of the first report that reached it


def in_span(facts: CommitmentFacts) -> list[Milestone]:
    """The sub-results that count, in date order (strictly between start and due)."""
    return sorted(m for m in facts.milestones if facts.start < m.day < facts.due)


def path_points(facts: CommitmentFacts) -> list[tuple[date, float]]:
    """The committed path's corners: (start, baseline), each sub-result, (due, target)."""
    return [(facts.start, facts.baseline), *((m.day, m.value) for m in in_span(facts)), (facts.due, facts.target)]


def committed_value(facts: CommitmentFacts, day: date) -> float:
    """Where the committed path (through the sub-results) says the commitment should be on `day`;
    before the start it is the baseline, after the due date the target."""
    points = path_points(facts)
    if day <= points[0][0]:
        return points[0][1]
    for (d0, v0), (d1, v1) in zip(points, points[1:]):
        if day == d1:
            return v1
        if day < d1:
            length = (d1 - d0).days
            return v1 if length <= 0 else v0 + (v1 - v0) * (day - d0).days / length
    return points[-1][1]


def reaches(facts: CommitmentFacts, value: float, goal: float) -> bool:
    """`value` is at or beyond `goal` in the commitment's direction."""
    if facts.direction > 0:
        return value >= goal
    if facts.direction < 0:
        return value <= goal
    return value == goal


def judge(facts: CommitmentFacts, milestone: Milestone, today: date) -> Judged:
    reached = sorted(
        r.day for r in facts.reports if r.day <= milestone.day and reaches(facts, r.value, milestone.value)
    )
    if reached:
        return Judged(milestone, SubResultState.REACHED, reached[0])
    if today > milestone.day:
        return Judged(milestone, SubResultState.MISSED)
    return Judged(milestone, SubResultState.PENDING)


def judge_all(facts: CommitmentFacts, today: date) -> list[Judged]:
    """Every sub-result that counts, in date order, with its state today."""
    return [judge(facts, m, today) for m in in_span(facts)]


def next_pending(facts: CommitmentFacts, today: date) -> Milestone | None:
    """The next sub-result not yet reached whose day has not passed."""
    for judged in judge_all(facts, today):
        if judged.state == SubResultState.PENDING:
            return judged.milestone
    return None


def _short(facts: CommitmentFacts, value: float, goal: float) -> bool:
    """`value` falls short of `goal` by more than 5% of |goal − baseline| (direction-aware)."""
    allowed = BREAKDOWN_TOLERANCE * abs(goal - facts.baseline)
    noise = _FLOAT_NOISE * max(1.0, abs(facts.baseline), abs(goal))
    return (goal - value) * facts.direction - allowed > noise


def _latest_value(facts: CommitmentFacts, today: date) -> float:
    known = [r for r in facts.reports if r.day <= today]
    if not known:
        return facts.baseline
    latest = max(known, key=lambda r: r.day)
    return [r for r in known if r.day == latest.day][-1].value


@dataclass(frozen=True)
class Shortfall:
    """Where a breakdown on a sub-result stands: the value the trajectory gives at its day (or,
    for a missed one, the latest value), against the sub-result."""

    milestone: Milestone
    value: float
    missed: bool


def shortfall_on(facts: CommitmentFacts, today: date) -> Shortfall | None:
    """The sub-result a breakdown is judged on today, if any: a missed one not caught up with,
    else the next one the trajectory does not reach."""
    current = _latest_value(facts, today)
    for judged in judge_all(facts, today):
        m = judged.milestone
        if judged.state == SubResultState.MISSED and _short(facts, current, m.value):
            return Shortfall(m, current, True)
        if judged.state == SubResultState.PENDING:
            expected = trajectory(facts, today).value_at(m.day)
            return Shortfall(m, expected, False) if _short(facts, expected, m.value) else None
    return None


def short_on(facts: CommitmentFacts, today: date) -> Milestone | None:
    found = shortfall_on(facts, today)
    return found.milestone if found is not None else None


def verdict(facts: CommitmentFacts, today: date, projected: float | None = None) -> Verdict:
    """The commitment's verdict with its sub-results (SPEC §1 breakdown): not judged, no recent
    numbers, breakdown (at the due date or on a sub-result), or on track."""
    judged = due_date_verdict(facts, today, projected)
    if judged is not Verdict.ON_TRACK or not facts.milestones:
        return judged
    if (today - facts.start).days < MIN_AGE_DAYS or not has_recent_numbers(facts, today):
        return judged  # (already said by due_date_verdict)
    return Verdict.BREAKDOWN if short_on(facts, today) is not None else Verdict.ON_TRACK


def gaps_too_long(start: date, due: date, days: list[date]) -> bool:
    """Whether the commitment still asks for sub-results: some stretch between the start, its
    sub-results and the due date is longer than `MAX_GAP_DAYS`."""
    corners = [start, *sorted(d for d in days if start < d < due), due]
    return any((b - a).days > MAX_GAP_DAYS for a, b in zip(corners, corners[1:]))


def check_new(facts: CommitmentFacts, value: float, day: date, today: date) -> list[tuple[str, str]]:
    """Problems with a new sub-result, each (field, message): its day strictly between the start
    and the due date, not in the past, not the day of another; its value strictly between the
    baseline and the target (direction-aware: the decision, so the path never turns back)."""
    problems: list[tuple[str, str]] = []
    if not facts.start < day < facts.due:
        problems.append(
            (
                "due",
                f"Pick a day after the start ({facts.start.isoformat()}) and before the due date ({facts.due.isoformat()}).",
            )
        )
    elif day < today:
        problems.append(("due", f"{day.isoformat()} is already past: pick today or a later day."))
    elif any(m.day == day for m in facts.milestones):
        problems.append(("due", f"There's already a sub-result on {day.isoformat()}: pick another day."))
    low, high = sorted((facts.baseline, facts.target))
    if not low < value < high:
        problems.append(("value", "A sub-result lies between the baseline and the target."))
    return problems
