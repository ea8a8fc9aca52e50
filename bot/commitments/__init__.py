"""Commitments: declare, enrol, report progress, status, withdraw (listeners.py, flows.py, access.py: who may do what, facts.py, followups.py, views.py)."""
