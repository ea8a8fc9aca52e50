"""Block Kit for actions, requests and promises: pure functions to (fallback text, blocks) or views.

Every text a person typed goes through `escape` here, once, on its way out.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from bot import ids
from bot.slack.blocks import button, input_block, modal, section
from bot.slack.text import day, escape, user
from storage.models import Action, Commitment

Message = tuple[str, list[dict]]

MAX_WHAT = 300


def title(c: Commitment) -> str:
    return f"#{c.number} {escape(c.outcome)}"


def what(a: Action) -> str:
    return f"*{escape(a.what)}*"


# --- modals ---------------------------------------------------------------------------------------


def action_metadata(commitment_id: int, breakdown_id: int | None) -> str:
    return json.dumps({"commitment": commitment_id, "breakdown": breakdown_id})


def read_metadata(text: str | None) -> tuple[str | None, int | None]:
    """(commitment id, breakdown id) from `action_modal`'s private_metadata."""
    try:
        data = json.loads(text or "")
        breakdown = data.get("breakdown")
        return data.get("commitment"), int(breakdown) if breakdown is not None else None
    except (ValueError, TypeError, AttributeError):
        return None, None


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
        metadata=action_metadata(c.id, breakdown_id),
    )


HOME_ORIGIN = "home"


def counter_metadata(action_id: int, from_home: bool) -> str:
    """`counter_modal`'s private_metadata: the action's id, and ":home" when opened on App Home
    (its Home is published again after the submission)."""
    return f"{action_id}:{HOME_ORIGIN}" if from_home else str(action_id)


def read_counter_metadata(text: str | None) -> tuple[str, bool]:
    action_id, _, origin = (text or "").partition(":")
    return action_id, origin == HOME_ORIGIN


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
        metadata=counter_metadata(a.id, from_home),
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
    return f"{a.id}:{a.countered_due.isoformat()}"


def read_counter_value(value: str | None) -> tuple[str | None, date | None]:
    try:
        action_id, proposed = (value or "").split(":", 1)
        return action_id, date.fromisoformat(proposed)
    except ValueError:
        return None, None


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


def delivered_late(a: Action) -> Message:
    text = (
        f"{user(a.owner_id)} delivered {what(a)} on {day(a.done_on)}, after its due date {day(a.due)}: "
        "delivered late, so it counts as a promise not kept on time."
    )
    return text, [section(text)]


def revoked(a: Action) -> Message:
    text = (
        f"{user(a.owner_id)} revoked {what(a)} before its due date: it won't be done. "
        "Saying so in time keeps your word whole. What will take its place?"
    )
    return text, [section(text)]
