"""Block Kit for background conversations and new agreements: pure functions from data to
(fallback text, blocks), or to blocks for another message (status, check-in).

Every text a person typed goes through `escape` here, once, on its way out, clipped so a block
stays within Slack's limits even when escaping makes it longer.
"""

from __future__ import annotations

import json
from typing import Callable, Sequence

from bot import ids
from bot.background.command import BACKGROUND_USAGE, EXAMPLE, KINDS, MAX_TEXT
from bot.slack.blocks import button, context, modal, section
from bot.slack.text import escape, user, users
from storage.background import ConversationSummary
from storage.models import BackgroundConversation, Commitment, NewAgreement

Message = tuple[str, list[dict]]

MAX_LISTED = 40


# --- small parts ---------------------------------------------------------------------------------


def fit(text: str, limit: int, render: Callable[[str], str] = escape) -> str:
    """`render(text)`, cutting `text` (ending it with …) until the result fits in `limit`."""
    out = render(text)
    if len(out) <= limit:
        return out
    cut = len(text)
    while cut > 0:
        cut = min(cut - 1, cut * limit // max(len(out), 1))
        out = render(text[:cut].rstrip() + "…")
        if len(out) <= limit:
            return out
    return render("…")


def quote(text: str, limit: int) -> str:
    """A block quote of typed text (escaped), every line quoted, within `limit` characters."""
    return fit(text, limit, lambda t: "\n".join("> " + line for line in escape(t).split("\n")))


def inline(text: str, limit: int = 300) -> str:
    """Typed text on one line, escaped, in curly quotes."""
    return "“" + fit(" ".join(text.split()), limit) + "”"


def kind_word(kind: str) -> str:
    return kind if kind in KINDS else "agreement"


def recognition_line(s: ConversationSummary) -> str:
    if not s.recognised_by:
        return "Me too: nobody yet"
    return f"Me too: *{s.recognition}* ({users(s.recognised_by[:10])}{', …' if s.recognition > 10 else ''})"


def _source(c: BackgroundConversation) -> str:
    return f" · from <{c.source_permalink}|this message>" if c.source_permalink else ""


# --- the conversation in the channel ----------------------------------------------------------------


def conversation_message(s: ConversationSummary) -> Message:
    """The surfaced conversation: its text, who surfaced it, who said "Me too", and its new
    agreement once reinvented. "Reinvent" goes away once it is reinvented."""
    c, a = s.conversation, s.agreement
    text = f"Background conversation surfaced by {user(c.surfaced_by)}: {inline(c.text)}"
    blocks = [
        section(":speech_balloon: *Background conversation*\n" + quote(c.text, 2600), block_id="background"),
        context(f"Surfaced by {user(c.surfaced_by)}{_source(c)} · {recognition_line(s)}"),
    ]
    if a is not None:
        blocks.append(
            section(
                f":handshake: *New agreement* ({kind_word(a.kind)}), by {user(a.made_by)}\n" + quote(a.text, 2600),
                block_id="agreement",
            )
        )
    buttons = [button("Me too", ids.BACKGROUND_ME_TOO, str(c.id))]
    if a is None:
        buttons.append(button("Reinvent", ids.BACKGROUND_REINVENT, str(c.id)))
    blocks.append({"type": "actions", "block_id": "background_actions", "elements": buttons})
    if a is None:
        blocks.append(
            context(
                "*Me too* if it runs you too. *Reinvent* when you're ready to replace it with a new "
                "agreement: what is now possible, committed, a breakthrough, a breakdown, or integrity."
            )
        )
    return text, blocks


def agreement_message(c: BackgroundConversation, a: NewAgreement, in_thread: bool) -> Message:
    """The new agreement, said in the channel (with what it replaces) or in the conversation's thread."""
    if in_thread:
        text = f"{user(a.made_by)} reinvented this background conversation. New agreement ({kind_word(a.kind)}): {inline(a.text)}"
        return text, [
            section(
                f":handshake: {user(a.made_by)} reinvented this background conversation.\n"
                f"*New agreement* ({kind_word(a.kind)}):\n" + quote(a.text, 2600)
            )
        ]
    text = f"New agreement ({kind_word(a.kind)}) by {user(a.made_by)}: {inline(a.text)}"
    return text, [
        section(f":handshake: *New agreement* ({kind_word(a.kind)}), by {user(a.made_by)}\n" + quote(a.text, 2600)),
        context(f"In place of the background conversation {inline(c.text, 400)}"),
    ]


def already_reinvented(a: NewAgreement) -> str:
    return (
        f"This background conversation was already reinvented by {user(a.made_by)}: "
        f"{inline(a.text, 200)} ({kind_word(a.kind)}). Nothing changed."
    )


def surfacer_me_too() -> str:
    return (
        "You surfaced this one, so it's already yours: its recognition counts the others who say "
        "*Me too*. Nothing changed."
    )


# --- lists ---------------------------------------------------------------------------------------------


def _listed(s: ConversationSummary) -> str:
    c, a = s.conversation, s.agreement
    head = f"*{s.recognition}* Me too · {inline(c.text, 1000)} · surfaced by {user(c.surfaced_by)}{_source(c)}"
    if a is None:
        return head
    return f"{head}\n:handshake: New agreement ({kind_word(a.kind)}) by {user(a.made_by)}: {inline(a.text, 1000)}"


def list_message(summaries: Sequence[ConversationSummary]) -> Message:
    if not summaries:
        text = f"No background conversations surfaced in this channel yet. Surface one: `/background {EXAMPLE}`"
        return text, [section(text)]
    n = len(summaries)
    text = f"{n} background conversation{'s' if n != 1 else ''} in this channel, most recognised first"
    blocks = [section(f"*{text}*")]
    blocks += [section(_listed(s)) for s in summaries[:MAX_LISTED]]
    if n > MAX_LISTED:
        blocks.append(context(f"…and {n - MAX_LISTED} more."))
    return text, blocks


def usage() -> str:
    return escape(BACKGROUND_USAGE)


def watch_reply(on: bool, changed: bool) -> str:
    if on:
        already = "" if changed else "already "
        return (
            f"Background watch is {already}on in this channel. When a message here sounds like a limiting "
            "belief (“we can't…”, “that never works here”, “not realistic”), I suggest to its author "
            "alone that they surface it. I never post on my own, and I keep no message unless its "
            "author surfaces it. `/background watch off` turns it off."
        )
    already = "" if changed else "already "
    return f"Background watch is {already}off in this channel: I don't read its messages."


def not_in_channel() -> str:
    return (
        "I'm not in this channel, so I can't read its messages yet: invite me with `/invite @coach`, "
        "and background watch starts working."
    )


# --- coaching ---------------------------------------------------------------------------------------


def impossibility_question(c: Commitment) -> Message:
    """Asked in a commitment's home thread when it is declared."""
    text = (
        f":thinking_face: What does everyone here already “know” that makes #{c.number} impossible? "
        "“Nothing ships here in under six months”, “legal will never sign that off”… "
        "Beliefs like these run in the background and quietly decide what seems possible."
    )
    how = (
        "Say them out loud so the team can see them and reinvent them: `/background ‹what everyone knows›`, "
        "or on any message that says one, *⋯ → Surface background*."
    )
    return f"{text} {how}", [section(text), context(how)]


def suggestion(sentence: str, value: str) -> Message:
    """The ephemeral suggestion to the author of a message that voices a limiting belief."""
    text = (
        f"That sounds like a background conversation: {inline(sentence, 500)}. "
        "Beliefs like this quietly limit what seems possible. Surface it, so the team can see it "
        "and reinvent it?"
    )
    return text, [
        section(text),
        {
            "type": "actions",
            "block_id": "background_suggest",
            "elements": [button("Surface it", ids.BACKGROUND_SUGGEST, value, style="primary")],
        },
        context(
            "Only you see this, and nothing is kept unless you surface it. `/background watch off` "
            "stops these suggestions in this channel."
        ),
    ]


# --- parts of other messages -------------------------------------------------------------------------


def status_part(agreements: Sequence[NewAgreement], limit: int = 5) -> list[dict]:
    """The "New agreements" part of `/commit status` (empty when there are none)."""
    if not agreements:
        return []
    lines = [f"• ({kind_word(a.kind)}) {inline(a.text, 300)} · {user(a.made_by)}" for a in agreements[:limit]]
    more = "\n…and more: `/background list`" if len(agreements) > limit else ""
    return [section("*New agreements*\n" + "\n".join(lines) + more, block_id="new_agreements")]


def checkin_section(new_this_week: Sequence[NewAgreement], running: Sequence[ConversationSummary]) -> list[dict]:
    """The background part of a channel's weekly check-in: new agreements made since the last
    check-in, and the most recognised conversations still running. Empty when there are neither."""
    blocks = []
    if new_this_week:
        lines = [f"• ({kind_word(a.kind)}) {inline(a.text, 200)} · {user(a.made_by)}" for a in new_this_week[:8]]
        if len(new_this_week) > 8:
            lines.append(f"…and {len(new_this_week) - 8} more: `/background list`")
        blocks.append(
            section(":handshake: *New agreements this week*\n" + "\n".join(lines), block_id="background_agreements")
        )
    if running:
        lines = [f"• {inline(s.conversation.text, 200)} · Me too: {s.recognition}" for s in running[:5]]
        blocks.append(
            section(
                ":speech_balloon: *Still running in the background*\n"
                + "\n".join(lines)
                + "\nReady to replace one with a new agreement? Click *Reinvent* under it.",
                block_id="background_running",
            )
        )
    return blocks


# --- modals ----------------------------------------------------------------------------------------


def _text_input(action_id: str, initial: str | None = None) -> dict:
    element = {"type": "plain_text_input", "action_id": action_id, "multiline": True, "max_length": MAX_TEXT}
    if initial:
        element["initial_value"] = initial
    return element


def background_modal(channel_id: str, message_ts: str | None, initial: str | None) -> dict:
    """`background_modal`: surface a background conversation in `channel_id`, linking to the message
    at `message_ts` when there is one."""
    metadata = json.dumps({"channel": channel_id, "ts": message_ts})
    return modal(
        ids.BACKGROUND_MODAL,
        "Background conversation",
        "Surface",
        [
            {
                "type": "input",
                "block_id": ids.TEXT,
                "label": {
                    "type": "plain_text",
                    "text": "What does everyone here “know” that limits what seems possible?",
                },
                "element": _text_input(ids.TEXT, initial),
                "hint": {
                    "type": "plain_text",
                    "text": f"An unspoken belief, e.g. “{EXAMPLE}”. It is posted in the channel.",
                },
            }
        ],
        metadata=metadata,
    )


def agreement_modal(c: BackgroundConversation) -> dict:
    options = [{"text": {"type": "plain_text", "text": label}, "value": kind} for kind, label in KINDS.items()]
    return modal(
        ids.AGREEMENT_MODAL,
        "Reinvent",
        "Agree",
        [
            section("*Background conversation*\n" + quote(c.text, 2800)),
            {
                "type": "input",
                "block_id": ids.AGREEMENT,
                "label": {"type": "plain_text", "text": "New agreement: what is so now, in its place?"},
                "element": _text_input(ids.AGREEMENT),
            },
            {
                "type": "input",
                "block_id": ids.KIND,
                "label": {"type": "plain_text", "text": "It is a statement of"},
                "element": {
                    "type": "static_select",
                    "action_id": ids.KIND,
                    "options": options,
                    "placeholder": {"type": "plain_text", "text": "Pick one"},
                },
            },
        ],
        metadata=str(c.id),
    )
