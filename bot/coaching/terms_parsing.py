"""Reading `/commit milestone` and `/commit renegotiate`: a commitment's terms (sub-results, a new
target or due date). Registered into `parsing._SUBCOMMANDS`; messages are plain text (the caller
escapes them once)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.coaching.parsing import (
    _ISO_DATE_RE,
    DATE_FORMAT_HINT,
    MAX_NOTE,
    ParseError,
    _number,
    parse_commitment_number,
    quote,
)

MILESTONE_USAGE = "`/commit milestone #N ‹number› by YYYY-MM-DD`"
RENEGOTIATE_USAGE = "`/commit renegotiate #N ‹target› by YYYY-MM-DD ‹reason›`"


@dataclass(frozen=True)
class AddMilestone:
    """`/commit milestone #N <number> by <YYYY-MM-DD>`: a sub-result."""

    number: int
    value: float
    due: date


@dataclass(frozen=True)
class Renegotiate:
    """`/commit renegotiate #N <target> by <YYYY-MM-DD> <reason>`."""

    number: int
    target: float
    due: date
    reason: str


def _fail(usage: str, field: str | None, reason: str = "") -> ParseError:
    return ParseError(f"{reason} Use {usage}.".strip(), field)


def _date(text: str, usage: str) -> date:
    match = _ISO_DATE_RE.fullmatch(text)
    try:
        if match is None:
            raise ValueError(text)
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        raise _fail(usage, "due", f"I couldn't read `{quote(text)}` as a date. {DATE_FORMAT_HINT}.") from None


def _head(rest: str, usage: str) -> tuple[int, float, date, str]:
    """`#N <number> by <date> [rest…]`."""
    parts = rest.split(None, 4)
    if len(parts) < 4 or parts[2].lower() != "by":
        raise _fail(usage, None)
    try:
        number = parse_commitment_number(parts[0])
        value = _number(parts[1], "value")
    except ParseError as error:
        raise _fail(usage, error.field, error.message) from None
    return number, value, _date(parts[3], usage), parts[4].strip() if len(parts) == 5 else ""


def parse_milestone(rest: str) -> AddMilestone:
    number, value, due, extra = _head(rest, MILESTONE_USAGE)
    if extra:
        raise _fail(MILESTONE_USAGE, None)
    return AddMilestone(number, value, due)


def parse_renegotiate(rest: str) -> Renegotiate:
    number, target, due, reason = _head(rest, RENEGOTIATE_USAGE)
    if not reason:
        raise _fail(RENEGOTIATE_USAGE, "reason", "Say why: the reason is part of the new promise.")
    if len(reason) > MAX_NOTE:
        raise _fail(RENEGOTIATE_USAGE, "reason", f"Keep the reason to {MAX_NOTE} characters (it has {len(reason)}).")
    return Renegotiate(number, target, due, reason)


SUBCOMMANDS = {"milestone": parse_milestone, "renegotiate": parse_renegotiate}
