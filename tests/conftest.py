"""Fixtures: a migrated database (SQLite, and PostgreSQL when COACH_TEST_POSTGRES_URL is set),
the loopback fake Slack Web API, and the real app served over HTTP with signed requests."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

from storage.db import Database
from storage.workspaces import SLACK_TABLES
from tests.fake_slack import FakeSlack
from tests.harness import Harness, scratch_postgres, start_app

# --- databases -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    """One migrated SQLite file per session; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "coach.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    db.dispose()
    return str(path)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A fresh PostgreSQL database for this test process, migrated, dropped at the end."""
    with scratch_postgres("coach_test") as url:
        db = Database(url)
        db.upgrade()
        db.dispose()
        yield url


def _fresh_database(kind: str, request, tmp_path) -> Database:
    if kind == "sqlite":
        path = tmp_path / "coach.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return Database(f"sqlite:///{path}")
    db = Database(request.getfixturevalue("postgres_url"))
    names = [t.name for t in SQLModel.metadata.sorted_tables] + list(SLACK_TABLES)
    tables = ", ".join(f'"{name}"' for name in names)
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    return db


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path) -> Database:
    """A migrated, empty database: every test using it runs on SQLite and on PostgreSQL."""
    db = _fresh_database(request.param, request, tmp_path)
    yield db
    db.dispose()


@pytest.fixture
def sqlite_database(request, tmp_path) -> Database:
    db = _fresh_database("sqlite", request, tmp_path)
    yield db
    db.dispose()


# --- Slack -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def fake_slack_server() -> FakeSlack:
    fake = FakeSlack()
    yield fake
    fake.close()


@pytest.fixture
def fake_slack(fake_slack_server) -> FakeSlack:
    fake_slack_server.reset()
    fake_slack_server.delay = 0.0
    return fake_slack_server


@pytest.fixture
def slack(database, fake_slack) -> Harness:
    """The app over HTTP on SQLite, and again on PostgreSQL when it is configured."""
    harness, stop = start_app(database, fake_slack)
    fake_slack.reset()  # forget auth.test from start-up
    yield harness
    stop()


@pytest.fixture
def two_workspaces(database, fake_slack) -> Harness:
    """The app installed (OAuth) in T1 and T2, each with its own token (`xoxb-T1`, `xoxb-T2`):
    for tests about workspaces staying apart. (In single-workspace mode a body naming another
    workspace than the bot token's is refused before any listener runs.)"""
    from tests.harness import SECRET_KEY, install_directly

    harness, stop = start_app(
        database,
        fake_slack,
        bot_token=None,
        client_id="111.222",
        client_secret="secret",
        state_secret="state",
        secret_key=SECRET_KEY,
    )
    for team in ("T1", "T2"):
        install_directly(harness, team)
    fake_slack.reset()
    yield harness
    stop()


@pytest.fixture
def slack_sqlite(sqlite_database, fake_slack) -> Harness:
    """The app over HTTP on SQLite only, for tests that are about Slack, not the database."""
    harness, stop = start_app(sqlite_database, fake_slack)
    fake_slack.reset()
    yield harness
    stop()


@pytest.fixture
def committed(slack) -> Harness:
    """The app with #1 declared by U1 in C1 and U2 enrolled; U3 is not enrolled."""
    from storage.models import Commitment
    from tests.helpers import DECLARE, rows

    assert slack.send.command(DECLARE).status == 200
    commitment = rows(slack, Commitment)[0]
    slack.send.action("commitment_enroll", str(commitment.id), user="U2")
    slack.fake.reset()
    return slack
