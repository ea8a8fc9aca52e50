"""The reminder pass: every nudge and reminder due at a moment, each sent by direct message at
most once (SPEC "Nobody forgets").

Load the facts (a fixed number of queries), decide what is due (`bot.coaching.reminders`),
leave out what was claimed already, then for each: claim its key (committed before sending,
so two processes, restarts and retried runs never send it twice), send it, record how it went.

- A person who can't be messaged (left the workspace, deactivated, a bot…): logged once, the
  claim kept as failed, never tried again; everyone else gets theirs.
- Slack out of reach (a network error, Slack's own failures): the claim is given back, so the
  next pass sends it while it is still relevant.
- HTTP 429: the Web API client waits out `Retry-After` (`Services.web_client`'s retry handler).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from slack_sdk.errors import SlackApiError

from bot.coaching.reminders import CLAIM_HORIZON, Reminder, due_reminders, unclaimed
from bot.reminders.views import message_for
from bot.services import Services
from storage import reminders as store

log = logging.getLogger(__name__)

Message = tuple[str, list[dict]]

# Slack's answers that mean this person can't get a direct message from the app, now or later.
UNREACHABLE = frozenset(
    {
        "user_not_found",
        "users_not_found",
        "cannot_dm_bot",
        "account_inactive",
        "user_disabled",
        "channel_not_found",
        "is_archived",
        "invalid_user",
        "user_is_restricted",
        "restricted_action",
        "messages_tab_disabled",
    }
)
# Slack's answers worth trying again at the next pass.
TRANSIENT = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"})


@dataclass
class ReminderResult:
    """What one reminder did (or, in a dry run, would do)."""

    reminder: Reminder
    message: Message
    sent: bool = False
    error: str | None = None  # Slack's error, when it could not be sent
    retry: bool = False  # the claim was given back: the next pass tries again
    taken: bool = False  # another run claimed it first: not sent by this one
    dry_run: bool = False

    @property
    def key(self) -> str:
        return self.reminder.key


def describe(result: ReminderResult) -> str:
    """One line for `coach checkin --dry-run` and the logs."""
    r = result.reminder
    if result.dry_run:
        state = "would send"
    elif result.sent:
        state = "sent"
    elif result.taken:
        state = "taken by another run"
    else:
        state = f"not sent ({result.error}{', will retry' if result.retry else ''})"
    text = " ".join(result.message[0].split())
    if len(text) > 160:
        text = text[:159] + "…"
    return f"{r.kind} to {r.user_id} ({r.team_id}/{r.channel_id}) [{r.key}] {state}: {text}"


def find_due(services: Services, now: datetime, channels: Sequence[str] | None = None) -> list[Reminder]:
    """Every reminder due at `now` that nobody claimed yet."""
    facts = store.load_facts(services.db, now, services.settings.timezone, channels)
    due = due_reminders(facts, now, services.settings.timezone)
    if not due:
        return []
    return unclaimed(due, store.claimed_since(services.db, now - CLAIM_HORIZON))


def run_due_reminders(
    services: Services, now: datetime | None = None, *, dry_run: bool = False, channels: Sequence[str] | None = None
) -> list[ReminderResult]:
    """Send every nudge and reminder due at `now` (default: the clock); returns what happened.
    A dry run returns what would be sent, and sends and claims nothing."""
    now = now or services.now()
    results = []
    clients: dict[str, object] = {}
    for reminder in find_due(services, now, channels):
        result = ReminderResult(reminder, message_for(reminder, now), dry_run=dry_run)
        results.append(result)
        if dry_run:
            continue
        client = _client(services, clients, reminder.team_id)
        if client is None:
            result.error = "not_installed"
            continue
        if not store.claim(
            services.db, reminder.key, kind=reminder.kind, team_id=reminder.team_id, user_id=reminder.user_id, now=now
        ):
            result.taken = True
            continue
        _send(services, client, result, now)
    return results


def _client(services: Services, clients: dict, team_id: str):
    if team_id not in clients:
        try:
            clients[team_id] = services.client_for(team_id)
        except LookupError:  # OAuth: the workspace has no installation (left, uninstalled)
            log.warning("reminders for workspace %s skipped: not installed", team_id)
            clients[team_id] = None
    return clients[team_id]


def _send(services: Services, client, result: ReminderResult, now: datetime) -> None:
    reminder = result.reminder
    text, blocks = result.message
    try:
        client.chat_postMessage(channel=reminder.user_id, text=text, blocks=blocks)
    except SlackApiError as error:
        code = str(error.response.get("error") or f"http_{error.response.status_code}")
        result.error = code
        if code in TRANSIENT or error.response.status_code >= 500:
            result.retry = True
            log.warning("%s to %s not sent (%s): trying again at the next pass", reminder.kind, reminder.user_id, code)
            store.release(services.db, reminder.key)
            return
        log.warning(
            "%s to %s can't be sent (%s): not tried again",
            reminder.kind,
            reminder.user_id,
            code,
            extra={"unreachable": code in UNREACHABLE},
        )
        store.finish(services.db, reminder.key, False, code, now=now)
        return
    except Exception as error:  # Slack out of reach: give the claim back
        result.error = type(error).__name__
        result.retry = True
        log.warning("%s to %s not sent (%s): trying again at the next pass", reminder.kind, reminder.user_id, error)
        store.release(services.db, reminder.key)
        return
    result.sent = True
    store.finish(services.db, reminder.key, True, now=now)
