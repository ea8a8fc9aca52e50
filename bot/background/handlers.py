"""Listeners for background conversations: `/background`, "Me too", "Reinvent", the
`surface_background` message shortcut, and the opt-in background watch on channel messages.

Who may do what: anyone in the channel may surface a background conversation, say "Me too"
and reinvent it (the new agreement records who made it). The person who surfaced it is not
counted in its recognition. Nothing crosses workspaces: every id from a button or a form is
checked against the clicking workspace.

Background watch reads only plain messages people post in a channel that opted in: top-level
messages and thread replies (the suggestion then shows in that thread). It ignores bots
(and this app), edits, deletions and every other message subtype, and messages outside
channels. A message is checked with the pure phrase model first; the channel's opt-in is read
only when a message voices a limiting belief; nothing is stored unless its author surfaces it.
"""

from __future__ import annotations

import json
import logging

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot import ids
from bot.background import views
from bot.background.command import (
    KINDS,
    Help,
    ListAll,
    Surface,
    Watch,
    check_text,
    parse_background_command,
    prefill,
    readable,
)
from bot.coaching.beliefs import limiting_belief
from bot.coaching.parsing import ParseError
from bot.services import Services
from bot.slack.forms import form_values, text_value
from bot.slack.guard import CoachError, ModalErrors, guarded, tell
from bot.slack.posting import post
from bot.slack.text import escape, unescape
from storage import background as store
from storage.models import BackgroundConversation

log = logging.getLogger(__name__)

NOT_OURS = "That button doesn't point at a background conversation I know."


def with_usage(message: str) -> str:
    return f"{message}\n\n{views.usage()}"


class BackgroundFlows:
    """What happens after a listener has said yes: store, then tell the channel."""

    def __init__(self, services: Services):
        self.services = services

    def surface(
        self, client, team_id: str, channel_id: str, user_id: str, text: str, permalink: str | None = None
    ) -> BackgroundConversation:
        s = self.services
        conversation = store.surface(
            s.db, team_id=team_id, channel_id=channel_id, text=text, user_id=user_id, now=s.now(), permalink=permalink
        )
        try:
            ts = post(client, channel_id, views.conversation_message(store.summary(s.db, conversation)))
        except Exception:
            store.forget(s.db, conversation.id)  # not posted: as if it never was
            raise
        store.set_ts(s.db, conversation.id, ts)
        conversation.ts = ts
        return conversation

    def refresh(self, client, conversation: BackgroundConversation) -> None:
        if not conversation.ts:
            return
        text, blocks = views.conversation_message(store.summary(self.services.db, conversation))
        client.chat_update(channel=conversation.channel_id, ts=conversation.ts, text=text, blocks=blocks)

    def conversation(self, body: dict, conversation_id) -> BackgroundConversation:
        """The conversation behind a button, checked against the clicking workspace and channel."""
        try:
            key = int(conversation_id)
        except (TypeError, ValueError):
            raise CoachError(NOT_OURS) from None
        conversation = store.get(self.services.db, _team(body), key)
        channel = (body.get("channel") or {}).get("id")
        if conversation is None or (channel and channel != conversation.channel_id):
            raise CoachError(NOT_OURS)
        return conversation


def _team(body: dict) -> str:
    return (body.get("team") or {}).get("id") or body.get("team_id") or (body.get("view") or {}).get("team_id") or ""


def is_plain_user_message(event: dict, bot_user_id: str | None = None) -> bool:
    """A new message a person posted in a channel: no subtype (edits, deletions, joins, bots,
    broadcasts and file shares all have one), not from a bot or this app, not hidden."""
    return (
        event.get("type") == "message"
        and not event.get("subtype")
        and not event.get("bot_id")
        and not event.get("hidden")
        and bool(event.get("user"))
        and event.get("user") != bot_user_id
        and event.get("channel_type", "channel") in ("channel", "group")
        and bool(event.get("text"))
    )


def register(app: App, services: Services) -> BackgroundFlows:
    flows = BackgroundFlows(services)

    # --- /background ------------------------------------------------------------------------------

    @guarded
    def background_command(ack, client, command, body):
        try:
            parsed = parse_background_command(unescape(command.get("text") or ""))
        except ParseError as problem:
            raise CoachError(with_usage(escape(problem.message))) from None
        team_id, channel_id, user_id = command["team_id"], command["channel_id"], command["user_id"]
        if isinstance(parsed, Help):
            ack(response_type="ephemeral", text=views.usage())
        elif isinstance(parsed, ListAll):
            text, blocks = views.list_message(store.list_for_channel(services.db, team_id, channel_id))
            ack(response_type="ephemeral", text=text, blocks=blocks)
        elif isinstance(parsed, Watch):
            changed = store.set_watch(services.db, team_id, channel_id, parsed.on)
            ack(response_type="ephemeral", text=views.watch_reply(parsed.on, changed))
            if parsed.on:
                _join(client, body, channel_id)
        elif isinstance(parsed, Surface):
            ack()
            flows.surface(client, team_id, channel_id, user_id, parsed.text)

    app.command(ids.BACKGROUND_COMMAND)(background_command)

    def _join(client, body: dict, channel_id: str) -> None:
        """Watching needs the app in the channel: join a public one; ask to be invited otherwise."""
        try:
            client.conversations_join(channel=channel_id)
        except SlackApiError as error:
            log.info("could not join %s: %s", channel_id, error.response.get("error"))
            tell(client, body, views.not_in_channel())

    # --- Me too, Reinvent -------------------------------------------------------------------------

    @guarded
    def me_too(ack, body, client, action):
        conversation = flows.conversation(body, action.get("value"))
        user_id = body["user"]["id"]
        if user_id == conversation.surfaced_by:
            raise CoachError(views.surfacer_me_too())
        ack()
        store.toggle_recognition(services.db, conversation.id, user_id, services.now())
        flows.refresh(client, conversation)

    app.action(ids.BACKGROUND_ME_TOO)(me_too)

    @guarded
    def reinvent(ack, body, client, action):
        conversation = flows.conversation(body, action.get("value"))
        agreement = store.agreement_of(services.db, conversation.id)
        if agreement is not None:
            raise CoachError(views.already_reinvented(agreement))
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=views.agreement_modal(conversation))

    app.action(ids.BACKGROUND_REINVENT)(reinvent)

    @guarded
    def agreement_submitted(ack, body, client, view):
        values = form_values(view)
        errors: dict[str, str] = {}
        text = ""
        try:
            text = check_text(unescape(text_value(values, ids.AGREEMENT)), "new agreement")
        except ParseError as problem:
            errors[ids.AGREEMENT] = problem.message
        kind = values.get(ids.KIND)
        if kind not in KINDS:
            errors[ids.KIND] = (
                "Pick what the new agreement is: possible, committed, breakthrough, breakdown or integrity."
            )
        if errors:
            raise ModalErrors(errors)
        try:
            key = int(view.get("private_metadata") or "")
        except ValueError:
            key = None
        conversation = store.get(services.db, _team(body), key) if key is not None else None
        if conversation is None:
            raise ModalErrors({ids.AGREEMENT: "This form doesn't point at a background conversation I know."})
        user_id = body["user"]["id"]
        agreement = store.reinvent(services.db, conversation, text=text, kind=kind, user_id=user_id, now=services.now())
        if agreement is None:
            raise ModalErrors(
                {
                    ids.AGREEMENT: "This background conversation was already reinvented; nothing changed. "
                    "Close this form to see its new agreement."
                }
            )
        ack()
        try:
            ts = post(
                client, conversation.channel_id, views.agreement_message(conversation, agreement, in_thread=False)
            )
        except Exception:
            store.undo_reinvent(services.db, agreement)
            raise
        store.set_agreement_ts(services.db, agreement.id, ts)
        if conversation.ts:
            post(
                client,
                conversation.channel_id,
                views.agreement_message(conversation, agreement, in_thread=True),
                thread_ts=conversation.ts,
            )
        flows.refresh(client, conversation)

    app.view(ids.AGREEMENT_MODAL)(agreement_submitted)

    # --- the message shortcut, the suggestion, and background_modal --------------------------------

    @guarded
    def surface_shortcut(ack, body, client):
        message = body.get("message") or {}
        channel_id = (body.get("channel") or {}).get("id")
        if not channel_id:
            raise CoachError("I can only surface a message from a channel.")
        ack()
        view = views.background_modal(
            channel_id, message.get("ts") or body.get("message_ts"), prefill(readable(message.get("text") or ""))
        )
        client.views_open(trigger_id=body["trigger_id"], view=view)

    app.shortcut(ids.SURFACE_BACKGROUND)(surface_shortcut)

    @guarded
    def suggestion_clicked(ack, body, client, action):
        try:
            value = json.loads(action.get("value") or "")
            channel_id, message_ts, text = value["c"], value["ts"], value["t"]
        except (ValueError, KeyError, TypeError):
            raise CoachError(
                "That suggestion has expired. Surface it with `/background ‹what everyone knows›`."
            ) from None
        clicked_in = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        if clicked_in and clicked_in != channel_id:
            raise CoachError("That suggestion belongs to another channel.")
        ack()
        client.views_open(
            trigger_id=body["trigger_id"], view=views.background_modal(channel_id, message_ts, prefill(str(text)))
        )

    app.action(ids.BACKGROUND_SUGGEST)(suggestion_clicked)

    @guarded
    def background_submitted(ack, body, client, view):
        try:
            text = check_text(unescape(text_value(form_values(view), ids.TEXT)))
        except ParseError as problem:
            raise ModalErrors({ids.TEXT: problem.message}) from None
        try:
            where = json.loads(view.get("private_metadata") or "")
            channel_id, message_ts = str(where["channel"]), where.get("ts")
        except (ValueError, KeyError, TypeError, AttributeError):
            raise ModalErrors({ids.TEXT: "I lost track of the channel: start again from the message."}) from None
        ack()
        permalink = None
        if message_ts:
            try:
                permalink = client.chat_getPermalink(channel=channel_id, message_ts=message_ts).get("permalink")
            except SlackApiError as error:
                log.info("no permalink for %s/%s: %s", channel_id, message_ts, error.response.get("error"))
        flows.surface(client, _team(body), channel_id, body["user"]["id"], text, permalink)

    app.view(ids.BACKGROUND_MODAL)(background_submitted)

    # --- background watch -----------------------------------------------------------------------------

    @guarded
    def message_posted(body, client, event, context):
        if not is_plain_user_message(event, context.get("bot_user_id")):
            return
        belief = limiting_belief(readable(event["text"]))
        if belief is None:
            return
        team_id = body.get("team_id") or event.get("team") or ""
        channel_id = event["channel"]
        if not store.watching(services.db, team_id, channel_id):
            return
        sentence = prefill(belief.sentence, 500)
        value = json.dumps({"c": channel_id, "ts": event.get("ts"), "t": sentence}, ensure_ascii=False)
        text, blocks = views.suggestion(sentence, value)
        extra = {"thread_ts": event["thread_ts"]} if event.get("thread_ts") else {}
        client.chat_postEphemeral(channel=channel_id, user=event["user"], text=text, blocks=blocks, **extra)

    app.event("message")(message_posted)
    return flows
