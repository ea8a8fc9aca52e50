"""The weekly check-in: schedules per channel, the runner, breakdowns."""

from bot.checkins.handlers import register
from bot.checkins.runner import run_due_checkins

__all__ = ["register", "run_due_checkins"]
