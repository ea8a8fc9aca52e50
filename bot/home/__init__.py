from bot.home.handlers import publish_home, register

__all__ = ["publish_home", "register"]
