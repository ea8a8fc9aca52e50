"""App Home, built for one person and published: what Home listeners, actions and commitments call."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Sequence

from bot.actions.promises import promise_facts
from bot.coaching.integrity import Integrity, PromiseFacts, PromiseState, integrity, promise_state
from bot.commitments.facts import review
from bot.home import views
from bot.services import Services
from storage import actions as action_store
from storage import commitments as commitment_store
from storage import home as store
from storage.models import Action, ActionStatus, Commitment, CommitmentStatus

ENDED_SHOWN_DAYS = 30  # ended commitments stay on Home this long


def actions_part(
    rows: Sequence[tuple[Action, Commitment]], user_id: str, today: date
) -> tuple[list[views.ActionItem], list[views.ActionItem], Integrity | None]:
    """From `storage.actions.of_person`: their open promises (for "Done"/"Not done"), the
    requests waiting for their answer, and their own integrity over every promise they made in
    this workspace (None when they have made none yet: no section for it)."""
    open_actions: list[views.ActionItem] = []
    requests: list[views.ActionItem] = []
    promised: list[PromiseFacts] = []
    for a, c in rows:
        if a.status == ActionStatus.PROMISED and a.owner_id == user_id:
            facts = promise_facts(a)
            promised.append(facts)
            if promise_state(facts, today) is PromiseState.OPEN:
                open_actions.append(views.ActionItem(a.id, c.number, a.what, a.due))
        elif c.status != CommitmentStatus.ACTIVE:
            continue  # a request on a commitment that ended asks nothing any more
        elif a.status == ActionStatus.REQUESTED and a.owner_id == user_id:
            requests.append(views.ActionItem(a.id, c.number, a.what, a.due, asker_id=a.asker_id))
        elif a.status == ActionStatus.COUNTERED and a.asker_id == user_id:
            requests.append(
                views.ActionItem(a.id, c.number, a.what, a.due, owner_id=a.owner_id, countered_due=a.countered_due)
            )
    return open_actions, requests, integrity(promised, today) if promised else None


def home_for(services: Services, team_id: str, user_id: str) -> dict:
    """The person's home view: a handful of queries whatever the number of commitments."""
    today = services.today()
    commitments = store.commitments_of(services.db, team_id, user_id, services.now() - timedelta(days=ENDED_SHOWN_DAYS))
    reviews = [review(s, today, services.day_of) for s in commitment_store.load_states(services.db, commitments)]
    open_actions, requests, own_integrity = actions_part(
        action_store.of_person(services.db, team_id, user_id), user_id, today
    )
    return views.home_view(
        user_id,
        today,
        reviews,
        store.open_breakdowns_of(services.db, team_id, user_id),
        services.day_of,
        open_actions=open_actions,
        requests=requests,
        integrity=own_integrity,  # App Home is seen by this person alone
    )


def publish_home(client, services: Services, team_id: str, user_id: str) -> None:
    """(Re)publish a person's home tab, e.g. after they answered an action from it."""
    client.views_publish(user_id=user_id, view=home_for(services, team_id, user_id))
