"""Check-in at scale: 1,000 channels × 10 commitments × 20 reports in SQLite.

1. generate the data (bench.seed, SQLAlchemy core bulk inserts);
2. verdicts: `bot.commitments.facts.review` over `storage.commitments.load_states` for every
   active commitment: time (wall and CPU) and SQL queries, also for a tenth of them, to
   show the query count does not grow with the number of commitments;
3. the check-in runner's dry run (everything computed, nothing posted): time and queries;
4. the real run against the fake Web API answering each call after `--delay` (50 ms), in a
   fresh process of its own as `coach checkin` would run it: time against the ideal
   posts × delay / the runner's posting concurrency, and that process's peak RSS.

  .venv/bin/python -m bench.checkin_scale --channels 1000 --commitments 10 --reports 20
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlmodel import select

from bench.common import (
    BOT_TOKEN,
    SIGNING_SECRET,
    QueryCounter,
    machine,
    mib,
    peak_rss,
    print_machine,
    reset_peak_rss,
    rss_bytes,
    verdict,
    write_json,
)
from bench.seed import generate
from storage.db import Database

GOAL_VERDICTS_S = 2.0
GOAL_POSTING_RATIO = 1.2
GOAL_PEAK_RSS = 300 * 2**20


def checkin_moment(now: datetime | None = None) -> datetime:
    """The default check-in (Monday 09:00 UTC) of this week, five minutes later."""
    now = now or datetime.now(timezone.utc)
    monday = (now - timedelta(days=now.weekday())).replace(hour=9, minute=5, second=0, microsecond=0)
    return monday if monday <= now else monday - timedelta(days=7)


def runner():
    """`bot.checkins.runner.run_due_checkins`, or None while it isn't there."""
    try:
        from bot.checkins import runner as module
    except ImportError:
        return None, None
    return getattr(module, "run_due_checkins", None), module


def posting_concurrency(module) -> int:
    """The runner's posting concurrency, if it declares one (else it posts one at a time)."""
    for name in dir(module):
        value = getattr(module, name)
        if (
            isinstance(value, int)
            and not isinstance(value, bool)
            and any(word in name for word in ("CONCURRENCY", "POSTING_THREADS", "POST_THREADS", "POSTERS"))
        ):
            return value
    return 1


def all_verdicts(db: Database, limit: int | None = None):
    """Every active commitment's review: the commitments, their states (2 queries), verdicts."""
    from bot.commitments.facts import review
    from storage import commitments as store
    from storage.models import Commitment, CommitmentStatus

    day_of = services_for(db, "http://127.0.0.1:9/api/").day_of  # the app's, COACH_TIMEZONE=UTC

    with db.read() as session:
        query = select(Commitment).where(Commitment.status == CommitmentStatus.ACTIVE).order_by(Commitment.id)
        if limit:
            query = query.limit(limit)
        commitments = list(session.exec(query).all())
    states = store.load_states(db, commitments)
    today = datetime.now(timezone.utc).date()
    return [review(state, today, day_of) for state in states]


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def services_for(db: Database, api_url: str):
    from bot.services import Services
    from bot.settings import Settings

    settings = Settings(
        bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET, api_url=api_url, database_url=db.url, timezone="UTC"
    )
    return Services(db=db, settings=settings)


def run(
    channels: int = 1000,
    per_channel: int = 10,
    reports: int = 20,
    actions: int = 1,
    delay: float = 0.05,
    post: bool = True,
    post_channels: int | None = None,
    database_url: str | None = None,
) -> dict:
    info = machine()
    print_machine(info)
    tmp = tempfile.TemporaryDirectory(prefix="coach-bench-checkin-")
    url = database_url or f"sqlite:///{Path(tmp.name) / 'coach.db'}"
    results: dict = {"machine": info, "channels": channels, "per_channel": per_channel, "reports": reports}
    now = checkin_moment()
    db = Database(url)
    try:
        db.upgrade()
        g = generate(db, channels, per_channel, reports, actions, now=now - timedelta(minutes=5))
        print(
            f"\ngenerated {g.commitments} commitments in {g.channels} channels, {g.reports} reports, "
            f"{g.enrolments} enrolments, {g.actions} promises in {g.seconds:.1f} s"
        )
        results["generated"] = {"commitments": g.commitments, "reports": g.reports, "seconds": round(g.seconds, 2)}

        counter = QueryCounter(db.engine)
        all_verdicts(db, limit=100)  # warm: imports, compiled-statement cache
        counter.reset()
        tenth, t_wall, t_cpu = timed(lambda: all_verdicts(db, limit=max(1, g.commitments // 10)))
        tenth_queries = counter.selects
        counter.reset()
        reviews, wall, cpu = timed(lambda: all_verdicts(db))
        queries = counter.selects
        print(
            f"\nverdicts of {len(reviews)} commitments: {wall:.2f} s wall, {cpu:.2f} s CPU, {queries} queries "
            f"(goal ≤ {GOAL_VERDICTS_S:.0f} s) {verdict(wall <= GOAL_VERDICTS_S)}"
        )
        print(
            f"verdicts of {len(tenth)} commitments: {t_wall:.2f} s wall, {t_cpu:.2f} s CPU, {tenth_queries} queries "
            f"— queries {'do not grow' if queries == tenth_queries else 'GROW'} with the number of commitments "
            f"{verdict(queries == tenth_queries)}"
        )
        results["verdicts"] = {
            "commitments": len(reviews),
            "wall_s": round(wall, 3),
            "cpu_s": round(cpu, 3),
            "queries": queries,
            "tenth_commitments": len(tenth),
            "tenth_queries": tenth_queries,
            "goal_time": wall <= GOAL_VERDICTS_S,
            "goal_queries": queries == tenth_queries,
        }

        run_due, module = runner()
        if run_due is None:
            print("\ncheck-in runner (bot.checkins.runner.run_due_checkins): not there yet — skipped")
            results["runner"] = "skipped"
            return results
        wanted = [f"C{i:06d}" for i in range(1, (post_channels or channels) + 1)] if post_channels else None

        from tests.fake_slack import FakeSlack

        fake = FakeSlack()
        try:
            services = services_for(db, fake.api_url)
            counter.reset()
            dry, wall, cpu = timed(lambda: run_due(services, now=now, dry_run=True))
            dry_queries = counter.selects
            print(
                f"\ncheck-in dry run: {len(dry)} channels due, planned and rendered in {wall:.2f} s wall "
                f"({cpu:.2f} s CPU), {dry_queries} queries, {counter.statements} statements"
            )
            results["dry_run"] = {
                "channels": len(dry),
                "wall_s": round(wall, 3),
                "cpu_s": round(cpu, 3),
                "queries": dry_queries,
            }
            if not post:
                return results

            concurrency = posting_concurrency(module)
            fake.delay = delay
            fake.reset()
            db.dispose()
            child = post_in_child(url, fake.api_url, now, wanted)
            posts = len(fake.calls("chat.postMessage"))
            calls = len(fake.calls())
            wall = child["wall_s"]
            ideal = posts * delay / concurrency
            ratio = wall / ideal if ideal else float("nan")
            peak = child["peak_rss"]
            print(
                f"check-in run: {child['posted']} of {child['channels']} channels posted, {posts} messages "
                f"({calls} Web API calls) in {wall:.1f} s wall ({child['cpu_s']:.1f} s CPU), "
                f"{child['statements']} SQL statements"
            )
            print(
                f"  ideal at {delay * 1000:.0f} ms per call and posting concurrency {concurrency}: {ideal:.1f} s; "
                f"× {ratio:.2f} (goal ≤ {GOAL_POSTING_RATIO}) {verdict(ratio <= GOAL_POSTING_RATIO)}"
            )
            print(
                f"  its process (like `coach checkin`): RSS {mib(child['rss_before'])} with the app imported, "
                f"peak {mib(peak)} during the run (goal ≤ 300 MiB) {verdict(peak <= GOAL_PEAK_RSS)}"
            )
            results["posting"] = {
                **child,
                "messages": posts,
                "calls": calls,
                "delay_s": delay,
                "concurrency": concurrency,
                "ideal_s": round(ideal, 2),
                "ratio": round(ratio, 3),
                "goal": ratio <= GOAL_POSTING_RATIO,
                "goal_peak_rss": peak <= GOAL_PEAK_RSS,
            }
        finally:
            fake.close()
        return results
    finally:
        db.dispose()
        tmp.cleanup()


def post_in_child(database_url: str, api_url: str, now: datetime, channels: list[str] | None) -> dict:
    """Run the check-ins due at `now` in a fresh process (`--child-post`); what it measured."""
    import json
    import subprocess

    from bench.common import child_env, python

    argv = [
        python(),
        "-m",
        "bench.checkin_scale",
        "--child-post",
        "--database-url",
        database_url,
        "--api-url",
        api_url,
        "--now",
        now.isoformat(),
    ]
    if channels:
        argv += ["--channel", *channels]
    done = subprocess.run(argv, env=child_env(), capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"check-in child failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def child_post(database_url: str, api_url: str, now: datetime, channels: list[str] | None) -> dict:
    """In the child: import the app, then time one check-in run (what `coach checkin` does)."""
    import logging
    import os

    logging.disable(logging.WARNING)
    run_due, _ = runner()
    db = Database(database_url)
    services = services_for(db, api_url)
    counter = QueryCounter(db.engine)
    rss_before = rss_bytes(os.getpid())
    reset_peak_rss()
    kwargs = {"now": now}
    if channels:
        kwargs["channels"] = channels
    done, wall, cpu = timed(lambda: run_due(services, **kwargs))
    return {
        "channels": len(done),
        "posted": sum(1 for r in done if getattr(r, "posted", False)),
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "statements": counter.statements,
        "rss_before": rss_before,
        "peak_rss": peak_rss(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--commitments", type=int, default=10, help="per channel")
    parser.add_argument("--reports", type=int, default=20, help="per commitment")
    parser.add_argument("--actions", type=int, default=1, help="promises per commitment")
    parser.add_argument("--delay", type=float, default=0.05, help="seconds the fake Web API takes per call")
    parser.add_argument("--post-channels", type=int, help="post the check-ins of only this many channels")
    parser.add_argument("--no-post", action="store_true", help="stop after the dry run")
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temporary folder")
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--child-post", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    parser.add_argument("--now", help=argparse.SUPPRESS)
    parser.add_argument("--channel", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_post:
        import json

        print(json.dumps(child_post(args.database_url, args.api_url, datetime.fromisoformat(args.now), args.channel)))
        return 0
    results = run(
        args.channels,
        args.commitments,
        args.reports,
        args.actions,
        args.delay,
        post=not args.no_post,
        post_channels=args.post_channels,
        database_url=args.database_url,
    )
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
