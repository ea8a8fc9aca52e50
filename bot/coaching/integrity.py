"""Integrity: promises honoured (kept, or revoked in time) out of promises due."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import Enum


class PromiseState(str, Enum):
    OPEN = "open"
    KEPT = "kept"
    REVOKED = "revoked"
    BROKEN = "broken"


@dataclass(frozen=True)
class PromiseFacts:
    """A promise: its due date, when it was done or revoked, and whose it is."""

    due: date
    done_on: date | None = None
    revoked_on: date | None = None
    owner: str = ""


def promise_state(p: PromiseFacts, today: date) -> PromiseState:
    """The state of a promise today.

    - Done on or before the due date: kept. Done later: broken (delivered late).
      Done wins over revoked when both are recorded.
    - Revoked on or before the due date (decision: the due date itself still counts
      as "before the due date passed"): revoked.
    - Otherwise broken once the due date has passed, open until then.
    """
    if p.done_on is not None:
        return PromiseState.KEPT if p.done_on <= p.due else PromiseState.BROKEN
    if p.revoked_on is not None and p.revoked_on <= p.due:
        return PromiseState.REVOKED
    if today > p.due:
        return PromiseState.BROKEN
    return PromiseState.OPEN


def can_revoke(p: PromiseFacts, today: date) -> bool:
    """Whether "Not done" may still revoke the promise: open and not yet past due."""
    return today <= p.due and promise_state(p, today) is PromiseState.OPEN


def _percent(fraction: float) -> int:
    """Rounded percentage that never shows 100% or 0% unless it is exactly so."""
    percent = math.floor(fraction * 100 + 0.5)
    if percent == 100 and fraction < 1:
        return 99
    if percent == 0 and fraction > 0:
        return 1
    return percent


@dataclass(frozen=True)
class Integrity:
    """Counts behind integrity: honoured = kept + revoked in time, out of due."""

    honoured: int
    due: int
    kept: int

    @property
    def ratio(self) -> float | None:
        return self.honoured / self.due if self.due else None

    @property
    def kept_rate(self) -> float | None:
        return self.kept / self.due if self.due else None

    def describe(self) -> str:
        """E.g. "92% (11 of 12 honoured) · kept 75%", or "no promises due yet"."""
        if self.ratio is None or self.kept_rate is None:
            return "no promises due yet"
        return f"{_percent(self.ratio)}% ({self.honoured} of {self.due} honoured) · kept {_percent(self.kept_rate)}%"


def integrity(promises: Iterable[PromiseFacts], today: date) -> Integrity:
    """Integrity over promises: only a silent miss (broken) lowers it."""
    honoured = due = kept = 0
    for promise in promises:
        state = promise_state(promise, today)
        if state is PromiseState.OPEN:
            continue
        due += 1
        if state is PromiseState.KEPT:
            kept += 1
            honoured += 1
        elif state is PromiseState.REVOKED:
            honoured += 1
    return Integrity(honoured=honoured, due=due, kept=kept)


def enrolment_coverage(enrolled: Iterable[str], promise_owners: Iterable[str]) -> float | None:
    """Enrolled people holding at least one promise / enrolled people (None if nobody)."""
    people = set(enrolled)
    if not people:
        return None
    return len(people & set(promise_owners)) / len(people)
