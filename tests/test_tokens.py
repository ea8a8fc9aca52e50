"""Tokens of OAuth installs encrypted at rest (SPEC §3, §4): COACH_SECRET_KEY, `coach keygen`,
`coach db rekey`, tokens stored before keys existed; the SQLite file's mode; no parameters in
database errors."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from cryptography.fernet import Fernet, InvalidToken
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import exc, text

from bot.slack.oauth import BOT_SCOPES
from storage.db import Database
from storage.migrate import upgrade as migrate_to
from storage.tokens import TokenCipher
from tests.fake_slack import Scripted
from tests.harness import (
    OLD_SECRET_KEY,
    SECRET_KEY,
    SIGNING_SECRET,
    coach,
    coach_env,
    free_port,
    scratch_postgres,
    start_app,
    stop,
    wait_healthy,
)
from tests.helpers import browser_get

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)
CLIENT_ID = "111.222"
OAUTH = {
    "bot_token": None,
    "client_id": CLIENT_ID,
    "client_secret": "client-secret",
    "state_secret": "state-secret",
    "secret_key": SECRET_KEY,
}
OAUTH_ENV = {
    "SLACK_CLIENT_ID": CLIENT_ID,
    "SLACK_CLIENT_SECRET": "client-secret",
    "SLACK_STATE_SECRET": "state-secret",
    "SLACK_SIGNING_SECRET": SIGNING_SECRET,
}
DECLARE = "Deals closed: 4 -> 20 by 2099-01-01 known 6"


@pytest.fixture
def oauth(database, fake_slack):
    with time_machine.travel(NOW, tick=True):
        harness, stop_app = start_app(database, fake_slack, **OAUTH)
        fake_slack.reset()
        yield harness
        stop_app()


def raw_text(db: Database) -> str:
    """Everything in the installation tables, as a copy of the database would show it."""
    found = []
    with db.engine.connect() as connection:
        for table in ("slack_installations", "slack_bots"):
            for row in connection.execute(text(f"SELECT * FROM {table}")):
                found.extend(str(value) for value in row)
    return "\n".join(found)


def browser_install(harness, team: str, token: str, refresh: str | None = None) -> None:
    answer = {
        "ok": True,
        "app_id": "A1",
        "authed_user": {"id": "U1"},
        "token_type": "bot",
        "scope": ",".join(BOT_SCOPES),
        "access_token": token,
        "bot_user_id": "UBOT",
        "team": {"id": team, "name": f"Team {team}"},
        "is_enterprise_install": False,
    }
    if refresh:
        answer.update(refresh_token=refresh, expires_in=43200)
    harness.fake.script("oauth.v2.access", Scripted(body=answer))
    status, headers, _ = browser_get(harness.url, "/slack/install")
    assert status == 302
    state = parse_qs(urlparse(headers["location"]).query)["state"][0]
    status, _, body = browser_get(
        harness.url, f"/slack/oauth_redirect?code=c-{team}&state={state}", {"Cookie": f"slack-app-oauth-state={state}"}
    )
    assert status == 200, body


def store_plain(db: Database, team: str, token: str, refresh: str | None = None) -> None:
    """An installation as it was stored before tokens were encrypted."""
    SQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=db.engine).save(
        Installation(
            app_id="A1",
            team_id=team,
            bot_token=token,
            bot_refresh_token=refresh,
            bot_token_expires_in=43200 if refresh else None,
            bot_id="B1",
            bot_user_id="UBOT",
            bot_scopes="chat:write",
            user_id="U1",
        )
    )


def run(*args, db: Database, tmp_path, **env):
    return coach(*args, env=coach_env(tmp_path, DATABASE_URL=db.url, **env), cwd=tmp_path)


# --- at rest ---------------------------------------------------------------------------------


def test_installed_tokens_are_stored_encrypted_and_used_decrypted(oauth):
    browser_install(oauth, "T1", "xoxe.xoxb-1-bot-T1", refresh="xoxe-1-refresh-T1")
    browser_install(oauth, "T2", "xoxb-plain-T2")

    stored = raw_text(oauth.db)
    assert "xoxb-" not in stored and "xoxe" not in stored  # a copy of the database alone reveals no token
    assert "Team T1" in stored  # the rest is as slack_sdk stores it
    assert oauth.send.command(DECLARE, team="T1").status == 200
    assert oauth.send.command(DECLARE, team="T2", channel="C2").status == 200
    posts = {c["channel"]: c.headers["Authorization"] for c in oauth.fake.calls("chat.postMessage")}
    assert posts == {"C1": "Bearer xoxe.xoxb-1-bot-T1", "C2": "Bearer xoxb-plain-T2"}


def test_each_encryption_differs_and_only_the_key_opens_it(oauth):
    browser_install(oauth, "T1", "xoxb-same")
    browser_install(oauth, "T1", "xoxb-same")
    with oauth.db.engine.connect() as connection:
        values = [row[0] for row in connection.execute(text("SELECT bot_token FROM slack_bots"))]
    assert len(values) == 2 and values[0] != values[1]
    assert {Fernet(SECRET_KEY).decrypt(v.encode()).decode() for v in values} == {"xoxb-same"}
    with pytest.raises(InvalidToken):
        Fernet(OLD_SECRET_KEY).decrypt(values[0].encode())


# --- coach keygen, coach db rekey ----------------------------------------------------------------


def test_keygen_prints_a_new_key_without_any_setting(tmp_path):
    first = coach("keygen", env=coach_env(tmp_path, COACH_SECRET_KEY="not a key"), cwd=tmp_path)
    second = coach("keygen", env=coach_env(tmp_path), cwd=tmp_path)

    assert first.returncode == 0 and second.returncode == 0, first.stderr
    key = first.stdout.strip()
    assert key != second.stdout.strip()
    assert Fernet(key).decrypt(Fernet(key).encrypt(b"x")) == b"x"


def test_rekey_encrypts_tokens_stored_in_plain_text(database, tmp_path):
    store_plain(database, "T1", "xoxe.xoxb-1-old", refresh="xoxe-1-old")
    assert "xoxe.xoxb-1-old" in raw_text(database)

    result = run("db", "rekey", db=database, tmp_path=tmp_path, COACH_SECRET_KEY=SECRET_KEY)

    assert result.returncode == 0, result.stderr
    assert "4 stored token(s)" in result.stdout  # bot and refresh token, in slack_installations and slack_bots
    stored = raw_text(database)
    assert "xox" not in stored
    store = TokenCipher(SECRET_KEY)
    with database.engine.connect() as connection:
        bot, refresh = connection.execute(text("SELECT bot_token, bot_refresh_token FROM slack_bots")).one()
    assert (store.decrypt(bot), store.decrypt(refresh)) == ("xoxe.xoxb-1-old", "xoxe-1-old")


def test_rotating_keys_new_first_old_after_then_rekey_then_the_old_key_can_go(database, tmp_path, fake_slack):
    harness, stop_app = start_app(database, fake_slack, **{**OAUTH, "secret_key": OLD_SECRET_KEY})
    browser_install(harness, "T1", "xoxb-rotate-me")
    stop_app()

    only_new = run("db", "rekey", db=database, tmp_path=tmp_path, COACH_SECRET_KEY=SECRET_KEY)
    assert only_new.returncode == 1
    assert "does not decrypt 2 stored token(s)" in only_new.stderr and "Nothing was changed" in only_new.stderr
    assert "Traceback" not in only_new.stderr

    both = run("db", "rekey", db=database, tmp_path=tmp_path, COACH_SECRET_KEY=f"{SECRET_KEY},{OLD_SECRET_KEY}")
    assert both.returncode == 0, both.stderr

    harness, stop_app = start_app(database, fake_slack, **OAUTH)  # the new key alone
    try:
        assert harness.services.client_for("T1").token == "xoxb-rotate-me"
    finally:
        stop_app()


def test_rekey_without_a_key_says_how_to_get_one(sqlite_database, tmp_path):
    result = run("db", "rekey", db=sqlite_database, tmp_path=tmp_path)
    assert result.returncode == 2
    assert "COACH_SECRET_KEY" in result.stderr and "coach keygen" in result.stderr
    assert "Traceback" not in result.stderr


# --- coach run -------------------------------------------------------------------------------


def test_oauth_mode_without_a_key_refuses_to_start_naming_it(tmp_path):
    result = coach("run", env=coach_env(tmp_path, **OAUTH_ENV), cwd=tmp_path)

    assert result.returncode == 2
    assert "COACH_SECRET_KEY" in result.stderr and "coach keygen" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "coach.db").exists()  # nothing started


def test_trusting_x_forwarded_for_is_true_or_false(tmp_path):
    env = coach_env(tmp_path, COACH_TRUST_X_FORWARDED_FOR="maybe")
    result = coach("db", "upgrade", env=env, cwd=tmp_path)
    assert result.returncode == 2 and "COACH_TRUST_X_FORWARDED_FOR must be true or false" in result.stderr


def test_a_key_that_is_not_a_key_is_a_clear_message(tmp_path):
    result = coach("run", env=coach_env(tmp_path, COACH_SECRET_KEY=f"{SECRET_KEY},oops", **OAUTH_ENV), cwd=tmp_path)
    assert result.returncode == 2
    assert "COACH_SECRET_KEY: key 2 of 2 is not a key" in result.stderr and "coach keygen" in result.stderr
    assert "Traceback" not in result.stderr


def test_coach_run_encrypts_tokens_stored_before_then_serves(tmp_path, fake_slack):
    db = Database(f"sqlite:///{tmp_path / 'coach.db'}")
    db.upgrade()
    store_plain(db, "T1", "xoxb-from-before")
    port = free_port()
    env = coach_env(
        tmp_path, COACH_SECRET_KEY=SECRET_KEY, SLACK_API_URL=fake_slack.api_url, PORT=str(port), **OAUTH_ENV
    )
    log = tmp_path / "coach.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"], env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        wait_healthy(port, process, log)
        assert "xoxb" not in raw_text(db)
    finally:
        stop(process)
        db.dispose()
    assert "2 token(s) stored in plain text encrypted" in log.read_text()  # in slack_installations and slack_bots


def test_coach_run_refuses_a_key_that_cannot_read_the_stored_tokens(tmp_path, fake_slack):
    db = Database(f"sqlite:///{tmp_path / 'coach.db'}")
    db.upgrade()
    harness, stop_app = start_app(db, fake_slack, **{**OAUTH, "secret_key": OLD_SECRET_KEY})
    browser_install(harness, "T1", "xoxb-T1")
    stop_app()
    db.dispose()

    env = coach_env(tmp_path, COACH_SECRET_KEY=SECRET_KEY, SLACK_API_URL=fake_slack.api_url, **OAUTH_ENV)
    result = coach("run", env=env, cwd=tmp_path)

    assert result.returncode == 2
    assert "does not decrypt 2 stored token(s)" in result.stderr and "COACH_SECRET_KEY=new,old" in result.stderr
    assert "Traceback" not in result.stderr


# --- coach doctor ------------------------------------------------------------------------------


def test_doctor_checks_the_key_against_the_stored_tokens(database, tmp_path, fake_slack):
    harness, stop_app = start_app(database, fake_slack, **{**OAUTH, "secret_key": OLD_SECRET_KEY})
    browser_install(harness, "T1", "xoxb-T1")
    stop_app()
    env = {"SLACK_API_URL": fake_slack.api_url, **OAUTH_ENV}

    rotated = run("doctor", db=database, tmp_path=tmp_path, COACH_SECRET_KEY=f"{SECRET_KEY},{OLD_SECRET_KEY}", **env)
    assert "ok    secret key: 2 key(s); stored tokens: 0 encrypted with the first key, 2 with an older key" in (
        rotated.stdout
    )
    missing = run("doctor", db=database, tmp_path=tmp_path, **env)
    assert missing.returncode == 1 and "FAIL  secret key: COACH_SECRET_KEY is not set" in missing.stdout
    wrong = run("doctor", db=database, tmp_path=tmp_path, COACH_SECRET_KEY=SECRET_KEY, **env)
    assert wrong.returncode == 1 and "FAIL  secret key: COACH_SECRET_KEY does not decrypt 2" in wrong.stdout


# --- the database file, and errors ------------------------------------------------------------------


def test_the_sqlite_file_and_its_wal_and_shm_are_readable_by_their_owner_only(tmp_path):
    old = os.umask(0o022)
    try:
        result = coach("db", "upgrade", env=coach_env(tmp_path), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert stat.S_IMODE((tmp_path / "coach.db").stat().st_mode) == 0o600

        db = Database(f"sqlite:///{tmp_path / 'other.db'}")
        with db.engine.connect() as connection:
            connection.execute(text("CREATE TABLE t (x)"))
            connection.commit()
            modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.glob("other.db*")}
        db.dispose()
    finally:
        os.umask(old)
    assert modes == {"other.db": 0o600, "other.db-wal": 0o600, "other.db-shm": 0o600}


def test_a_database_error_never_carries_what_was_typed(database):
    with pytest.raises(exc.IntegrityError) as raised:
        with database.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO slack_oauth_states (state, expire_at) VALUES (:typed, NULL)"),
                {"typed": "my secret plan nobody may read"},
            )
    assert "my secret plan" not in str(raised.value)
    assert "parameters hidden" in str(raised.value)


# --- migration 0008 ----------------------------------------------------------------------------

LONG_TOKEN = "xoxe.xoxb-1-" + "A" * 180  # near the 200 characters the columns held before


@pytest.fixture(params=["sqlite", "postgresql"])
def at_0004(request, tmp_path):
    """A database migrated up to 0004 (before tokens were encrypted)."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'old.db'}")
        migrate_to(db.engine, "0004")
        yield db
        db.dispose()
        return
    with scratch_postgres("coach_tokens") as url:
        db = Database(url)
        migrate_to(db.engine, "0004")
        yield db
        db.dispose()


def test_upgrading_keeps_plain_tokens_and_makes_room_for_encrypted_ones(at_0004, tmp_path):
    store_plain(at_0004, "T1", LONG_TOKEN, refresh="xoxe-1-" + "B" * 190)
    at_0004.upgrade()

    result = run("db", "rekey", db=at_0004, tmp_path=tmp_path, COACH_SECRET_KEY=SECRET_KEY)

    assert result.returncode == 0, result.stderr
    assert "xox" not in raw_text(at_0004)
    store = TokenCipher(SECRET_KEY)
    with at_0004.engine.connect() as connection:
        bot, refresh = connection.execute(text("SELECT bot_token, bot_refresh_token FROM slack_bots")).one()
    assert len(bot) > 200 and store.decrypt(bot) == LONG_TOKEN
    assert store.decrypt(refresh) == "xoxe-1-" + "B" * 190
