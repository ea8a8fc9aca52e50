"""Benchmarks: is the app fast where Slack needs it? See BENCHMARKS.md.

Run from the repository root with the project's virtualenv, e.g. `.venv/bin/python -m bench.ack`.
Every server and helper process a benchmark starts listens on the loopback only, is bounded
in time, and is stopped by the benchmark itself.
"""
