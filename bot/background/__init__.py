"""Background conversations: surface, "Me too", reinvent into a new agreement, the opt-in watch (listeners.py, flows.py, command.py: /background parsing, views.py)."""
