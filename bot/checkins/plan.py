"""What a channel's check-in says and decides, from loaded data: pure, no Slack, no database.

The runner loads, calls `plan_channel`, posts the views of the plan, then applies its
`changes`. A dry run stops after printing the views.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Callable

from bot.actions.promises import Coverage, coverage_of, integrity_of, promise_facts, promises
from bot.coaching.integrity import Integrity, PromiseState, promise_state
from bot.coaching.schedule import Due, Schedule
from bot.coaching.trajectory import Verdict
from bot.commitments.facts import Review, review
from storage.background import CheckinBackground
from storage.checkins import CheckinChanges
from storage.commitments import CommitmentState
from storage.models import Action, Breakdown, Commitment, CommitmentStatus

CLOSED_ON_TRACK = "on_track"
CLOSED_ENDED = "ended"


@dataclass(frozen=True)
class DueAction:
    action: Action
    state: PromiseState


@dataclass
class CommitmentCheck:
    """One commitment in a check-in."""

    review: Review
    ending: str | None = None  # CommitmentStatus.ACHIEVED / MISSED: it ends with this check-in
    opens_breakdown: bool = False  # a new breakdown: announced in the home thread
    closes: list[Breakdown] = field(default_factory=list)  # closed by this check-in
    still_open: Breakdown | None = None  # the earliest breakdown still open after it
    breakdown_since: datetime | None = None  # when the breakdown still open (or closing) opened
    promises_since: int = 0  # promises made since then
    integrity: Integrity = field(default_factory=lambda: Integrity(0, 0, 0))
    coverage: Coverage = field(default_factory=lambda: Coverage(0, 0))
    due_actions: list[DueAction] = field(default_factory=list)

    @property
    def commitment(self) -> Commitment:
        return self.review.commitment

    @property
    def in_breakdown(self) -> bool:
        return self.ending is None and (self.opens_breakdown or self.still_open is not None)

    @property
    def asks_for_numbers(self) -> bool:
        """No recent numbers: the check-in asks the owner, by name, for the number."""
        return self.ending is None and self.review.verdict is Verdict.NO_RECENT_NUMBERS


@dataclass
class ChannelCheckin:
    team_id: str
    channel_id: str
    schedule: Schedule
    due: Due
    today: date
    checks: list[CommitmentCheck]
    ended_since: list[Commitment]  # ended since the last check-in (breakthroughs, withdrawals)
    first: bool  # the channel's first check-in
    # new agreements since the last check-in, and the most recognised conversations still running
    background: CheckinBackground | None = None

    def changes(self) -> CheckinChanges:
        return CheckinChanges(
            open=[(c.commitment.id, c.review.projected) for c in self.checks if c.opens_breakdown],
            close=[(b.id, CLOSED_ENDED if c.ending else CLOSED_ON_TRACK) for c in self.checks for b in c.closes],
            end=[(c.commitment.id, c.ending) for c in self.checks if c.ending],
        )


def _closes_on_track(breakdown: Breakdown, state: CommitmentState) -> bool:
    """A later check-in finding the trajectory reaching the target closes a breakdown; one a
    person declared needs a progress report after it was declared (new evidence) to close."""
    if breakdown.source != "declared":
        return True
    latest = state.latest
    return latest is not None and latest.reported_at > breakdown.opened_at


def check_commitment(
    state: CommitmentState,
    open_breakdowns: list[Breakdown],
    actions: list[Action],
    today: date,
    day_of: Callable[[datetime], date],
    due_after: date | None,
) -> CommitmentCheck:
    r = review(state, today, day_of)
    check = CommitmentCheck(
        review=r,
        integrity=integrity_of(actions, today),
        coverage=coverage_of(state.enrolled, actions),
    )
    if r.breakthrough:
        check.ending = CommitmentStatus.ACHIEVED
    elif today > state.commitment.due:  # past due without a breakthrough (trajectory.is_missed)
        check.ending = CommitmentStatus.MISSED
    if check.ending:
        check.closes = list(open_breakdowns)
    elif r.verdict is Verdict.BREAKDOWN:
        check.opens_breakdown = not open_breakdowns
    elif r.verdict is Verdict.ON_TRACK:  # not judged, no recent numbers: nothing opens or closes
        check.closes = [b for b in open_breakdowns if _closes_on_track(b, state)]
    closing = {b.id for b in check.closes}
    remaining = [b for b in open_breakdowns if b.id not in closing]
    tracked = remaining or check.closes
    if tracked and not check.ending:
        check.still_open = remaining[0] if remaining else None
        check.breakdown_since = tracked[0].opened_at
        check.promises_since = sum(
            1 for a in promises(actions) if a.promised_at is not None and a.promised_at >= tracked[0].opened_at
        )
    for action in promises(actions):
        if action.due <= today and (due_after is None or action.due > due_after):
            check.due_actions.append(DueAction(action, promise_state(promise_facts(action), today)))
    return check


def plan_channel(
    *,
    team_id: str,
    channel_id: str,
    schedule: Schedule,
    due: Due,
    states: list[CommitmentState],
    open_breakdowns: dict[int, list[Breakdown]],
    actions: dict[int, list[Action]],
    ended_since: list[Commitment],
    today: date,
    day_of: Callable[[datetime], date],
    last_checkin_day: date | None,
    between: Callable[[], None] | None = None,
    background: CheckinBackground | None = None,
) -> ChannelCheckin:
    """`between` runs after each commitment (the runner lets other threads in there)."""
    checks = []
    for state in states:
        checks.append(
            check_commitment(
                state,
                open_breakdowns.get(state.commitment.id, []),
                actions.get(state.commitment.id, []),
                today,
                day_of,
                last_checkin_day,
            )
        )
        if between is not None:
            between()
    return ChannelCheckin(
        team_id=team_id,
        channel_id=channel_id,
        schedule=schedule,
        due=due,
        today=today,
        checks=checks,
        ended_since=[c for c in ended_since if c.status != CommitmentStatus.MISSED],
        first=last_checkin_day is None,
        background=background,
    )
