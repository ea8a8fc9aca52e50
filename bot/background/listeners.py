"""Listeners for background conversations: `/background`, "Me too", "Reinvent", the
`surface_background` message shortcut, and the opt-in background watch on channel messages.

Who may do what: anyone in the channel may surface a background conversation, say "Me too"
and reinvent it (the new agreement records who made it). The person who surfaced it is not
counted in its recognition. Nothing crosses workspaces: every id from a button or a form is
checked against the clicking workspace.

Background watch reads only plain messages people post in a channel that opted in: top-level
messages and thread replies (the suggestion then shows in that thread). It ignores bots
(and this app), edits, deletions and every other message subtype, and messages outside
channels. The channel's opt-in is read first (cached briefly, bot/background/watch.py), so a
channel that doesn't watch costs no text work; then at most a few thousand characters of the
text are read by the pure detector (bot/coaching/beliefs.py); nothing is stored unless its
author surfaces it.
"""

from __future__ import annotations

import json
import logging

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot import ids
from bot.background import views, watch
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
from bot.background.flows import BackgroundFlows
from bot.coaching.parsing import ParseError
from bot.services import Services
from bot.slack.commands import with_usage
from bot.slack.context import row_id
from bot.slack.forms import form_values, text_value
from bot.slack.guard import CoachError, ModalErrors, guarded, tell
from bot.slack.posting import post
from bot.slack.text import escape, unescape
from bot.slack.workspace import check_channel
from storage import background as store

log = logging.getLogger(__name__)


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


# --- /background ------------------------------------------------------------------------------


@guarded
def background_command(ack, client, command, body, services: Services, team_id: str, user_id: str):
    try:
        parsed = parse_background_command(unescape(command.get("text") or ""))
    except ParseError as problem:
        raise CoachError(with_usage(escape(problem.message), views.usage())) from None
    channel_id = command["channel_id"]
    if isinstance(parsed, Help):
        ack(response_type="ephemeral", text=views.usage())
    elif isinstance(parsed, ListAll):
        text, blocks = views.list_message(store.list_for_channel(services.db, team_id, channel_id))
        ack(response_type="ephemeral", text=text, blocks=blocks)
    elif isinstance(parsed, Watch):
        changed = watch.set_watch(services.db, team_id, channel_id, parsed.on)
        ack(response_type="ephemeral", text=views.watch_reply(parsed.on, changed))
        if parsed.on:
            _join(client, body, channel_id)
    elif isinstance(parsed, Surface):
        ack()
        BackgroundFlows(services).surface(client, team_id, channel_id, user_id, parsed.text)


def _join(client, body: dict, channel_id: str) -> None:
    """Watching needs the app in the channel: join a public one; ask to be invited otherwise."""
    try:
        client.conversations_join(channel=channel_id)
    except SlackApiError as error:
        log.info("could not join %s: %s", channel_id, error.response.get("error"))
        tell(client, body, views.not_in_channel())


# --- Me too, Reinvent -------------------------------------------------------------------------


@guarded
def me_too(ack, body, client, action, services: Services, team_id: str, user_id: str):
    flows = BackgroundFlows(services)
    conversation = flows.conversation(body, team_id, action.get("value"))
    if user_id == conversation.surfaced_by:
        raise CoachError(views.surfacer_me_too())
    ack()
    store.toggle_recognition(services.db, conversation.id, user_id, services.now())
    flows.refresh(client, conversation)


@guarded
def reinvent(ack, body, client, action, services: Services, team_id: str):
    conversation = BackgroundFlows(services).conversation(body, team_id, action.get("value"))
    agreement = store.agreement_of(services.db, conversation.id)
    if agreement is not None:
        raise CoachError(views.already_reinvented(agreement))
    ack()
    client.views_open(trigger_id=body["trigger_id"], view=views.agreement_modal(conversation))


@guarded
def agreement_submitted(ack, client, view, services: Services, team_id: str, user_id: str):
    values = form_values(view)
    errors: dict[str, str] = {}
    text = ""
    try:
        text = check_text(unescape(text_value(values, ids.AGREEMENT)), "new agreement")
    except ParseError as problem:
        errors[ids.AGREEMENT] = problem.message
    kind = values.get(ids.KIND)
    if kind not in KINDS:
        errors[ids.KIND] = "Pick what the new agreement is: possible, committed, breakthrough, breakdown or integrity."
    if errors:
        raise ModalErrors(errors)
    key = row_id(view.get("private_metadata"))
    conversation = store.get(services.db, team_id, key) if key is not None else None
    if conversation is None:
        raise ModalErrors({ids.AGREEMENT: "This form doesn't point at a background conversation I know."})
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
        ts = post(client, conversation.channel_id, views.agreement_message(conversation, agreement, in_thread=False))
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
    BackgroundFlows(services).refresh(client, conversation)


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


@guarded
def suggestion_clicked(ack, body, client, action):
    try:
        value = json.loads(action.get("value") or "")
        channel_id, message_ts, text = value["c"], value["ts"], value["t"]
    except (ValueError, KeyError, TypeError):
        raise CoachError("That suggestion has expired. Surface it with `/background ‹what everyone knows›`.") from None
    clicked_in = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    if clicked_in and clicked_in != channel_id:
        raise CoachError("That suggestion belongs to another channel.")
    ack()
    client.views_open(
        trigger_id=body["trigger_id"], view=views.background_modal(channel_id, message_ts, prefill(str(text)))
    )


@guarded
def background_submitted(ack, client, view, services: Services, team_id: str, user_id: str):
    try:
        text = check_text(unescape(text_value(form_values(view), ids.TEXT)))
    except ParseError as problem:
        raise ModalErrors({ids.TEXT: problem.message}) from None
    try:
        where = json.loads(view.get("private_metadata") or "")
        channel_id, message_ts = str(where["channel"]), where.get("ts")
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ModalErrors({ids.TEXT: "I lost track of the channel: start again from the message."}) from None
    try:
        channel_id = check_channel(services, team_id, channel_id)
    except CoachError as problem:
        raise ModalErrors({ids.TEXT: problem.message}) from None
    ack()
    permalink = None
    if message_ts:
        try:
            permalink = client.chat_getPermalink(channel=channel_id, message_ts=message_ts).get("permalink")
        except SlackApiError as error:
            log.info("no permalink for %s/%s: %s", channel_id, message_ts, error.response.get("error"))
    BackgroundFlows(services).surface(client, team_id, channel_id, user_id, text, permalink)


# --- background watch -----------------------------------------------------------------------------


@guarded
def message_posted(client, event, context, services: Services, team_id: str):
    if not is_plain_user_message(event, context.get("bot_user_id")):
        return
    channel_id = event["channel"]
    if not watch.watching(services.db, team_id, channel_id):
        return
    belief = watch.watch_reading(event["text"])
    if belief is None:
        return
    sentence = prefill(belief.sentence, 500)
    value = json.dumps({"c": channel_id, "ts": event.get("ts"), "t": sentence}, ensure_ascii=False)
    text, blocks = views.suggestion(sentence, value)
    extra = {"thread_ts": event["thread_ts"]} if event.get("thread_ts") else {}
    client.chat_postEphemeral(channel=channel_id, user=event["user"], text=text, blocks=blocks, **extra)


def register(app: App) -> None:
    app.command(ids.BACKGROUND_COMMAND)(background_command)
    app.action(ids.BACKGROUND_ME_TOO)(me_too)
    app.action(ids.BACKGROUND_REINVENT)(reinvent)
    app.view(ids.AGREEMENT_MODAL)(agreement_submitted)
    app.shortcut(ids.SURFACE_BACKGROUND)(surface_shortcut)
    app.action(ids.BACKGROUND_SUGGEST)(suggestion_clicked)
    app.view(ids.BACKGROUND_MODAL)(background_submitted)
    app.event("message")(message_posted)
