"""Listeners for a retrospective's buttons: `retro_add` ("What made the difference?" →
`retro_modal`, each answer posted in the home thread with its author) and `commitment_next`
("Declare the next one" → `commit_modal` prefilled). Anyone who sees the retrospective may
answer or declare the next one; both are for ended commitments only."""

from __future__ import annotations

from slack_bolt import App

from bot import ids
from bot.commitments import access
from bot.endings import views
from bot.services import Services
from bot.slack.context import listener
from bot.slack.forms import form_values, text_value
from bot.slack.guard import CoachError, ModalErrors
from bot.slack.posting import post
from bot.slack.text import unescape
from storage import commitments as commitment_store
from storage import endings as store
from storage import invitations as invitation_store
from storage.models import Commitment, CommitmentStatus


def is_ended(services: Services, commitment: Commitment, user_id: str) -> None:
    if commitment.status == CommitmentStatus.ACTIVE:
        raise CoachError(f"#{commitment.number} is still running: its retrospective comes when it ends.")


@listener(access.clicked(is_ended))
def open_retro(ack, body, client, commitment: Commitment):
    ack()
    client.views_open(trigger_id=body["trigger_id"], view=views.retro_modal(commitment))


@listener(access.submitted(is_ended))
def retro_submitted(ack, client, view, services: Services, user_id: str, commitment: Commitment):
    values = form_values(view)
    shifted = unescape(text_value(values, ids.SHIFTED))
    next_ = unescape(text_value(values, ids.NEXT)) or None
    errors = {}
    if not shifted:
        errors[ids.SHIFTED] = "Say what made the difference."
    for block_id, text in ((ids.SHIFTED, shifted), (ids.NEXT, next_ or "")):
        if len(text) > views.MAX_ANSWER:
            errors[block_id] = f"Keep it under {views.MAX_ANSWER} characters."
    if errors:
        raise ModalErrors(errors)
    store.add_answer(services.db, commitment.id, user_id, shifted, next_, services.now())
    ack()
    post(
        client,
        commitment.channel_id,
        views.answer_reply(commitment, user_id, shifted, next_),
        thread_ts=commitment.home_ts,
    )


@listener(access.clicked(is_ended))
def open_next(ack, body, client, services: Services, user_id: str, commitment: Commitment):
    ack()
    state = commitment_store.load_state(services.db, commitment)
    last = state.latest.value if state.latest is not None else commitment.baseline
    # The same members: everyone enrolled or still invited, but whoever declares it (its owner).
    people = list(state.enrolled) + invitation_store.pending(services.db, commitment.id)
    members = [p for p in dict.fromkeys(people) if p != user_id]
    client.views_open(trigger_id=body["trigger_id"], view=views.next_modal(commitment, last, members, services.today()))


def register(app: App) -> None:
    app.action(ids.RETRO_ADD)(open_retro)
    app.view(ids.RETRO_MODAL)(retro_submitted)
    app.action(ids.COMMITMENT_NEXT)(open_next)
