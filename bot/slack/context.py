"""What Slack hands back, decoded once, and who may use it (SPEC §3), before a listener runs.

- `Ref`: what a button value or a modal's `private_metadata` points at: a row id, and what came
  with it (opened on App Home, the breakdown it answers, a proposed date). One encoding
  (`Ref.encode`), and one decoder that also reads every encoding shipped before, because old
  Slack messages keep their buttons for years: `12`, `12:home`, `12:34` (commitment and
  breakdown; `12:` without one), `12:2027-01-05` (an action and a proposed date), and action_modal's JSON
  `{"commitment": 12, "breakdown": 34}`.
- `Load`: a row a listener needs, found from a `Ref` in the workspace Bolt authorized and
  checked by the domain's access rules; `listener(Load…)` applies them before the listener
  runs and hands it the row by name (`commitment`, `action`, …) with its `ref`.
- The listener's other arguments: Bolt's own (`ack`, `body`, `client`, `action`, `view`, …)
  and ours from the request context: `services`, `team_id` (the workspace Bolt authorized),
  `user_id`.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from bot.slack.guard import CoachError, guarded

MAX_ID = 2**63 - 1  # a database integer: anything larger is not one of our rows
_ID = re.compile(r"^\d{1,19}$")
HOME = "home"
NOT_FOUND = "That button doesn't point at anything I know."


@dataclass(frozen=True)
class Ref:
    id: int
    home: bool = False
    breakdown: int | None = None
    proposed: date | None = None

    def encode(self) -> str:
        parts = [str(self.id)]
        if self.home:
            parts.append(HOME)
        if self.breakdown is not None:
            parts.append(str(self.breakdown))
        if self.proposed is not None:
            parts.append(self.proposed.isoformat())
        return ":".join(parts)


def row_id(raw: object) -> int | None:
    """A row id from Slack's text, or None when it can't be one (negative, too large, not digits)."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if 0 < raw <= MAX_ID else None
    text = str(raw).strip() if raw is not None else ""
    if not _ID.match(text):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def decode_ref(raw: object) -> Ref:
    """The `Ref` in a button value or private_metadata; a CoachError when it holds none."""
    text = raw.strip() if isinstance(raw, str) else raw
    if isinstance(text, str) and text.startswith("{"):
        return _from_json(text)
    head, *rest = str(text if text is not None else "").split(":")
    key = row_id(head)
    if key is None or len(rest) > 3:
        raise CoachError(NOT_FOUND)
    home, breakdown, proposed = False, None, None
    for part in rest:
        if not part:  # "12:" (no breakdown), as checkin_add_action buttons were shipped
            continue
        if part == HOME:
            home = True
        elif row_id(part) is not None and breakdown is None:
            breakdown = row_id(part)
        else:
            try:
                proposed = date.fromisoformat(part)
            except ValueError:
                raise CoachError(NOT_FOUND) from None
    return Ref(key, home, breakdown, proposed)


def _from_json(text: str) -> Ref:
    """action_modal's private_metadata as shipped before: {"commitment": id, "breakdown": id}."""
    try:
        data = json.loads(text)
    except ValueError:
        raise CoachError(NOT_FOUND) from None
    if not isinstance(data, dict):
        raise CoachError(NOT_FOUND)
    key = row_id(data.get("commitment"))
    if key is None:
        raise CoachError(NOT_FOUND)
    breakdown = data.get("breakdown")
    return Ref(key, breakdown=row_id(breakdown) if breakdown is not None else None)


# --- where a ref comes from ------------------------------------------------------------------------


def from_value(request: dict) -> object:
    """The clicked button's value."""
    return (request.get("action") or {}).get("value")


def from_metadata(request: dict) -> object:
    """The submitted modal's private_metadata."""
    return (request.get("view") or {}).get("private_metadata")


# --- loading rows and applying access rules ------------------------------------------------------

Rule = Callable[..., None]  # rule(services, row, user_id): raises CoachError to say no


@dataclass(frozen=True)
class Load:
    """A row a listener needs: `name` is the argument it fills; `fetch(services, team_id, ref)`
    finds it in the authorized workspace (a CoachError when it isn't there); `rules` run in order."""

    name: str
    source: Callable[[dict], object]
    fetch: Callable[..., object]
    rules: tuple[Rule, ...] = ()


def listener(*loads: Load, name: str | None = None):
    """A Bolt listener (wrapped by `guarded`) that gets its rows found and checked first."""

    def decorate(fn: Callable[..., None]):
        wanted = _arguments(fn)

        def run(**request):
            for load in loads:
                ref = decode_ref(load.source(request))
                services = request["services"]
                row = load.fetch(services, request["team_id"], ref)
                for rule in load.rules:
                    rule(services, row, request["user_id"])
                request[load.name] = row
                request.setdefault("ref", ref)
            fn(**{key: request[key] for key in wanted})

        run.__name__ = name or fn.__name__
        run.__qualname__ = fn.__qualname__
        run.__wrapped__ = fn
        return guarded(run)

    return decorate


def _arguments(fn: Callable) -> list[str]:
    return list(inspect.signature(fn).parameters)
