"""Replays: a signed body seen in the last 5 minutes is answered, but acted on once (SPEC §3).

Slack signs each request it sends with its timestamp; the front door refuses a timestamp more
than 5 minutes from now. Within those minutes the same signed bytes could be sent again by
whoever saw them once, and would pass. So before any listener runs, the app's middleware
(bot/app.py) claims a hash of the request's timestamp and signature in the database: the first
claim acts; a replay is answered 200 with nothing done, and logged in one line. A claim is kept
10 minutes (a timestamp accepted now can't be accepted after that); expired ones are deleted
once a minute at most, by whichever request comes then.

Socket Mode has no signatures, and no replays from outside: nothing is claimed there.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from datetime import datetime, timedelta

from storage import replays as store
from storage.db import Database

log = logging.getLogger(__name__)

KEEP = timedelta(minutes=10)  # a timestamp is accepted within 5 minutes either side of now
SWEEP_SECONDS = 60.0  # how often expired claims are deleted, at most


def _header(headers: dict, name: str) -> str | None:
    value = headers.get(name)
    if isinstance(value, (list, tuple)):
        value = value[0] if value else None
    return value if isinstance(value, str) and value else None


def digest(headers: dict) -> str | None:
    """A hash of the request's timestamp and signature; None for an unsigned request."""
    timestamp = _header(headers, "x-slack-request-timestamp")
    signature = _header(headers, "x-slack-signature")
    if not timestamp or not signature:
        return None
    return hashlib.sha256(f"{timestamp}:{signature}".encode("utf-8", "replace")).hexdigest()


class Replays:
    def __init__(self, db: Database, sweep_seconds: float = SWEEP_SECONDS):
        self.db = db
        self.sweep_seconds = sweep_seconds
        self._lock = threading.Lock()
        self._swept = time.monotonic()  # the first sweep a minute after start

    def first_time(self, headers: dict, team_id: str, now: datetime) -> bool:
        """Whether this signed request is seen for the first time (unsigned ones always are)."""
        key = digest(headers)
        if key is None:
            return True
        self._sweep(now)
        return store.claim(self.db, key, team_id[:32], now + KEEP)

    def _sweep(self, now: datetime) -> None:
        clock = time.monotonic()
        with self._lock:
            if clock - self._swept < self.sweep_seconds:
                return
            self._swept = clock
        try:
            store.delete_expired(self.db, now)
        except Exception:  # the claims are still right without the sweep; the next one tries again
            log.warning("could not delete expired replay claims", exc_info=True)
