"""Ack latency while a 1,000-channel check-in runs in the same deployment.

`coach run` serves a database of 1,000 channels × 10 commitments × 20 reports whose weekly
check-ins are due. Meanwhile the load generator sends signed `/commit progress #N <n>` at
`--concurrency` for `--duration` seconds. The fake Web API answers every call after `--delay`
(50 ms). Reports the acks' p50/p99 and requests/s during the check-in, how far the check-in
got, and the memory of `coach run` (idle before, peak during the check-in).

Where the check-in runs (`--checkin-in`):
  server   `coach run`'s scheduler, in its runtime process (the default deployment): the check-ins fell due two
           minutes ago, so it starts them as it comes up (a missed check-in is posted when
           the app comes back);
  process  `coach checkin` in a process of its own (cron's deployment), against the same
           database: the check-ins fall due a minute or two after `coach run` is up, and
           `coach checkin` starts then, with the load; `coach run`'s scheduler would only
           join a minute later, after the measurement.

    .venv/bin/python -m bench.ack_checkin --duration 20 --concurrency 16 [--checkin-in process]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import create_engine, func, select

from bench.common import (
    BOT_TOKEN,
    SIGNING_SECRET,
    RssSampler,
    child_env,
    machine,
    memory_of,
    mib,
    print_machine,
    python,
    spawn,
    verdict,
    write_json,
)
from bench.fake_api import FakeApi
from bench.loadgen import run_load
from bench.seed import generate
from bench.servers import progress_requests, start_coach
from storage.db import Database

GOAL_P99 = 0.200
GOAL_PEAK = 300 * 2**20


def runner_present() -> bool:
    try:
        from bot.checkins import runner
    except ImportError:
        return False
    return hasattr(runner, "run_due_checkins")


class CheckinProgress:
    """How many channels the check-in claimed and posted, read from the side (read-only)."""

    def __init__(self, database_url: str):
        self.engine = create_engine(database_url)

    def counts(self) -> tuple[int, int]:
        from storage.models import CheckinPost

        table = CheckinPost.__table__
        try:
            with self.engine.connect() as connection:
                claimed = connection.execute(select(func.count()).select_from(table)).scalar()
                posted = connection.execute(
                    select(func.count()).select_from(table).where(table.c.posted_at.is_not(None))
                ).scalar()
                return int(claimed), int(posted)
        except Exception:
            return -1, -1

    def close(self) -> None:
        self.engine.dispose()


def next_minute(moment: datetime, at_least: float) -> datetime:
    """The first whole minute at least `at_least` seconds after `moment` (schedules are HH:MM)."""
    later = moment + timedelta(seconds=at_least)
    return later.replace(second=0, microsecond=0) + (
        timedelta(minutes=1) if later.second or later.microsecond else timedelta()
    )


def start_checkin_process(workdir: Path, api_url: str, database_url: str):
    """`coach checkin`, as cron would start it."""
    return spawn(
        "coach_checkin",
        [python(), "-m", "bot.cli", "checkin"],
        child_env(
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=api_url,
            DATABASE_URL=database_url,
            COACH_TIMEZONE="UTC",
        ),
        workdir,
    )


def run(
    channels: int = 1000,
    per_channel: int = 10,
    reports: int = 20,
    duration: float = 20.0,
    concurrency: int = 16,
    delay: float = 0.05,
    warmup: float = 1.0,
    checkin_in: str = "server",
) -> dict:
    info = machine()
    print_machine(info)
    results: dict = {
        "machine": info,
        "channels": channels,
        "duration_s": duration,
        "concurrency": concurrency,
        "checkin_in": checkin_in,
    }
    if not runner_present():
        print("\nack during a check-in: the check-in runner (bot/checkins/runner.py) is not there yet — skipped")
        results["skipped"] = "no check-in runner"
        return results
    tmp = tempfile.TemporaryDirectory(prefix="coach-bench-ack-checkin-")
    workdir = Path(tmp.name)
    url = f"sqlite:///{workdir / 'coach.db'}"
    now = datetime.now(timezone.utc)
    due = now - timedelta(minutes=2) if checkin_in == "server" else next_minute(now, 75)
    db = Database(url)
    db.upgrade()
    g = generate(db, channels, per_channel, reports, now=now, checkin_at=due)
    db.dispose()
    targets = list(g.first_channel_targets)
    where = "coach run's runtime process" if checkin_in == "server" else "`coach checkin` in its own process"
    print(
        f"\n{g.commitments} commitments in {g.channels} channels, check-ins due at {due.strftime('%a %H:%M')} UTC, "
        f"run by {where}; the Web API answers after {delay * 1000:.0f} ms"
    )

    fake = FakeApi.start(workdir, delay=delay)
    progress = CheckinProgress(url)
    coach = checkin = None
    try:
        started = time.monotonic()
        coach = start_coach(workdir, fake.url, url)
        up = time.monotonic() - started
        idle = memory_of(coach.child.pid)
        make = progress_requests(targets, fake.url.replace("/api/", "/response_url/bench"))
        checkin_rss = None
        if checkin_in == "process":
            wait = (due - datetime.now(timezone.utc)).total_seconds() + 0.5
            print(f"waiting {wait:.0f} s for the check-ins to fall due…", flush=True)
            time.sleep(max(0.0, wait))
            checkin = start_checkin_process(workdir, fake.url, url)
            checkin_rss = RssSampler(checkin.pid, interval=0.25).__enter__()
        before = progress.counts()
        with RssSampler(coach.child.pid, interval=0.25) as rss:
            result = run_load(
                coach.port,
                "/slack/events",
                make,
                concurrency,
                duration,
                warmup=warmup,
                label="coach run, check-in running",
            )
            after = progress.counts()
            # Memory while the check-in goes on: sample a little longer, up to its end or 60 s
            # (not when it runs elsewhere: coach run's own scheduler would join in by then).
            deadline = time.monotonic() + (60 if checkin is None else 0)
            while time.monotonic() < deadline and progress.counts()[1] < channels:
                time.sleep(1)
        if checkin is not None:
            try:
                checkin.popen.wait(120)
            except Exception:
                pass
            checkin_rss.__exit__(None, None, None)
        final = progress.counts()
        print(result.line())
        p99 = result.p(99)
        started_when = (
            f"started as coach run came up, {up:.1f} s before the load"
            if checkin_in == "server"
            else "`coach checkin` started with the load"
        )
        print(
            f"\nduring the check-in ({started_when}): "
            f"p99 {p99 * 1000:.0f} ms (goal ≤ {GOAL_P99 * 1000:.0f} ms) {verdict(p99 <= GOAL_P99)}"
        )
        print(
            f"check-in progress, channels claimed/posted: {before[0]}/{before[1]} when the load started, "
            f"{after[0]}/{after[1]} when it stopped, {final[0]}/{final[1]} of {channels} at the end"
        )
        if after[1] >= channels:
            print("WARNING: the check-in finished before the load did: part of the window ran without it")
        print(
            f"coach run memory (PSS of arbiter, web worker and runtime process): idle at start {mib(idle['pss_total'])}, "
            f"peak during the {'check-in' if checkin is None else 'load'} {mib(rss.peak_pss)} (goal ≤ 300 MiB) {verdict(rss.peak_pss <= GOAL_PEAK)}; "
            f"largest process RSS peak {mib(rss.peak_largest)}"
        )
        if checkin_rss is not None:
            print(f"`coach checkin` process: peak RSS {mib(checkin_rss.peak_total)}")
            results["checkin_process_peak_rss"] = checkin_rss.peak_total
        results.update(
            {
                "coach": result.summary(),
                "checkin_progress": {"before": before, "after": after, "final": final},
                "memory_idle_start": idle,
                "pss_peak_during_checkin": rss.peak_pss,
                "rss_peak_largest_process": rss.peak_largest,
                "goals": {"p99": p99 <= GOAL_P99, "peak_memory": rss.peak_pss <= GOAL_PEAK},
            }
        )
        return results
    finally:
        if checkin:
            checkin.stop()
        if coach:
            coach.stop()
        progress.close()
        fake.stop()
        tmp.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--commitments", type=int, default=10, help="per channel")
    parser.add_argument("--reports", type=int, default=20, help="per commitment")
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--delay", type=float, default=0.05, help="seconds the fake Web API takes per call")
    parser.add_argument(
        "--checkin-in",
        choices=("server", "process"),
        default="server",
        help="coach run's scheduler (default), or `coach checkin` in its own process",
    )
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    results = run(
        args.channels,
        args.commitments,
        args.reports,
        args.duration,
        args.concurrency,
        args.delay,
        checkin_in=args.checkin_in,
    )
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
