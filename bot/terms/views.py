"""Block Kit for sub-results, standing and renegotiating: pure functions from data to (fallback
text, blocks). Every text a person typed goes through `escape` here, once, on its way out."""

from __future__ import annotations

from datetime import date

from bot import ids
from bot.coaching.parsing import _format_number
from bot.coaching.subresults import MAX_GAP_DAYS, Judged, SubResultState
from bot.slack.blocks import actions, button, context, input_block, modal, number_input, section, text_input
from bot.slack.context import Ref
from bot.slack.text import escape, quantity, user
from storage.models import Commitment, Renegotiation

Message = tuple[str, list[dict]]
MAX_REASON = 1000


def title(c: Commitment) -> str:
    return f"#{c.number} {escape(c.outcome)}"


def terms(c: Commitment) -> str:
    return f"{quantity(c.target, c.unit)} by {c.due.isoformat()}"


def milestone_question(c: Commitment) -> Message:
    days = (c.due - c.start_date).days
    text = (
        f"#{c.number} runs {days} days. Most breakthroughs grow slowly, then fast: what will you have "
        f"on the way? Set sub-results no more than {MAX_GAP_DAYS} days apart, so the path you commit to "
        "is yours, not a straight line."
    )
    return text, [
        section(f":world_map: {text}"),
        actions(button("Add a sub-result", ids.COMMITMENT_ADD_MILESTONE, str(c.id)), block_id="milestone_actions"),
    ]


def milestone_modal(c: Commitment) -> dict:
    return modal(
        ids.MILESTONE_MODAL,
        f"Sub-result on #{c.number}"[:24],
        "Add",
        [
            section(
                f"*{title(c)}*\n{quantity(c.baseline, c.unit)} → {terms(c)}\n"
                "What will you have reached on the way, and by when?"
            ),
            input_block(ids.VALUE, f"Value{f' ({c.unit})' if c.unit else ''}", number_input(ids.VALUE)),
            input_block(ids.DUE, "By", {"type": "datepicker", "action_id": ids.DUE}),
        ],
        metadata=str(c.id),
    )


def milestone_added(c: Commitment, value: float, due: date, user_id: str) -> Message:
    text = f"{user(user_id)} set a sub-result on #{c.number}: {quantity(value, c.unit)} by {due.isoformat()}."
    return text, [section(f":round_pushpin: {text} The committed path now runs through it.")]


def reached(c: Commitment, value: float, due: date, on: date) -> Message:
    text = f"Sub-result reached on #{c.number}: {quantity(value, c.unit)} by {due.isoformat()}, reached on {on.isoformat()}."
    return text, [section(f":white_check_mark: {text} What made it possible, and what's next?")]


def missed(c: Commitment, value: float, due: date, current: float) -> Message:
    text = (
        f"Sub-result missed on #{c.number}: {quantity(value, c.unit)} by {due.isoformat()}; "
        f"it's at {quantity(current, c.unit)}."
    )
    return text, [section(f":warning: {text} A breakdown, not a failure: what new action will close the gap?")]


def stand_question(c: Commitment, breakdown_id: int | None) -> Message:
    text = f"Still committed to {terms(c)}?"
    value = Ref(c.id, breakdown=breakdown_id).encode()
    return text, [
        section(
            f":raised_hand: *{text}* #{c.number} has been in breakdown a while. Stand by your word and take "
            "new action, or renegotiate it honestly: both keep your word."
        ),
        actions(
            button("I stand", ids.STAND_FIRM, value, style="primary"),
            button("Renegotiate", ids.STAND_RENEGOTIATE, value),
            block_id="stand_actions",
        ),
        context(f"Renegotiating is for the owner, {user(c.owner_id)}."),
    ]


def renegotiate_modal(c: Commitment) -> dict:
    return modal(
        ids.RENEGOTIATE_MODAL,
        f"Renegotiate #{c.number}"[:24],
        "Renegotiate",
        [
            section(f"*{title(c)}*\nNow: {quantity(c.baseline, c.unit)} → {terms(c)}"),
            input_block(
                ids.TARGET,
                f"New target{f' ({c.unit})' if c.unit else ''}",
                {**number_input(ids.TARGET), "initial_value": _format_number(c.target)},
            ),
            input_block(
                ids.DUE, "New due date", {"type": "datepicker", "action_id": ids.DUE, "initial_date": c.due.isoformat()}
            ),
            input_block(ids.REASON, "Why", text_input(ids.REASON, multiline=True, max_length=MAX_REASON)),
        ],
        metadata=str(c.id),
    )


def renegotiated(c: Commitment, entry: Renegotiation, in_channel: bool) -> Message:
    old = f"{quantity(entry.old_target, c.unit)} by {entry.old_due.isoformat()}"
    new = f"{quantity(entry.new_target, c.unit)} by {entry.new_due.isoformat()}"
    where = f"*{title(c)}*" if in_channel else f"#{c.number}"
    text = f"{where} is renegotiated by {user(entry.made_by)}: {old} → {new}."
    return text, [
        section(
            f":handshake: {text}\n> {escape(entry.reason)}\n"
            "Saying so out loud is keeping your word, not a miss. "
            f"What will you do this week to make {quantity(entry.new_target, c.unit)} happen?"
        )
    ]


def subresult_line(c: Commitment, judged: Judged) -> str:
    m = judged.milestone
    what = f"{quantity(m.value, c.unit)} by {m.day.isoformat()}"
    if judged.state == SubResultState.REACHED:
        return f":white_check_mark: {what} (reached {judged.reached_on.isoformat()})"
    if judged.state == SubResultState.MISSED:
        return f":x: {what} (missed)"
    return f":round_pushpin: {what}"


def card_part(c: Commitment, judged: list[Judged], history: list[Renegotiation]) -> list[dict]:
    """What `status #N` shows after the card: sub-results, then the renegotiation history."""
    blocks = []
    if judged:
        blocks.append(section("*Sub-results*\n" + "\n".join(subresult_line(c, j) for j in judged)))
    if history:
        lines = [
            f"{e.made_at.date().isoformat()}: {quantity(e.old_target, c.unit)} by {e.old_due.isoformat()} → "
            f"{quantity(e.new_target, c.unit)} by {e.new_due.isoformat()} ({user(e.made_by)}: {escape(e.reason)})"
            for e in history
        ]
        blocks.append(section("*Renegotiated*\n" + "\n".join(lines)))
    return blocks


def home_line(c: Commitment, judged: list[Judged]) -> str | None:
    """App Home: the next sub-result and how many were reached, or None without any."""
    if not judged:
        return None
    done = sum(1 for j in judged if j.state == SubResultState.REACHED)
    upcoming = next((j.milestone for j in judged if j.state == SubResultState.PENDING), None)
    nxt = f" · next {quantity(upcoming.value, c.unit)} by {upcoming.day.isoformat()}" if upcoming else ""
    return f"Sub-results: {done} of {len(judged)} reached{nxt}"


def shortfall_sentence(c: Commitment, short) -> str:
    """A breakdown on a sub-result, in a sentence (`short`: a subresults.Shortfall)."""
    m = short.milestone
    goal = f"{quantity(m.value, c.unit)} by {m.day.isoformat()}"
    if short.missed:
        return f"The sub-result {goal} was missed; it's at {quantity(short.value, c.unit)}."
    return f"On the way, the trajectory gives {quantity(short.value, c.unit)} by {m.day.isoformat()}; you committed to {goal}."
