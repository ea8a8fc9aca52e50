"""Ack latency: signed `/commit progress #N <n>` through `coach run`, against bare Bolt.

In one run, on the same machine, with the same gunicorn settings and the same load:
  1. bare Bolt, default settings (a `/commit` listener that only acks): the yardstick;
  2. bare Bolt with process_before_response=True (reference: no ack polling at all);
  3. `coach run` on SQLite, every request a real progress report on one of `--commitments`
     commitments (stored, reviewed and posted in the thread after the ack).
Reports p50/p90/p99 and requests/s, the ratios to bare Bolt, the goals, `coach run`'s memory
(idle, and peak under load), and how long its background work took to catch up.

    .venv/bin/python -m bench.ack --duration 20 --concurrency 16
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.common import RssSampler, cpu_seconds, machine, memory_of, mib, print_machine, verdict, write_json
from bench.fake_api import FakeApi
from bench.loadgen import LoadResult, run_load
from bench.seed import load_targets
from bench.servers import progress_requests, start_bare, start_coach
from storage.db import Database

GOAL_P50_RATIO = 1.5  # coach p50 ≤ 1.5 × bare Bolt's
GOAL_RPS_RATIO = 0.6  # coach requests/s ≥ 0.6 × bare Bolt's
GOAL_IDLE_RSS = 120 * 2**20


def untold(db: Database) -> int:
    """Stored reports whose home thread was not told yet (bot/commitments/followups.py)."""
    with db.read() as session:
        return (
            session.connection()
            .exec_driver_sql("SELECT count(*) FROM progress_report WHERE told_at IS NULL")
            .scalar_one()
        )


def wait_drained(fake: FakeApi, db: Database, timeout: float) -> float | None:
    """Seconds until every stored report was told in its thread: none left untold, and the
    fake API's chat.postMessage count steady for 0.5 s (None: not within `timeout`)."""
    started = time.monotonic()
    last, steady_since = -1, time.monotonic()
    while time.monotonic() - started < timeout:
        posts = fake.count("chat.postMessage")
        if posts != last:
            last, steady_since = posts, time.monotonic()
        if untold(db) == 0 and time.monotonic() - steady_since >= 0.5:
            return steady_since - started
        time.sleep(0.1)
    return None


def recorded(answer: bytes) -> str:
    """What `/commit progress` answered: recorded, or the first words of something else."""
    return "recorded" if b"Recorded" in answer else answer[:120].decode(errors="replace")


def measure(server, make, concurrency: int, duration: float, warmup: float, label: str) -> LoadResult:
    """One load run; also the server's CPU time per answered request (its work after the ack
    included, as far as it kept up)."""
    cpu = cpu_seconds(server.child.pid)
    result = run_load(
        server.port,
        "/slack/events",
        make,
        concurrency,
        duration,
        warmup=warmup,
        label=label,
        classify=recorded if server.name == "coach" else None,
    )
    result.cpu_per_request = (cpu_seconds(server.child.pid) - cpu) / max(1, result.answered)
    print(result.line() + f"   CPU {result.cpu_per_request * 1000:.2f} ms/req", flush=True)
    return result


def compare(coach: LoadResult, bare: LoadResult) -> tuple[float, float]:
    return coach.p(50) / bare.p(50), coach.rps / bare.rps


def run(
    duration: float = 20.0,
    concurrency: int = 16,
    commitments: int = 50,
    warmup: float = 2.0,
    with_pbr: bool = True,
    drain_timeout: float = 120.0,
    light: int = 1,
    light_duration: float = 5.0,
    workdir: str | None = None,
) -> dict:
    info = machine()
    print_machine(info)
    tmp = None if workdir else tempfile.TemporaryDirectory(prefix="coach-bench-ack-")
    workdir = Path(workdir or tmp.name)
    workdir.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{workdir / 'coach.db'}"
    db = Database(database_url)
    db.upgrade()
    targets = load_targets(db, commitments)
    db.dispose()

    fake = FakeApi.start(workdir)
    servers = []
    results: dict = {"machine": info, "duration_s": duration, "concurrency": concurrency, "commitments": commitments}
    try:
        bare = start_bare(workdir, fake.url)
        servers.append(bare)
        pbr = start_bare(workdir, fake.url, process_before_response=True) if with_pbr else None
        if pbr:
            servers.append(pbr)
        coach = start_coach(workdir, fake.url, database_url)
        servers.append(coach)
        time.sleep(1.0)
        idle_start = memory_of(coach.child.pid)
        make = progress_requests(targets, fake.url.replace("/api/", "/response_url/bench"))

        print(f"\n/commit progress at concurrency {concurrency}, {duration:.0f} s each (after {warmup:.0f} s warm-up):")
        r_bare = measure(bare, make, concurrency, duration, warmup, "bare Bolt (default)")
        r_pbr = (
            measure(pbr, make, concurrency, duration, warmup, "bare Bolt (process_before_response)") if pbr else None
        )

        posts_before = fake.count("chat.postMessage")
        with RssSampler(coach.child.pid) as rss:
            r_coach = measure(coach, make, concurrency, duration, warmup, "coach run")
            drained = wait_drained(fake, db, drain_timeout)
        behind = untold(db)
        replies = fake.count("chat.postMessage") - posts_before
        time.sleep(1.0)
        idle_after = memory_of(coach.child.pid)
        others = {kind: n for kind, n in r_coach.kinds.items() if kind != "recorded"}
        if others:
            print(f"WARNING: not every answer was 'Recorded …': {others}")

        p50_ratio, rps_ratio = compare(r_coach, r_bare)
        print()
        print(
            f"coach / bare Bolt: p50 × {p50_ratio:.2f} (goal ≤ {GOAL_P50_RATIO}) {verdict(p50_ratio <= GOAL_P50_RATIO)}; "
            f"requests/s × {rps_ratio:.2f} (goal ≥ {GOAL_RPS_RATIO}) {verdict(rps_ratio >= GOAL_RPS_RATIO)}"
        )
        if drained is not None:
            print(
                f"coach's work after the ack (review, reply in the home thread) for {r_coach.answered} reports "
                f"finished {drained:.1f} s after the load stopped, in {replies} thread replies"
            )
        else:
            print(
                f"coach's work after the ack: {behind} reports still untold {drain_timeout:.0f} s after the load stopped"
            )
        print(
            f"coach run memory (its three processes: arbiter, web worker, runtime; PSS: shared pages counted once): idle after start "
            f"{mib(idle_start['pss_total'])}, idle after the load {mib(idle_after['pss_total'])} (goal ≤ 120 MiB) "
            f"{verdict(idle_after['pss_total'] <= GOAL_IDLE_RSS)}, peak under load {mib(rss.peak_pss)}"
        )
        print(
            f"  RSS per process: after start {', '.join(mib(v) for v in idle_start['rss_by_pid'].values())}; "
            f"after the load {', '.join(mib(v) for v in idle_after['rss_by_pid'].values())}"
        )
        light_results = None
        if light:
            print(f"\nthe same at concurrency {light} (one person at a time), {light_duration:.0f} s each:")
            lw = min(1.0, warmup)
            l_bare = measure(bare, make, light, light_duration, lw, "bare Bolt (default)")
            l_pbr = (
                measure(pbr, make, light, light_duration, lw, "bare Bolt (process_before_response)") if pbr else None
            )
            l_coach = measure(coach, make, light, light_duration, lw, "coach run")
            l_p50, l_rps = compare(l_coach, l_bare)
            print(f"coach / bare Bolt at concurrency {light}: p50 × {l_p50:.2f}, requests/s × {l_rps:.2f}")
            light_results = {
                "concurrency": light,
                "bare_bolt": l_bare.summary(),
                "coach": l_coach.summary(),
                "bare_bolt_process_before_response": l_pbr.summary() if l_pbr else None,
                "p50_ratio": round(l_p50, 3),
                "rps_ratio": round(l_rps, 3),
            }
        results.update(
            {
                "light": light_results,
                "cpu_ms_per_request": {
                    "bare_bolt": round(r_bare.cpu_per_request * 1000, 3),
                    "coach": round(r_coach.cpu_per_request * 1000, 3),
                },
                "bare_bolt": r_bare.summary(),
                "bare_bolt_process_before_response": r_pbr.summary() if r_pbr else None,
                "coach": r_coach.summary(),
                "coach_answered": r_coach.answered,
                "coach_answers": dict(r_coach.kinds),
                "p50_ratio": round(p50_ratio, 3),
                "rps_ratio": round(rps_ratio, 3),
                "drain_s": None if drained is None else round(drained, 2),
                "drain_behind": behind,
                "thread_replies": replies,
                "memory_idle_start": idle_start,
                "memory_idle_after_load": idle_after,
                "pss_peak_under_load": rss.peak_pss,
                "rss_peak_under_load": rss.peak_total,
                "goals": {
                    "p50_ratio": p50_ratio <= GOAL_P50_RATIO,
                    "rps_ratio": rps_ratio >= GOAL_RPS_RATIO,
                    "idle_memory": idle_after["pss_total"] <= GOAL_IDLE_RSS,
                },
            }
        )
        return results
    finally:
        for server in servers:
            server.stop()
        fake.stop()
        if tmp:
            tmp.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=20.0, help="seconds measured per server")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--commitments", type=int, default=50, help="commitments the reports are spread over")
    parser.add_argument("--no-pbr", action="store_true", help="skip the process_before_response reference")
    parser.add_argument("--light", type=int, default=1, help="also measure at this concurrency (0: don't)")
    parser.add_argument("--light-duration", type=float, default=5.0)
    parser.add_argument("--workdir", help="keep the database and the servers' logs in this folder")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    results = run(
        args.duration,
        args.concurrency,
        args.commitments,
        args.warmup,
        with_pbr=not args.no_pbr,
        light=args.light,
        light_duration=args.light_duration,
        workdir=args.workdir,
    )
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
