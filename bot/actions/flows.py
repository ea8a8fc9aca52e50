"""What action listeners (and reminders) call once a listener has said yes: find an action in
the authorized workspace, send a request to its owner, tell the home thread, show an answer in
place of the buttons that asked for it."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.actions import views
from bot.services import Services
from bot.slack.context import decode_ref
from bot.slack.guard import CoachError
from bot.slack.posting import post
from storage import actions as store
from storage import checkins as checkin_store
from storage import reminders as reminder_store
from storage.models import Action, ActionStatus, Commitment

log = logging.getLogger(__name__)

ANSWERED = {
    ActionStatus.PROMISED: "you promised it",
    ActionStatus.DECLINED: "you declined it",
    ActionStatus.COUNTERED: "you proposed another date",
    ActionStatus.REQUESTED: "it is waiting for an answer",
}
NOT_FOUND = "That button doesn't point at an action I know."


def action_of(services: Services, team_id: str, raw) -> tuple[Action, Commitment]:
    """The action behind a button or modal (a `Ref`, or its id), in the authorized workspace."""
    key = raw if isinstance(raw, int) else decode_ref(raw).id
    found = store.get_with_commitment(services.db, key)
    if found is None or found[1].team_id != team_id:
        raise CoachError(NOT_FOUND)
    return found


def breakdown_answered(services: Services, commitment: Commitment, breakdown_id: int | None) -> int | None:
    """The breakdown a new action answers: the one its button named, when it is this
    commitment's; otherwise the one open now (an action taken while a breakdown is open answers it)."""
    if breakdown_id is not None:
        breakdown = checkin_store.get_breakdown(services.db, breakdown_id)
        if breakdown is not None and breakdown.commitment_id == commitment.id:
            return breakdown_id
    open_now = checkin_store.open_breakdowns_of(services.db, commitment.id)
    return open_now[0].id if open_now else None


def away_until(services: Services, team_id: str, user_id: str):
    """The last day `user_id` is away, when they are away today; else None."""
    until = reminder_store.away_until(services.db, team_id, user_id)
    return until if until is not None and until >= services.today() else None


def redated_already(services: Services, old: Action) -> bool:
    """Whether the owner already made the same promise again after `old` fell due."""
    return any(
        a.id != old.id
        and a.status == ActionStatus.PROMISED
        and a.owner_id == old.owner_id
        and a.what == old.what
        and a.due > old.due
        and a.done_on is None
        and a.revoked_on is None
        for a in store.of_commitment(services.db, old.commitment_id)
    )


def in_thread(client, c: Commitment, message) -> None:
    post(client, c.channel_id, message, thread_ts=c.home_ts)


def send_request(client, services: Services, a: Action, c: Commitment, note: str | None = None) -> bool:
    """The request goes to its owner by direct message, with its three answers."""
    text, blocks = views.request_dm(a, c, note)
    try:
        response = client.chat_postMessage(channel=a.owner_id, text=text, blocks=blocks)
    except SlackApiError as error:
        log.warning("request %s could not reach %s: %s", a.id, a.owner_id, error.response.get("error"))
        return False
    store.set_request_message(services.db, a.id, response.get("channel"), response.get("ts"))
    return True


def from_home(body: dict) -> bool:
    """Whether a button was clicked on App Home (rather than in a message)."""
    return (body.get("container") or {}).get("type") == "view" and (body.get("view") or {}).get("type") == "home"


def _message_of(body: dict) -> tuple[str | None, str | None]:
    """(channel, ts) of the message whose button was clicked."""
    container = body.get("container") or {}
    return container.get("channel_id") or (body.get("channel") or {}).get("id"), container.get("message_ts")


def replace_clicked(client, body: dict, message) -> None:
    channel, ts = _message_of(body)
    if channel and ts:
        client.chat_update(channel=channel, ts=ts, text=message[0], blocks=message[1])


def replace_request(client, body: dict, a: Action, message) -> None:
    """Show the answer in place of the request's buttons: the clicked message, or, for a click
    from App Home, the direct message that brought the request (when it was delivered)."""
    channel, ts = _message_of(body)
    if not (channel and ts):
        channel, ts = a.request_channel, a.request_ts
    if not (channel and ts):
        return
    try:
        client.chat_update(channel=channel, ts=ts, text=message[0], blocks=message[1])
    except SlackApiError as error:  # the answer is stored and said in the thread all the same
        log.warning("could not update the request message of %s: %s", a.id, error.response.get("error"))
