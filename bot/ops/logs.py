"""Structured logs: one `key=value` line per record (logfmt), with request and workspace ids.

    time=2026-11-26T10:00:00.123Z level=info logger=bot.requests request_id=Ev0001 team_id=T1 msg="command /commit"

Every record carries `request_id` and `team_id` from the request (or scheduler run) being
handled, `-` outside one. Listener threads inherit them (`ListenerExecutor` copies the
context). At INFO and above we log ids and kinds, never what people typed; anything that
looks like a Slack token is masked in every record as a last line of defence.
"""

from __future__ import annotations

import logging
import re
import sys
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import IO, Iterator

REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="-")
TEAM_ID: ContextVar[str] = ContextVar("team_id", default="-")

TOKEN = re.compile(r"\b(xox[a-z]|xapp|xoxe)[-.][A-Za-z0-9.\-]+")
_BARE = re.compile(r"^[A-Za-z0-9_.:/@+\-]+$")

log = logging.getLogger("bot.requests")


def mask_tokens(text: str) -> str:
    return TOKEN.sub(lambda m: m.group(1) + "-***", text)


class ContextFilter(logging.Filter):
    """Puts the current request id and team id on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        record.team_id = TEAM_ID.get()
        return True


def _value(value: object) -> str:
    text = str(value)
    if text and _BARE.match(text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


class LogfmtFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, timezone.utc)
        fields = {
            "time": moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "team_id": getattr(record, "team_id", "-"),
            "msg": record.getMessage(),
        }
        if record.exc_info:
            fields["error"] = self.formatException(record.exc_info)
        line = " ".join(f"{key}={_value(value)}" for key, value in fields.items())
        return mask_tokens(line)


def setup_logging(level: int = logging.INFO, stream: IO[str] | None = None) -> logging.Handler:
    """Send every log record to `stream` (stderr) as logfmt; replaces an earlier setup."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "coach", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.coach = True
    handler.setFormatter(LogfmtFormatter())
    handler.addFilter(ContextFilter())
    root.addHandler(handler)
    root.setLevel(level)
    # slack_sdk logs request and response bodies (tokens, message text) at DEBUG only.
    for noisy in ("slack_sdk", "slack_bolt", "urllib3"):
        logging.getLogger(noisy).setLevel(max(level, logging.INFO))
    logging.getLogger("alembic.runtime.plugins").setLevel(max(level, logging.WARNING))
    return handler


@contextmanager
def bound(request_id: str | None = None, team_id: str | None = None) -> Iterator[None]:
    """Log with these ids inside the block (the scheduler, the CLI)."""
    tokens = []
    if request_id is not None:
        tokens.append((REQUEST_ID, REQUEST_ID.set(request_id)))
    if team_id is not None:
        tokens.append((TEAM_ID, TEAM_ID.set(team_id)))
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


def new_request_id() -> str:
    return uuid.uuid4().hex[:12]


def _team_of(body: dict) -> str | None:
    team = body.get("team_id") or body.get("team")
    if isinstance(team, dict):
        team = team.get("id")
    if not team and isinstance(body.get("view"), dict):
        team = body["view"].get("team_id")
    return team or None


def _kind_of(body: dict) -> str:
    """What a request is, by ids only: never its text."""
    if body.get("command"):
        return f"command {body['command']}"
    kind = body.get("type") or "request"
    if kind == "event_callback":
        return f"event {(body.get('event') or {}).get('type', '?')}"
    if kind == "block_actions":
        return "action " + ",".join(a.get("action_id", "?") for a in body.get("actions") or [])
    if kind in ("view_submission", "view_closed"):
        return f"{kind} {(body.get('view') or {}).get('callback_id', '?')}"
    if kind in ("shortcut", "message_action"):
        return f"{kind} {body.get('callback_id', '?')}"
    return kind


def request_context(body, next):
    """Bolt middleware (before authorize): ids for every record logged while handling this.

    Bolt runs the listener after the middleware chain has returned, so the ids stay set on
    this thread until the next request sets its own; `ListenerExecutor` hands them on to the
    listener's thread.
    """
    REQUEST_ID.set(body.get("event_id") or new_request_id())
    TEAM_ID.set(_team_of(body) or "-")
    log.info(_kind_of(body))
    return next()
