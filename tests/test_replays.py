"""Replays (issue #14 item 5): the same signed bytes sent again are answered, never acted on twice."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import time_machine

from bot.slack import replays
from storage import replays as store
from storage.models import ProgressReport, SeenRequest
from tests.helpers import rows


def progress_body(slack, text: str) -> str:
    return urlencode(
        {
            "token": "legacy",
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": "U2",
            "command": "/commit",
            "text": text,
            "response_url": slack.send.response_url,
            "trigger_id": "trigger-replayed",
        }
    )


def test_the_same_signed_progress_sent_twice_stores_one_report(committed):
    slack = committed
    body = progress_body(slack, "progress #1 150 two new teams")
    at = int(time.time())
    first = slack.send.send(body, "application/x-www-form-urlencoded", timestamp=at)
    again = slack.send.send(body, "application/x-www-form-urlencoded", timestamp=at)
    assert (first.status, again.status) == (200, 200)
    assert "Recorded" in first.text
    assert [(r.user_id, r.value) for r in rows(slack, ProgressReport)] == [("U2", 150.0)]


def test_a_new_signature_is_a_new_request(committed):
    slack = committed
    body = progress_body(slack, "progress #1 150")
    now = int(time.time())
    for at in (now - 1, now):
        assert slack.send.send(body, "application/x-www-form-urlencoded", timestamp=at).status == 200
    assert len(rows(slack, ProgressReport)) == 2  # Slack signs each request it sends anew


def test_expired_claims_are_deleted(database):
    now = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)
    assert store.claim(database, "a" * 64, "T1", now - timedelta(seconds=1))
    assert store.claim(database, "b" * 64, "T1", now + replays.KEEP)
    assert not store.claim(database, "b" * 64, "T1", now + replays.KEEP)
    guard = replays.Replays(database, sweep_seconds=0)
    with time_machine.travel(now, tick=False):
        headers = {"x-slack-request-timestamp": ["1"], "x-slack-signature": ["v0=c"]}
        assert guard.first_time(headers, "T1", now)
        assert not guard.first_time(headers, "T1", now)
        assert guard.first_time({}, "T1", now) and guard.first_time({}, "T1", now)  # unsigned: Socket Mode
    with database.read() as session:
        kept = sorted(row.digest for row in session.query(SeenRequest))
    assert kept == sorted(["b" * 64, replays.digest(headers)])
