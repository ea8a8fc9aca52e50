"""Block Kit for commitments: pure functions from data to (fallback text, blocks).

Every text a person typed goes through `escape` here, once, on its way out.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot import ids
from bot.coaching.ambition import Ambition, Band
from bot.coaching.trajectory import Verdict
from bot.commitments.facts import Review
from bot.slack_text import days_left, escape, progress_bar, quantity, user, users
from storage.commitments import CommitmentState
from storage.models import Commitment, ProgressReport

Message = tuple[str, list[dict]]


def _section(text: str, block_id: str | None = None) -> dict:
    block = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    if block_id:
        block["block_id"] = block_id
    return block


def _context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict:
    button = {"type": "button", "text": {"type": "plain_text", "text": text}, "action_id": action_id, "value": value}
    if style:
        button["style"] = style
    return button


def title(c: Commitment) -> str:
    return f"#{c.number} {escape(c.outcome)}"


def span(c: Commitment) -> str:
    return f"{quantity(c.baseline, c.unit)} → {quantity(c.target, c.unit)}"


def ambition_line(a: Ambition) -> str:
    if a.band is None:
        return "Ambition: not known yet. What would you reach by the due date anyway, managing well?"
    times = f"×{a.ratio:.1f} the known improvement" if a.ratio is not None else "beyond anything known"
    if a.band is Band.MANAGEMENT:
        return (
            f"Ambition: *management* ({times}). This looks reachable by managing well. "
            "What would a bolder target, or an earlier date, ask of you?"
        )
    if a.band is Band.STRETCH:
        return f"Ambition: *stretch* ({times}). More than managing well will produce."
    return f"Ambition: *breakthrough* ({times}). Far beyond what you know how to produce. That's the point."


def announcement(state: CommitmentState, a: Ambition) -> Message:
    c = state.commitment
    text = f"New commitment {title(c)}: {span(c)} by {c.due.isoformat()}"
    blocks = [
        _section(
            f":dart: *{title(c)}*\n"
            f"*{span(c)}* by *{c.due.isoformat()}* ({c.due.strftime('%a %d %b %Y')})\n"
            f"Owner: {user(c.owner_id)} · Enrolled: {users(state.enrolled)}",
            block_id="commitment",
        ),
        _context(ambition_line(a)),
        {
            "type": "actions",
            "block_id": "commitment_actions",
            "elements": [
                _button("I'm in", ids.COMMITMENT_ENROLL, str(c.id), style="primary"),
                _button("Update progress", ids.COMMITMENT_PROGRESS, str(c.id)),
            ],
        },
        _context("This message is the commitment's home thread: progress, breakdowns and actions land here."),
    ]
    return text, blocks


def known_question(c: Commitment) -> Message:
    text = (
        f"What would #{c.number} reach by {c.due.isoformat()} anyway, if you kept managing well: "
        "more, better, different? That number is *known*; it tells us how far beyond it this commitment goes."
    )
    return text, [
        _section(text),
        {"type": "actions", "elements": [_button("Set known", ids.COMMITMENT_KNOWN, str(c.id))]},
    ]


def ambition_reply(c: Commitment, a: Ambition) -> Message:
    text = f"Known for #{c.number}: {quantity(c.known, c.unit)}. {ambition_line(a)}"
    return text, [_section(text)]


def verdict_line(r: Review) -> str:
    c = r.commitment
    projected = quantity(r.projected, c.unit)
    if not r.has_reports:
        return f"Trajectory: no progress reported yet, so it stays at {projected} by {c.due.isoformat()}."
    if r.verdict is Verdict.NOT_JUDGED:
        return f"Trajectory: heading for {projected} by the due date (not judged in the first 7 days)."
    if r.verdict is Verdict.BREAKDOWN:
        gap = quantity(abs(c.target - r.projected), c.unit)
        return (
            f"Trajectory: *breakdown*, heading for {projected} by {c.due.isoformat()} against "
            f"{quantity(c.target, c.unit)} committed, a gap of {gap}. Time for new action."
        )
    return f"Trajectory: *on track*, heading for {projected} by {c.due.isoformat()}."


def _progress(r: Review) -> str:
    c = r.commitment
    percent = round(r.fraction * 100)
    return (
        f"`{progress_bar(r.fraction)}` {percent}% · now {quantity(r.current, c.unit)} "
        f"of {quantity(c.target, c.unit)} (from {quantity(c.baseline, c.unit)})"
    )


def status_card(r: Review) -> Message:
    c = r.commitment
    text = f"{title(c)}: {quantity(r.current, c.unit)} of {quantity(c.target, c.unit)}, {days_left(r.today, c.due)}"
    lines = [
        f"*{title(c)}* · due {c.due.isoformat()} ({days_left(r.today, c.due)})",
        _progress(r),
        verdict_line(r),
        f"Owner: {user(c.owner_id)} · Enrolled: {users(r.state.enrolled)}",
    ]
    return text, [_section("\n".join(lines), block_id="status_card")]


def status_line(r: Review) -> str:
    c = r.commitment
    verdict = {
        Verdict.ON_TRACK: "on track",
        Verdict.BREAKDOWN: "breakdown",
        Verdict.NOT_JUDGED: "not judged yet",
    }[r.verdict] if r.has_reports else "no reports yet"
    return (
        f"*#{c.number}* {escape(c.outcome)} · {quantity(r.current, c.unit)} of {quantity(c.target, c.unit)} "
        f"({round(r.fraction * 100)}%) · {verdict} · {days_left(r.today, c.due)}"
    )


def status_list(reviews: list[Review]) -> Message:
    if not reviews:
        text = "No active commitments in this channel. Declare one with `/commit`."
        return text, [_section(text)]
    text = f"{len(reviews)} active commitment{'s' if len(reviews) != 1 else ''} in this channel"
    lines = [status_line(r) for r in reviews]
    blocks = [_section(f"*{text}*")]
    # A section holds 3,000 characters; keep lines whole.
    chunk: list[str] = []
    for line in lines:
        if sum(len(x) + 1 for x in chunk) + len(line) > 2900:
            blocks.append(_section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    blocks.append(_section("\n".join(chunk)))
    return text, blocks[:50]


def progress_reply(c: Commitment, report: ProgressReport, r: Review) -> Message:
    note = f"\n> {escape(report.note)}" if report.note else ""
    text = (
        f"{user(report.user_id)} reported {quantity(report.value, c.unit)} on #{c.number} "
        f"({round(r.fraction * 100)}% of the way from {quantity(c.baseline, c.unit)} to {quantity(c.target, c.unit)})."
    )
    return text, [_section(text + note), _context(verdict_line(r))]


def breakthrough_message(c: Commitment, value: float, in_channel: bool) -> Message:
    where = f"*{title(c)}*" if in_channel else f"#{c.number}"
    text = (
        f":tada: Breakthrough! {where} reached {quantity(value, c.unit)}, "
        f"committed {quantity(c.target, c.unit)} by {c.due.isoformat()}. "
        "What you said was possible, happened. What will you commit to next?"
    )
    return text, [_section(text)]


def withdrawn_message(c: Commitment, reason: str) -> Message:
    text = f"{user(c.owner_id)} withdrew *{title(c)}*: {escape(reason)}"
    return text, [_section(text)]


def enrolled_reply(c: Commitment, user_id: str, enrolled: tuple[str, ...]) -> Message:
    text = f"{user(user_id)} is in on #{c.number}. Enrolled: {users(enrolled)}"
    return text, [_section(text)]


# --- modals -----------------------------------------------------------------------------------


def _input(block_id: str, label: str, element: dict, optional: bool = False, hint: str | None = None) -> dict:
    block = {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": label},
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = {"type": "plain_text", "text": hint}
    return block


def _text_input(action_id: str, multiline: bool = False, max_length: int | None = None, initial: str | None = None):
    element = {"type": "plain_text_input", "action_id": action_id, "multiline": multiline}
    if max_length:
        element["max_length"] = max_length
    if initial:
        element["initial_value"] = initial
    return element


def _number_input(action_id: str) -> dict:
    return {"type": "number_input", "action_id": action_id, "is_decimal_allowed": True}


def _modal(callback_id: str, title_text: str, submit: str, blocks: list[dict], metadata: str) -> dict:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": {"type": "plain_text", "text": title_text},
        "submit": {"type": "plain_text", "text": submit},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": metadata,
        "blocks": blocks,
    }


def channel_picker() -> dict:
    """commit_modal's `channel` input, for a modal opened outside any channel (App Home)."""
    return _input(ids.CHANNEL, "Channel: where the team works on it", {
        "type": "conversations_select",
        "action_id": ids.CHANNEL,
        "filter": {"include": ["public", "private"], "exclude_bot_users": True,
                   "exclude_external_shared_channels": True},
    }, hint="The announcement becomes the commitment's home thread there.")


def commit_modal(channel_id: str, today: date) -> dict:
    """Declaring from a channel keeps it in `private_metadata`; without one (App Home),
    the modal asks for the channel in a `channel` block first."""
    return _modal(
        ids.COMMIT_MODAL,
        "Declare a commitment",
        "Declare",
        ([] if channel_id else [channel_picker()]) + [
            _input(ids.OUTCOME, "Outcome", _text_input(ids.OUTCOME, max_length=200),
                   hint="A measurable result far beyond what you know how to produce."),
            _input(ids.BASELINE, "Baseline: where you are now", _number_input(ids.BASELINE)),
            _input(ids.TARGET, "Target: where you commit to be", _number_input(ids.TARGET)),
            _input(ids.UNIT, "Unit", _text_input(ids.UNIT, max_length=40), optional=True),
            _input(ids.DUE, "Due date", {"type": "datepicker", "action_id": ids.DUE,
                                         "initial_date": (today + timedelta(days=90)).isoformat()}),
            _input(ids.KNOWN, "Known: what you'd reach anyway, managing well", _number_input(ids.KNOWN),
                   optional=True),
            _input(ids.MEMBERS, "Enrol these people too", {"type": "multi_users_select", "action_id": ids.MEMBERS},
                   optional=True),
        ],
        metadata=channel_id,
    )


def progress_modal(c: Commitment) -> dict:
    return _modal(
        ids.PROGRESS_MODAL,
        f"Progress on #{c.number}",
        "Record",
        [
            _section(f"*{title(c)}*\n{span(c)} by {c.due.isoformat()}"),
            _input(ids.VALUE, f"Where are you now{f' ({c.unit})' if c.unit else ''}?", _number_input(ids.VALUE)),
            _input(ids.NOTE, "Note", _text_input(ids.NOTE, multiline=True, max_length=1000), optional=True),
        ],
        metadata=str(c.id),
    )


def known_modal(c: Commitment) -> dict:
    return _modal(
        ids.KNOWN_MODAL,
        f"Known for #{c.number}",
        "Save",
        [
            _section(f"*{title(c)}*\n{span(c)} by {c.due.isoformat()}"),
            _input(ids.KNOWN, "What you'd reach by the due date anyway, managing well", _number_input(ids.KNOWN)),
        ],
        metadata=str(c.id),
    )
