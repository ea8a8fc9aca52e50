"""The timers of check-ins: APScheduler inside `coach run` (bot.ops.runtime.Runtime), and
`coach checkin` as a person (or cron) runs it, as a real process against the fake Web API."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import time_machine
from sqlmodel import select

from bot.ops.runtime import Runtime
from storage.db import Database
from storage.models import ChannelSettings, CheckinPost, Commitment, Enrolment, ProgressReport
from tests.harness import coach, coach_env
from tests.helpers import DECLARE

UTC = timezone.utc
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def checkin_posts(fake):
    return [
        c
        for c in fake.calls("chat.postMessage", channel="C1")
        if not c.get("thread_ts") and "check-in" in c.all_text().lower()
    ]


def test_the_scheduler_catches_up_at_start_posts_once_and_stops(slack_sqlite):
    with time_machine.travel(NOW, tick=True):
        assert slack_sqlite.send.command(DECLARE).status == 200
    with time_machine.travel(MONDAY + timedelta(days=2), tick=True):  # the app was down on Monday
        runtime = Runtime(slack_sqlite.services, checkin_interval=0.2)
        runtime.start(slack_sqlite.app)
        try:
            slack_sqlite.fake.wait_for("chat.postMessage", where=lambda c: "check-in" in c.all_text().lower())
            time.sleep(0.7)  # a few more ticks
        finally:
            runtime.stop()
    assert runtime.scheduler is None
    assert len(checkin_posts(slack_sqlite.fake)) == 1
    with slack_sqlite.db.session() as session:
        assert [p.iso_week for p in session.exec(select(CheckinPost)).all()] == ["2026-W49"]


def test_the_scheduler_posts_when_the_time_comes(slack_sqlite):
    with time_machine.travel(NOW, tick=True):
        assert slack_sqlite.send.command(DECLARE).status == 200
    with time_machine.travel(MONDAY - timedelta(seconds=0.5), tick=True):
        runtime = Runtime(slack_sqlite.services, checkin_interval=0.2)
        runtime.start(slack_sqlite.app)
        try:
            slack_sqlite.fake.wait_for("chat.postMessage", where=lambda c: "check-in" in c.all_text().lower())
        finally:
            runtime.stop()
    assert len(checkin_posts(slack_sqlite.fake)) == 1


def _seed_due_now(db_url: str) -> None:
    """A commitment declared ten days ago in C1, reported on three days ago, whose check-in time
    (today, 00:00 UTC) has come."""
    db = Database(db_url)
    db.upgrade()
    now = datetime.now(UTC)
    declared = now - timedelta(days=10)
    with db.session() as session:
        c = Commitment(
            team_id="T1",
            channel_id="C1",
            number=1,
            outcome="Deals closed",
            baseline=4,
            target=20,
            unit="deals",
            start_date=declared.date(),
            due=(now + timedelta(days=90)).date(),
            owner_id="U1",
            declared_at=declared,
            home_ts="1700000000.000100",
        )
        session.add(c)
        session.flush()
        session.add(Enrolment(commitment_id=c.id, user_id="U1", enrolled_at=declared))
        # numbers of three days ago, still at the baseline: a breakdown (silence would not be one)
        session.add(ProgressReport(commitment_id=c.id, user_id="U1", value=4, reported_at=now - timedelta(days=3)))
        session.add(
            ChannelSettings(
                team_id="T1",
                channel_id="C1",
                checkin_weekday=now.weekday(),
                checkin_time="00:00",
                checkin_timezone="UTC",
            )
        )
    db.dispose()


def test_coach_checkin_dry_run_prints_and_posts_nothing_then_posts_once(tmp_path, fake_slack):
    env = coach_env(tmp_path, SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=fake_slack.api_url)
    _seed_due_now(env["DATABASE_URL"])

    dry = coach("checkin", "--dry-run", env=env, cwd=tmp_path)
    assert dry.returncode == 0, dry.stderr
    assert "Would post the check-in of" in dry.stdout and "T1/C1" in dry.stdout
    assert "#1 Deals closed" in dry.stdout and "Trajectory" in dry.stdout
    assert "Breakdown on #1" in dry.stdout  # what the home thread would be told
    assert fake_slack.calls("chat.postMessage") == []
    db = Database(env["DATABASE_URL"])
    with db.session() as session:
        assert session.exec(select(CheckinPost)).all() == []

    other = coach("checkin", "--channel", "C2", env=env, cwd=tmp_path)
    assert other.returncode == 0 and "No check-in is due now" in other.stdout
    assert fake_slack.calls("chat.postMessage") == []

    real = coach("checkin", "--channel", "C1", env=env, cwd=tmp_path)
    assert real.returncode == 0, real.stderr
    assert "Posted the check-in of" in real.stdout
    assert len(checkin_posts(fake_slack)) == 1
    again = coach("checkin", env=env, cwd=tmp_path)
    assert again.returncode == 0 and "No check-in is due now" in again.stdout
    assert len(checkin_posts(fake_slack)) == 1
    with db.session() as session:
        [claimed] = session.exec(select(CheckinPost)).all()
    assert claimed.ts is not None
    db.dispose()


def test_coach_checkin_without_a_token_says_what_is_missing(tmp_path):
    result = coach("checkin", env=coach_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 2 and "SLACK_BOT_TOKEN" in result.stderr and "Traceback" not in result.stderr


def test_coach_checkin_exits_1_when_a_check_in_fails(tmp_path, fake_slack):
    env = coach_env(tmp_path, SLACK_BOT_TOKEN="xoxb-test", SLACK_API_URL=fake_slack.api_url)
    _seed_due_now(env["DATABASE_URL"])
    fake_slack.fail("chat.postMessage", "channel_not_found")
    result = coach("checkin", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "channel_not_found" in result.stdout and "paused" in result.stdout
