"""Running it: health checks, structured logs, `coach doctor`, `coach purge`."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import sys

import pytest
from sqlalchemy import func, select

from bot import cli
from bot.ops.logs import bound, mask_tokens, setup_logging
from bot.slack.oauth import BOT_SCOPES
from storage.db import Database
from storage.workspaces import counts, owned_tables
from tests.fake_slack import Scripted
from tests.harness import POSTGRES_URL, SECRET_KEY, SIGNING_SECRET, start_app
from tests.workspace_data import CLIENT_ID, install_workspace, seed_workspace

# --- /healthz --------------------------------------------------------------------------------


def unreachable(kind: str, tmp_path) -> Database:
    if kind == "sqlite":
        return Database(f"sqlite:///{tmp_path / 'no-such-folder' / 'coach.db'}")
    if not POSTGRES_URL:
        pytest.skip("COACH_TEST_POSTGRES_URL is not set")
    return Database("postgresql://postgres@127.0.0.1:1/coach")  # nothing listens on port 1


def test_healthz_is_200_when_the_database_answers(slack):
    answer = slack.send.get("/healthz")
    assert answer.status == 200 and answer.json() == {"ok": True, "database": "up"}


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_healthz_is_503_when_the_database_is_gone(kind, tmp_path, fake_slack):
    harness, stop = start_app(unreachable(kind, tmp_path), fake_slack)
    try:
        answer = harness.send.get("/healthz")
        assert answer.status == 503 and answer.json() == {"ok": False, "database": "down"}
    finally:
        stop()


# --- logs ------------------------------------------------------------------------------------


@pytest.fixture
def log_lines():
    """What the app logs at INFO, as `coach run` sets it up; restored afterwards."""
    root = logging.getLogger()
    level = root.level
    stream = io.StringIO()
    handler = setup_logging(logging.INFO, stream)
    yield lambda: stream.getvalue().splitlines()
    root.removeHandler(handler)
    root.setLevel(level)


def fields(line: str) -> dict[str, str]:
    return {k: v.strip('"') for k, v in re.findall(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)', line)}


def test_each_request_is_logged_with_its_ids_and_never_its_text(slack_sqlite, log_lines):
    slack_sqlite.send.command("Secret outcome nobody may read: 4 -> 20 by 2099-01-01 known 6", team="T1")
    slack_sqlite.send.event({"type": "app_uninstalled"}, team="T7", event_id="Ev0042")

    lines = log_lines()
    text = "\n".join(lines)
    assert "Secret outcome" not in text and "xoxb-test-token" not in text
    [command] = [fields(l) for l in lines if "command /commit" in l]
    assert command["level"] == "info" and command["team_id"] == "T1" and command["request_id"] != "-"
    event = [fields(l) for l in lines if fields(l).get("request_id") == "Ev0042"]
    assert [e["msg"] for e in event][0] == "event app_uninstalled"
    # the listener ran on another thread and still logs with the request's ids
    assert any("check-in(s) paused" in e["msg"] and e["team_id"] == "T7" for e in event), lines
    assert all(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", fields(l)["time"]) for l in lines)


def test_tokens_are_masked_in_every_log_record(log_lines):
    with bound(request_id="r1", team_id="T1"):
        logging.getLogger("bot.test").warning("token xoxb-123-456-abcdef and xoxe.xoxb-1-xyz and xapp-1-A1-2-3")
    [line] = log_lines()
    assert "abcdef" not in line and "xyz" not in line and "A1-2-3" not in line
    assert fields(line)["request_id"] == "r1" and fields(line)["team_id"] == "T1"
    assert mask_tokens("xoxb-1-2") == "xoxb-***"


# --- coach doctor ----------------------------------------------------------------------------


@pytest.fixture
def coach(monkeypatch, tmp_path):
    """Runs `coach …` in this process with exactly these settings; returns (code, out, err)."""
    monkeypatch.chdir(tmp_path)  # no .env
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)

    def run(*args, stdin: str = "", **env):
        for name in [k for k in list(__import__("os").environ) if k.startswith(("SLACK_", "DATABASE_URL", "COACH_"))]:
            monkeypatch.delenv(name)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        out, err = io.StringIO(), io.StringIO()
        monkeypatch.setattr(sys, "stdout", out)
        monkeypatch.setattr(sys, "stderr", err)
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        try:
            code = cli.main(list(args))
        finally:
            monkeypatch.setattr(sys, "stdout", sys.__stdout__)
            for handler in [h for h in root.handlers if h not in handlers]:
                root.removeHandler(handler)
            root.setLevel(level)
        return code, out.getvalue(), err.getvalue()

    return run


def slack_env(fake, db, **extra) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": "xoxb-doctor",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": db.url,
        **extra,
    }


def report(out: str) -> dict[str, tuple[str, str]]:
    found = {}
    for line in out.splitlines():
        status, rest = line.split(None, 1)
        name, detail = rest.split(": ", 1)
        found[name] = (status, detail)
    return found


def test_doctor_passes_against_slack(coach, fake_slack, sqlite_database):
    code, out, _ = coach("doctor", **slack_env(fake_slack, sqlite_database))

    checks = report(out)
    assert code == 0, out
    assert list(checks) == ["settings", "database", "migrations", "auth.test", "scopes", "holidays"]
    assert all(status == "ok" for status, _ in checks.values()), out
    assert "T1" in checks["auth.test"][1]
    assert [c.headers.get("Authorization") for c in fake_slack.calls("auth.test")] == ["Bearer xoxb-doctor"]


def test_doctor_checks_the_metrics_directory_when_metrics_are_on(coach, fake_slack, sqlite_database, tmp_path):
    env = slack_env(fake_slack, sqlite_database, COACH_METRICS_PORT="9464", PROMETHEUS_MULTIPROC_DIR=str(tmp_path))
    code, out, _ = coach("doctor", **env)
    assert code == 0, out
    assert report(out)["metrics"] == ("ok", f"GET /metrics on 127.0.0.1:9464, files in {tmp_path}")

    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    env["PROMETHEUS_MULTIPROC_DIR"] = str(locked / "metrics")
    code, out, _ = coach("doctor", **env)
    if os.geteuid() != 0:  # root may write anywhere
        assert code == 1 and report(out)["metrics"][0] == "FAIL"


def test_doctor_names_the_scopes_the_token_lacks(coach, fake_slack, sqlite_database):
    granted = [s for s in BOT_SCOPES if s not in ("channels:join", "files:write")]
    fake_slack.script("auth.test", Scripted(headers={"x-oauth-scopes": ",".join(granted)}))

    code, out, _ = coach("doctor", **slack_env(fake_slack, sqlite_database))

    assert code == 1
    status, detail = report(out)["scopes"]
    assert status == "FAIL" and "channels:join, files:write" in detail and "reinstall" in detail


def test_doctor_says_when_slack_refuses_the_token(coach, fake_slack, sqlite_database):
    fake_slack.fail("auth.test", "invalid_auth")
    code, out, _ = coach("doctor", **slack_env(fake_slack, sqlite_database))
    assert code == 1
    assert report(out)["auth.test"] == ("FAIL", "Slack says invalid_auth: check SLACK_BOT_TOKEN")


def test_doctor_without_a_database(coach, fake_slack, tmp_path):
    url = f"sqlite:///{tmp_path / 'no-such-folder' / 'coach.db'}"
    code, out, _ = coach("doctor", **slack_env(fake_slack, Database(url)))

    checks = report(out)
    assert code == 1
    assert checks["database"][0] == "FAIL" and "cannot connect" in checks["database"][1]
    assert checks["migrations"] == ("FAIL", "not checked: no database")
    assert checks["settings"][0] == "ok" and checks["auth.test"][0] == "ok"


def test_doctor_on_a_database_not_migrated(coach, fake_slack, tmp_path):
    code, out, _ = coach("doctor", **slack_env(fake_slack, Database(f"sqlite:///{tmp_path / 'new.db'}")))
    assert code == 1
    status, detail = report(out)["migrations"]
    assert status == "FAIL" and "no revision" in detail and "coach db upgrade" in detail


def test_doctor_with_missing_settings(coach, fake_slack, sqlite_database):
    code, out, _ = coach("doctor", DATABASE_URL=sqlite_database.url, SLACK_API_URL=fake_slack.api_url)
    checks = report(out)
    assert code == 1
    assert checks["settings"][0] == "FAIL" and "SLACK_BOT_TOKEN" in checks["settings"][1]
    assert checks["auth.test"] == ("FAIL", "no SLACK_BOT_TOKEN to check")
    assert fake_slack.calls("auth.test") == []


def test_doctor_checks_every_installed_workspace_in_oauth_mode(coach, fake_slack, sqlite_database):
    install_workspace(sqlite_database, "T1")
    install_workspace(sqlite_database, "T2")
    env = slack_env(
        fake_slack,
        sqlite_database,
        SLACK_BOT_TOKEN="",
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET="s",
        SLACK_STATE_SECRET="x",
        COACH_SECRET_KEY=SECRET_KEY,
    )

    code, out, _ = coach("doctor", **env)

    checks = report(out)
    assert code == 0, out
    assert {"auth.test T1", "scopes T1", "auth.test T2", "scopes T2"} <= set(checks)
    assert "OAuth install at /slack/install" in checks["settings"][1]
    assert sorted(c.headers["Authorization"] for c in fake_slack.calls("auth.test")) == [
        "Bearer xoxb-T1-secret",
        "Bearer xoxb-T2-secret",
    ]


# --- coach purge -----------------------------------------------------------------------------


def total(db: Database, team: str) -> int:
    return sum(counts(db, team).values())


def all_rows(db: Database) -> int:
    with db.engine.connect() as connection:
        return sum(connection.execute(select(func.count()).select_from(o.table)).scalar_one() for o in owned_tables())


def test_purge_with_yes_deletes_everything_a_workspace_owns(coach, database):
    seed_workspace(database, "T1")
    seed_workspace(database, "T2", channel="C9")
    install_workspace(database, "T1")
    install_workspace(database, "T2")
    before_t2 = counts(database, "T2")
    assert all(n > 0 for n in before_t2.values()), before_t2  # a row in every table

    code, out, _ = coach("purge", "--team", "T1", "--yes", DATABASE_URL=database.url)

    assert code == 0, out
    assert total(database, "T1") == 0
    assert counts(database, "T2") == before_t2
    assert all_rows(database) == sum(n for name, n in before_t2.items() if not name.startswith("slack_"))
    assert "Deleted" in out


def test_purge_asks_for_the_team_id_and_deletes_only_when_typed(coach, sqlite_database):
    seed_workspace(sqlite_database, "T1")
    before = total(sqlite_database, "T1")

    code, out, err = coach("purge", "--team", "T1", stdin="yes\n", DATABASE_URL=sqlite_database.url)
    assert code == 1 and "Type the team id (T1)" in out and "nothing was deleted" in err
    assert total(sqlite_database, "T1") == before

    code, _, _ = coach("purge", "--team", "T1", stdin="", DATABASE_URL=sqlite_database.url)
    assert code == 1 and total(sqlite_database, "T1") == before

    code, out, _ = coach("purge", "--team", "T1", stdin="T1\n", DATABASE_URL=sqlite_database.url)
    assert code == 0 and total(sqlite_database, "T1") == 0


def test_purge_of_an_unknown_workspace_deletes_nothing(coach, sqlite_database):
    seed_workspace(sqlite_database, "T1")
    code, out, _ = coach("purge", "--team", "T404", "--yes", DATABASE_URL=sqlite_database.url)
    assert code == 0 and "nothing to delete" in out
    assert total(sqlite_database, "T1") > 0


def test_export_json_from_the_cli_goes_to_stdout_logs_to_stderr(coach, sqlite_database):
    seed_workspace(sqlite_database, "T1")
    code, out, err = coach("export", DATABASE_URL=sqlite_database.url)
    assert code == 0
    assert json.loads(out)["tables"]["commitment"][0]["team_id"] == "T1"
