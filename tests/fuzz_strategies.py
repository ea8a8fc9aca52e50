"""Hypothesis strategies for what could reach `POST /slack/events` signed (issue #14 item 9):
slash commands, block actions (every action id), view submissions (every callback id),
shortcuts and events, in Slack's shapes with hostile values, and in broken shapes.

Shared by tests/test_fuzz.py and bench/fuzz.py. Each example is a `Request`: the body as
Slack would send it, its content type, and whether it is `invalid`: hostile in a way that must
never write a row (an id that is no id, a workspace that isn't ours, a shape Slack never sends).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlencode

from hypothesis import strategies as st

from bot import ids

ACTION_IDS = sorted(
    {
        ids.COMMITMENT_ENROLL,
        ids.COMMITMENT_PROGRESS,
        ids.COMMITMENT_KNOWN,
        ids.CHECKIN_ADD_ACTION,
        ids.ACTION_KEPT,
        ids.ACTION_NOT_KEPT,
        ids.ACTION_ACCEPT,
        ids.ACTION_DECLINE,
        ids.ACTION_COUNTER,
        ids.COUNTER_ACCEPT,
        ids.COUNTER_REJECT,
        ids.PROGRESS_SAME,
        ids.ACTION_REDATE,
        ids.BACKGROUND_ME_TOO,
        ids.BACKGROUND_REINVENT,
        ids.BACKGROUND_SUGGEST,
        ids.HOME_DECLARE,
    }
)
CALLBACK_IDS = [
    ids.COMMIT_MODAL,
    ids.PROGRESS_MODAL,
    ids.ACTION_MODAL,
    ids.BACKGROUND_MODAL,
    ids.AGREEMENT_MODAL,
    ids.KNOWN_MODAL,
    ids.COUNTER_MODAL,
    ids.REDATE_MODAL,
]
BLOCK_IDS = [
    ids.OUTCOME,
    ids.BASELINE,
    ids.TARGET,
    ids.UNIT,
    ids.DUE,
    ids.KNOWN,
    ids.MEMBERS,
    ids.VALUE,
    ids.NOTE,
    ids.WHAT,
    ids.OWNER,
    ids.TEXT,
    ids.AGREEMENT,
    ids.KIND,
    ids.CHANNEL,
]
ELEMENT_TYPES = [
    "plain_text_input",
    "number_input",
    "datepicker",
    "timepicker",
    "users_select",
    "multi_users_select",
    "static_select",
    "radio_buttons",
    "conversations_select",
    "channels_select",
    "checkboxes",
]
HOSTILE = [
    "99999999999999999999",
    "9223372036854775808",
    "-1",
    "0",
    "1e400",
    "NaN",
    "-inf",
    "<!channel>",
    "<!here|here>",
    "U5> <!channel",
    "&lt;!everyone&gt;",
    "a\x00b",
    "\x00",
    "\x1b[31m\x7f",
    "💥\u202e\ufeff",
    "#1",
    "#99999999999999999999",
    "1:home:2:2027-01-05:x",
    '{"commitment": 1e999}',
    '{"channel": "C9", "ts": {"a": 1}}',
    "x" * 5000,
    "<" * 2000,
]
# A word of text a person could type: ordinary, hostile, or anything.
words = st.one_of(
    st.sampled_from(
        [
            "progress",
            "status",
            "withdraw",
            "breakdown",
            "checkin",
            "away",
            "help",
            "list",
            "watch",
            "on",
            "off",
            "holidays",
            "skip",
            "#1",
            "#2",
            "150",
            "->",
            "by",
            "2027-03-31",
            "known",
            "friday",
            "16:30",
            "Europe/Paris",
            "we can't ship",
        ]
    ),
    st.sampled_from(HOSTILE),
    st.text(max_size=20),
)
typed = st.lists(words, max_size=8).map(" ".join)
# Something of any JSON type where Slack sends a string.
anything = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20) | st.sampled_from(HOSTILE),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
good_user = st.sampled_from(["U1", "U2", "U3"])
bad_user = st.sampled_from(["U5> <!channel", "<!channel>", "u1", "", "U" + "1" * 40, "U1\x00", "C1"])
good_channel = st.sampled_from(["C1", "C2"])
bad_channel = st.sampled_from(["C1> <!here", "", "c1", "#general", "C1\x00", "U1"])
bad_team = st.sampled_from(["T2", "", "T1> <!channel", "E1"])


@dataclass(frozen=True)
class Request:
    kind: str
    body: str
    content_type: str
    invalid: bool

    def __repr__(self) -> str:  # hypothesis prints failing examples: keep them legible
        return f"Request({self.kind!r}, invalid={self.invalid}, body={self.body[:300]!r})"


FORM = "application/x-www-form-urlencoded"


def _form(payload: dict) -> str:
    return urlencode({"payload": json.dumps(payload)})


@st.composite
def who(draw) -> tuple[str, str, str, bool]:
    """(team, user, channel, invalid): mostly ours, sometimes not ids or not our workspace."""
    team, user, channel = "T1", draw(good_user), draw(good_channel)
    bad = draw(st.sampled_from(["", "", "", "team", "user", "channel"]))
    if bad == "team":
        team = draw(bad_team)
    elif bad == "user":
        user = draw(bad_user)
    elif bad == "channel":
        channel = draw(bad_channel)
    return team, user, channel, bool(bad)


@st.composite
def commands(draw) -> Request:
    team, user, channel, invalid = draw(who())
    command = draw(st.sampled_from([ids.COMMIT_COMMAND, ids.BACKGROUND_COMMAND, "/other"]))
    fields = {
        "token": "legacy",
        "team_id": team,
        "channel_id": channel,
        "user_id": user,
        "command": command,
        "text": draw(typed),
        "response_url": "http://127.0.0.1:9/response",
        "trigger_id": f"t-{draw(st.integers(0, 10**9))}",
    }
    return Request("command", urlencode(fields), FORM, invalid)


@st.composite
def actions(draw) -> Request:
    team, user, channel, invalid = draw(who())
    action = {
        "type": "button",
        "action_id": draw(st.sampled_from(ACTION_IDS)),
        "block_id": "b",
        "value": draw(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=30), st.just("1"))),
    }
    if draw(st.booleans()):
        action["selected_date"] = draw(st.sampled_from(["2027-01-05", "2027-02-30", "x", "99999-01-01"]))
    payload = {
        "type": "block_actions",
        "team": {"id": team, "domain": "test"},
        "user": {"id": user, "team_id": team},
        "api_app_id": "A1",
        "trigger_id": f"t-{draw(st.integers(0, 10**9))}",
        "actions": [action],
        "container": {"type": "message", "message_ts": "1.2", "channel_id": channel},
        "channel": {"id": channel},
        "message": {"ts": "1.2", "text": draw(typed)},
        "response_url": "http://127.0.0.1:9/response",
    }
    if draw(st.booleans()):
        payload["view"] = {"id": "V1", "type": "home", "team_id": team, "app_installed_team_id": team}
    return Request("action", _form(payload), FORM, invalid)


@st.composite
def element(draw) -> dict:
    kind = draw(st.sampled_from(ELEMENT_TYPES))
    value = draw(st.one_of(st.sampled_from(HOSTILE), typed, st.just("12")))
    key = {
        "datepicker": "selected_date",
        "timepicker": "selected_time",
        "users_select": "selected_user",
        "multi_users_select": "selected_users",
        "conversations_select": "selected_conversation",
        "channels_select": "selected_channel",
    }.get(kind, "value")
    found: dict = {"type": kind}
    if kind == "multi_users_select":
        found[key] = draw(st.lists(st.one_of(good_user, bad_user), max_size=3))
    elif kind in ("static_select", "radio_buttons"):
        found["selected_option"] = {"value": value}
    else:
        found[key] = value
    return found


@st.composite
def submissions(draw) -> Request:
    team, user, _channel, invalid = draw(who())
    blocks = draw(st.lists(st.sampled_from(BLOCK_IDS), max_size=6, unique=True))
    values = {block: {block: draw(element())} for block in blocks}
    payload = {
        "type": "view_submission",
        "team": {"id": team, "domain": "test"},
        "user": {"id": user, "team_id": team},
        "api_app_id": "A1",
        "trigger_id": f"t-{draw(st.integers(0, 10**9))}",
        "view": {
            "id": "V1",
            "type": "modal",
            "team_id": team,
            "callback_id": draw(st.sampled_from(CALLBACK_IDS)),
            "private_metadata": draw(st.one_of(st.sampled_from(HOSTILE), st.sampled_from(["1", "1:home", "C1", ""]))),
            "state": {"values": values},
        },
    }
    return Request("submission", _form(payload), FORM, invalid)


@st.composite
def shortcuts(draw) -> Request:
    team, user, channel, invalid = draw(who())
    payload = {
        "type": "message_action",
        "callback_id": draw(st.sampled_from([ids.SURFACE_BACKGROUND, "other"])),
        "team": {"id": team},
        "user": {"id": user, "team_id": team},
        "channel": {"id": channel},
        "message": {"type": "message", "ts": "1.2", "text": draw(typed), "user": draw(good_user)},
        "message_ts": "1.2",
        "trigger_id": f"t-{draw(st.integers(0, 10**9))}",
        "response_url": "http://127.0.0.1:9/response",
    }
    return Request("shortcut", _form(payload), FORM, invalid)


@st.composite
def events(draw) -> Request:
    team, user, channel, invalid = draw(who())
    event = draw(
        st.sampled_from(
            [
                {"type": "app_home_opened", "tab": "home"},
                {"type": "message", "channel_type": "channel"},
                {"type": "app_mention"},
                {"type": "message", "subtype": "message_changed"},
            ]
        )
    )
    event = {**event, "user": user, "channel": channel, "ts": "1700000000.000100", "text": draw(typed)}
    if draw(st.booleans()):
        event["thread_ts"] = draw(st.sampled_from(["1700000000.000100", "x", "99999999999999999999"]))
    body = {
        "token": "legacy",
        "team_id": team,
        "api_app_id": "A1",
        "type": "event_callback",
        "event": event,
        "event_id": f"Ev{draw(st.integers(0, 10**12))}",
        "event_time": 1,
        "authorizations": [{"team_id": team, "user_id": "UBOT", "is_bot": True}],
    }
    return Request("event", json.dumps(body), "application/json", invalid)


@st.composite
def broken(draw) -> Request:
    """Shapes Slack never sends: a valid envelope with parts of the wrong type, or anything."""
    kind = draw(st.sampled_from(["actions", "view", "team", "user", "channel", "type", "callback_id", "whole"]))
    payload = {
        "type": draw(st.sampled_from(["block_actions", "view_submission", "message_action", "shortcut"])),
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "trigger_id": f"t-{draw(st.integers(0, 10**9))}",
        "actions": [{"action_id": draw(st.sampled_from(ACTION_IDS)), "value": "1"}],
        "view": {"callback_id": draw(st.sampled_from(CALLBACK_IDS)), "state": {"values": {}}},
    }
    if kind == "whole":
        body = json.dumps(draw(anything))
        return Request("broken", urlencode({"payload": body}), FORM, True)
    payload[kind] = draw(anything)
    return Request("broken", _form(payload), FORM, True)


requests = st.one_of(commands(), actions(), submissions(), shortcuts(), events(), broken())
