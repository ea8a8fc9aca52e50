"""The series of a commitment's chart, pure: baseline, committed path, progress reports,
trajectory, target, and the gap. No matplotlib, no Slack, no database: testable as numbers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from bot.coaching.subresults import SubResultState, judge_all, path_points, verdict
from bot.coaching.trajectory import (
    WINDOW_DAYS,
    CommitmentFacts,
    Verdict,
    trajectory,
)
from bot.slack.text import number

MAX_TITLE = 52  # the verdict and due date share the title line


@dataclass(frozen=True)
class Series:
    """Points of one line or scatter: days on x, values on y."""

    days: tuple[date, ...]
    values: tuple[float, ...]

    @property
    def points(self) -> tuple[tuple[date, float], ...]:
        return tuple(zip(self.days, self.values))


@dataclass(frozen=True)
class Gap:
    """The breakdown at the due date: where the trajectory lands against the target."""

    day: date
    projected: float
    target: float

    @property
    def size(self) -> float:
        return abs(self.target - self.projected)


@dataclass(frozen=True)
class ChartSeries:
    """Everything the plot draws, worked out from the facts alone."""

    start: date
    due: date
    today: date
    baseline: float
    target: float
    committed: Series  # (start, baseline) → each sub-result → (due, target)
    reports: Series  # every progress report, by day
    trajectory: Series  # the trajectory line, from its window to the due date
    projected: float  # the trajectory's value at the due date
    verdict: Verdict
    gap: Gap | None  # only when the verdict is a breakdown
    reached: Series = Series((), ())  # sub-results reached: markers on the committed path
    pending: Series = Series((), ())  # sub-results neither reached nor missed yet
    missed: Series = Series((), ())  # sub-results missed


def chart_series(facts: CommitmentFacts, today: date) -> ChartSeries:
    """The series for a commitment's chart today (pure: same facts, same series)."""
    corners = path_points(facts)
    judged_subresults = judge_all(facts, today)
    line = trajectory(facts, today)
    # The trajectory is drawn from where its evidence starts (the 28-day window, never before
    # the start date) to the due date; a chart looked at after the due date still shows it.
    drawn_from = min(max(facts.start, today - timedelta(days=WINDOW_DAYS)), facts.due)
    projected = line.value_at(facts.due)
    judged = verdict(facts, today)
    reports = sorted(facts.reports, key=lambda r: r.day)
    return ChartSeries(
        start=facts.start,
        due=facts.due,
        today=today,
        baseline=facts.baseline,
        target=facts.target,
        committed=Series(tuple(d for d, _ in corners), tuple(v for _, v in corners)),
        reports=Series(tuple(r.day for r in reports), tuple(r.value for r in reports)),
        trajectory=Series((drawn_from, facts.due), (line.value_at(drawn_from), projected)),
        projected=projected,
        verdict=judged,
        gap=Gap(facts.due, projected, facts.target) if judged is Verdict.BREAKDOWN else None,
        **{name: _markers(judged_subresults, state) for name, state in _MARKERS.items()},
    )


_MARKERS = {"reached": SubResultState.REACHED, "pending": SubResultState.PENDING, "missed": SubResultState.MISSED}


def _markers(judged, state: str) -> Series:
    chosen = [j.milestone for j in judged if j.state == state]
    return Series(tuple(m.day for m in chosen), tuple(m.value for m in chosen))


def chart_quantity(value: float, unit: str | None) -> str:
    """Like the cards' quantities, for an image (no Slack escaping: nothing is parsed there)."""
    shown = number(round(value, 2))
    if not unit:
        return shown
    return f"{shown}%" if unit == "%" else f"{shown} {unit}"


def short_title(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1].rstrip() + "…"
