"""One place that answers people when a listener says no, or fails.

Listeners raise `CoachError` (a sentence for the person) or `ModalErrors` (per input block);
`guarded` turns them into an ephemeral message, or `response_action: errors` in a modal.
Any other exception is logged and the person gets a short apology, never silence.
"""

from __future__ import annotations

import inspect
import logging
from typing import Any, Callable

from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


def authorized_team(context) -> str:
    """The workspace Bolt authorized (bot/slack/workspace.py), never one read from the body."""
    from bot.slack.workspace import authorized_team as authorized

    return authorized(context)


SERVICES = "coach_services"  # request context key: the app's Services (set in bot/app.py)
FOLLOWUPS = "coach_followups"  # request context key: what tells home threads about new reports

APOLOGY = "Sorry, something went wrong on my side and nothing was changed. Please try again in a moment."


class CoachError(Exception):
    """Something the person asked for can't be done; `message` tells them why and what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ModalErrors(Exception):
    """Modal input to fix in place: {block_id: message}."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(errors))
        self.errors = errors


def tell(client, body: dict, text: str) -> None:
    """Show `text` to the person behind `body` alone: ephemeral in the channel, else by DM."""
    user_id = (body.get("user") or {}).get("id") or body.get("user_id")
    channel_id = (body.get("channel") or {}).get("id") or body.get("channel_id")
    if not user_id:
        return
    if channel_id and not channel_id.startswith("D"):
        try:
            client.chat_postEphemeral(channel=channel_id, user=user_id, text=text)
            return
        except SlackApiError as error:
            log.warning("ephemeral message failed: %s", error.response.get("error"))
    client.chat_postMessage(channel=user_id, text=text)


def _answer(ack, body: dict, client, text: str, errors: dict[str, str] | None = None) -> None:
    acked = ack.response is not None
    kind = body.get("type")
    if not acked:
        if kind == "view_submission":
            if errors:
                ack(response_action="errors", errors=errors)
                return
            ack()
        elif "command" in body:
            ack(response_type="ephemeral", text=text)
            return
        else:
            ack()
    if kind == "view_submission" and errors:
        text = "\n".join(errors.values())
    tell(client, body, text)


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a Bolt listener: ack fast, turn CoachError/ModalErrors/exceptions into answers.

    `fn` names the arguments it wants: Bolt's (`ack`, `body`, `client`, `context`, `logger`,
    `respond`, `payload`, `say`, `command`, `action`, `view`, `event`) and the request's
    `services`, `followups`, `team_id` (the workspace Bolt authorized) and `user_id`; one that
    takes `**request` gets them all."""
    signature = inspect.signature(fn, follow_wrapped=False).parameters.values()
    takes_all = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in signature)
    wanted = [p.name for p in signature if p.kind is not inspect.Parameter.VAR_KEYWORD]

    def listener(ack, body, client, context, logger, respond, payload, say, command, action, view, event):
        available = {
            "ack": ack,
            "body": body,
            "client": client,
            "context": context,
            "logger": logger,
            "respond": respond,
            "payload": payload,
            "say": say,
            "command": command,
            "action": action,
            "view": view,
            "event": event,
            "services": context.get(SERVICES),
            "followups": context.get(FOLLOWUPS),
            "team_id": authorized_team(context),
            "user_id": context.user_id or (body.get("user") or {}).get("id") or body.get("user_id") or "",
        }
        try:
            if takes_all:
                fn(**available)
            else:
                fn(**{name: available[name] for name in wanted})
        except ModalErrors as problem:
            _answer(ack, body, client, "", problem.errors)
        except CoachError as problem:
            _answer(ack, body, client, problem.message)
        except Exception:
            log.exception("listener %s failed", fn.__name__)
            try:
                _answer(ack, body, client, APOLOGY)
            except Exception:
                log.exception("could not apologise either")

    listener.__name__ = fn.__name__
    listener.__qualname__ = fn.__qualname__
    return listener
