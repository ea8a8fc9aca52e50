"""From stored rows to the coaching logic's facts, and the verdicts a card shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable

from bot.coaching.ambition import Ambition, ambition
from bot.coaching.subresults import Judged, Shortfall, judge_all, shortfall_on, verdict
from bot.coaching.trajectory import (
    CommitmentFacts,
    Milestone,
    Report,
    Verdict,
    is_breakthrough,
    progress_fraction,
    projected_value,
)
from storage.commitments import CommitmentState
from storage.models import Commitment


def facts_of(state: CommitmentState, day_of: Callable) -> CommitmentFacts:
    c = state.commitment
    return CommitmentFacts(
        baseline=c.baseline,
        target=c.target,
        start=c.start_date,
        due=c.due,
        reports=tuple([Report(day_of(r.reported_at), r.value) for r in state.reports]),
        milestones=tuple(Milestone(m.due, m.value) for m in state.milestones),
    )


def ambition_of(c: Commitment) -> Ambition:
    return ambition(c.baseline, c.target, c.known)


@dataclass(frozen=True)
class Review:
    """Where one commitment stands today: what a status card and a check-in show."""

    state: CommitmentState
    today: date
    current: float
    fraction: float
    projected: float
    verdict: Verdict
    has_reports: bool
    breakthrough: bool
    last_report_on: date | None = None  # the day of the latest progress report (None: none yet)
    subresults: tuple[Judged, ...] = ()  # each sub-result that counts, in date order, judged today
    short_on: Shortfall | None = None  # in breakdown on a sub-result: which, and how far

    @property
    def commitment(self) -> Commitment:
        return self.state.commitment

    @property
    def no_recent_numbers(self) -> bool:
        return self.verdict is Verdict.NO_RECENT_NUMBERS


def review(state: CommitmentState, today: date, day_of: Callable) -> Review:
    facts = facts_of(state, day_of)
    latest = state.latest
    current = latest.value if latest else state.commitment.baseline
    projected = projected_value(facts, today)
    judged = verdict(facts, today, projected)
    return Review(
        state=state,
        today=today,
        current=current,
        fraction=progress_fraction(facts, current),
        projected=projected,
        verdict=judged,
        has_reports=bool(state.reports),
        breakthrough=is_breakthrough(facts),
        last_report_on=facts.reports[-1].day if facts.reports else None,
        subresults=tuple(judge_all(facts, today)) if facts.milestones else (),
        short_on=shortfall_on(facts, today) if judged is Verdict.BREAKDOWN and facts.milestones else None,
    )
