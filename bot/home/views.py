"""App Home: each person's tab, as a pure function from what they're up to to a Block Kit view.

Sections, in order: declare a commitment; their commitments (progress, verdict, days left);
open breakdowns in them; their open actions ("Done"/"Not done"); requests waiting for their
answer; their own integrity (App Home is seen by that person alone). Every list is capped so
the view stays under Block Kit's 100 blocks, the rest summarised as "and N more".

Every text a person typed goes through `escape` here, once, on its way out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Callable, Sequence

from bot import ids
from bot.coaching.integrity import Integrity
from bot.coaching.trajectory import Verdict
from bot.commitments.facts import Review
from bot.commitments.views import report_age, title, verdict_line
from bot.slack.blocks import button, context, divider, header
from bot.slack.text import days_left, escape, progress_bar, quantity, user
from bot.terms.views import home_line
from storage.models import Breakdown, Commitment, CommitmentStatus

MAX_BLOCKS = 100  # Block Kit's limit for a home tab
MAX_COMMITMENTS = 25
MAX_ENDED = 10
MAX_BREAKDOWNS = 10
MAX_ACTIONS = 8  # two blocks each
MAX_REQUESTS = 5  # two blocks each

ENDED = {
    CommitmentStatus.ACHIEVED: "breakthrough :tada:",
    CommitmentStatus.MISSED: "missed",
    CommitmentStatus.WITHDRAWN: "withdrawn",
}


@dataclass(frozen=True)
class ActionItem:
    """An action as Home shows it (built by `bot.home.flows.actions_part`).

    For "their open actions": a promise they own, open. For "requests waiting for their
    answer": a request asked of them (`asker_id` set), or their own request that its owner
    countered (`countered_due` set).
    """

    action_id: int
    commitment_number: int
    what: str  # as the person typed it; escaped here
    due: date
    asker_id: str | None = None
    owner_id: str | None = None
    countered_due: date | None = None


def _section(text: str, accessory: dict | None = None) -> dict:
    block = {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}
    if accessory:
        block["accessory"] = accessory
    return block


def _more(count: int, where: str) -> list[dict]:
    return [context(f"…and {count} more. {where}")] if count > 0 else []


def _capped(items: Sequence, limit: int, render: Callable, where: str) -> list[dict]:
    blocks: list[dict] = []
    for item in items[:limit]:
        blocks.extend(render(item))
    return blocks + _more(len(items) - limit, where)


# --- commitments ---------------------------------------------------------------------------------


def _attention(r: Review) -> tuple:
    """Breakdowns first, then the soonest due."""
    return (r.verdict is not Verdict.BREAKDOWN, r.commitment.due, r.commitment.number)


def commitment_card(r: Review, user_id: str) -> list[dict]:
    c = r.commitment
    role = "you own it" if c.owner_id == user_id else "you're enrolled"
    lines = [
        f"*{title(c)}* · <#{c.channel_id}> · due {c.due.isoformat()} ({days_left(r.today, c.due)}) · {role}",
        f"`{progress_bar(r.fraction)}` {round(r.fraction * 100)}% · now {quantity(r.current, c.unit)} "
        f"of {quantity(c.target, c.unit)} (from {quantity(c.baseline, c.unit)}) · {report_age(r)}",
        verdict_line(r),
    ]
    milestones = home_line(c, list(r.subresults))
    if milestones:
        lines.append(milestones)
    return [_section("\n".join(lines), button("Update progress", ids.COMMITMENT_PROGRESS, str(c.id)))]


def commitments_section(reviews: Sequence[Review], user_id: str) -> list[dict]:
    active = sorted((r for r in reviews if r.commitment.status == CommitmentStatus.ACTIVE), key=_attention)
    ended = [r.commitment for r in reviews if r.commitment.status != CommitmentStatus.ACTIVE]
    blocks = [header("Your commitments")]
    if not active:
        blocks.append(
            _section(
                "You're not in on any active commitment yet. Declare one, or click *I'm in* on a "
                "commitment announced in one of your channels."
            )
        )
    blocks += _capped(
        active,
        MAX_COMMITMENTS,
        lambda r: commitment_card(r, user_id),
        "`/commit status` in each channel lists them all.",
    )
    if ended:
        lines = [f"*{title(c)}* · <#{c.channel_id}> · {ENDED.get(c.status, 'ended')}" for c in ended[:MAX_ENDED]]
        blocks.append(context("Recently ended:\n" + "\n".join(lines)))
    return blocks


# --- breakdowns ----------------------------------------------------------------------------------


def breakdown_card(breakdown: Breakdown, c: Commitment, today: date, day_of: Callable[[datetime], date]) -> list[dict]:
    days_open = max(0, (today - day_of(breakdown.opened_at)).days)
    opened = "opened today" if days_open == 0 else f"open {days_open} day{'s' if days_open != 1 else ''}"
    if breakdown.what:
        said = (
            f"{user(breakdown.declared_by)} declared it: {escape(breakdown.what)}"
            if breakdown.declared_by
            else escape(breakdown.what)
        )
    elif breakdown.projected is not None:
        said = (
            f"Heading for {quantity(breakdown.projected, c.unit)} by {c.due.isoformat()} against "
            f"{quantity(c.target, c.unit)} committed."
        )
    else:
        said = f"Committed {quantity(c.target, c.unit)} by {c.due.isoformat()}."
    return [
        _section(
            f":rotating_light: *{title(c)}* · <#{c.channel_id}> · {opened}\n{said}\n"
            "What new action will you take? Add it in the commitment's home thread."
        )
    ]


def breakdowns_section(
    breakdowns: Sequence[tuple[Breakdown, Commitment]], today: date, day_of: Callable[[datetime], date]
) -> list[dict]:
    blocks = [header("Open breakdowns")]
    if not breakdowns:
        return blocks + [context("No open breakdowns in your commitments.")]
    blocks.append(context("A breakdown is the normal state of people up to something big: a call for new action."))
    return blocks + _capped(
        list(breakdowns),
        MAX_BREAKDOWNS,
        lambda pair: breakdown_card(*pair, today, day_of),
        "Each check-in lists them in their channel.",
    )


# --- actions, requests, integrity ------------------------------------------------------------------


def open_actions_section(actions: Sequence[ActionItem], today: date) -> list[dict]:
    """Their open promises, each with "Done" and "Not done" (`action_kept`, `action_not_kept`)."""
    if not actions:
        return []

    def card(a: ActionItem) -> list[dict]:
        return [
            _section(
                f"*{escape(a.what)}* · #{a.commitment_number} · due {a.due.isoformat()} ({days_left(today, a.due)})"
            ),
            {
                "type": "actions",
                "elements": [
                    button("Done", ids.ACTION_KEPT, str(a.action_id), style="primary"),
                    button("Not done", ids.ACTION_NOT_KEPT, str(a.action_id)),
                ],
            },
        ]

    return [header("Your open actions")] + _capped(
        list(actions), MAX_ACTIONS, card, "Each check-in lists the ones due."
    )


def requests_section(requests: Sequence[ActionItem]) -> list[dict]:
    """Requests waiting for their answer: asked of them ("I promise"/"Decline"/"Counter"), or
    countered by the person they asked (answered in the direct message that brought it)."""
    if not requests:
        return []

    def card(a: ActionItem) -> list[dict]:
        if a.countered_due is not None:
            who = user(a.owner_id) if a.owner_id else "They"
            return [
                _section(
                    f"*{escape(a.what)}* · #{a.commitment_number}: {who} countered with "
                    f"{a.countered_due.isoformat()} instead of {a.due.isoformat()}. "
                    "Answer in the direct message I sent you."
                )
            ]
        asked = f"{user(a.asker_id)} asks" if a.asker_id else "Asked"
        return [
            _section(f"{asked}: *{escape(a.what)}* · #{a.commitment_number} · by {a.due.isoformat()}"),
            {
                "type": "actions",
                "elements": [
                    button("I promise", ids.ACTION_ACCEPT, str(a.action_id), style="primary"),
                    button("Decline", ids.ACTION_DECLINE, str(a.action_id)),
                    button("Counter", ids.ACTION_COUNTER, str(a.action_id)),
                ],
            },
        ]

    return [header("Waiting for your answer")] + _capped(
        list(requests), MAX_REQUESTS, card, "Your direct messages hold them all."
    )


def integrity_section(integrity: Integrity | None) -> list[dict]:
    """Their own integrity and kept rate: App Home is the one place it is shown (to them)."""
    if integrity is None:
        return []
    return [
        header("Your integrity"),
        _section(f"*{integrity.describe()}*"),
        context("Honoured = kept, or revoked before the due date, out of promises due. Only you see this."),
    ]


# --- the view ------------------------------------------------------------------------------------


def home_view(
    user_id: str,
    today: date,
    reviews: Sequence[Review],
    breakdowns: Sequence[tuple[Breakdown, Commitment]],
    day_of: Callable[[datetime], date],
    *,
    open_actions: Sequence[ActionItem] = (),
    requests: Sequence[ActionItem] = (),
    integrity: Integrity | None = None,
) -> dict:
    parts = [
        [
            header("Breakthrough Coach"),
            context("What you're up to, where it's heading, and what it asks of you now."),
            {
                "type": "actions",
                "elements": [
                    button("Declare a commitment", ids.HOME_DECLARE, "home", style="primary"),
                ],
            },
        ],
        commitments_section(reviews, user_id),
        breakdowns_section(breakdowns, today, day_of),
        open_actions_section(open_actions, today),
        requests_section(requests),
        integrity_section(integrity),
    ]
    blocks: list[dict] = []
    for part in parts:
        if part:
            if blocks:
                blocks.append(divider())
            blocks.extend(part)
    if len(blocks) > MAX_BLOCKS:  # the caps above keep it under; never publish an invalid view
        blocks = blocks[: MAX_BLOCKS - 1] + [context("…and more: see your channels.")]
    return {"type": "home", "blocks": blocks}
