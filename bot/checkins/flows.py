"""What check-in listeners and other domains call: the promises part of `/commit status #N`."""

from __future__ import annotations

from bot.actions.promises import coverage_of, integrity_of, promise_facts, promises
from bot.checkins import views
from bot.coaching.integrity import promise_state
from bot.services import Services
from storage import actions as action_store
from storage import checkins as store
from storage import commitments as commitment_store
from storage.models import Commitment


def status_blocks(services: Services, commitment: Commitment) -> list[dict]:
    """Open promises, integrity, enrolment coverage and the open breakdown of one commitment."""
    today = services.today()
    actions = action_store.of_commitment(services.db, commitment.id)
    state = commitment_store.load_state(services.db, commitment)
    states = {a.id: promise_state(promise_facts(a), today) for a in promises(actions)}
    open_breakdowns = store.open_breakdowns_of(services.db, commitment.id)
    open_since = first_promise = None
    if open_breakdowns:
        opened_at = open_breakdowns[0].opened_at
        open_since = services.day_of(opened_at)
        made = sorted(a.promised_at for a in promises(actions) if a.promised_at and a.promised_at >= opened_at)
        first_promise = services.day_of(made[0]) if made else None
    return views.status_extras(
        promises(actions),
        integrity_of(actions, today),
        coverage_of(state.enrolled, actions),
        today,
        open_since,
        first_promise,
        states,
    )
