"""Several `coach run` processes on one PostgreSQL database, started for real the way
deploy/ describes (deploy/cluster.py, the `web` line of deploy/Procfile), and SIGTERM during a
check-in. Slack is the loopback fake; the tests assert on what the processes sent to it."""

from __future__ import annotations

import importlib.util
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import text, update
from sqlmodel import select

from storage.db import Database
from storage.locks import CHECKIN_LOCK
from storage.models import ChannelSettings, CheckinPost, Commitment, Enrolment, TeamCounter
from tests.harness import (
    POSTGRES_URL,
    SIGNING_SECRET,
    coach,
    coach_env,
    free_port,
    scratch_postgres,
    stop,
    wait_healthy,
)
from tests.slack_client import SlackSender

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
UTC = timezone.utc
CHANNELS = ["C1", "C2", "C3", "C4"]

_spec = importlib.util.spec_from_file_location("deploy_cluster", DEPLOY / "cluster.py")
cluster = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cluster)


# --- helpers -----------------------------------------------------------------------------------


@pytest.fixture
def postgres_url():
    """A fresh, empty PostgreSQL database of this test's own: the processes migrate it."""
    with scratch_postgres("coach_deploy") as url:
        yield url


@pytest.fixture
def any_database_url(request, tmp_path):
    """PostgreSQL when the tests have it, else SQLite: SIGTERM behaves the same on both."""
    if POSTGRES_URL:
        return request.getfixturevalue("postgres_url")
    return f"sqlite:///{tmp_path / 'coach.db'}"


def app_env(tmp_path, fake, database_url: str, **extra) -> dict[str, str]:
    return coach_env(
        tmp_path,
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.api_url,
        COACH_CHECKIN_INTERVAL="0.5",
        **extra,
    )


def free_ports(count: int) -> int:
    """A base port with `count` free ports from it."""
    for _ in range(50):
        base = free_port()
        try:
            for port in range(base, base + count):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
    raise AssertionError("no free ports")


def checkin_posts(fake):
    return [
        c
        for c in fake.calls("chat.postMessage")
        if not c.get("thread_ts") and str(c.get("text") or "").startswith(("Weekly check-in", "First weekly check-in"))
    ]


def announcements(fake):
    return [c for c in fake.calls("chat.postMessage") if "Deals closed" in str(c.get("text") or "")]


def command_fields(text_: str, channel: str, user: str) -> dict[str, str]:
    return {
        "token": "legacy",
        "team_id": "T1",
        "team_domain": "test",
        "channel_id": channel,
        "channel_name": "general",
        "user_id": user,
        "user_name": user,
        "command": "/commit",
        "text": text_,
        "api_app_id": "A1",
        "is_enterprise_install": "false",
        "response_url": "http://127.0.0.1:9/unused",
        "trigger_id": f"trigger-{uuid.uuid4().hex[:8]}",
    }


def make_due_now(db: Database, channels: list[str]) -> None:
    """Backdate the commitments of `channels` ten days and schedule their check-ins for today
    00:00 UTC, which has come: due now, in one transaction."""
    now = datetime.now(UTC)
    with db.session() as session:
        session.execute(
            update(Commitment).where(Commitment.channel_id.in_(channels)).values(declared_at=now - timedelta(days=10))
        )
        for channel in channels:
            session.add(
                ChannelSettings(
                    team_id="T1",
                    channel_id=channel,
                    checkin_weekday=now.weekday(),
                    checkin_time="00:00",
                    checkin_timezone="UTC",
                )
            )


def seed_due_channels(db: Database, count: int) -> list[str]:
    """`count` channels with a commitment each whose check-in is due now, in one transaction
    (so one scheduler run finds them all)."""
    now = datetime.now(UTC)
    declared = now - timedelta(days=10)
    channels = [f"CS{n:02d}" for n in range(1, count + 1)]
    with db.session() as session:
        for number, channel in enumerate(channels, start=1):
            c = Commitment(
                team_id="T1",
                channel_id=channel,
                number=number,
                outcome=f"Deals closed {number}",
                baseline=4,
                target=20,
                unit="deals",
                start_date=declared.date(),
                due=(now + timedelta(days=90)).date(),
                owner_id="U1",
                declared_at=declared,
            )
            session.add(c)
            session.flush()
            session.add(Enrolment(commitment_id=c.id, user_id="U1", enrolled_at=declared))
            session.add(
                ChannelSettings(
                    team_id="T1",
                    channel_id=channel,
                    checkin_weekday=now.weekday(),
                    checkin_time="00:00",
                    checkin_timezone="UTC",
                )
            )
        session.add(TeamCounter(team_id="T1", last_commitment_number=count))
    return channels


# --- deploy/cluster.py ----------------------------------------------------------------------------


def test_the_cluster_script_refuses_several_processes_on_sqlite(tmp_path):
    result = subprocess.run(
        [sys.executable, str(DEPLOY / "cluster.py"), "2"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=30,
        env=coach_env(tmp_path),
    )
    assert result.returncode == 2
    assert "SQLite means one process" in result.stderr and "postgresql://" in result.stderr


def test_two_processes_on_postgresql_number_uniquely_and_check_in_once(tmp_path, fake_slack, postgres_url):
    base = free_ports(2)
    ports = [base, base + 1]
    log = tmp_path / "cluster.log"
    env = app_env(tmp_path, fake_slack, postgres_url)
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, str(DEPLOY / "cluster.py"), "2", "--base-port", str(base)],
            env=env,
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
    db = Database(postgres_url)
    try:
        for port in ports:
            wait_healthy(port, process, log)

        # 20 people declare at once, alternating between the two processes.
        senders = [SlackSender(f"http://127.0.0.1:{port}", SIGNING_SECRET, fake_slack.response_url()) for port in ports]

        def declare(i: int):
            return senders[i % 2].command(
                f"Deals closed {i}: 4 -> 20 by 2099-01-01", channel=CHANNELS[i % len(CHANNELS)], user=f"U{i}"
            )

        with ThreadPoolExecutor(20) as pool:
            answers = list(pool.map(declare, range(20)))
        assert [a.status for a in answers] == [200] * 20
        posted = fake_slack.wait_for(
            "chat.postMessage", count=20, timeout=20, where=lambda c: "Deals closed" in str(c.get("text") or "")
        )
        announced = sorted(int(re.search(r"#(\d+) Deals closed", c["text"]).group(1)) for c in posted)
        assert announced == list(range(1, 21))
        with db.session() as session:
            numbers = sorted(session.exec(select(Commitment.number)).all())
        assert numbers == list(range(1, 21))

        # While someone else holds the check-in lock, neither scheduler nor `coach checkin` fans out.
        holder = db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        holder.execute(text("SELECT pg_advisory_lock(:key)"), {"key": CHECKIN_LOCK})
        make_due_now(db, CHANNELS)
        held_since = time.monotonic()
        skipped = coach("checkin", "--wait", "1", env=env, cwd=tmp_path)
        assert skipped.returncode == 0, skipped.stderr
        assert "Another process is running the check-ins" in skipped.stdout
        time.sleep(max(0.0, 2.0 - (time.monotonic() - held_since)))  # four ticks of each scheduler
        assert checkin_posts(fake_slack) == []
        holder.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": CHECKIN_LOCK})
        holder.close()

        # Released: one process posts each channel's check-in, once.
        fake_slack.wait_for(
            "chat.postMessage", count=len(CHANNELS), timeout=15, where=lambda c: c in checkin_posts(fake_slack)
        )
        time.sleep(1.5)  # three more ticks of each scheduler
        assert sorted(c["channel"] for c in checkin_posts(fake_slack)) == CHANNELS
        with db.session() as session:
            rows = session.exec(select(CheckinPost)).all()
        assert sorted(r.channel_id for r in rows) == CHANNELS
        assert all(r.posted_at is not None and r.ts for r in rows)
        assert len(announcements(fake_slack)) == 20
    finally:
        code = stop(process)
        db.dispose()
    output = log.read_text()
    assert code == 0, output
    for name in ("web.1", "web.2"):
        assert re.search(rf"^{name} \| .*weekly check-in scheduler started", output, re.M), output
        assert f"{name} exited with code 0" in output
    assert "Traceback" not in output


# --- SIGTERM --------------------------------------------------------------------------------------


def test_sigterm_answers_the_request_in_flight_and_finishes_the_running_check_in(
    tmp_path, fake_slack, any_database_url
):
    port = free_port()
    log = tmp_path / "web.log"
    env = app_env(tmp_path, fake_slack, any_database_url, PORT=str(port))
    web = cluster.resolve(cluster.procfile_command(DEPLOY / "Procfile", "web").split(), env)
    with log.open("w") as out:
        process = subprocess.Popen(web, env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT, text=True)
    db = Database(any_database_url)
    try:
        wait_healthy(port, process, log)
        fake_slack.delay = 1.0  # every Web API call takes a second: 24 channels, 8 at a time
        channels = seed_due_channels(db, 24)
        fake_slack.wait_for("chat.postMessage", timeout=15, where=lambda c: c in checkin_posts(fake_slack))

        # A slash command in flight: its headers and half its body are in, the rest comes after SIGTERM.
        body = urlencode(command_fields("help", "C9", "U9")).encode()
        stamp = str(int(time.time()))
        signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=stamp, body=body.decode())
        head = (
            f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
            f"X-Slack-Request-Timestamp: {stamp}\r\nX-Slack-Signature: {signature}\r\n"
            "Connection: close\r\n\r\n"
        ).encode()
        request = socket.create_connection(("127.0.0.1", port), timeout=20)
        request.sendall(head + body[: len(body) // 2])
        time.sleep(0.3)

        process.send_signal(signal.SIGTERM)
        assert len(checkin_posts(fake_slack)) < len(channels), "SIGTERM came after the check-in run"
        time.sleep(0.3)
        request.sendall(body[len(body) // 2 :])
        answer = b""
        while chunk := request.recv(65536):
            answer += chunk
        request.close()
        assert answer.startswith(b"HTTP/1.1 200"), answer
        assert b"Breakthrough Coach" in answer  # /commit help, answered in the response

        code = process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    output = log.read_text()
    assert code == 0, output
    # The whole running check-in went out and was recorded before the process left.
    assert sorted(c["channel"] for c in checkin_posts(fake_slack)) == channels
    with db.session() as session:
        rows = session.exec(select(CheckinPost)).all()
    db.dispose()
    assert sorted(r.channel_id for r in rows) == channels
    assert all(r.posted_at is not None for r in rows)
    # In that order: the process says it stopped only once the check-in was done.
    lines = output.splitlines()
    posted_lines = [n for n, line in enumerate(lines) if "posted check-in" in line]
    stopped_lines = [
        n for n, line in enumerate(lines) if "runtime process stopped: check-ins and follow-ups finished" in line
    ]
    assert len(posted_lines) == len(channels) and len(stopped_lines) == 1, output
    assert stopped_lines[0] > posted_lines[-1], output
    assert "stopped: listener work finished" in output  # the web worker, which answered "help"
    assert "Traceback" not in output


# --- the lock on SQLite, and the scheduler's interval ------------------------------------------------


def test_on_sqlite_a_run_in_this_process_holds_the_lock_and_a_tick_skips(slack_sqlite):
    from bot.checkins.scheduler import run_checkins_now
    from storage.locks import checkin_lock

    channels = seed_due_channels(slack_sqlite.db, 2)
    with checkin_lock(slack_sqlite.db) as held:
        assert held
        run_checkins_now(slack_sqlite.services)
        assert checkin_posts(slack_sqlite.fake) == []
    run_checkins_now(slack_sqlite.services)
    assert sorted(c["channel"] for c in checkin_posts(slack_sqlite.fake)) == channels


def test_the_check_in_interval_is_a_setting():
    from bot.settings import SettingsError, load_settings

    assert load_settings(env={}).checkin_interval == 60
    assert load_settings(env={"COACH_CHECKIN_INTERVAL": "0.5"}).checkin_interval == 0.5
    for wrong in ("0", "-1", "soon", "inf", "nan"):
        with pytest.raises(SettingsError, match="COACH_CHECKIN_INTERVAL"):
            load_settings(env={"COACH_CHECKIN_INTERVAL": wrong})
