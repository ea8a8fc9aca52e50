"""What invitation listeners and the declaration call: check who can be invited, store the
invitations, send each its direct message, tell the thread and the inviter about answers."""

from __future__ import annotations

import logging
from typing import Iterable

from slack_sdk.errors import SlackApiError

from bot.coaching.parsing import USER_ID_RE
from bot.invitations import views
from bot.services import Services
from bot.slack.text import user
from storage import invitations as store
from storage.invitations import Invited
from storage.models import Commitment, Invitation

log = logging.getLogger(__name__)

SLACKBOT = "USLACKBOT"


def is_bot(client, user_id: str) -> bool:
    """Whether Slack says `user_id` is a bot (or Slackbot). Can't tell: not a bot."""
    if user_id == SLACKBOT:
        return True
    try:
        found = client.users_info(user=user_id).get("user") or {}
    except SlackApiError as error:
        log.info("users.info %s failed: %s", user_id, error.response.get("error"))
        return False
    return bool(found.get("is_bot") or found.get("is_app_user"))


def sort_people(client, people: Iterable[str], inviter_id: str, owner_id: str) -> tuple[list[str], list[str]]:
    """(people who can be invited, a sentence for each who can't): not oneself, the owner, a bot,
    nor a malformed id."""
    ok, refused = [], []
    for person in dict.fromkeys(people):
        if not isinstance(person, str) or not USER_ID_RE.fullmatch(person):
            refused.append("That isn't a person I can invite.")
        elif person == inviter_id:
            refused.append(f"You can't invite yourself: you're already {'the owner' if person == owner_id else 'in'}.")
        elif person == owner_id:
            refused.append(f"{user(person)} is the owner, always enrolled.")
        elif is_bot(client, person):
            refused.append(f"{user(person)} is a bot: only people can enrol.")
        else:
            ok.append(person)
    return ok, refused


def store_invitations(services: Services, c: Commitment, inviter_id: str, people: Iterable[str]) -> Invited:
    return store.invite(services.db, c.id, inviter_id, people, services.now())


def pending_rows(services: Services, c: Commitment) -> list[Invitation]:
    return store.pending_rows(services.db, c.id)


def send_invitations(services: Services, client, c: Commitment, invitations: list[Invitation]) -> None:
    """Each invitation's direct message; one that can't be delivered is logged, the rest go on."""
    for invitation in invitations:
        text, blocks = views.invitation_dm(invitation, c)
        try:
            response = client.chat_postMessage(channel=invitation.invitee_id, text=text, blocks=blocks)
        except SlackApiError as error:
            log.warning(
                "invitation %s could not reach %s: %s",
                invitation.id,
                invitation.invitee_id,
                error.response.get("error"),
            )
            continue
        store.set_message(services.db, invitation.id, response.get("channel"), response.get("ts"))


def tell_inviter(client, c: Commitment, invitation: Invitation, accepted: bool) -> None:
    text, blocks = views.inviter_told(c, invitation, accepted)
    try:
        client.chat_postMessage(channel=invitation.inviter_id, text=text, blocks=blocks)
    except SlackApiError as error:
        log.warning("could not tell inviter %s: %s", invitation.inviter_id, error.response.get("error"))
