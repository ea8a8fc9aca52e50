"""A per-address limit on `GET /slack/install` (OAuth mode): each one issues a state row.

At most `INSTALLS_PER_MINUTE` requests per client address in each minute of the clock; beyond
that, 429 with `Retry-After` until the next minute. Counted in this process (each web worker
counts its own). The address is the peer's (`REMOTE_ADDR`): behind a reverse proxy that is the
proxy's, unless `COACH_TRUST_X_FORWARDED_FOR=true`, when it is the last address of
`X-Forwarded-For` (the one the proxy appended; set it only when a proxy you run sets that header).
"""

from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger("bot.http")

INSTALLS_PER_MINUTE = 20
# Distinct addresses counted per minute: past this many, a new address waits for the next
# minute too, so a flood from many addresses can't grow the table without bound.
MAX_ADDRESSES = 10_000


def client_address(environ: dict, trust_forwarded_for: bool) -> str:
    if trust_forwarded_for:
        forwarded = [part.strip() for part in environ.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1][:64]
    return environ.get("REMOTE_ADDR") or "-"


class PerAddressLimit:
    """`allow(address)`: True for the first `per_minute` calls of an address in a clock minute."""

    def __init__(self, per_minute: int = INSTALLS_PER_MINUTE, max_addresses: int = MAX_ADDRESSES):
        self.per_minute = per_minute
        self.max_addresses = max_addresses
        self._minute = -1
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def allow(self, address: str) -> bool:
        minute = int(time.time() // 60)
        with self._lock:
            if minute != self._minute:
                self._minute, self._counts = minute, {}
            count = self._counts.get(address)
            if count is None and len(self._counts) >= self.max_addresses:
                return False
            count = (count or 0) + 1
            self._counts[address] = count
            if count == self.per_minute + 1:  # one line per address and minute, not one per request
                log.warning("install requests from %s over %d a minute: answered 429", address, self.per_minute)
            return count <= self.per_minute

    @staticmethod
    def retry_after() -> int:
        return 60 - int(time.time()) % 60


def too_many(start_response, retry_after: int):
    body = b"Too Many Requests\n"
    start_response(
        "429 Too Many Requests",
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Retry-After", str(retry_after)),
        ],
    )
    return [body]
