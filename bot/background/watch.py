"""Background watch's bounded work per message (issue #14): the channel's opt-in read first,
from a short per-process cache, then at most `MAX_WATCHED` characters of the text read.

A message in a channel that doesn't watch costs one dictionary look-up (after the first in a
while); a message in one that does costs a capped, linear-time read. `/background watch on/off`
in this process updates the cache at once; another process sees the change within `TTL_S`.
The cache belongs to the database it caches (one per app).
"""

from __future__ import annotations

import threading
import time
from weakref import WeakKeyDictionary

from bot.background.command import readable
from bot.coaching.beliefs import MAX_READ, Belief, limiting_belief
from storage import background as store

TTL_S = 30.0
# Slack markup (`<https://…|label>`, `<@U123>`) is longer than what it reads as: read a little
# more Slack text than the detector reads of the readable text.
MAX_WATCHED = 2 * MAX_READ
MAX_CHANNELS = 10_000  # per database; the cache starts afresh when it is full

_lock = threading.Lock()
_caches: WeakKeyDictionary = WeakKeyDictionary()


def _cache(db) -> dict[tuple[str, str], tuple[bool, float]]:
    cache = _caches.get(db)
    if cache is None:
        cache = _caches[db] = {}
    return cache


def watching(db, team_id: str, channel_id: str, clock=time.monotonic) -> bool:
    """Does this channel watch? The database is asked when the cached answer is missing or
    older than `TTL_S`."""
    now = clock()
    with _lock:
        cached = _cache(db).get((team_id, channel_id))
    if cached is not None and now - cached[1] < TTL_S:
        return cached[0]
    on = store.watching(db, team_id, channel_id)
    remember(db, team_id, channel_id, on, clock)
    return on


def set_watch(db, team_id: str, channel_id: str, on: bool) -> bool:
    """`/background watch on/off`: stored, and known at once to this process."""
    changed = store.set_watch(db, team_id, channel_id, on)
    remember(db, team_id, channel_id, on)
    return changed


def remember(db, team_id: str, channel_id: str, on: bool, clock=time.monotonic) -> None:
    with _lock:
        cache = _cache(db)
        if len(cache) >= MAX_CHANNELS:
            cache.clear()
        cache[(team_id, channel_id)] = (on, clock())


def watch_reading(slack_text: str | None) -> Belief | None:
    """The limiting belief a message's Slack text voices, if any, reading at most `MAX_WATCHED`
    characters of it (every pattern over it runs in linear time)."""
    if not slack_text:
        return None
    return limiting_belief(readable(slack_text[:MAX_WATCHED]))
