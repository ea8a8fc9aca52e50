"""Check-ins as plain text, for `coach checkin` and its dry runs."""

from __future__ import annotations

from bot.checkins.runner import CheckinResult, Message


def render(message: Message) -> str:
    """A message as plain lines: its blocks' text, buttons as [labels]."""
    text, blocks = message
    lines = []
    for block in blocks:
        if block.get("type") == "section":
            lines.append(block["text"]["text"])
        elif block.get("type") == "context":
            lines.extend(e.get("text", "") for e in block["elements"])
        elif block.get("type") == "actions":
            lines.append(" ".join(f"[{e['text']['text']}]" for e in block["elements"]))
    return "\n".join(lines) or text


def describe(result: CheckinResult) -> str:
    where = f"{result.team_id}/{result.channel_id}"
    if result.dry_run:
        head = f"Would post the check-in of {result.week} in {where}:"
    elif result.posted:
        head = f"Posted the check-in of {result.week} in {where} (ts {result.ts})."
    elif result.error == "already_posted":
        return f"The check-in of {result.week} in {where} was already posted by another run."
    else:
        paused = " Check-ins there are paused; its commitment owners were told." if result.paused else ""
        return f"Could not post the check-in of {result.week} in {where}: {result.error}.{paused}"
    if not result.dry_run:
        return head
    parts = [head]
    for message in result.messages:
        parts.append(_indent(render(message)))
    for home_ts, message in result.replies:
        parts.append(f"  …and in the thread {home_ts}:")
        parts.append(_indent(render(message), "    "))
    return "\n".join(parts)


def _indent(text: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())
