"""Block Kit for nudges and reminders: pure functions to (fallback text, blocks), and `redate_modal`.

A reminder is help to keep one's word, never a scolding. Every text a person typed (outcomes,
units, actions) goes through `escape` here, once, on its way out. Button values are
`Ref(...).encode()` of the row each button's listener loads.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from bot import ids
from bot.coaching.reminders import Kind, Reminder
from bot.slack.blocks import actions, button, context, input_block, modal, section
from bot.slack.context import Ref
from bot.slack.text import day, escape, quantity, user
from storage.reminders import ActiveCommitment, OpenAction, OpenBreakdown

Message = tuple[str, list[dict]]


def _title(number: int, outcome: str) -> str:
    return f"#{number} {escape(outcome)}"


def _what(text: str) -> str:
    return f"*{escape(text)}*"


def days_ago(now: datetime, then: datetime) -> str:
    days = (now - then).days
    if days <= 0:
        return "today"
    return "1 day ago" if days == 1 else f"{days} days ago"


def last_report_line(c: ActiveCommitment, now: datetime) -> str:
    """E.g. "150 teams, last report 9 days ago", or "no report yet, declared 8 days ago"."""
    if c.latest_value is None:
        return (
            f"{quantity(c.baseline, c.unit)} at the start, no report yet (declared {days_ago(now, c.last_report_at)})"
        )
    return f"{quantity(c.latest_value, c.unit)}, last report {days_ago(now, c.last_report_at)}"


# --- progress nudge ---------------------------------------------------------------------------------


def nudge_dm(commitments: Sequence[ActiveCommitment], checkin_at: datetime, now: datetime) -> Message:
    """One message for all of a person's stale commitments in a channel, before its check-in."""
    channel = commitments[0].channel_id
    hours = max(1, round((checkin_at - now).total_seconds() / 3600))
    when = "tomorrow" if hours > 12 else f"in about {hours} hour{'s' if hours != 1 else ''}"
    if len(commitments) == 1:
        ask = f"Where is {_title(commitments[0].number, commitments[0].outcome)} now?"
    else:
        ask = "Where are these now?"
    text = f"The check-in in <#{channel}> is {when}. {ask} A fresh number keeps its trajectory true."
    blocks = [section(text, block_id="nudge")]
    for c in commitments:
        value = Ref(c.id).encode()
        blocks.append(section(f"*{_title(c.number, c.outcome)}*\n{last_report_line(c, now)}", block_id=f"nudge_{c.id}"))
        blocks.append(
            actions(
                button("Update progress", ids.COMMITMENT_PROGRESS, value, "primary"),
                button("No change", ids.PROGRESS_SAME, value),
                block_id=f"nudge_actions_{c.id}",
            )
        )
    blocks.append(context("_No change_ records the same number again, so the check-in knows it's current."))
    return text, blocks


# --- promises -----------------------------------------------------------------------------------------


def due_tomorrow_dm(p: OpenAction) -> Message:
    text = (
        f":alarm_clock: Tomorrow is the day: you promised {_what(p.what)} "
        f"on {_title(p.commitment_number, p.outcome)}, by {day(p.due)}."
    )
    value = Ref(p.id).encode()
    return text, [
        section(f"{text}\nDone already? Say so. Won't make it? Saying so now keeps your word whole.", block_id="due"),
        actions(
            button("Done", ids.ACTION_KEPT, value, "primary"),
            button("Not done", ids.ACTION_NOT_KEPT, value),
            block_id="due_actions",
        ),
    ]


def overdue_dm(p: OpenAction) -> Message:
    text = (
        f"Your promise {_what(p.what)} on {_title(p.commitment_number, p.outcome)} "
        f"was due {day(p.due)}, and it's still open."
    )
    value = Ref(p.id).encode()
    return text, [
        section(
            f"{text}\nDelivered it? Mark it done (recorded as late). Still on it? Give it a new date: "
            "a fresh promise, told in the thread.",
            block_id="overdue",
        ),
        actions(
            button("Done", ids.ACTION_KEPT, value, "primary"),
            button("New date", ids.ACTION_REDATE, value),
            block_id="overdue_actions",
        ),
    ]


def redate_modal(action, commitment, today: date | None = None) -> dict:
    """`redate_modal` for an overdue promise (an `Action` and its `Commitment`, or their facts):
    the promise stays broken, and a new one with the same text is made for the new date.
    private_metadata: the action's `Ref`."""
    element = {"type": "datepicker", "action_id": ids.DUE}
    if today is not None:
        element["initial_date"] = (today + timedelta(days=7)).isoformat()
    return modal(
        ids.REDATE_MODAL,
        "New date",
        "Promise",
        [
            section(
                f"*{_title(commitment.number, commitment.outcome)}*\n"
                f"{_what(action.what)} was due {day(action.due)}. It stays a promise not kept on time; "
                "the new date makes it a new promise, told in the thread."
            ),
            input_block(ids.DUE, "New date", element),
        ],
        metadata=Ref(action.id).encode(),
    )


# --- requests -------------------------------------------------------------------------------------------


def request_reminder_dm(r: OpenAction, now: datetime) -> Message:
    """To the request's owner: the request again, with its three answers."""
    text = (
        f"{user(r.asker_id)} asked you {days_ago(now, r.asked_at)} for a new action on "
        f"{_title(r.commitment_number, r.outcome)}: {_what(r.what)}, by {day(r.due)}."
    )
    value = Ref(r.id).encode()
    return text, [
        section(
            f"{text}\nThey're waiting for your answer: a promise, a no, or another date all help.", block_id="request"
        ),
        actions(
            button("I promise", ids.ACTION_ACCEPT, value, "primary"),
            button("Decline", ids.ACTION_DECLINE, value),
            button("Counter", ids.ACTION_COUNTER, value),
            block_id="request_actions",
        ),
    ]


def asker_note_dm(r: OpenAction, now: datetime) -> Message:
    """To the asker: their request is still unanswered, and its owner was reminded."""
    text = (
        f"{user(r.owner_id)} hasn't answered your request yet ({_what(r.what)} on "
        f"{_title(r.commitment_number, r.outcome)}, asked {days_ago(now, r.asked_at)}). "
        "I've reminded them; you'll hear when they answer."
    )
    return text, [section(text, block_id="asker")]


# --- breakdown follow-up ------------------------------------------------------------------------------


def followup_dm(b: OpenBreakdown, now: datetime) -> Message:
    text = (
        f"{_title(b.commitment_number, b.outcome)} went into breakdown {days_ago(now, b.announced_at)}, "
        "and no new promise has been made since."
    )
    return text, [
        section(
            f"{text}\nA breakdown is a call for new action, not a failure. "
            "What will you do that you weren't going to do?",
            block_id="followup",
        ),
        actions(
            button("Add new action", ids.CHECKIN_ADD_ACTION, Ref(b.commitment_id, breakdown=b.id).encode(), "primary"),
            block_id="followup_actions",
        ),
    ]


def message_for(reminder: Reminder, now: datetime) -> Message:
    """The direct message of a due reminder."""
    if reminder.kind == Kind.NUDGE:
        return nudge_dm(reminder.commitments, reminder.checkin_at or now, now)
    if reminder.kind == Kind.DUE:
        return due_tomorrow_dm(reminder.action)
    if reminder.kind == Kind.OVERDUE:
        return overdue_dm(reminder.action)
    if reminder.kind == Kind.REQUEST:
        return request_reminder_dm(reminder.action, now)
    if reminder.kind == Kind.ASKER:
        return asker_note_dm(reminder.action, now)
    if reminder.kind == Kind.FOLLOWUP:
        return followup_dm(reminder.breakdown, now)
    raise ValueError(f"unknown reminder kind: {reminder.kind}")
