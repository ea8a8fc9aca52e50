"""`GET /metrics` through the real `coach run` (arbiter, web worker, runtime process): counters
move after signed requests, the ack histogram and the Web API calls are there, and the endpoint
listens on 127.0.0.1 only."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.request

import pytest

from bot.settings import SettingsError, load_settings
from tests.harness import SIGNING_SECRET, coach_env, free_port, stop
from tests.slack_client import SlackSender


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        return response.read().decode()


def value(text: str, name: str, **labels) -> float:
    """The sample `name{labels…}` (labels in any order), 0 when absent."""
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{") and line.split(" ")[0] != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}")[0]))
        if all(found.get(k) == v for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


@pytest.fixture
def coach_run_with_metrics(tmp_path, fake_slack):
    port, metrics_port = free_port(), free_port()
    env = coach_env(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake_slack.api_url,
        PORT=str(port),
        COACH_METRICS_PORT=str(metrics_port),
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
    )
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "counter_12345.db").write_bytes(b"left over from an earlier run")
    log = tmp_path / "coach.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"], env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT
        )
    sender = SlackSender(f"http://127.0.0.1:{port}", SIGNING_SECRET, fake_slack.response_url())
    deadline = time.monotonic() + 40
    while True:
        try:
            if sender.get("/healthz").status == 200:
                break
        except OSError:
            pass
        assert process.poll() is None and time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)
    yield sender, metrics_port, tmp_path / "metrics"
    assert stop(process) == 0, log.read_text()


def test_metrics_count_requests_acks_and_web_api_calls_of_every_process(coach_run_with_metrics, fake_slack):
    sender, port, directory = coach_run_with_metrics
    assert not (directory / "counter_12345.db").exists()  # cleaned at start
    before = scrape(port)
    assert "coach_untold_reports" in before and "coach_database_answer_seconds" in before

    answer = sender.command("Weekly active teams: 120 -> 300 teams by 2099-03-31 known 140")
    assert answer.status == 200
    assert sender.command("progress #1 130").status == 200
    assert sender.command("bogus words", user="U9").status == 200
    deadline = time.monotonic() + 10
    while True:  # the runtime process tells the thread about the report, then it's told
        after = scrape(port)
        if (
            value(after, "coach_untold_reports") == 0
            and value(after, "coach_slack_api_calls_total", method="chat.postMessage") >= 3
        ):
            break
        assert time.monotonic() < deadline, after
        time.sleep(0.2)

    assert (
        value(after, "coach_requests_total", kind="command", outcome="ok")
        - value(before, "coach_requests_total", kind="command", outcome="ok")
        == 3
    )
    assert "# TYPE coach_ack_seconds histogram" in after
    assert value(after, "coach_ack_seconds_count", kind="command") >= 3
    assert value(after, "coach_ack_seconds_bucket", kind="command", le="+Inf") >= 3
    # the announcement (web worker) and the thread reply about the report (runtime process)
    assert value(after, "coach_slack_api_calls_total", method="chat.postMessage") >= 3
    assert value(after, "coach_database_answer_seconds") > 0


def test_the_metrics_port_is_a_number():
    with pytest.raises(SettingsError, match="COACH_METRICS_PORT"):
        load_settings({"COACH_METRICS_PORT": "metrics"}, dotenv_path=None)
    assert load_settings({"COACH_METRICS_PORT": "9464"}, dotenv_path=None).metrics_port == 9464
    assert load_settings({}, dotenv_path=None).metrics_port is None
