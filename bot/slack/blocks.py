"""Block Kit's small parts, shared by every domain's views: pure functions returning dicts."""

from __future__ import annotations

import re

SECTION_LIMIT = 3000  # characters in a section's or context element's text
_PARTIAL_ENTITY = re.compile(r"&[a-z]*$")


def fit(text: str, limit: int = SECTION_LIMIT) -> str:
    """Cut text to Slack's limit without leaving half an escaped entity (`&am`) behind."""
    if len(text) <= limit:
        return text
    return _PARTIAL_ENTITY.sub("", text[: limit - 1]) + "…"


def section(text: str, block_id: str | None = None, accessory: dict | None = None) -> dict:
    block = {"type": "section", "text": {"type": "mrkdwn", "text": fit(text)}}
    if block_id:
        block["block_id"] = block_id
    if accessory:
        block["accessory"] = accessory
    return block


def context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": fit(text)}]}


def header(text: str) -> dict:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:150]}}


def divider() -> dict:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict:
    block = {"type": "button", "text": {"type": "plain_text", "text": text}, "action_id": action_id, "value": value}
    if style:
        block["style"] = style
    return block


def actions(*buttons: dict, block_id: str | None = None) -> dict:
    block = {"type": "actions", "elements": list(buttons)}
    if block_id:
        block["block_id"] = block_id
    return block


def input_block(block_id: str, label: str, element: dict, optional: bool = False, hint: str | None = None) -> dict:
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


def text_input(
    action_id: str, multiline: bool = False, max_length: int | None = None, initial: str | None = None
) -> dict:
    element = {"type": "plain_text_input", "action_id": action_id, "multiline": multiline}
    if max_length:
        element["max_length"] = max_length
    if initial:
        element["initial_value"] = initial
    return element


def number_input(action_id: str) -> dict:
    return {"type": "number_input", "action_id": action_id, "is_decimal_allowed": True}


def modal(callback_id: str, title: str, submit: str, blocks: list[dict], metadata: str) -> dict:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": {"type": "plain_text", "text": title[:24]},
        "submit": {"type": "plain_text", "text": submit},
        "close": {"type": "plain_text", "text": "Cancel"},
        "private_metadata": metadata,
        "blocks": blocks,
    }
