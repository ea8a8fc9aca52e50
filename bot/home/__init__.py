"""App Home: each person\x27s tab (flows.py builds and publishes it, listeners.py, views.py)."""
