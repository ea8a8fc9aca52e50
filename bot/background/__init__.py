from bot.background.handlers import BackgroundFlows, register

__all__ = ["BackgroundFlows", "register"]
