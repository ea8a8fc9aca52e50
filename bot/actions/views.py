"""Block Kit for actions, requests and promises: pure functions to (fallback text, blocks) or views.

Every text a person typed goes through `escape` here, once, on its way out.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot import ids
from bot.slack.blocks import button, input_block, modal, section
from bot.slack.context import Ref
from bot.slack.text import day, escape, user
from storage.models import Action, Commitment

Message = tuple[str, list[dict]]

MAX_WHAT = 300


def title(c: Commitment) -> str:
    return f"#{c.number} {escape(c.outcome)}"


def what(a: Action) -> str:
    return f"*{escape(a.what)}*"


# --- modals ---------------------------------------------------------------------------------------


def action_modal(c: Commitment, breakdown_id: int | None, user_id: str, today: date) -> dict:
    return modal(
        ids.ACTION_MODAL,
        f"New action on #{c.number}"[:24],
        "Add",
        [
            section(f"*{title(c)}*\nWhat will you do that you weren't going to do?"),
            input_block(
                ids.WHAT,
                "What",
                {"type": "plain_text_input", "action_id": ids.WHAT, "max_length": MAX_WHAT},
                hint='One concrete action, e.g. "Call the 5 biggest customers".',
            ),
            input_block(
                ids.OWNER,
                "Who does it",
                {"type": "users_select", "action_id": ids.OWNER, "initial_user": user_id},
                hint="You: it's your promise. Someone else: they get a request they can accept, decline or counter.",
            ),
            input_block(
                ids.DUE,
                "By when",
                {"type": "datepicker", "action_id": ids.DUE, "initial_date": (today + timedelta(days=7)).isoformat()},
            ),
        ],
        metadata=Ref(c.id, breakdown=breakdown_id).encode(),
    )


def counter_modal(a: Action, c: Commitment, from_home: bool = False) -> dict:
    return modal(
        ids.COUNTER_MODAL,
        "Counter",
        "Propose",
        [
            section(f"{user(a.asker_id)} asks you, for #{c.number}: {what(a)} by {day(a.due)}."),
            input_block(
                ids.DUE,
                "By when you can promise it",
                {"type": "datepicker", "action_id": ids.DUE, "initial_date": a.due.isoformat()},
            ),
        ],
        metadata=Ref(a.id, home=from_home).encode(),  # Home is published again after
    )


# --- direct messages ---------------------------------------------------------------------------------


def request_dm(a: Action, c: Commitment, note: str | None = None) -> Message:
    text = f"{user(a.asker_id)} asks you for a new action on {title(c)}: {what(a)}, by {day(a.due)}."
    lines = [text]
    if note:
        lines.append(note)
    lines.append("Will you promise it?")
    return text, [
        section("\n".join(lines), block_id="request"),
        {
            "type": "actions",
            "block_id": "request_actions",
            "elements": [
                button("I promise", ids.ACTION_ACCEPT, str(a.id), "primary"),
                button("Decline", ids.ACTION_DECLINE, str(a.id)),
                button("Counter", ids.ACTION_COUNTER, str(a.id)),
            ],
        },
    ]


def request_answered(a: Action, c: Commitment, answer: str) -> Message:
    text = f"{user(a.asker_id)} asked you, on {title(c)}: {what(a)}, by {day(a.due)}. {answer}"
    return text, [section(text, block_id="request")]


def counter_value(a: Action) -> str:
    return Ref(a.id, proposed=a.countered_due).encode()


def counter_dm(a: Action, c: Commitment) -> Message:
    text = (
        f"{user(a.owner_id)} can't promise {what(a)} by {day(a.due)} (on {title(c)}), "
        f"and counters with {day(a.countered_due)}."
    )
    return text, [
        section(f"{text}\nDo you accept the new date?", block_id="counter"),
        {
            "type": "actions",
            "block_id": "counter_actions",
            "elements": [
                button("Accept new date", ids.COUNTER_ACCEPT, counter_value(a), "primary"),
                button("Keep my date", ids.COUNTER_REJECT, counter_value(a)),
            ],
        },
    ]


def counter_answered(a: Action, c: Commitment, proposed: date, answer: str) -> Message:
    text = f"{user(a.owner_id)} countered {what(a)} (on #{c.number}) with {day(proposed)}. {answer}"
    return text, [section(text, block_id="counter")]


def counter_accepted_dm(a: Action, c: Commitment) -> Message:
    text = f"{user(a.asker_id)} accepted your date: {what(a)} by {day(a.due)} (#{c.number}) is your promise now."
    return text, [section(text)]


# --- the home thread ---------------------------------------------------------------------------------


def promised(a: Action) -> Message:
    text = f":handshake: {user(a.owner_id)} promises: {what(a)}, by {day(a.due)}."
    return text, [section(text)]


def requested(a: Action) -> Message:
    text = f"{user(a.asker_id)} asked {user(a.owner_id)}: {what(a)}, by {day(a.due)}. Waiting for their answer."
    return text, [section(text)]


def accepted(a: Action) -> Message:
    text = f":handshake: {user(a.owner_id)} promises, as {user(a.asker_id)} asked: {what(a)}, by {day(a.due)}."
    return text, [section(text)]


def declined(a: Action) -> Message:
    text = f"{user(a.owner_id)} declined {what(a)}. {user(a.asker_id)}, who else could take it on?"
    return text, [section(text)]


def countered(a: Action) -> Message:
    text = f"{user(a.owner_id)} counters {what(a)}: {day(a.countered_due)} instead of {day(a.due)}."
    return text, [section(text)]


def counter_accepted(a: Action) -> Message:
    text = f":handshake: {user(a.owner_id)} promises {what(a)}, by {day(a.due)} (a date {user(a.asker_id)} accepted)."
    return text, [section(text)]


def kept(a: Action) -> Message:
    text = f":white_check_mark: {user(a.owner_id)} kept their promise: {what(a)} (due {day(a.due)})."
    return text, [section(text)]


def owner_away(a: Action, until: date) -> str:
    """For the asker alone, when the person asked is away."""
    return f"{user(a.owner_id)} is away until {day(until)}: the request waits for them, and they'll find it when they're back."


def redated(new: Action, old: Action) -> Message:
    text = (
        f":handshake: {user(new.owner_id)} gives {what(new)} a new date: {day(new.due)}. "
        f"A new promise; the first one, due {day(old.due)}, stays not kept on time."
    )
    return text, [section(text)]


def delivered_late(a: Action) -> Message:
    text = (
        f":raised_hands: Thanks, {user(a.owner_id)}: {what(a)} is delivered ({day(a.done_on)}). "
        f"It was due {day(a.due)}, so it counts as delivered late: a promise not kept on time."
    )
    return text, [section(text)]


def revoked(a: Action) -> Message:
    text = (
        f"{user(a.owner_id)} revoked {what(a)} before its due date: it won't be done. "
        "Saying so in time keeps your word whole. What will take its place?"
    )
    return text, [section(text)]
