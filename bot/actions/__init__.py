"""Actions: requests, promises, and their answers."""

from bot.actions.handlers import register

__all__ = ["register"]
