"""Block Kit for commitments: pure functions from data to (fallback text, blocks).

Every text a person typed goes through `escape` here, once, on its way out.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot import ids
from bot.coaching.ambition import Ambition, Band
from bot.coaching.trajectory import Verdict
from bot.commitments.facts import Review
from bot.slack.blocks import button, context, input_block, modal, number_input, section, text_input
from bot.slack.text import days_left, escape, progress_bar, quantity, user, users
from bot.terms.views import shortfall_sentence
from storage.commitments import CommitmentState
from storage.models import Commitment, ProgressReport

Message = tuple[str, list[dict]]


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


def announcement(state: CommitmentState, a: Ambition, invited=()) -> Message:
    """`invited`: people invited to enrol who haven't answered yet (not enrolled until they accept)."""
    c = state.commitment
    invited_part = f" · Invited: {users(invited)}" if invited else ""
    text = f"New commitment {title(c)}: {span(c)} by {c.due.isoformat()}"
    blocks = [
        section(
            f":dart: *{title(c)}*\n"
            f"*{span(c)}* by *{c.due.isoformat()}* ({c.due.strftime('%a %d %b %Y')})\n"
            f"Owner: {user(c.owner_id)} · Enrolled: {users(state.enrolled)}{invited_part}",
            block_id="commitment",
        ),
        context(ambition_line(a)),
        {
            "type": "actions",
            "block_id": "commitment_actions",
            "elements": [
                button("I'm in", ids.COMMITMENT_ENROLL, str(c.id), style="primary"),
                button("Update progress", ids.COMMITMENT_PROGRESS, str(c.id)),
            ],
        },
        context("This message is the commitment's home thread: progress, breakdowns and actions land here."),
    ]
    return text, blocks


def known_question(c: Commitment) -> Message:
    text = (
        f"What would #{c.number} reach by {c.due.isoformat()} anyway, if you kept managing well: "
        "more, better, different? That number is *known*; it tells us how far beyond it this commitment goes."
    )
    return text, [
        section(text),
        {"type": "actions", "elements": [button("Set known", ids.COMMITMENT_KNOWN, str(c.id))]},
    ]


def ambition_reply(c: Commitment, a: Ambition) -> Message:
    text = f"Known for #{c.number}: {quantity(c.known, c.unit)}. {ambition_line(a)}"
    return text, [section(text)]


def ago(today: date, then: date) -> str:
    """ "today", "1 day ago", "9 days ago"."""
    days = (today - then).days
    if days <= 0:
        return "today"
    return "1 day ago" if days == 1 else f"{days} days ago"


def report_age(r: Review) -> str:
    """When the latest report came: "last report 9 days ago", or "no report yet, declared 3 days ago"."""
    if r.last_report_on is None:
        return f"no report yet, declared {ago(r.today, r.commitment.start_date)}"
    return f"last report {ago(r.today, r.last_report_on)}"


NO_RECENT_NUMBERS = "no progress report in the last 14 days, so it isn't judged"


def verdict_line(r: Review) -> str:
    c = r.commitment
    projected = quantity(r.projected, c.unit)
    if r.verdict is Verdict.NO_RECENT_NUMBERS:
        return f"Trajectory: *no recent numbers*, {NO_RECENT_NUMBERS}. What's the number today?"
    if not r.has_reports:
        return f"Trajectory: no progress reported yet, so it stays at {projected} by {c.due.isoformat()}."
    if r.verdict is Verdict.NOT_JUDGED:
        return f"Trajectory: heading for {projected} by the due date (not judged in the first 7 days)."
    if r.verdict is Verdict.BREAKDOWN and r.short_on is not None:
        return f"Trajectory: *breakdown* on a sub-result. {shortfall_sentence(c, r.short_on)} Time for new action."
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
        f"of {quantity(c.target, c.unit)} (from {quantity(c.baseline, c.unit)}) · {report_age(r)}"
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
    return text, [section("\n".join(lines), block_id="status_card")]


def status_line(r: Review) -> str:
    c = r.commitment
    verdict = {
        Verdict.ON_TRACK: "on track",
        Verdict.BREAKDOWN: "breakdown",
        Verdict.NOT_JUDGED: "not judged yet",
        Verdict.NO_RECENT_NUMBERS: "no recent numbers",
    }[r.verdict]
    return (
        f"*#{c.number}* {escape(c.outcome)} · {quantity(r.current, c.unit)} of {quantity(c.target, c.unit)} "
        f"({round(r.fraction * 100)}%) · {verdict} · {report_age(r)} · {days_left(r.today, c.due)}"
    )


def status_list(reviews: list[Review]) -> Message:
    if not reviews:
        text = "No active commitments in this channel. Declare one with `/commit`."
        return text, [section(text)]
    text = f"{len(reviews)} active commitment{'s' if len(reviews) != 1 else ''} in this channel"
    lines = [status_line(r) for r in reviews]
    blocks = [section(f"*{text}*")]
    # A section holds 3,000 characters; keep lines whole.
    chunk: list[str] = []
    for line in lines:
        if sum(len(x) + 1 for x in chunk) + len(line) > 2900:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    blocks.append(section("\n".join(chunk)))
    return text, blocks[:50]


def progress_reply(c: Commitment, report: ProgressReport, r: Review) -> Message:
    note = f"\n> {escape(report.note)}" if report.note else ""
    text = (
        f"{user(report.user_id)} reported {quantity(report.value, c.unit)} on #{c.number} "
        f"({round(r.fraction * 100)}% of the way from {quantity(c.baseline, c.unit)} to {quantity(c.target, c.unit)})."
    )
    return text, [section(text + note), context(verdict_line(r))]


def progress_digest(c: Commitment, reports, r: Review) -> Message:
    """Several reports told at once (they came in together): one line each, then where the
    commitment stands after the last of them, `r`."""
    text = (
        f"{len(reports)} progress reports on #{c.number}: now at {quantity(r.current, c.unit)} "
        f"({round(r.fraction * 100)}% of the way from {quantity(c.baseline, c.unit)} to {quantity(c.target, c.unit)})."
    )
    lines = [
        section(f"{user(x.user_id)} reported {quantity(x.value, c.unit)}" + (f"\n> {escape(x.note)}" if x.note else ""))
        for x in reports
    ]
    return text, [section(text), *lines, context(verdict_line(r))]


def breakthrough_message(c: Commitment, value: float, in_channel: bool) -> Message:
    where = f"*{title(c)}*" if in_channel else f"#{c.number}"
    text = (
        f":tada: Breakthrough! {where} reached {quantity(value, c.unit)}, "
        f"committed {quantity(c.target, c.unit)} by {c.due.isoformat()}. "
        "What you said was possible, happened. What will you commit to next?"
    )
    return text, [section(text)]


def withdrawn_message(c: Commitment, reason: str) -> Message:
    text = f"{user(c.owner_id)} withdrew *{title(c)}*: {escape(reason)}"
    return text, [section(text)]


def enrolled_reply(c: Commitment, user_id: str, enrolled: tuple[str, ...]) -> Message:
    text = f"{user(user_id)} is in on #{c.number}. Enrolled: {users(enrolled)}"
    return text, [section(text)]


# --- modals -----------------------------------------------------------------------------------


def channel_picker() -> dict:
    """commit_modal's `channel` input, for a modal opened outside any channel (App Home)."""
    return input_block(
        ids.CHANNEL,
        "Channel: where the team works on it",
        {
            "type": "conversations_select",
            "action_id": ids.CHANNEL,
            "filter": {
                "include": ["public", "private"],
                "exclude_bot_users": True,
                "exclude_external_shared_channels": True,
            },
        },
        hint="The announcement becomes the commitment's home thread there.",
    )


def commit_modal(channel_id: str, today: date) -> dict:
    """Declaring from a channel keeps it in `private_metadata`; without one (App Home),
    the modal asks for the channel in a `channel` block first."""
    return modal(
        ids.COMMIT_MODAL,
        "Declare a commitment",
        "Declare",
        ([] if channel_id else [channel_picker()])
        + [
            input_block(
                ids.OUTCOME,
                "Outcome",
                text_input(ids.OUTCOME, max_length=200),
                hint="A measurable result far beyond what you know how to produce.",
            ),
            input_block(ids.BASELINE, "Baseline: where you are now", number_input(ids.BASELINE)),
            input_block(ids.TARGET, "Target: where you commit to be", number_input(ids.TARGET)),
            input_block(ids.UNIT, "Unit", text_input(ids.UNIT, max_length=40), optional=True),
            input_block(
                ids.DUE,
                "Due date",
                {"type": "datepicker", "action_id": ids.DUE, "initial_date": (today + timedelta(days=90)).isoformat()},
            ),
            input_block(
                ids.KNOWN, "Known: what you'd reach anyway, managing well", number_input(ids.KNOWN), optional=True
            ),
            input_block(
                ids.MEMBERS,
                "Invite these people to enrol",
                {"type": "multi_users_select", "action_id": ids.MEMBERS, "max_selected_items": 20},
                optional=True,
            ),
        ],
        metadata=channel_id,
    )


def progress_modal(c: Commitment, from_home: bool = False) -> dict:
    """`progress_modal`; private_metadata is the commitment id, with ":home" when opened there."""
    return modal(
        ids.PROGRESS_MODAL,
        f"Progress on #{c.number}",
        "Record",
        [
            section(f"*{title(c)}*\n{span(c)} by {c.due.isoformat()}"),
            input_block(ids.VALUE, f"Where are you now{f' ({c.unit})' if c.unit else ''}?", number_input(ids.VALUE)),
            input_block(ids.NOTE, "Note", text_input(ids.NOTE, multiline=True, max_length=1000), optional=True),
        ],
        metadata=f"{c.id}:home" if from_home else str(c.id),
    )


def known_modal(c: Commitment) -> dict:
    return modal(
        ids.KNOWN_MODAL,
        f"Known for #{c.number}",
        "Save",
        [
            section(f"*{title(c)}*\n{span(c)} by {c.due.isoformat()}"),
            input_block(ids.KNOWN, "What you'd reach by the due date anyway, managing well", number_input(ids.KNOWN)),
        ],
        metadata=str(c.id),
    )
