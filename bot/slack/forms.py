"""One parser for a modal's `view.state.values`: {block_id: the value a person chose}."""

from __future__ import annotations

from bot.slack.guard import ModalErrors
from bot.slack.workspace import CHANNEL_ID, check_user

NOT_A_PERSON = "Pick people from the list."
NOT_A_CHANNEL = "Pick a channel from the list."


def form_values(view: dict) -> dict[str, object]:
    """Ids picked (users, channels) are checked: one Slack would never send is an error on its
    block (bot/slack/workspace.py)."""
    values: dict[str, object] = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        for element in actions.values():
            kind = element.get("type")
            if kind in ("plain_text_input", "number_input", "email_text_input", "url_text_input"):
                values[block_id] = element.get("value")
            elif kind == "datepicker":
                values[block_id] = element.get("selected_date")
            elif kind == "timepicker":
                values[block_id] = element.get("selected_time")
            elif kind in ("users_select",):
                values[block_id] = _user(block_id, element.get("selected_user"))
            elif kind == "multi_users_select":
                values[block_id] = [_user(block_id, user) for user in element.get("selected_users") or []]
            elif kind in ("static_select", "radio_buttons"):
                option = element.get("selected_option")
                values[block_id] = option.get("value") if option else None
            elif kind == "conversations_select":
                values[block_id] = _channel(block_id, element.get("selected_conversation"))
            elif kind == "channels_select":
                values[block_id] = _channel(block_id, element.get("selected_channel"))
            else:
                values[block_id] = element.get("value")
    return values


def _user(block_id: str, value: object) -> str | None:
    if value is None:
        return None
    if check_user(value) is None:
        raise ModalErrors({block_id: NOT_A_PERSON})
    return value  # type: ignore[return-value]


def _channel(block_id: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not CHANNEL_ID.match(value):
        raise ModalErrors({block_id: NOT_A_CHANNEL})
    return value


def text_value(values: dict, block_id: str) -> str:
    """A text input's value, stripped; '' when empty."""
    value = values.get(block_id)
    return str(value).strip() if value is not None else ""
