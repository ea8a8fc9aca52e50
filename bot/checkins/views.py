"""Block Kit for the weekly check-in and breakdowns: pure functions to (fallback text, blocks).

Every text a person typed goes through `escape` here, once, on its way out.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, timedelta

from bot import ids
from bot.actions.promises import Coverage
from bot.background.views import checkin_section
from bot.checkins.plan import ChannelCheckin, CommitmentCheck, DueAction
from bot.coaching.integrity import Integrity, PromiseState
from bot.coaching.schedule import Schedule
from bot.coaching.trajectory import Verdict
from bot.commitments.facts import Review
from bot.commitments.views import NO_RECENT_NUMBERS, report_age
from bot.slack.blocks import actions, button, context, section
from bot.slack.text import day, days_left, escape, progress_bar, quantity, user
from bot.terms.views import shortfall_sentence
from storage.models import Action, Commitment, CommitmentStatus

Message = tuple[str, list[dict]]

MAX_BLOCKS = 50


def title(c: Commitment) -> str:
    return f"#{c.number} {escape(c.outcome)}"


def add_action_value(commitment_id: int, breakdown_id: int | None) -> str:
    return f"{commitment_id}:{breakdown_id or ''}"


def add_action_button(commitment_id: int, breakdown_id: int | None) -> dict:
    return button("Add new action", ids.CHECKIN_ADD_ACTION, add_action_value(commitment_id, breakdown_id), "primary")


def done_buttons(action: Action, state: PromiseState) -> list[dict]:
    """ "Done" while not done; "Not done" only while it can still be revoked (open)."""
    buttons = [button("Done", ids.ACTION_KEPT, str(action.id), "primary")]
    if state is PromiseState.OPEN:
        buttons.append(button("Not done", ids.ACTION_NOT_KEPT, str(action.id)))
    return buttons


def days_ago(today: date, then: date) -> str:
    days = (today - then).days
    if days <= 0:
        return "today"
    return "1 day ago" if days == 1 else f"{days} days ago"


def for_days(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


# --- lines ---------------------------------------------------------------------------------------


def trajectory_line(r: Review) -> str:
    c = r.commitment
    projected = quantity(r.projected, c.unit)
    target = quantity(c.target, c.unit)
    basis = "" if r.has_reports else " (no progress reported yet, so it stays at the baseline)"
    due = c.due.isoformat()
    if r.verdict is Verdict.NO_RECENT_NUMBERS:
        return f"Trajectory: *no recent numbers*, {NO_RECENT_NUMBERS} this week."
    if r.verdict is Verdict.NOT_JUDGED:
        return f"Trajectory: heading for {projected} by {due}{basis}. Not judged in its first 7 days."
    if r.verdict is Verdict.BREAKDOWN:
        gap = quantity(abs(c.target - r.projected), c.unit)
        return f"Trajectory: *breakdown*, heading for {projected} by {due}{basis} against {target} committed, a gap of {gap}."
    return f"Trajectory: *on track*, heading for {projected} by {due} against {target} committed."


def progress_line(r: Review) -> str:
    c = r.commitment
    return (
        f"`{progress_bar(r.fraction)}` {round(r.fraction * 100)}% · now {quantity(r.current, c.unit)} "
        f"of {quantity(c.target, c.unit)} (from {quantity(c.baseline, c.unit)}) · {report_age(r)}"
    )


def numbers_ask(c: Commitment) -> str:
    """The check-in asks the owner of a commitment with no recent numbers for the number."""
    return f":1234: {user(c.owner_id)}, what's the number today? `/commit progress #{c.number} ‹number› [note]`"


def progress_button(c: Commitment) -> dict:
    return button("Update progress", ids.COMMITMENT_PROGRESS, str(c.id))


def integrity_line(integrity: Integrity, coverage: Coverage) -> str:
    return f"Integrity: {integrity.describe()} · {coverage.describe()}"


STATE_WORD = {
    PromiseState.OPEN: "open",
    PromiseState.KEPT: "kept :white_check_mark:",
    PromiseState.REVOKED: "revoked in time",
    PromiseState.BROKEN: "not kept",
}


def action_line(action: Action, state: PromiseState | None = None) -> str:
    line = f"• {escape(action.what)}: {user(action.owner_id)}, due {day(action.due)}"
    if state is not None:
        word = STATE_WORD[state]
        if state is PromiseState.BROKEN and action.done_on is not None:
            word = f"delivered late ({day(action.done_on)})"
        line += f" · {word}"
    return line


# --- the check-in ----------------------------------------------------------------------------------


def _summary(plan: ChannelCheckin) -> str:
    active = [c for c in plan.checks if not c.ending]
    counts = {
        "on track": sum(1 for c in active if c.review.verdict is Verdict.ON_TRACK and not c.in_breakdown),
        "in breakdown": sum(1 for c in active if c.in_breakdown),
        "not judged yet": sum(1 for c in active if c.review.verdict is Verdict.NOT_JUDGED and not c.in_breakdown),
        "with no recent numbers": sum(1 for c in active if c.asks_for_numbers and not c.in_breakdown),
    }
    parts = [f"{n} {word}" for word, n in counts.items() if n]
    noun = "active commitment" if len(active) == 1 else "active commitments"
    summary = f"{len(active)} {noun}" + (f": {', '.join(parts)}" if parts else "")
    ended = [c for c in plan.checks if c.ending]
    if ended:
        summary += f"; {len(ended)} reached {'its' if len(ended) == 1 else 'their'} end"
    return summary


def _ended_since_line(c: Commitment) -> str:
    if c.status == CommitmentStatus.ACHIEVED:
        return f":tada: *{title(c)}* ended as a *breakthrough*: {quantity(c.target, c.unit)} reached."
    if c.status == CommitmentStatus.WITHDRAWN:
        return f"*{title(c)}* was withdrawn by {user(c.owner_id)}" + (
            f": {escape(c.end_reason)}" if c.end_reason else "."
        )
    return f"*{title(c)}* ended."


def _ending_blocks(check: CommitmentCheck) -> list[dict]:
    c, r = check.commitment, check.review
    if check.ending == CommitmentStatus.ACHIEVED:
        text = (
            f":tada: *Breakthrough on {title(c)}*: it reached {quantity(r.current, c.unit)}, "
            f"committed {quantity(c.target, c.unit)} by {c.due.isoformat()}."
        )
    else:
        text = (
            f":hourglass: *{title(c)}* ended as *missed*: {quantity(r.current, c.unit)} of "
            f"{quantity(c.target, c.unit)} committed by {c.due.isoformat()}. "
            "What did it make possible, and what will you commit to next?"
        )
    return [section(text, block_id=f"commitment_{c.id}")]


def _check_blocks(check: CommitmentCheck, today: date, day_of) -> list[dict]:
    if check.ending:
        return _ending_blocks(check)
    c, r = check.commitment, check.review
    lines = [
        f"*{title(c)}* · due {c.due.isoformat()} ({days_left(today, c.due)})",
        progress_line(r),
        trajectory_line(r),
    ]
    if check.asks_for_numbers:
        lines.append(numbers_ask(c))
    if check.opens_breakdown:
        lines.append(":construction: New breakdown, announced in its thread. What new action will you take?")
    elif check.still_open is not None:
        opened = day_of(check.still_open.opened_at)
        promised = (
            "no new promise yet"
            if not check.promises_since
            else ("1 new promise since" if check.promises_since == 1 else f"{check.promises_since} new promises since")
        )
        lines.append(f":construction: Breakdown open for {for_days((today - opened).days)} · {promised}")
    elif check.closes:
        lines.append(":white_check_mark: Back on track: the breakdown is closed.")
    lines.append(integrity_line(check.integrity, check.coverage))
    settled = [d for d in check.due_actions if not _markable(d)]
    if check.due_actions:
        lines.append("Actions due since the last check-in:")
        lines.extend(action_line(d.action, d.state) for d in settled)
    blocks = [section("\n".join(lines), block_id=f"commitment_{c.id}")]
    for d in check.due_actions:
        if _markable(d):
            blocks.append(section(action_line(d.action, d.state)))
            blocks.append(actions(*done_buttons(d.action, d.state), block_id=f"action_{d.action.id}"))
    buttons = []
    if check.asks_for_numbers:
        buttons.append(progress_button(c))
    if check.in_breakdown:
        breakdown_id = check.still_open.id if check.still_open is not None else None
        buttons.append(add_action_button(c.id, breakdown_id))
    if buttons:
        block_id = f"add_action_{c.id}" if check.in_breakdown else f"progress_{c.id}"
        blocks.append(actions(*buttons, block_id=block_id))
    return blocks


def _markable(d: DueAction) -> bool:
    """Still waiting for its owner to say: open, or past due and not marked done."""
    return d.state is PromiseState.OPEN or (d.state is PromiseState.BROKEN and d.action.done_on is None)


def checkin_messages(plan: ChannelCheckin, day_of) -> list[Message]:
    """The check-in: the first message goes in the channel; when a channel has more commitments
    than one message holds (50 blocks), the rest follow in its thread."""
    heading = "First weekly check-in" if plan.first else "Weekly check-in"
    summary = _summary(plan)
    header = [section(f":calendar: *{heading}* · {day(plan.today)}\n{summary}.", block_id="checkin")]
    if plan.ended_since:
        header.append(section("Since the last check-in:\n" + "\n".join(_ended_since_line(c) for c in plan.ended_since)))
    groups = [_check_blocks(check, plan.today, day_of) for check in plan.checks]
    if plan.background is not None:
        groups.append(checkin_section(plan.background.new_this_week, plan.background.running))
    groups.append(
        [
            context(
                f"Check-ins here: {plan.schedule.describe()}{holidays_note(plan.schedule)}. "
                "Change with `/commit checkin ‹weekday› ‹HH:MM› [timezone]`."
            )
        ]
    )
    pages: list[list[dict]] = [header]
    capacity = MAX_BLOCKS
    for group in groups:
        for start in range(0, len(group), MAX_BLOCKS - 1):
            part = group[start : start + MAX_BLOCKS - 1]
            if len(pages[-1]) + len(part) > capacity:
                pages.append([])
                capacity = MAX_BLOCKS - 1  # a continued page starts with its own line
            pages[-1].extend(part)
    text = f"{heading}: {summary}"
    messages = [(text, pages[0])]
    for number, page in enumerate(pages[1:], start=2):
        label = f"{heading}, continued ({number}/{len(pages)})"
        messages.append((label, [context(label)] + page))
    return messages


# --- breakdowns in the home thread ----------------------------------------------------------------


def _landing(r: Review) -> str:
    c = r.commitment
    gap = quantity(abs(c.target - r.projected), c.unit)
    due_date = (
        f"The trajectory lands at {quantity(r.projected, c.unit)} by {c.due.isoformat()}; "
        f"you committed to {quantity(c.target, c.unit)}. The gap: {gap}."
    )
    if r.short_on is None:
        return due_date
    sub_result = shortfall_sentence(c, r.short_on)
    short_at_due = (c.target - r.projected) * ((c.target > c.baseline) - (c.target < c.baseline)) > 0
    return f"{due_date} {sub_result}" if short_at_due else sub_result


CALL_FOR_ACTION = (
    "A breakdown isn't a failure: it's what being up to something big looks like, and where new action "
    "comes from. What will you do that you weren't going to do?"
)


def breakdown_announcement(r: Review, breakdown_id: int) -> Message:
    c = r.commitment
    text = f":construction: *Breakdown on #{c.number}.* {_landing(r)}"
    return text, [
        section(f"{text}\n{CALL_FOR_ACTION}", block_id="breakdown"),
        actions(add_action_button(c.id, breakdown_id), block_id="breakdown_actions"),
    ]


def declared_breakdown(r: Review, declared_by: str, what: str, breakdown_id: int) -> Message:
    c = r.commitment
    if r.verdict is Verdict.BREAKDOWN:
        where = _landing(r)
    else:
        where = (
            f"The numbers so far head for {quantity(r.projected, c.unit)} by {c.due.isoformat()}, "
            f"against {quantity(c.target, c.unit)} committed."
        )
    text = f":construction: {user(declared_by)} declared a *breakdown on #{c.number}*: {escape(what)}"
    return text, [
        section(f"{text}\n{where}\n{CALL_FOR_ACTION}", block_id="breakdown"),
        actions(add_action_button(c.id, breakdown_id), block_id="breakdown_actions"),
    ]


def breakdown_closed(r: Review, days_open: int, promises_since: int) -> Message:
    c = r.commitment
    promised = (
        ""
        if not promises_since
        else (" with 1 new promise" if promises_since == 1 else f" with {promises_since} new promises")
    )
    text = (
        f":white_check_mark: #{c.number} is back on track: the trajectory reaches "
        f"{quantity(r.projected, c.unit)} by {c.due.isoformat()} against {quantity(c.target, c.unit)} committed. "
        f"The breakdown is closed after {for_days(days_open)}{promised}."
    )
    return text, [section(text)]


def missed_reply(r: Review, had_breakdown: bool) -> Message:
    c = r.commitment
    closed = " The open breakdown closes with it." if had_breakdown else ""
    text = (
        f"#{c.number} reached its due date, {c.due.isoformat()}, at {quantity(r.current, c.unit)} against "
        f"{quantity(c.target, c.unit)} committed. It ends as missed.{closed} "
        "What did it make possible, and what will you commit to next?"
    )
    return text, [section(text)]


# --- schedule and pauses -----------------------------------------------------------------------------


def moment_in(moment: datetime, schedule: Schedule) -> str:
    local = moment.astimezone(schedule.tz)
    return f"{local.strftime('%a %d %b %Y, %H:%M')} {local.tzname()}"


def next_line(next_at: datetime | None, now: datetime, schedule: Schedule) -> str:
    """When the next check-in comes, as `/commit checkin …` answers say it."""
    if next_at is None:
        return "The first one comes after the channel's first commitment is declared."
    if next_at <= now:
        return "This week's check-in is due: it's posted within a minute."
    return f"Next check-in: {moment_in(next_at, schedule)}."


def schedule_set(schedule: Schedule, next_at: datetime | None, now: datetime, was_paused: str | None) -> str:
    lines = [f"Weekly check-in for this channel: {schedule.describe()}{holidays_note(schedule)}."]
    if was_paused:
        lines.append(f"Check-ins here had been paused (`{escape(was_paused)}`); they're back on.")
    lines.append(next_line(next_at, now, schedule))
    return "\n".join(lines)


@functools.lru_cache(maxsize=256)
def country_name(code: str) -> str:
    """The English name of a country the `holidays` package knows ("DE": "Germany"), else the code."""
    from holidays import registry

    for class_name, registered, *_ in registry.COUNTRIES.values():
        if registered == code:
            words = re.findall(r"[A-Z][a-z]*|[a-z]+", class_name)
            return " ".join(w.lower() if w in ("And", "Of", "The", "Da", "De") else w for w in words)
    return code


def holidays_note(schedule: Schedule) -> str:
    """ ", moved off public holidays in Germany (DE)", or nothing."""
    if not schedule.holidays:
        return ""
    return f", moved off public holidays in {country_name(schedule.holidays)} ({schedule.holidays})"


def off_note(paused: str | None) -> str:
    """What `checkin holidays`/`skip` add when check-ins are off or paused in the channel."""
    if paused:
        return (
            f"Check-ins here are paused (`{escape(paused)}`): `/commit checkin monday 09:00` "
            "(any weekday and time) turns them back on."
        )
    return "Check-ins are off here: `/commit checkin monday 09:00` (any weekday and time) turns them back on."


def holidays_set(schedule: Schedule, next_line_text: str) -> str:
    country = schedule.holidays or ""
    return (
        f"Check-ins here now skip public holidays in {country_name(country)} ({country}): one that falls on a "
        "holiday moves to the next working day of its week, or that week has none. " + next_line_text
    )


def holidays_off(next_line_text: str) -> str:
    return "Check-ins here no longer move for public holidays. " + next_line_text


def week_of(day_in_week: date) -> str:
    """ "the week of Mon 28 Dec 2026 (2026-W53)"."""
    monday = day_in_week - timedelta(days=day_in_week.weekday())
    year, week, _ = day_in_week.isocalendar()
    return f"the week of {monday.strftime('%a %d %b %Y')} ({year}-W{week:02d})"


def week_skipped(day_in_week: date, new: bool, already_posted: bool, next_line_text: str, after: str | None) -> str:
    week = week_of(day_in_week)
    if already_posted:
        said = f"This week's check-in is already out, so nothing more comes in {week}."
    elif new:
        said = f"No check-in here in {week}."
    else:
        said = f"{week[0].upper()}{week[1:]} was already skipped here: no check-in then."
    lines = [said, next_line_text]
    if after is not None:
        lines.append(f"The first one after the skipped week: {after}.")
    return " ".join(lines)


def schedule_off() -> str:
    return (
        "Weekly check-ins are off for this channel. "
        "Turn them back on with `/commit checkin monday 09:00` (any weekday and time)."
    )


PAUSE_HINTS = {
    "channel_not_found": "I can't find the channel any more (deleted, or private without me in it).",
    "not_in_channel": "I'm not a member of the channel, and I can't join it on my own.",
    "is_archived": "The channel is archived.",
}


def paused_dm(channel_id: str, reason: str, numbers: list[int]) -> Message:
    which = ", ".join(f"#{n}" for n in numbers)
    text = (
        f"I couldn't post the weekly check-in in <#{channel_id}> for {which}: "
        f"{PAUSE_HINTS.get(reason, reason)} Check-ins there are paused. "
        "Once I can post there again (invite me with `/invite @Breakthrough Coach`), type "
        "`/commit checkin monday 09:00` in the channel to turn them back on."
    )
    return text, [section(text)]


# --- for `/commit status #N` ---------------------------------------------------------------------------


def status_extras(
    actions: list[Action],
    integrity: Integrity,
    coverage: Coverage,
    today: date,
    open_since: date | None,
    first_promise_on: date | None,
    states: dict[int, PromiseState],
) -> list[dict]:
    open_promises = [a for a in actions if states.get(a.id) is PromiseState.OPEN]
    lines = []
    if open_promises:
        lines.append("*Open promises*")
        lines.extend(action_line(a) for a in open_promises[:15])
        if len(open_promises) > 15:
            lines.append(f"…and {len(open_promises) - 15} more")
    else:
        lines.append("Open promises: none.")
    lines.append(integrity_line(integrity, coverage))
    if open_since is not None:
        since_promise = (
            f"first new promise {days_ago(today, first_promise_on)}" if first_promise_on else "no new promise yet"
        )
        lines.append(f":construction: Breakdown announced {days_ago(today, open_since)} · {since_promise}")
    return [section("\n".join(lines), block_id="status_promises")]
