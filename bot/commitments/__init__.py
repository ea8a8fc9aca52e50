from bot.commitments.handlers import CommitmentFlows, register

__all__ = ["CommitmentFlows", "register"]
