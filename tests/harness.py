"""How the tests run the app: in this process on a loopback port (`start_app`, the `slack`
fixtures), or as a person runs it (`coach`, `coach_env`); and where their databases come from
(SQLite files, or a scratch PostgreSQL database when COACH_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from sqlalchemy import create_engine, text

from bot.app import create_app
from bot.ops.web import make_wsgi
from bot.services import Services
from bot.settings import Settings
from storage.db import Database
from tests.fake_slack import FakeSlack
from tests.slack_client import SlackSender

ROOT = Path(__file__).resolve().parent.parent
SIGNING_SECRET = "test-signing-secret"
# COACH_SECRET_KEY of the tests' OAuth installs (`coach keygen` made it); OLD_SECRET_KEY: a key rotated out.
SECRET_KEY = "SGzSDAggj7yhLRGeJJ55nCVYHWFCwGFqBxZiIsyZtx0="
OLD_SECRET_KEY = "sba5ghrH5nIhxoLxwVOU4qCKFAQAZVD6I7zj3Rj9pBk="
POSTGRES_URL = os.environ.get("COACH_TEST_POSTGRES_URL")
NO_POSTGRES = "COACH_TEST_POSTGRES_URL is not set: PostgreSQL variant skipped (.ci/run sets it)"


@contextmanager
def scratch_postgres(prefix: str):
    """The URL of a new, empty PostgreSQL database of its own, dropped afterwards; skips the
    test when COACH_TEST_POSTGRES_URL is not set."""
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(Database(POSTGRES_URL).url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield Database(POSTGRES_URL).engine.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- the app in this process ---------------------------------------------------------------------


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
        assert self.app.coach_executor.wait_idle(30), "the app's background work did not finish"


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
        make_wsgi(app, db, services.settings.signing_secret or "", services.settings.trust_forwarded_for),
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


def install_directly(harness: Harness, team: str) -> None:
    """Store an OAuth installation of the app in `team`, with the token `xoxb-<team>` (whose
    auth.test the fake Slack answers with that workspace)."""
    from datetime import datetime, timezone

    from slack_sdk.oauth.installation_store import Installation

    harness.services.installations.store.save(
        Installation(
            app_id="A1",
            team_id=team,
            user_id="U1",
            bot_token=f"xoxb-{team}",
            bot_id="B1",
            bot_user_id="UBOT",
            bot_scopes=["chat:write"],
            installed_at=datetime.now(timezone.utc).timestamp(),
        )
    )


# --- `coach` as a person runs it -----------------------------------------------------------------


def coach_env(tmp_path, **extra) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "COACH_"))}
    keep.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'coach.db'}", **extra})
    return keep


def coach(*args, env, cwd, timeout=60):
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port: int, process: subprocess.Popen, log: Path, timeout: float = 40) -> None:
    sender = SlackSender(f"http://127.0.0.1:{port}", SIGNING_SECRET, "")
    deadline = time.monotonic() + timeout
    while True:
        try:
            if sender.get("/healthz").status == 200:
                return
        except OSError:
            pass
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, f"port {port} did not come up:\n{log.read_text()}"
        time.sleep(0.2)


def stop(process: subprocess.Popen, timeout: float = 30) -> int:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise
