"""People's text: unescape once on the way in, escape once on the way out (SPEC §3)."""

from __future__ import annotations

import math
import re
from datetime import date

# Control characters (NUL, ESC, DEL, C1…) but newline and tab, and lone surrogates: nothing a
# person means to type, and NUL or a surrogate can't even be stored in PostgreSQL's text.
_UNTYPED = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_typed(text: str) -> str:
    """Typed text without the control characters (but newline and tab) nobody types."""
    return _UNTYPED.sub("", text)


def unescape(text: str) -> str:
    """What the person typed, from what Slack sent (`&amp;`, `&lt;`, `&gt;` decoded once), with
    control characters taken out (`clean_typed`)."""
    return clean_typed(text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def escape(text: str) -> str:
    """Safe to post: no typed text can ping @channel or forge a link or mention."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def user(user_id: str) -> str:
    return f"<@{user_id}>"


def users(user_ids) -> str:
    return ", ".join(user(u) for u in user_ids) or "nobody yet"


def number(value: float) -> str:
    """12, 12.5, 1,200, 205.7, 0.125: no trailing zeros, and no more decimals than a person
    reads (two from 1 up, three significant digits below), so projections stay legible."""
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    if abs(value) >= 1:
        decimals = 2
    else:
        decimals = max(2, 2 - math.floor(math.log10(abs(value))))
    shown = f"{value:,.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if shown in ("-0", "") else shown


def quantity(value: float, unit: str | None) -> str:
    if not unit:
        return number(value)
    if unit == "%":
        return f"{number(value)}%"
    return f"{number(value)} {escape(unit)}"


def day(value: date) -> str:
    return value.strftime("%a %d %b %Y")


def days_left(today: date, due: date) -> str:
    left = (due - today).days
    if left > 1:
        return f"{left} days left"
    if left == 1:
        return "1 day left"
    if left == 0:
        return "due today"
    return f"{-left} days past due"


def progress_bar(fraction: float, width: int = 10) -> str:
    filled = max(0, min(width, round(fraction * width)))
    return "█" * filled + "░" * (width - filled)
