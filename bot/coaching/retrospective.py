"""A commitment's record when it ends (SPEC §1 "retrospective"), from its data. Pure: no Slack,
no database. bot/endings reads the data and posts what `retrospective` returns."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from bot.coaching.integrity import Integrity, PromiseFacts, PromiseState, integrity, promise_state


@dataclass(frozen=True)
class BreakdownSpan:
    """A breakdown: the day it opened, and the day it closed (None: open when the commitment ended)."""

    opened: date
    closed: date | None = None


@dataclass(frozen=True)
class Retrospective:
    ending: str  # "achieved", "missed" or "withdrawn"
    days: int  # days it ran, from its start date to the day it ended
    baseline: float
    last: float  # the last value reported (the baseline when nobody reported)
    target: float
    progress: float  # share of the way from baseline to target the last value reached (may be < 0 or > 1)
    breakdowns_open: tuple[int, ...]  # how many days each breakdown stayed open, in the order opened
    made: int  # promises made (released ones included)
    kept: int
    revoked: int
    broken: int
    released: int  # open when it ended: no longer due, counted nowhere
    integrity: Integrity
    enrolled: tuple[str, ...]
    agreements: tuple[str, ...]  # new agreements made in the channel while it ran


def retrospective(
    *,
    ending: str,
    start: date,
    ended: date,
    baseline: float,
    target: float,
    last: float | None,
    breakdowns: Iterable[BreakdownSpan],
    promises: Sequence[PromiseFacts],
    released: int,
    enrolled: Sequence[str],
    agreements: Sequence[str] = (),
) -> Retrospective:
    """The record of a commitment that ended on `ended`. `promises` are the promises still counting
    (kept, revoked, broken, or open), `released` how many were released when it ended."""
    value = baseline if last is None else last
    states = [promise_state(p, ended) for p in promises]
    spans = tuple(max(0, ((b.closed or ended) - b.opened).days) for b in sorted(breakdowns, key=lambda b: b.opened))
    return Retrospective(
        ending=ending,
        days=max(0, (ended - start).days),
        baseline=baseline,
        last=value,
        target=target,
        progress=(value - baseline) / (target - baseline) if target != baseline else 0.0,
        breakdowns_open=spans,
        made=len(promises) + released,
        kept=states.count(PromiseState.KEPT),
        revoked=states.count(PromiseState.REVOKED),
        broken=states.count(PromiseState.BROKEN),
        released=released,
        integrity=integrity(promises, ended),
        enrolled=tuple(dict.fromkeys(enrolled)),
        agreements=tuple(agreements),
    )
