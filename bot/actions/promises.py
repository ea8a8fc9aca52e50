"""Promise facts from stored actions: which actions are promises, each one's state, and
integrity and enrolment coverage (SPEC §1). Pure: check-ins, the status card, actions and App
Home all read them from here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.coaching.integrity import Integrity, PromiseFacts, integrity
from storage.models import Action, ActionStatus


def promises(actions: list[Action]) -> list[Action]:
    """Only promises count: requests, counters and declined requests don't."""
    return [a for a in actions if a.status == ActionStatus.PROMISED]


def promise_facts(action: Action) -> PromiseFacts:
    return PromiseFacts(due=action.due, done_on=action.done_on, revoked_on=action.revoked_on, owner=action.owner_id)


def integrity_of(actions: list[Action], today: date) -> Integrity:
    return integrity([promise_facts(a) for a in promises(actions)], today)


@dataclass(frozen=True)
class Coverage:
    """Enrolled people holding at least one promise, out of the enrolled."""

    holders: int
    enrolled: int

    def describe(self) -> str:
        if not self.enrolled:
            return "Enrolment coverage: nobody enrolled"
        percent = round(100 * self.holders / self.enrolled)
        return f"Enrolment coverage: {percent}% ({self.holders} of {self.enrolled} enrolled hold a promise)"


def coverage_of(enrolled: tuple[str, ...], actions: list[Action]) -> Coverage:
    people = set(enrolled)
    return Coverage(len(people & {a.owner_id for a in promises(actions)}), len(people))
