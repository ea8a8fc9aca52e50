"""Reading what people type: numbers, declarations and `/commit` subcommands.

Messages in `ParseError` are plain text and may quote what the person typed, so the
caller escapes them once on the way out. App-authored texts here (`COMMIT_USAGE`,
usage hints) avoid `&` and `<` (placeholders are written `‹number›`), so they read the
same whether or not the caller escapes them.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from zoneinfo import ZoneInfo, available_timezones

MAX_OUTCOME = 200
MAX_NOTE = 1000
MAX_UNIT = 40
MAX_DECLARATION_TEXT = 4000

DATE_FORMAT_HINT = "Use YYYY-MM-DD"
SPEC_EXAMPLE = "Weekly active teams: 120 → 300 teams by 2027-03-31 known 140"

_USAGE = {
    "declare": "`/commit ‹outcome›: ‹baseline› → ‹target› [unit] by YYYY-MM-DD [known ‹number›]`",
    "help": "`/commit help`",
    "status": "`/commit status` or `/commit status #N`",
    "progress": "`/commit progress #N ‹number› [note]`",
    "breakdown": "`/commit breakdown #N ‹what happened›`",
    "withdraw": "`/commit withdraw #N ‹reason›`",
    "checkin": "`/commit checkin ‹weekday› ‹HH:MM› [timezone]` or `/commit checkin off`",
    "holidays": "`/commit checkin holidays ‹country code›` or `/commit checkin holidays off`",
    "skip": "`/commit checkin skip YYYY-MM-DD`",
    "away": "`/commit away YYYY-MM-DD` or `/commit away off`",
    "enrol": "`/commit enrol #N @person…`",
}

COMMIT_USAGE = "\n".join(
    [
        "*How to use `/commit`*",
        "• `/commit` — declare a commitment in a form",
        f"• {_USAGE['declare']} — declare it directly "
        "(`→` may also be written `->` or `to`), "
        f"e.g. `/commit {SPEC_EXAMPLE}`",
        "• `/commit status` — this channel's active commitments",
        "• `/commit status #N` — one commitment's status, e.g. `/commit status #3`",
        "• `/commit progress #N ‹number› [note]` — report progress, "
        "e.g. `/commit progress #3 145 two new teams onboarded`",
        "• `/commit breakdown #N ‹what happened›` — declare a breakdown, "
        "e.g. `/commit breakdown #3 the launch slipped by a month`",
        "• `/commit withdraw #N ‹reason›` — end your commitment, e.g. `/commit withdraw #3 merged into #5`",
        "• `/commit checkin ‹weekday› ‹HH:MM› [timezone]` — set this channel's weekly check-in, "
        "e.g. `/commit checkin monday 09:00 Europe/Paris`",
        "• `/commit checkin off` — stop this channel's weekly check-in",
        "• `/commit checkin holidays ‹country code›` — no check-in on that country's public holidays "
        "(it moves to the next working day of the week), e.g. `/commit checkin holidays DE`; "
        "`/commit checkin holidays off` to stop",
        "• `/commit checkin skip YYYY-MM-DD` — no check-in in the week of that date, "
        "e.g. `/commit checkin skip 2026-12-28`",
        "• `/commit away YYYY-MM-DD` — you're away until that day (inclusive): no nudges or reminders, "
        "e.g. `/commit away 2027-01-04`; `/commit away off` when you're back",
        "• `/commit enrol #N @person…` — invite people to enrol in a commitment you're in, "
        "mentioning each one, like `/commit enrol #3 @maya @li`",
        "• `/commit milestone #N ‹number› by YYYY-MM-DD` — add a sub-result on the way, "
        "e.g. `/commit milestone #3 180 by 2027-01-15`",
        "• `/commit renegotiate #N ‹target› by YYYY-MM-DD ‹reason›` — the owner changes the target and/or "
        "due date, saying why, e.g. `/commit renegotiate #3 260 by 2027-04-30 the market shrank`",
        "• `/commit help` — this help",
    ]
)


class ParseError(ValueError):
    """A person's text could not be read; `message` says why, `field` says where."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __repr__(self) -> str:
        return f"ParseError({self.message!r}, field={self.field!r})"


def quote(text: str, limit: int = 40) -> str:
    """Echo typed text safely inside backticks: one line, no backticks, short."""
    shown = " ".join(text.split()).replace("`", "'")
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


# ---------------------------------------------------------------- numbers

_NUMBER_RE = re.compile(r"([+\-\u2212]?)((?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|\.[0-9]+)(%?)")
_NUMBER_PREFIX_RE = re.compile(r"[+\-\u2212]?[0-9][0-9,.]*%?")


def parse_number(text: str) -> float:
    """Read `1,200`, `3.5`, `+5`, `-2`, `−2` or `40%` as a float."""
    cleaned = text.strip()
    if not cleaned:
        raise ParseError("A number is missing.")
    match = _NUMBER_RE.fullmatch(cleaned)
    if match is None:
        raise ParseError(f"I couldn't read `{quote(cleaned)}` as a number.")
    sign, digits, _percent = match.groups()
    value = float(digits.replace(",", ""))
    if not math.isfinite(value):
        raise ParseError(f"`{quote(cleaned)}` is too large a number.")
    return -value if sign and sign != "+" else value


def _number(text: str, field: str) -> float:
    try:
        return parse_number(text)
    except ParseError as error:
        raise ParseError(error.message, field) from None


def _format_number(value: float) -> str:
    """Plain positional digits that read back as exactly the same float."""
    text = format(Decimal(repr(value)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


# ---------------------------------------------------------------- declarations


@dataclass(frozen=True)
class Declaration:
    """A commitment as declared: outcome, baseline → target, unit, due date, known."""

    outcome: str
    baseline: float
    target: float
    unit: str | None
    due: date
    known: float | None


class _NotADeclaration(Exception):
    """The text has not even the shape of a declaration."""


_ISO_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_BY_RE = re.compile(r"(?<=\s)by\b", re.IGNORECASE)
_TO_RE = re.compile(r"(?<=\s)to(?=\s)", re.IGNORECASE)
_KNOWN_RE = re.compile(r"(?<=\s)known\b", re.IGNORECASE)
_KNOWN_IN_UNIT_RE = re.compile(r"(?:^|\s)known\s+(\S+)$", re.IGNORECASE)


def _iso_date(cleaned: str) -> date:
    """YYYY-MM-DD as a date; ValueError otherwise (a wrong shape or a day that doesn't exist)."""
    match = _ISO_DATE_RE.fullmatch(cleaned)
    if match is None:
        raise ValueError(cleaned)
    return date(*(int(part) for part in match.groups()))


def _parse_due(text: str) -> date:
    cleaned = text.strip()
    if not cleaned:
        raise ParseError(f"Add the due date after `by`. {DATE_FORMAT_HINT}.", "due")
    try:
        return _iso_date(cleaned)
    except ValueError:
        raise ParseError(f"I couldn't read `{quote(cleaned)}` as a date. {DATE_FORMAT_HINT}.", "due") from None


def _split_arrow(head: str) -> tuple[str, str, bool]:
    """Split `baseline → target [unit]` at the first arrow; bool: a symbol arrow."""
    positions = [p for p in (head.find("->"), head.find("\u2192")) if p >= 0]
    if positions:
        at = min(positions)
        width = 2 if head.startswith("->", at) else 1
        return head[:at], head[at + width :], True
    match = _TO_RE.search(head)
    if match is None:
        raise _NotADeclaration
    return head[: match.start()], head[match.end() :], False


def _split_target(text: str) -> tuple[str, str | None]:
    """Split `target [unit]`; `10ms` gives (`10`, `ms`)."""
    parts = text.split(None, 1)
    if not parts:
        raise ParseError("Give the target number after the arrow.", "target")
    target_text, unit = parts[0], (parts[1] if len(parts) == 2 else None)
    try:
        parse_number(target_text)
    except ParseError as error:
        prefix = _NUMBER_PREFIX_RE.match(target_text)
        if prefix is None or prefix.end() == len(target_text):
            raise ParseError(error.message, "target") from None
        suffix = target_text[prefix.end() :]
        target_text = prefix.group()
        unit = suffix if unit is None else f"{suffix} {unit}"
    return target_text, unit


def _clean_unit(unit: str | None) -> str | None:
    if unit is None:
        return None
    cleaned = " ".join(unit.split())
    misplaced = _KNOWN_IN_UNIT_RE.search(cleaned)
    if misplaced is not None:
        try:
            parse_number(misplaced.group(1))
        except ParseError:
            pass
        else:
            raise ParseError(
                "Put `known ‹number›` after the due date, e.g. `by 2027-03-31 known 140`.",
                "known",
            )
    return cleaned or None


def _parse_known(tail: str) -> tuple[str, float | None]:
    """Split `YYYY-MM-DD [known N]` into the due text and the known value."""
    match = _KNOWN_RE.search(tail)
    if match is None:
        return tail, None
    known_text = tail[match.end() :].strip()
    if not known_text:
        raise ParseError("Put a number after `known`, e.g. `known 140`.", "known")
    return tail[: match.start()], _number(known_text, "known")


def _parse_rest(outcome: str, rest: str) -> Declaration:
    """Read `baseline → target [unit] by date [known N]` after the outcome's colon."""
    by_matches = list(_BY_RE.finditer(rest))
    head = rest[: by_matches[-1].start()] if by_matches else rest
    baseline_text, after_arrow, symbol_arrow = _split_arrow(head)
    try:
        baseline = _number(baseline_text, "baseline")
    except ParseError:
        if not symbol_arrow:
            raise _NotADeclaration from None
        raise
    target_text, unit = _split_target(after_arrow)
    target = _number(target_text, "target")
    unit = _clean_unit(unit)
    if not by_matches:
        raise ParseError("Add the due date at the end: `by YYYY-MM-DD`.", "due")
    due_text, known = _parse_known(rest[by_matches[-1].end() :])
    due = _parse_due(due_text)
    if unit is None and baseline_text.strip().endswith("%") and target_text.endswith("%"):
        unit = "%"
    return Declaration(outcome.strip(), baseline, target, unit, due, known)


def parse_declaration(text: str) -> Declaration:
    """Read `<outcome>: <baseline> -> <target> [unit] by <YYYY-MM-DD> [known <number>]`.

    The outcome ends at the last colon after which the rest reads as a declaration,
    so outcomes may contain colons.
    """
    if len(text) > MAX_DECLARATION_TEXT:
        raise ParseError(
            f"That's too long for a declaration: keep the outcome under {MAX_OUTCOME} characters.",
            "outcome",
        )
    first_error: ParseError | None = None
    colons = [at for at, char in enumerate(text) if char == ":"]
    for at in reversed(colons):
        try:
            return _parse_rest(text[:at], text[at + 1 :])
        except _NotADeclaration:
            continue
        except ParseError as error:
            first_error = first_error or error
    if first_error is not None:
        raise first_error
    try:
        _parse_rest("", text)
    except (_NotADeclaration, ParseError):
        raise ParseError("That doesn't look like a declaration.") from None
    raise ParseError(f"Start with the outcome, then a colon, e.g. `{SPEC_EXAMPLE}`.", "outcome")


def format_declaration(d: Declaration) -> str:
    """The canonical text of a declaration; `parse_declaration` reads it back exactly."""
    percent = "%" if d.unit == "%" else ""
    text = f"{d.outcome}: {_format_number(d.baseline)}{percent} → {_format_number(d.target)}{percent}"
    if d.unit and not percent:
        text += f" {d.unit}"
    text += f" by {d.due.isoformat()}"
    if d.known is not None:
        text += f" known {_format_number(d.known)}{percent}"
    return text


def validate_declaration(d: Declaration, today: date) -> list[ParseError]:
    """Every problem with a declaration made today, each naming its field."""
    problems: list[ParseError] = []
    outcome = d.outcome.strip()
    if not outcome:
        problems.append(ParseError("Say what outcome you commit to.", "outcome"))
    elif len(outcome) > MAX_OUTCOME:
        problems.append(
            ParseError(
                f"Keep the outcome to {MAX_OUTCOME} characters (it has {len(outcome)}).",
                "outcome",
            )
        )
    for field, value in (("baseline", d.baseline), ("target", d.target), ("known", d.known)):
        if value is not None and not math.isfinite(value):
            problems.append(ParseError(f"The {field} must be a finite number.", field))
    if d.target == d.baseline:
        problems.append(ParseError("The target must differ from the baseline: commit to a change.", "target"))
    if d.unit is not None and len(d.unit) > MAX_UNIT:
        problems.append(ParseError(f"Keep the unit to {MAX_UNIT} characters.", "unit"))
    if d.due <= today:
        problems.append(ParseError(f"The due date must be after today ({today.isoformat()}).", "due"))
    return problems


# ---------------------------------------------------------------- /commit subcommands


@dataclass(frozen=True)
class OpenModal:
    """`/commit` alone: open the declaration form."""


@dataclass(frozen=True)
class Help:
    """`/commit help`."""


@dataclass(frozen=True)
class StatusAll:
    """`/commit status`: every active commitment of the channel."""


@dataclass(frozen=True)
class StatusOne:
    """`/commit status #N`."""

    number: int


@dataclass(frozen=True)
class Progress:
    """`/commit progress #N <number> [note]`."""

    number: int
    value: float
    note: str | None


@dataclass(frozen=True)
class DeclareBreakdown:
    """`/commit breakdown #N <what happened>`."""

    number: int
    what: str


@dataclass(frozen=True)
class Withdraw:
    """`/commit withdraw #N <reason>`."""

    number: int
    reason: str


@dataclass(frozen=True)
class SetCheckin:
    """`/commit checkin <weekday> <HH:MM> [timezone]`; Monday is 0."""

    weekday: int
    at: time
    timezone: str | None


@dataclass(frozen=True)
class CheckinOff:
    """`/commit checkin off`."""


@dataclass(frozen=True)
class SetHolidays:
    """`/commit checkin holidays <country code>`: an ISO 3166-1 alpha-2 code, upper case."""

    country: str


@dataclass(frozen=True)
class HolidaysOff:
    """`/commit checkin holidays off`."""


@dataclass(frozen=True)
class SkipWeek:
    """`/commit checkin skip <YYYY-MM-DD>`: no check-in in the ISO week of `day` (not yet
    checked against today: see `check_skip_date`)."""

    day: date


@dataclass(frozen=True)
class SetAway:
    """`/commit away <YYYY-MM-DD>`: the caller is away until `until`, inclusive (not yet
    checked against today: see `check_away_date`)."""

    until: date


@dataclass(frozen=True)
class AwayOff:
    """`/commit away off`."""


@dataclass(frozen=True)
class Enrol:
    """`/commit enrol #N @person…`: Slack user ids of the people mentioned, in order, once each."""

    number: int
    people: tuple[str, ...]


@dataclass(frozen=True)
class Declare:
    """`/commit <declaration>` (not yet validated against today)."""

    declaration: Declaration


CommitCommand = (
    OpenModal
    | Help
    | StatusAll
    | StatusOne
    | Progress
    | DeclareBreakdown
    | Withdraw
    | SetCheckin
    | CheckinOff
    | SetHolidays
    | HolidaysOff
    | SkipWeek
    | SetAway
    | AwayOff
    | Enrol
    | Declare
)

_COMMITMENT_NUMBER_RE = re.compile(r"#?([0-9]{1,9})")
_TIME_RE = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")
_ZONE_NAME_RE = re.compile(r"[A-Za-z0-9_+\-/]{1,64}")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_NUMBERS = {
    **{name: number for number, name in enumerate(WEEKDAYS)},
    **{name[:3]: number for number, name in enumerate(WEEKDAYS)},
}


def _usage_error(subcommand: str, field: str | None = None, reason: str = "") -> ParseError:
    prefix = f"{reason} " if reason else ""
    return ParseError(f"{prefix}Use {_USAGE[subcommand]}.", field)


def parse_commitment_number(text: str) -> int:
    """Read a commitment number written `#12` or `12`."""
    match = _COMMITMENT_NUMBER_RE.fullmatch(text.strip())
    if match is None or int(match.group(1)) == 0:
        raise ParseError(
            f"I couldn't read `{quote(text)}` as a commitment number: write it like `#3`.",
            "number",
        )
    return int(match.group(1))


def _number_for(subcommand: str, text: str) -> int:
    try:
        return parse_commitment_number(text)
    except ParseError as error:
        raise _usage_error(subcommand, "number", error.message) from None


def _long_text(subcommand: str, text: str, what: str) -> str:
    cleaned = text.strip()
    if len(cleaned) > MAX_NOTE:
        raise _usage_error(subcommand, "note", f"Keep the {what} to {MAX_NOTE} characters (it has {len(cleaned)}).")
    return cleaned


def _parse_help(rest: str) -> Help:
    if rest.strip():
        raise _usage_error("help")
    return Help()


def _parse_status(rest: str) -> StatusAll | StatusOne:
    parts = rest.split()
    if not parts:
        return StatusAll()
    if len(parts) > 1:
        raise _usage_error("status")
    return StatusOne(_number_for("status", parts[0]))


def _parse_progress(rest: str) -> Progress:
    parts = rest.split(None, 2)
    if len(parts) < 2:
        raise _usage_error("progress")
    number = _number_for("progress", parts[0])
    try:
        value = _number(parts[1], "value")
    except ParseError as error:
        raise _usage_error("progress", "value", error.message) from None
    note = _long_text("progress", parts[2], "note") if len(parts) == 3 else ""
    return Progress(number, value, note or None)


def _parse_number_and_text(subcommand: str, rest: str, what: str, missing: str) -> tuple[int, str]:
    parts = rest.split(None, 1)
    if not parts:
        raise _usage_error(subcommand)
    number = _number_for(subcommand, parts[0])
    text = _long_text(subcommand, parts[1], what) if len(parts) == 2 else ""
    if not text:
        raise _usage_error(subcommand, "note", missing)
    return number, text


def _parse_breakdown(rest: str) -> DeclareBreakdown:
    return DeclareBreakdown(*_parse_number_and_text("breakdown", rest, "description", "Say what happened."))


def _parse_withdraw(rest: str) -> Withdraw:
    return Withdraw(*_parse_number_and_text("withdraw", rest, "reason", "Say why you withdraw it."))


@functools.lru_cache(maxsize=1)
def _zones_by_lowercase() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def _parse_timezone(text: str) -> str:
    """An IANA timezone name known to zoneinfo (case-insensitive)."""
    if _ZONE_NAME_RE.fullmatch(text):
        try:
            ZoneInfo(text)
            return text
        except (ValueError, KeyError, OSError):
            pass
        known = _zones_by_lowercase().get(text.lower())
        if known is not None:
            return known
    raise ParseError(
        f"I don't know the timezone `{quote(text)}`. Use an IANA name like `Europe/Paris`.",
        "timezone",
    )


def _parse_weekday(text: str) -> int:
    number = _WEEKDAY_NUMBERS.get(text.lower())
    if number is None:
        raise _usage_error(
            "checkin",
            "weekday",
            f"I couldn't read `{quote(text)}` as a day of the week: write `monday` or `mon`.",
        )
    return number


def _parse_time(text: str) -> time:
    match = _TIME_RE.fullmatch(text)
    if match is None:
        raise _usage_error(
            "checkin",
            "time",
            f"I couldn't read `{quote(text)}` as a time: use 24-hour HH:MM, like `09:00`.",
        )
    return time(int(match.group(1)), int(match.group(2)))


@functools.lru_cache(maxsize=1)
def holiday_countries() -> frozenset[str]:
    """The country codes the `holidays` package knows public holidays for (imported on first
    use: only `checkin holidays` and channels with holidays set need it)."""
    import holidays

    return frozenset(code.upper() for code in holidays.list_supported_countries())


_COUNTRY_RE = re.compile(r"[A-Za-z]{2}")


def parse_country(text: str) -> str:
    """An ISO 3166-1 alpha-2 country code the `holidays` package knows (case-insensitive)."""
    code = text.strip().upper()
    if _COUNTRY_RE.fullmatch(code) and code in holiday_countries():
        return code
    raise _usage_error(
        "holidays",
        "country",
        f"I don't know public holidays for `{quote(text)}`: "
        "use a two-letter country code (ISO 3166-1), like `US`, `DE` or `IN`.",
    )


def parse_date(text: str, subcommand: str, field: str = "date") -> date:
    """A date written YYYY-MM-DD, or a ParseError with the subcommand's usage."""
    cleaned = text.strip()
    try:
        return _iso_date(cleaned)
    except ValueError:
        raise _usage_error(
            subcommand, field, f"I couldn't read `{quote(cleaned)}` as a date. {DATE_FORMAT_HINT}."
        ) from None


def _parse_holidays(parts: list[str]) -> SetHolidays | HolidaysOff:
    if len(parts) != 1:
        raise _usage_error("holidays")
    if parts[0].lower() == "off":
        return HolidaysOff()
    return SetHolidays(parse_country(parts[0]))


def _parse_skip(parts: list[str]) -> SkipWeek:
    if len(parts) != 1:
        raise _usage_error("skip")
    return SkipWeek(parse_date(parts[0], "skip"))


def _parse_checkin(rest: str) -> SetCheckin | CheckinOff | SetHolidays | HolidaysOff | SkipWeek:
    parts = rest.split()
    if len(parts) == 1 and parts[0].lower() == "off":
        return CheckinOff()
    if parts and parts[0].lower() == "holidays":
        return _parse_holidays(parts[1:])
    if parts and parts[0].lower() == "skip":
        return _parse_skip(parts[1:])
    if len(parts) not in (2, 3):
        raise _usage_error("checkin")
    weekday = _parse_weekday(parts[0])
    at = _parse_time(parts[1])
    timezone = _parse_timezone(parts[2]) if len(parts) == 3 else None
    return SetCheckin(weekday, at, timezone)


def _parse_away(rest: str) -> SetAway | AwayOff:
    parts = rest.split()
    if len(parts) != 1:
        raise _usage_error("away")
    if parts[0].lower() == "off":
        return AwayOff()
    return SetAway(parse_date(parts[0], "away"))


# A mention as Slack sends it when the command escapes: `<@U123>` or `<@U123|name>`.
_MENTION_RE = re.compile(r"<@([^|>\s]*)(?:\|[^>]*)?>")
USER_ID_RE = re.compile(r"^[UW][A-Z0-9]+$")
MAX_INVITES = 20


def _parse_enrol(rest: str) -> Enrol:
    parts = rest.split(None, 1)
    if not parts:
        raise _usage_error("enrol")
    number = _number_for("enrol", parts[0])
    tail = parts[1] if len(parts) == 2 else ""
    people = []
    for match in _MENTION_RE.finditer(tail):
        if not USER_ID_RE.fullmatch(match.group(1)):
            raise _usage_error("enrol", "people", f"`{quote(match.group(0))}` isn't a person I can invite.")
        people.append(match.group(1))
    leftover = _MENTION_RE.sub(" ", tail).replace(",", " ").split()
    if leftover:
        raise _usage_error(
            "enrol",
            "people",
            f"I couldn't read `{quote(leftover[0])}` as a person: mention each one with @ and pick them from the list.",
        )
    if not people:
        raise _usage_error("enrol", "people", "Mention who you invite.")
    people = list(dict.fromkeys(people))
    if len(people) > MAX_INVITES:
        raise _usage_error("enrol", "people", f"Invite up to {MAX_INVITES} people at a time.")
    return Enrol(number, tuple(people))


def check_skip_date(day: date, today: date) -> None:
    """`checkin skip` of a week already past (by ISO week, `today` in the channel's check-in
    timezone): a ParseError. This week and later weeks are fine."""
    if day.isocalendar()[:2] < today.isocalendar()[:2]:
        raise _usage_error(
            "skip", "date", f"{day.isoformat()} is in a week already past (today is {today.isoformat()})."
        )


def check_away_date(until: date, today: date) -> None:
    """`away` until a day before today: a ParseError. Today itself is fine (away today)."""
    if until < today:
        raise _usage_error(
            "away", "date", f"{until.isoformat()} is already past: give the last day you're away, today or later."
        )


_SUBCOMMANDS = {
    "help": _parse_help,
    "status": _parse_status,
    "progress": _parse_progress,
    "breakdown": _parse_breakdown,
    "withdraw": _parse_withdraw,
    "checkin": _parse_checkin,
    "away": _parse_away,
    "enrol": _parse_enrol,
    "enroll": _parse_enrol,
}


def _more_subcommands() -> None:
    """Subcommands parsed in their own modules (imported here, after this module is complete)."""
    from bot.coaching.terms_parsing import SUBCOMMANDS

    _SUBCOMMANDS.update(SUBCOMMANDS)


_more_subcommands()


def parse_commit_command(text: str) -> CommitCommand:
    """Read the text after `/commit` (already unescaped) as one command.

    A text starting with a keyword that reads as a declaration instead
    (`Status calls per week: 5 -> 2 by 2027-01-01`) is a declaration.
    """
    stripped = text.strip()
    if not stripped:
        return OpenModal()
    keyword = stripped.split(None, 1)[0]
    rest = stripped[len(keyword) :]
    subcommand = _SUBCOMMANDS.get(keyword.lower())
    if subcommand is not None:
        try:
            return subcommand(rest)
        except ParseError as subcommand_error:
            try:
                return Declare(parse_declaration(stripped))
            except ParseError as declaration_error:
                if declaration_error.field in (None, "outcome"):
                    raise subcommand_error from None
                raise declaration_error from None
    try:
        return Declare(parse_declaration(stripped))
    except ParseError as error:
        if error.field is None:
            raise ParseError(f"I didn't understand `{quote(keyword)}`.") from None
        raise
