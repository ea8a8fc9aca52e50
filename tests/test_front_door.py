"""The front door (bot/ops/frontdoor.py, SPEC §3), through HTTP against the real app: requests
without Slack's signature get 401, bodies over 1 MiB 413, signed bodies Slack never sends 400;
none of them stores anything or reaches Slack, and each leaves one log line with no body and
no traceback."""

from __future__ import annotations

import http.client
import json
import logging
import socket
import time
from urllib.parse import urlencode, urlparse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.common import signature
from bot.ops.frontdoor import MAX_BODY, MAX_DEPTH, body_problem, too_deep
from storage.models import Commitment, Enrolment
from tests.harness import SIGNING_SECRET
from tests.helpers import DECLARE, rows

MARKER = "TYPED-BY-SOMEONE-7f3a"  # in every body below: it must never reach the log
RESPONSE_URL = "http://127.0.0.1:9/commands/T1/MARKER-URL"  # nothing listens: never called


def declare_fields(**extra) -> dict:
    return {
        "token": "legacy",
        "team_id": "T1",
        "team_domain": "test",
        "channel_id": "C1",
        "channel_name": "general",
        "user_id": "U1",
        "user_name": MARKER,
        "command": "/commit",
        "text": DECLARE,
        "api_app_id": "A1",
        "response_url": RESPONSE_URL,
        "trigger_id": "trigger-1",
        **extra,
    }


DECLARE_FORM = urlencode(declare_fields()).encode()


def payload(data) -> tuple[str, bytes]:
    return "application/x-www-form-urlencoded", urlencode({"payload": json.dumps(data)}).encode()


def as_json(data) -> tuple[str, bytes]:
    return "application/json", json.dumps(data).encode()


def nested(depth: int) -> dict:
    value: dict = {"text": MARKER}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


FORM = "application/x-www-form-urlencoded"
UNPARSEABLE = {
    "payload=notjson": (FORM, f"payload=notjson-{MARKER}&response_url={RESPONSE_URL}".encode()),
    "payload is an array": (FORM, b"payload=%5B1%2C2%5D"),
    "payload is a string": payload(MARKER),
    "JSON array": ("application/json", b"[1, 2]"),
    "JSON string": ("application/json", json.dumps(MARKER).encode()),
    "broken JSON": ("application/json", f'{{"command": "/commit", "text": "{MARKER}'.encode()),
    "JSON past the parser's depth": ("application/json", b"[" * 50_000 + b"]" * 50_000),
    f"JSON deeper than {MAX_DEPTH}": as_json(nested(MAX_DEPTH + 1)),
    "invalid UTF-8": (FORM, DECLARE_FORM + b"%20" + b"\xff\xfe"),
    "authorizations [1]": as_json({"authorizations": [1], "text": MARKER}),
    "a command whose user id is a number": as_json({**declare_fields(), "user_id": 5}),
    "a team that is a list": as_json({**declare_fields(), "team": [MARKER]}),
    "actions [{}]": payload(
        {"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U1"}, "actions": [{}], "text": MARKER}
    ),
    "actions an object": payload({"type": "block_actions", "team": {"id": "T1"}, "actions": {"a": MARKER}}),
    "a view without state": payload(
        {
            "type": "view_submission",
            "team": {"id": "T1"},
            "user": {"id": "U1"},
            "view": {"callback_id": "commit_modal", "private_metadata": MARKER},
        }
    ),
    "an event_id that is an object": as_json(
        {
            "type": "event_callback",
            "team_id": "T1",
            "event_id": {"id": MARKER},
            "event": {"type": "app_mention", "text": MARKER, "user": "U1", "channel": "C1", "ts": "1.1"},
        }
    ),
    "an event that is a string": as_json({"type": "event_callback", "team_id": "T1", "event": MARKER}),
}


def post(url: str, body: bytes, headers: dict[str, str], path: str = "/slack/events"):
    parts = urlparse(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def signed(body: bytes, content_type: str = FORM, timestamp: str | None = None, secret: str = SIGNING_SECRET):
    ts = timestamp if timestamp is not None else str(int(time.time()))
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature(secret, ts, body),
    }


def raw_head(url: str, head: str) -> bytes:
    """Send only a request's head (its body never comes) and read the whole answer."""
    parts = urlparse(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as s:
        s.sendall(head.encode())
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
            if b"\r\n\r\n" in answer and answer.endswith(b"\n"):
                break
    return answer


def assert_one_quiet_refusal(caplog, count: int = 1) -> None:
    refusals = [r for r in caplog.records if r.name == "bot.http" and r.getMessage().startswith("refused")]
    assert len(refusals) == count, caplog.text
    assert all(len(r.getMessage()) < 200 for r in refusals)
    assert not any(r.exc_info for r in caplog.records), caplog.text
    assert "Traceback" not in caplog.text
    assert MARKER not in caplog.text and "MARKER-URL" not in caplog.text and DECLARE not in caplog.text


def assert_nothing_happened(harness) -> None:
    harness.wait_idle()
    assert rows(harness, Commitment) == [] and rows(harness, Enrolment) == []
    assert harness.fake.calls() == []


@pytest.fixture
def quiet(caplog):
    caplog.set_level(logging.INFO)
    return caplog


# --- 401: not Slack's signature ---------------------------------------------------------------------


def _now() -> str:
    return str(int(time.time()))


BAD_SIGNATURES = {
    "no signature headers": lambda body: {"Content-Type": FORM},
    "no signature": lambda body: {"Content-Type": FORM, "X-Slack-Request-Timestamp": _now()},
    "a made-up signature": lambda body: {**signed(body), "X-Slack-Signature": "v0=" + "0" * 64},
    "another app's secret": lambda body: signed(body, secret="someone-else"),
    "signed for another body": lambda body: signed(body + b"&x=1") | {"Content-Length": str(len(body))},
    "a timestamp 6 minutes old": lambda body: signed(body, timestamp=str(int(time.time()) - 360)),
    "a timestamp 6 minutes ahead": lambda body: signed(body, timestamp=str(int(time.time()) + 360)),
    "timestamp abc": lambda body: signed(body, timestamp="abc"),
    "timestamp -5": lambda body: signed(body, timestamp="-5"),
    "timestamp 1e9": lambda body: signed(body, timestamp="1e9"),
    "an empty timestamp": lambda body: signed(body, timestamp=""),
}


def refuse_each(harness, caplog, cases: dict, status: int) -> None:
    """Send each case; each must get `status`, change nothing and log one quiet line."""
    answers = {}
    for case, (body, headers) in cases.items():
        caplog.clear()
        answers[case] = post(harness.url, body, headers)[0]
        assert_nothing_happened(harness)
        assert_one_quiet_refusal(caplog)
    assert answers == dict.fromkeys(cases, status)


def test_a_request_without_slacks_signature_gets_401_and_changes_nothing(slack, quiet):
    cases = {case: (DECLARE_FORM, headers(DECLARE_FORM)) for case, headers in BAD_SIGNATURES.items()}
    refuse_each(slack, quiet, cases, 401)


def test_an_unsigned_body_that_cant_be_parsed_gets_401_not_a_500(slack_sqlite, quiet):
    cases = {
        case: (body, {"Content-Type": content_type, "X-Slack-Request-Timestamp": _now()})
        for case, (content_type, body) in UNPARSEABLE.items()
    }
    refuse_each(slack_sqlite, quiet, cases, 401)


def declare_form(harness) -> bytes:
    return urlencode(declare_fields(response_url=harness.fake.response_url())).encode()


def test_a_signature_just_within_5_minutes_passes(slack_sqlite, quiet):
    body = declare_form(slack_sqlite)
    fresh = str(int(time.time()) - 290)
    assert post(slack_sqlite.url, body, signed(body, timestamp=fresh))[0] == 200
    slack_sqlite.wait_idle()
    assert len(rows(slack_sqlite, Commitment)) == 1


# --- 400: signed, but nothing Slack sends -------------------------------------------------------------


def test_a_signed_body_slack_never_sends_gets_400_and_changes_nothing(slack, quiet):
    cases = {case: (body, signed(body, content_type)) for case, (content_type, body) in UNPARSEABLE.items()}
    refuse_each(slack, quiet, cases, 400)


# --- 413: over 1 MiB ------------------------------------------------------------------------------------


def test_a_declared_body_over_1_mib_gets_413_before_it_is_sent(slack_sqlite, quiet):
    for path in ("/slack/events", "/healthz", "/slack/install", "/elsewhere"):
        quiet.clear()
        answer = raw_head(
            slack_sqlite.url,
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {FORM}\r\n"
            f"Content-Length: {10 * MAX_BODY}\r\nConnection: close\r\n\r\n",
        )
        assert answer.split(b" ", 2)[1] == b"413", (path, answer)
        assert_nothing_happened(slack_sqlite)
        assert_one_quiet_refusal(quiet)


def test_an_unsigned_body_of_exactly_1_mib_is_read_and_refused_401_unlogged(slack_sqlite, quiet):
    body = DECLARE_FORM + b"&pad=" + MARKER.encode() * ((MAX_BODY - len(DECLARE_FORM) - 5) // len(MARKER))
    body += b"x" * (MAX_BODY - len(body))
    assert len(body) == MAX_BODY

    status, _ = post(slack_sqlite.url, body, {"Content-Type": FORM, "X-Slack-Request-Timestamp": _now()})

    assert status == 401
    assert_nothing_happened(slack_sqlite)
    assert_one_quiet_refusal(quiet)


# --- what Slack does send still works --------------------------------------------------------------


def test_slacks_own_requests_still_pass(slack_sqlite, quiet):
    body = declare_form(slack_sqlite)
    assert post(slack_sqlite.url, body, signed(body))[0] == 200
    check = b"ssl_check=1&token=legacy"
    assert post(slack_sqlite.url, check, signed(check))[0] == 200
    challenge = json.dumps({"type": "url_verification", "challenge": "c-1", "token": "legacy"}).encode()
    status, answer = post(slack_sqlite.url, challenge, signed(challenge, "application/json"))
    assert status == 200 and b"c-1" in answer
    assert slack_sqlite.send.get("/healthz").status == 200

    slack_sqlite.wait_idle()
    assert len(rows(slack_sqlite, Commitment)) == 1
    assert not [r for r in quiet.records if r.getMessage().startswith("refused")]


# --- the shape check, property-tested against Bolt's own request building ----------------------------

_IDS = st.one_of(st.none(), st.text(max_size=5), st.integers(), st.booleans(), st.lists(st.integers(), max_size=2))
_LEAF = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5))
_KEYS = st.sampled_from(
    [
        "type",
        "team",
        "team_id",
        "user",
        "user_id",
        "id",
        "channel",
        "channel_id",
        "enterprise",
        "enterprise_id",
        "authorizations",
        "event",
        "event_id",
        "view",
        "state",
        "values",
        "actions",
        "action_id",
        "callback_id",
        "command",
        "text",
        "message",
        "is_enterprise_install",
        "is_ext_shared_channel",
        "response_url",
        "response_urls",
        "thread_ts",
        "user_team",
        "app_installed_team_id",
    ]
)
_VALUES = st.recursive(
    st.one_of(_LEAF, _IDS, st.sampled_from(["block_actions", "view_submission", "event_callback", "app_mention"])),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=5)),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=st.dictionaries(_KEYS, _VALUES, max_size=8))
def test_what_the_shape_check_lets_in_bolt_reads_without_failing(body):
    from slack_bolt import BoltRequest

    from bot.ops import logs
    from bot.ops.frontdoor import context_problem

    if body_problem(body) is not None:
        return
    request = BoltRequest(body=json.dumps(body), headers={"content-type": "application/json"})
    if context_problem(request) is not None:
        return
    # What runs before any listener: the log context, and the ids Bolt extracted.
    logs._kind_of(request.body)
    team = logs._team_of(request.body)
    assert team is None or isinstance(team, str)
    for key in ("team_id", "user_id", "channel_id", "enterprise_id"):
        assert request.context.get(key) is None or isinstance(request.context.get(key), str)


def test_depth_is_measured_without_recursion():
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    assert too_deep(deep) and too_deep(nested(MAX_DEPTH + 1)) and not too_deep(nested(MAX_DEPTH))


def test_a_signed_view_submission_without_view_type_is_400_not_500(slack_sqlite, caplog):
    """The fuzzer found it (issue #14 item 9): Bolt reads `view.type` before any listener."""
    payload = {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "trigger_id": "t-fuzz",
        "view": {"callback_id": "action_modal", "state": {"values": {}}},
    }
    answer = slack_sqlite.send.interactive(payload, expect=400)
    assert answer.status == 400
    assert not [r for r in caplog.records if r.exc_info]


def test_a_signed_request_nothing_handles_is_answered_200_in_one_log_line(slack_sqlite, caplog):
    caplog.set_level(logging.INFO)
    answer = slack_sqlite.send.interactive(
        {
            "type": "block_actions",
            "team": {"id": "T1"},
            "user": {"id": "U1"},
            "actions": [{"action_id": "no_such_button", "value": "1"}],
            "trigger_id": "1.2",
        }
    )
    event = slack_sqlite.send.event({"type": "reaction_added", "user": "U1", "reaction": "tada"})
    assert (answer.status, answer.body) == (200, "") and event.status == 200
    unhandled = [r for r in caplog.records if "nothing done" in r.getMessage() or "Unhandled request" in str(r.msg)]
    assert [r.getMessage() for r in unhandled] == [
        "unhandled signed request (block_actions): answered 200, nothing done",
        "unhandled signed request (event reaction_added): answered 200, nothing done",
    ]
    assert slack_sqlite.fake.calls("chat.postMessage") == []
