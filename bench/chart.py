"""Chart rendering: one commitment's PNG (bot/charts.py), cold and warm.

Cold is the first chart of a process (matplotlib imported, fonts loaded); warm is every
chart after it, what `coach run` pays per status mention or breakdown announcement.

    .venv/bin/python -m bench.chart --charts 20
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date, timedelta
from importlib.util import find_spec

from bench.common import machine, print_machine, verdict, write_json

GOAL_WARM_S = 0.150


def facts(reports: int = 20, today: date | None = None):
    """A commitment a quarter of the way in, short of its path: a breakdown, the busiest chart."""
    from bot.coaching.trajectory import CommitmentFacts, Report

    today = today or date.today()
    start = today - timedelta(days=60)
    due = today + timedelta(days=120)
    points = tuple(Report(start + timedelta(days=3 * i), 120 + 2.1 * i * (1 + (i % 3) / 10)) for i in range(reports))
    return CommitmentFacts(120.0, 300.0, start, due, points)


def render_once(f, today: date) -> bytes:
    from bot.charts.render import render_chart
    from bot.charts.series import chart_series

    return render_chart(chart_series(f, today), "#12 Weekly active teams across the whole company", "teams")


def run(charts: int = 20) -> dict:
    info = machine()
    print_machine(info)
    if find_spec("bot.charts") is None:
        print("\nchart: bot/charts.py is not there yet — skipped")
        return {"machine": info, "skipped": "no bot/charts.py"}
    if find_spec("matplotlib") is None:
        print("\nchart: matplotlib is not installed (the `charts` extra) — skipped")
        return {"machine": info, "skipped": "no matplotlib"}
    today = date.today()
    f = facts(today=today)
    started = time.perf_counter()
    png = render_once(f, today)
    cold = time.perf_counter() - started
    times = []
    for _ in range(charts):
        started = time.perf_counter()
        render_once(f, today)
        times.append(time.perf_counter() - started)
    warm = statistics.median(times)
    print(
        f"\nchart (800×450 PNG, {len(png) // 1024} KiB): cold {cold * 1000:.0f} ms; warm median {warm * 1000:.0f} ms, "
        f"slowest {max(times) * 1000:.0f} ms over {charts} (goal ≤ {GOAL_WARM_S * 1000:.0f} ms) "
        f"{verdict(warm <= GOAL_WARM_S)}"
    )
    return {
        "machine": info,
        "png_bytes": len(png),
        "cold_s": round(cold, 4),
        "warm_median_s": round(warm, 4),
        "warm_max_s": round(max(times), 4),
        "charts": charts,
        "goal": warm <= GOAL_WARM_S,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--charts", type=int, default=20, help="warm charts to time")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    write_json(args.json, run(args.charts))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
