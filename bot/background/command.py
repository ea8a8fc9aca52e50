"""Reading `/background` and the texts people surface (pure: no Slack calls, no database).

Texts here avoid `&` and `<` (placeholders are written `‹text›`), so they read the same whether
or not the caller escapes them. `ParseError` messages may quote what the person typed: the
caller escapes them once on the way out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.coaching.parsing import ParseError, quote
from bot.slack.text import unescape

MAX_TEXT = 1000  # a background conversation, and a new agreement

KINDS: dict[str, str] = {
    "possible": "Possible: what is now possible",
    "committed": "Committed: what we commit to",
    "breakthrough": "Breakthrough: what we now produce",
    "breakdown": "Breakdown: what is missing, said plainly",
    "integrity": "Integrity: how we keep our word",
}

EXAMPLE = "nothing ships here in under six months"

BACKGROUND_USAGE = "\n".join(
    [
        "*How to use `/background`*",
        "A background conversation is what everyone here already “knows” that limits what seems "
        "possible. Say it out loud, so the team can see it and reinvent it.",
        f"• `/background ‹what everyone knows›` — surface one, e.g. `/background {EXAMPLE}`",
        "• `/background` or `/background list` — this channel's background conversations, "
        "most recognised first, with their new agreements",
        "• `/background watch on` or `/background watch off` — when someone's message here sounds "
        "like a limiting belief, suggest to them alone that they surface it (off by default)",
        "• `/background help` — this help",
        "On any message: *⋯ → Surface background* surfaces what it says, with a link to it. "
        "Under each one, *Me too* says it runs you too, and *Reinvent* replaces it with a new agreement.",
    ]
)

SUBCOMMANDS = ("list", "help", "watch")


@dataclass(frozen=True)
class Surface:
    text: str


@dataclass(frozen=True)
class ListAll:
    pass


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Watch:
    on: bool


Parsed = Surface | ListAll | Help | Watch


def check_text(text: str, what: str = "background conversation") -> str:
    """A surfaced text or a new agreement, stripped; ParseError when empty or over-long."""
    cleaned = text.strip()
    if not cleaned:
        raise ParseError(f"Say the {what} in a few words.")
    if len(cleaned) > MAX_TEXT:
        raise ParseError(f"Keep the {what} under {MAX_TEXT:,} characters (this one has {len(cleaned):,}).")
    return cleaned


def parse_background_command(text: str) -> Parsed:
    """What follows `/background`, already unescaped."""
    cleaned = " ".join(text.split())
    if not cleaned or cleaned.lower() == "list":
        return ListAll()
    words = cleaned.split(" ")
    first = words[0].lower()
    if first == "help" and len(words) == 1:
        return Help()
    if first == "watch" and len(words) == 2 and words[1].lower() in ("on", "off"):
        return Watch(on=words[1].lower() == "on")
    if first in SUBCOMMANDS:
        if first == "watch":
            raise ParseError("Say `/background watch on` or `/background watch off`.")
        raise ParseError(f"`/background {first}` takes nothing after it.")
    if len(words) == 1:
        raise ParseError(
            f"`{quote(cleaned)}` isn't something `/background` does. To surface a background "
            f"conversation, say the belief as a sentence, e.g. `/background {EXAMPLE}`."
        )
    return Surface(check_text(text))


# Markup never spans a `<`: each pattern stops at the next one, so no match scans past it (a
# message of 40,000 `<!` is read in linear time, issue #14).
_LINK = re.compile(r"<((?:https?|mailto|ftp):[^|<>]*)(?:\|([^<>]*))?>")
_USER = re.compile(r"<@([A-Z0-9]+)(?:\|([^<>]*))?>")
_CHANNEL = re.compile(r"<#([A-Z0-9]+)(?:\|([^<>]*))?>")
_SPECIAL = re.compile(r"<!([^|<>]*)(?:\|([^<>]*))?>")


def readable(slack_text: str) -> str:
    """A message's text as a person reads it, as plain text: links become their label (or URL),
    mentions `@name`, `<!channel>` `@channel`; `&amp;` `&lt;` `&gt;` decoded once."""
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), slack_text or "")
    text = _USER.sub(lambda m: "@" + (m.group(2) or m.group(1)), text)
    text = _CHANNEL.sub(lambda m: "#" + (m.group(2) or m.group(1)), text)
    text = _SPECIAL.sub(lambda m: m.group(2) or "@" + m.group(1).split("^")[0], text)
    return unescape(text)


def prefill(text: str, limit: int = MAX_TEXT) -> str:
    """Text to prefill an input with: stripped, at most `limit` characters."""
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
