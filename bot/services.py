"""What every listener needs, handed over once at registration: database, settings, clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from bot.settings import Settings
from storage.db import Database


@dataclass(frozen=True)
class Services:
    db: Database
    settings: Settings

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.settings.timezone)

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def today(self) -> date:
        """Today's date in `COACH_TIMEZONE`: the day a commitment is declared or reported."""
        return self.now().astimezone(self.zone).date()

    def day_of(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()
