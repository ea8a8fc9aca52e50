"""`coach doctor`: is this installation ready? One line per check, `ok` or `FAIL`.

Checks the settings, the database connection, that migrations are at head, in OAuth mode that
`COACH_SECRET_KEY` decrypts every stored token, and for each bot
token (`SLACK_BOT_TOKEN`, or every installed workspace in OAuth mode) that `auth.test` accepts
it and that it carries every bot scope of manifest.yml. Changes nothing, except that a
rotating token about to expire is refreshed, as the app would.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import IO, Iterator

from slack_sdk.errors import SlackApiError
from sqlalchemy import text

from bot.ops.keys import key_detail
from bot.services import Services
from bot.settings import Settings
from bot.slack.oauth import BOT_SCOPES, INSTALL_PATH
from storage.db import Database


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'}  {self.name}: {self.detail}"


def doctor(settings: Settings, out: IO[str] | None = None) -> int:
    """Print every check; 0 when all pass, 1 otherwise."""
    out = out or sys.stdout
    failed = False
    for check in checks(settings):
        print(check.line(), file=out, flush=True)
        failed = failed or not check.ok
    return 1 if failed else 0


def checks(settings: Settings) -> Iterator[Check]:
    yield _settings(settings)
    db = Database(settings.database_url)
    try:
        database = _database(db)
        yield database
        yield _migrations(db) if database.ok else Check("migrations", False, "not checked: no database")
        if settings.oauth:
            yield _secret_key(settings, db if database.ok else None)
        yield from _slack(Services(db=db, settings=settings), database.ok)
    finally:
        db.dispose()
    yield _holidays()
    if settings.metrics_port:
        yield _metrics(settings.metrics_port)


def _holidays() -> Check:
    """The public holidays data `checkin holidays` reads (the `holidays` package)."""
    try:
        import holidays

        days = holidays.country_holidays("DE", years=2027)
    except Exception as error:  # not installed, or its data broken
        return Check("holidays", False, f"the holidays package can't be read ({type(error).__name__}): reinstall it")
    return Check("holidays", True, f"holidays {holidays.__version__}, {len(days)} public holidays in DE in 2027")


def _metrics(port: int) -> Check:
    """Where `coach run`'s processes write their metrics: a directory this user may write."""
    import tempfile

    from bot.ops.metrics import MULTIPROC_ENV

    directory = os.environ.get(MULTIPROC_ENV) or os.path.join(tempfile.gettempdir(), f"coach-metrics-{port}")
    parent = directory if os.path.isdir(directory) else os.path.dirname(directory) or "."
    if not os.access(parent, os.W_OK | os.X_OK):
        return Check("metrics", False, f"can't write {directory}: set {MULTIPROC_ENV} to a directory of this user")
    return Check("metrics", True, f"GET /metrics on 127.0.0.1:{port}, files in {directory}")


def _settings(settings: Settings) -> Check:
    missing = settings.missing_for_run()
    if missing:
        return Check("settings", False, f"missing {', '.join(missing)} (`coach run` says where to find them)")
    transport = "Socket Mode" if settings.socket_mode else f"HTTP on port {settings.port}"
    workspaces = f"OAuth install at {INSTALL_PATH}" if settings.oauth else "one workspace (SLACK_BOT_TOKEN)"
    return Check("settings", True, f"{transport}, {workspaces}, timezone {settings.timezone}")


def _where(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=True)


def _database(db: Database) -> Check:
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as problem:
        reason = str(getattr(problem, "orig", None) or problem).strip().splitlines()[0]
        return Check("database", False, f"cannot connect to {_where(db)}: {reason}")
    return Check("database", True, f"{db.dialect} at {_where(db)}")


def _migrations(db: Database) -> Check:
    from storage.migrate import current_heads, script_heads

    current, expected = current_heads(db.engine), script_heads()
    if current == expected:
        return Check("migrations", True, f"at head {', '.join(sorted(current))}")
    at = ", ".join(sorted(current)) or "no revision"
    return Check(
        "migrations",
        False,
        f"database at {at}, this version needs {', '.join(sorted(expected))}: run `coach db upgrade`",
    )


def _secret_key(settings: Settings, db: Database | None) -> Check:
    try:
        ok, detail = key_detail(settings, db)
    except Exception as problem:  # e.g. the token columns not migrated yet
        ok, detail = False, f"cannot read the stored tokens: {type(problem).__name__}"
    return Check("secret key", ok, detail)


def _slack(services: Services, database_ok: bool) -> Iterator[Check]:
    settings = services.settings
    if settings.oauth:
        if not database_ok:
            yield Check("auth.test", False, "not checked: the installations are in the database")
            return
        if not settings.secret_key:
            yield Check("auth.test", False, "not checked: no COACH_SECRET_KEY to read the stored tokens")
            return
        teams = services.installations.teams()
        if not teams:
            yield Check("auth.test", True, f"no workspace has installed the app yet: open {INSTALL_PATH}")
            return
        for team_id in teams:
            try:
                client = services.client_for(team_id)
            except Exception as problem:
                yield Check(f"auth.test {team_id}", False, f"no usable token: {problem}")
                continue
            yield from _token(client, f" {team_id}", "reinstall the app in that workspace")
        return
    if not settings.bot_token:
        yield Check("auth.test", False, "no SLACK_BOT_TOKEN to check")
        return
    yield from _token(services.web_client(settings.bot_token), "", "check SLACK_BOT_TOKEN")


def _token(client, suffix: str, fix: str) -> Iterator[Check]:
    try:
        answer = client.auth_test()
    except SlackApiError as problem:
        yield Check(f"auth.test{suffix}", False, f"Slack says {problem.response.get('error')}: {fix}")
        return
    except Exception as problem:
        yield Check(f"auth.test{suffix}", False, f"cannot reach {client.base_url}: {problem}")
        return
    yield Check(
        f"auth.test{suffix}",
        True,
        f"{answer.get('user')} ({answer.get('user_id')}) in {answer.get('team')} ({answer.get('team_id')})",
    )
    headers = {key.lower(): value for key, value in (answer.headers or {}).items()}
    granted = {s.strip() for s in str(headers.get("x-oauth-scopes", "")).split(",") if s.strip()}
    missing = [scope for scope in BOT_SCOPES if scope not in granted]
    if missing:
        yield Check(
            f"scopes{suffix}",
            False,
            f"the token lacks {', '.join(missing)}: add them under OAuth & Permissions "
            "(or recreate the app from manifest.yml) and reinstall the app",
        )
    else:
        yield Check(f"scopes{suffix}", True, f"all {len(BOT_SCOPES)} bot scopes of manifest.yml")
