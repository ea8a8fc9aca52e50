"""Actions: requests, promises and their answers (listeners.py, flows.py, promises.py: promise facts, views.py)."""
