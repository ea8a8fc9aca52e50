"""What every listener needs, handed over once at registration: database, settings, clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from functools import cached_property
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.settings import Settings
from storage.db import Database


@dataclass(frozen=True)
class Services:
    db: Database
    settings: Settings
    _clients: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def today(self) -> date:
        """Today's date in `COACH_TIMEZONE`: the day a commitment is declared or reported."""
        return self.now().astimezone(self.zone).date()

    def day_of(self, moment: datetime) -> date:
        """The day `moment` falls on in `COACH_TIMEZONE`. Called for every report a check-in
        reads: the stored times are UTC already, so with a UTC zone there is nothing to convert."""
        if moment.tzinfo is timezone.utc and self.settings.timezone == "UTC":
            return moment.date()
        return moment.astimezone(self.zone).date()

    def web_client(self, token: str | None = None) -> WebClient:
        """Every client the app builds talks to `SLACK_API_URL` and waits out HTTP 429."""
        from bot.ops import metrics

        client = WebClient(
            token=token,
            base_url=self.settings.api_url,
            retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=3)],
        )
        return metrics.counting_client(client)

    def client_for(self, team_id: str) -> WebClient:
        """A Web API client for a workspace, outside any request (the scheduler, the CLI).

        OAuth mode: the workspace's own bot token from the installation store, refreshed and
        saved first when it is about to expire; raises `bot.slack.oauth.NotInstalled` when the
        workspace has no installation. Single workspace: `SLACK_BOT_TOKEN`.
        """
        if self.settings.oauth:
            return self.web_client(self.installations.bot_token(team_id))
        if team_id not in self._clients:
            self._clients[team_id] = self.web_client(self.settings.bot_token)
        return self._clients[team_id]

    @cached_property
    def installations(self):
        """OAuth mode: the workspaces that installed the app (`bot.slack.oauth.Installations`)."""
        from bot.slack.oauth import Installations

        return Installations(self)
