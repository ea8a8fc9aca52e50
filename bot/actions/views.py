"""Block Kit for actions, requests and promises: pure functions to (fallback text, blocks) or views.

Every text a person typed goes through `escape` here, once, on its way out.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from bot import ids
from bot.slack_text import day, escape, user
from storage.models import Action, Commitment

Message = tuple[str, list[dict]]

MAX_WHAT = 300


def _section(text: str, block_id: str | None = None) -> dict:
    block = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    if block_id:
        block["block_id"] = block_id
    return block


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict:
    button = {"type": "button", "text": {"type": "plain_text", "text": text}, "action_id": action_id, "value": value}
    if style:
        button["style"] = style
    return button


def _input(block_id: str, label: str, element: dict, hint: str | None = None) -> dict:
    block = {"type": "input", "block_id": block_id, "label": {"type": "plain_text", "text": label}, "element": element}
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint}
    return block


def _modal(callback_id: str, title: str, submit: str, blocks: list[dict], metadata: str) -> dict:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": submit},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": metadata,
        "blocks": blocks,
    }


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
    return _modal(
        ids.ACTION_MODAL,
        f"New action on #{c.number}"[:24],
        "Add",
        [
            _section(f"*{title(c)}*\nWhat will you do that you weren't going to do?"),
            _input(ids.WHAT, "What", {"type": "plain_text_input", "action_id": ids.WHAT, "max_length": MAX_WHAT},
                   hint="One concrete action, e.g. \"Call the 5 biggest customers\"."),
            _input(ids.OWNER, "Who does it", {"type": "users_select", "action_id": ids.OWNER, "initial_user": user_id},
                   hint="You: it's your promise. Someone else: they get a request they can accept, decline or counter."),
            _input(ids.DUE, "By when", {"type": "datepicker", "action_id": ids.DUE,
                                        "initial_date": (today + timedelta(days=7)).isoformat()}),
        ],
        metadata=action_metadata(c.id, breakdown_id),
    )


def counter_modal(a: Action, c: Commitment) -> dict:
    return _modal(
        ids.COUNTER_MODAL,
        "Counter",
        "Propose",
        [
            _section(f"{user(a.asker_id)} asks you, for #{c.number}: {what(a)} by {day(a.due)}."),
            _input(ids.DUE, "By when you can promise it", {"type": "datepicker", "action_id": ids.DUE,
                                                           "initial_date": a.due.isoformat()}),
        ],
        metadata=str(a.id),
    )


# --- direct messages ---------------------------------------------------------------------------------


def request_dm(a: Action, c: Commitment, note: str | None = None) -> Message:
    text = f"{user(a.asker_id)} asks you for a new action on {title(c)}: {what(a)}, by {day(a.due)}."
    lines = [text]
    if note:
        lines.append(note)
    lines.append("Will you promise it?")
    return text, [
        _section("\n".join(lines), block_id="request"),
        {
            "type": "actions",
            "block_id": "request_actions",
            "elements": [
                _button("I promise", ids.ACTION_ACCEPT, str(a.id), "primary"),
                _button("Decline", ids.ACTION_DECLINE, str(a.id)),
                _button("Counter", ids.ACTION_COUNTER, str(a.id)),
            ],
        },
    ]


def request_answered(a: Action, c: Commitment, answer: str) -> Message:
    text = f"{user(a.asker_id)} asked you, on {title(c)}: {what(a)}, by {day(a.due)}. {answer}"
    return text, [_section(text, block_id="request")]


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
        _section(f"{text}\nDo you accept the new date?", block_id="counter"),
        {
            "type": "actions",
            "block_id": "counter_actions",
            "elements": [
                _button("Accept new date", ids.COUNTER_ACCEPT, counter_value(a), "primary"),
                _button("Keep my date", ids.COUNTER_REJECT, counter_value(a)),
            ],
        },
    ]


def counter_answered(a: Action, c: Commitment, proposed: date, answer: str) -> Message:
    text = f"{user(a.owner_id)} countered {what(a)} (on #{c.number}) with {day(proposed)}. {answer}"
    return text, [_section(text, block_id="counter")]


def counter_accepted_dm(a: Action, c: Commitment) -> Message:
    text = f"{user(a.asker_id)} accepted your date: {what(a)} by {day(a.due)} (#{c.number}) is your promise now."
    return text, [_section(text)]


# --- the home thread ---------------------------------------------------------------------------------


def promised(a: Action) -> Message:
    text = f":handshake: {user(a.owner_id)} promises: {what(a)}, by {day(a.due)}."
    return text, [_section(text)]


def requested(a: Action) -> Message:
    text = f"{user(a.asker_id)} asked {user(a.owner_id)}: {what(a)}, by {day(a.due)}. Waiting for their answer."
    return text, [_section(text)]


def accepted(a: Action) -> Message:
    text = f":handshake: {user(a.owner_id)} promises, as {user(a.asker_id)} asked: {what(a)}, by {day(a.due)}."
    return text, [_section(text)]


def declined(a: Action) -> Message:
    text = f"{user(a.owner_id)} declined {what(a)}. {user(a.asker_id)}, who else could take it on?"
    return text, [_section(text)]


def countered(a: Action) -> Message:
    text = f"{user(a.owner_id)} counters {what(a)}: {day(a.countered_due)} instead of {day(a.due)}."
    return text, [_section(text)]


def counter_accepted(a: Action) -> Message:
    text = f":handshake: {user(a.owner_id)} promises {what(a)}, by {day(a.due)} (a date {user(a.asker_id)} accepted)."
    return text, [_section(text)]


def kept(a: Action) -> Message:
    text = f":white_check_mark: {user(a.owner_id)} kept their promise: {what(a)} (due {day(a.due)})."
    return text, [_section(text)]


def delivered_late(a: Action) -> Message:
    text = (
        f"{user(a.owner_id)} delivered {what(a)} on {day(a.done_on)}, after its due date {day(a.due)}: "
        "delivered late, so it counts as a promise not kept on time."
    )
    return text, [_section(text)]


def revoked(a: Action) -> Message:
    text = (
        f"{user(a.owner_id)} revoked {what(a)} before its due date: it won't be done. "
        "Saying so in time keeps your word whole. What will take its place?"
    )
    return text, [_section(text)]
