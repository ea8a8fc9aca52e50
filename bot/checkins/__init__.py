"""The weekly check-in: schedules per channel, the runner, breakdowns (listeners.py, flows.py,
plan.py: what a check-in says and decides, runner.py: the weekly run, views.py, scheduler.py)."""
