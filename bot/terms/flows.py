"""What the terms listeners and the runtime call: add a sub-result, renegotiate, tell a home
thread a sub-result was reached, ask for sub-results at declaration."""

from __future__ import annotations

import logging
import math
from datetime import date

from bot.coaching.subresults import SubResultState, check_new, gaps_too_long
from bot.commitments.facts import facts_of, review
from bot.services import Services
from bot.slack.guard import CoachError
from bot.slack.posting import post
from bot.terms import views
from storage import commitments as commitment_store
from storage import subresults as store
from storage.models import Commitment, Renegotiation

log = logging.getLogger(__name__)


def in_thread(client, commitment: Commitment, message) -> None:
    post(client, commitment.channel_id, message, thread_ts=commitment.home_ts)


def ask_for_milestones(client, commitment: Commitment) -> None:
    """At declaration: a commitment due more than 100 days after its start is asked for
    sub-results in its home thread."""
    if gaps_too_long(commitment.start_date, commitment.due, []):
        in_thread(client, commitment, views.milestone_question(commitment))


def milestone_problems(services: Services, commitment: Commitment, value: float, due: date) -> list[tuple[str, str]]:
    state = commitment_store.load_state(services.db, commitment)
    facts = facts_of(state, services.day_of)
    if not math.isfinite(value):
        return [("value", "The value must be a finite number.")]
    return check_new(facts, value, due, services.today())


def store_milestone(services: Services, commitment: Commitment, value: float, due: date, user_id: str) -> None:
    """Store a checked sub-result (a CoachError when that day is taken meanwhile)."""
    if not store.add(services.db, commitment.id, value, due, user_id, services.now()):
        raise CoachError(f"#{commitment.number} already has a sub-result on {due.isoformat()}.")


def tell_milestone(client, commitment: Commitment, value: float, due: date, user_id: str) -> None:
    in_thread(client, commitment, views.milestone_added(commitment, value, due, user_id))


def renegotiation_problems(commitment: Commitment, target: float, due: date, reason: str, today: date):
    """Each (field, message); as for a declaration: target ≠ baseline, due after the start and
    not in the past, a reason; and something must change."""
    problems: list[tuple[str, str]] = []
    if not math.isfinite(target):
        problems.append(("target", "The target must be a finite number."))
    elif target == commitment.baseline:
        problems.append(("target", "The target must differ from the baseline: commit to a change."))
    if due <= commitment.start_date or due < today:
        problems.append(
            ("due", f"Pick a due date after the start ({commitment.start_date.isoformat()}), today or later.")
        )
    if not reason.strip():
        problems.append(("reason", "Say why: the reason is part of the new promise."))
    elif len(reason) > views.MAX_REASON:
        problems.append(("reason", f"Keep the reason to {views.MAX_REASON} characters."))
    if not problems and target == commitment.target and due == commitment.due:
        problems.append(("target", "That's the same target and due date: change one of them."))
    return problems


def renegotiate(
    services: Services, commitment: Commitment, target: float, due: date, reason: str, user_id: str
) -> tuple[Commitment, Renegotiation]:
    """Store the new terms (the old ones in the history)."""
    done = store.renegotiate(services.db, commitment.id, target, due, reason, user_id, services.now())
    if done is None:
        raise CoachError(f"#{commitment.number} has ended; there's nothing to renegotiate.")
    return done


def announce_renegotiation(services: Services, client, commitment: Commitment, entry: Renegotiation) -> None:
    """In the home thread and the channel, old and new terms with the reason; the announcement
    shows the new terms."""
    in_thread(client, commitment, views.renegotiated(commitment, entry, in_channel=False))
    post(client, commitment.channel_id, views.renegotiated(commitment, entry, in_channel=True))
    _refresh_announcement(services, client, commitment)


def _refresh_announcement(services: Services, client, commitment: Commitment) -> None:
    from bot.commitments.flows import CommitmentFlows  # the announcement shows the new terms

    try:
        CommitmentFlows(services).refresh_announcement(client, commitment)
    except Exception:  # the thread and channel were told; an old announcement is no harm
        log.warning("could not refresh #%s's announcement", commitment.number, exc_info=True)


def tell_reached(services: Services, client, state) -> None:
    """After a progress report was told in the thread: each sub-result it reached, once."""
    if not state.milestones:
        return
    r = review(state, services.today(), services.day_of)
    rows = {(m.due, m.value): m for m in state.milestones}
    for judged in r.subresults:
        row = rows.get((judged.milestone.day, judged.milestone.value))
        if judged.state != SubResultState.REACHED or row is None or row.reached_told_at is not None:
            continue
        if not store.claim_told(services.db, row.id, "reached", services.now()):
            continue
        try:
            in_thread(client, state.commitment, views.reached(state.commitment, row.value, row.due, judged.reached_on))
        except Exception:
            store.release_told(services.db, row.id, "reached")
            raise


def card_part(services: Services, commitment: Commitment) -> list[dict]:
    """`status #N`: the sub-results and the renegotiation history, after the card."""
    r = review(commitment_store.load_state(services.db, commitment), services.today(), services.day_of)
    return views.card_part(commitment, list(r.subresults), store.history(services.db, commitment.id))
