"""Block Kit for endings: the retrospective, its modal and answers, the released-promise notice,
and `commit_modal` prefilled for the next one. Pure; typed text is escaped here, once."""

from __future__ import annotations

import copy
from datetime import date

from bot import ids
from bot.coaching.retrospective import Retrospective
from bot.commitments import views as commitment_views
from bot.commitments.views import title
from bot.slack.blocks import actions, button, context, input_block, modal, section, text_input
from bot.slack.context import Ref
from bot.slack.text import day, escape, number, quantity, user, users
from storage.models import Action, Commitment

Message = tuple[str, list[dict]]
MAX_ANSWER = 1000
MAX_AGREEMENTS = 5

ENDED = {
    "achieved": "ended as a breakthrough :tada:",
    "missed": "ended as missed",
    "withdrawn": "was withdrawn",
}

# Every ending looks forward: the question closing each retrospective.
FORWARD = {
    "achieved": "What made the difference? And what will you commit to next, now that this is the new standard?",
    "missed": "What made the difference, in what moved and in what didn't? What will you commit to next, knowing it?",
    "withdrawn": "What made the difference, and what did this teach you? What will you commit to next?",
}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _breakdowns(r: Retrospective) -> str:
    if not r.breakdowns_open:
        return "Breakdowns: none"
    each = ", ".join(_plural(d, "day") for d in r.breakdowns_open)
    return f"Breakdowns: {len(r.breakdowns_open)}, open {each}"


def _promises(r: Retrospective) -> str:
    parts = [f"{r.made} made", f"{r.kept} kept", f"{r.revoked} revoked", f"{r.broken} broken"]
    if r.released:
        parts.append(f"{r.released} released")
    return "Promises: " + " · ".join(parts)


def retrospective(c: Commitment, r: Retrospective, ended_on: date) -> Message:
    """The retrospective in the home thread, with `retro_add` and `commitment_next`."""
    head = f"*Retrospective of {title(c)}*: it {ENDED.get(r.ending, 'ended')} on {day(ended_on)}."
    percent = f"{number(round(r.progress * 100))}% of the way"
    lines = [
        f"Ran {_plural(r.days, 'day')}, from {day(c.start_date)} to {day(ended_on)} (due {day(c.due)}).",
        f"{quantity(r.baseline, c.unit)} → *{quantity(r.last, c.unit)}* against a target of "
        f"{quantity(r.target, c.unit)}: {percent}.",
        _breakdowns(r),
        _promises(r),
        f"Integrity: {r.integrity.describe()}",
        f"Enrolled: {users(r.enrolled)}",
    ]
    agreements = r.agreements[:MAX_AGREEMENTS]
    if agreements:
        more = len(r.agreements) - len(agreements)
        lines.append(
            "New agreements made here meanwhile:\n"
            + "\n".join(f"• {escape(a)}" for a in agreements)
            + (f"\n…and {more} more" if more > 0 else "")
        )
    else:
        lines.append("New agreements made here meanwhile: none")
    value = Ref(c.id).encode()
    text = f"Retrospective of #{c.number}: {FORWARD.get(r.ending, FORWARD['missed'])}"
    return text, [
        section(head),
        section("\n".join(lines)),
        section(FORWARD.get(r.ending, FORWARD["missed"])),
        actions(
            button("What made the difference?", ids.RETRO_ADD, value, style="primary"),
            button("Declare the next one", ids.COMMITMENT_NEXT, value),
            block_id="retro_actions",
        ),
        context("The final chart follows. Every answer lands in this thread, with who gave it."),
    ]


def released_dm(c: Commitment, released: list[Action]) -> Message:
    what = "\n".join(f"• {escape(a.what)} (due {day(a.due)})" for a in released[:10])
    more = f"\n…and {len(released) - 10} more" if len(released) > 10 else ""
    text = f"{title(c)} has ended, so these are released: they're no longer due, and they count in nobody's integrity."
    return text, [
        section(f"{text}\n{what}{more}"),
        context("Which of them still matters to you? Take it into the next commitment."),
    ]


def retro_modal(c: Commitment) -> dict:
    return modal(
        ids.RETRO_MODAL,
        f"Retrospective #{c.number}",
        "Post",
        [
            section(f"*{title(c)}*"),
            input_block(
                ids.SHIFTED,
                "What made the difference?",
                text_input(ids.SHIFTED, multiline=True, max_length=MAX_ANSWER),
            ),
            input_block(
                ids.NEXT,
                "What we take to the next one",
                text_input(ids.NEXT, multiline=True, max_length=MAX_ANSWER),
                optional=True,
            ),
        ],
        metadata=Ref(c.id).encode(),
    )


def answer_reply(c: Commitment, author_id: str, shifted: str, next_: str | None) -> Message:
    text = f"{user(author_id)} on what made the difference in #{c.number}:"
    body = f"{text}\n> {escape(shifted)}"
    if next_:
        body += f"\n*To the next one:* {escape(next_)}"
    return text, [section(body)]


def next_modal(c: Commitment, last: float, members: list[str], today: date) -> dict:
    """`commit_modal` for the channel of `c`, prefilled: the outcome, the last value as the
    baseline, the unit and the same members."""
    view = copy.deepcopy(commitment_views.commit_modal(c.channel_id, today))
    initial = {
        ids.OUTCOME: c.outcome,
        ids.BASELINE: str(int(last)) if last == int(last) else repr(last),
        ids.UNIT: c.unit or "",
    }
    for block in view["blocks"]:
        element = block.get("element") or {}
        block_id = block.get("block_id")
        if block_id in initial and initial[block_id]:
            element["initial_value"] = initial[block_id]
        if block_id == ids.MEMBERS and members:
            element["initial_users"] = list(members)
    return view
