"""Fixtures: a migrated database (SQLite, and PostgreSQL when COACH_TEST_POSTGRES_URL is set),
the loopback fake Slack Web API, and the real app served over HTTP with signed requests."""

from __future__ import annotations

import os
import shutil
import threading
import uuid
from dataclasses import dataclass, replace
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

from bot.app import create_app
from bot.ops.web import make_wsgi
from bot.services import Services
from bot.settings import Settings
from storage.db import Database
from storage.workspaces import SLACK_TABLES
from tests.fake_slack import FakeSlack
from tests.slack_client import SlackSender

SIGNING_SECRET = "test-signing-secret"
POSTGRES_URL = os.environ.get("COACH_TEST_POSTGRES_URL")
NO_POSTGRES = "COACH_TEST_POSTGRES_URL is not set: PostgreSQL variant skipped (.ci/run sets it)"


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
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    name = f"coach_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(Database(POSTGRES_URL).url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = Database(POSTGRES_URL).engine.url.set(database=name).render_as_string(hide_password=False)
    db = Database(url)
    db.upgrade()
    db.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


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


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@dataclass
class Harness:
    """The real app on a loopback port, the fake Web API it talks to, and a signed sender."""

    fake: FakeSlack
    services: Services
    app: object
    send: SlackSender
    url: str

    @property
    def db(self) -> Database:
        return self.services.db

    def wait_idle(self) -> None:
        assert self.app.coach_executor.wait_idle(10), "the app's background work did not finish"


def start_app(db: Database, fake: FakeSlack, follow_up_here: bool = True, **settings) -> tuple[Harness, callable]:
    """`follow_up_here=False`: as in `coach run`'s web worker, progress reports wait for a
    runtime process to tell their threads (a test drains them with FollowUps)."""
    base = Settings(
        bot_token="xoxb-test-token",
        signing_secret=SIGNING_SECRET,
        api_url=fake.api_url,
        database_url=db.url,
        timezone="UTC",
    )
    services = Services(db=db, settings=replace(base, **settings))
    app = create_app(services, follow_up_here=follow_up_here)
    server = make_server(
        "127.0.0.1",
        0,
        make_wsgi(app, db, services.settings.signing_secret or ""),
        server_class=_ThreadingWSGIServer,
        handler_class=_QuietHandler,
    )
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    harness = Harness(fake, services, app, None, url)
    harness.send = SlackSender(url, SIGNING_SECRET, fake.response_url(), wait_idle=harness.wait_idle)

    def stop():
        harness.wait_idle()
        server.shutdown()
        server.server_close()
        app.coach_executor.shutdown(wait=True)

    return harness, stop


@pytest.fixture
def slack(database, fake_slack) -> Harness:
    """The app over HTTP on SQLite, and again on PostgreSQL when it is configured."""
    harness, stop = start_app(database, fake_slack)
    fake_slack.reset()  # forget auth.test from start-up
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
