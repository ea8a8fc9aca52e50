"""The reminder pass at scale: 1,000 channels × 10 commitments (30,000 enrolments, 10,000
promises), with open breakdowns and unanswered requests, in SQLite (or `--database-url`).

1. generate the data (bench.seed), plus a breakdown opened 3 days ago on every third
   commitment and a request asked 3 days ago on every tenth;
2. at a Sunday 10:00 UTC, the day before every channel's Monday 09:00 check-in (nudges due),
   a week after the data's reports: load the facts (`storage.reminders.load_facts`), decide what
   is due (`bot.coaching.reminders.due_reminders`) and which keys are claimed already — time
   (wall and CPU) and SQL statements, also over a tenth of the channels, to show the number of
   queries does not grow with the number of commitments or promises. Nothing is sent.

  .venv/bin/python -m bench.reminders --channels 1000 --commitments 10
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import insert, select

from bench.common import QueryCounter, machine, print_machine, verdict, write_json
from bench.seed import generate
from storage.db import Database
from storage.models import Action, ActionStatus, Breakdown, Commitment

GOAL_DECIDE_S = 2.0
PASS_AT = datetime(2026, 12, 6, 10, 0, tzinfo=timezone.utc)  # a Sunday: Monday 09:00 check-ins are tomorrow


def add_breakdowns_and_requests(db: Database, now: datetime) -> tuple[int, int]:
    """A breakdown opened 3 days before `now` on every third commitment, a request asked 3 days
    before `now` on every tenth (its owner the commitment's second person)."""
    with db.engine.begin() as connection:
        rows = connection.execute(select(Commitment.id, Commitment.owner_id).order_by(Commitment.id)).all()
        opened = now - timedelta(days=3)
        breakdowns = [
            {"commitment_id": cid, "source": "checkin", "projected": 1.0, "opened_at": opened}
            for n, (cid, _) in enumerate(rows)
            if n % 3 == 0
        ]
        requests = [
            {
                "commitment_id": cid,
                "breakdown_id": None,
                "what": "Interview three churned teams",
                "owner_id": owner[:-1] + "1",
                "asker_id": owner,
                "due": (now + timedelta(days=10)).date(),
                "status": ActionStatus.REQUESTED,
                "countered_due": None,
                "created_at": opened,
                "promised_at": None,
                "done_on": None,
                "revoked_on": None,
                "request_channel": None,
                "request_ts": None,
            }
            for n, (cid, owner) in enumerate(rows)
            if n % 10 == 0
        ]
        if breakdowns:
            connection.execute(insert(Breakdown), breakdowns)
        if requests:
            connection.execute(insert(Action), requests)
    return len(breakdowns), len(requests)


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def decide(db: Database, now: datetime, channels=None):
    """What the pass does before sending: facts, decisions, the claimed keys."""
    from bot.coaching.reminders import CLAIM_HORIZON, due_reminders, unclaimed
    from storage import reminders as store

    facts = store.load_facts(db, now, "UTC", channels)
    due = due_reminders(facts, now, "UTC")
    return facts, unclaimed(due, store.claimed_since(db, now - CLAIM_HORIZON))


def run(
    channels: int = 1000,
    per_channel: int = 10,
    reports: int = 20,
    actions: int = 1,
    database_url: str | None = None,
    now: datetime = PASS_AT,
) -> dict:
    info = machine()
    print_machine(info)
    tmp = tempfile.TemporaryDirectory(prefix="coach-bench-reminders-")
    url = database_url or f"sqlite:///{Path(tmp.name) / 'coach.db'}"
    results: dict = {"machine": info, "channels": channels, "per_channel": per_channel}
    db = Database(url)
    try:
        db.upgrade()
        g = generate(db, channels, per_channel, reports, actions, now=now - timedelta(days=7))
        breakdowns, requests = add_breakdowns_and_requests(db, now)
        print(
            f"\ngenerated {g.commitments} commitments in {g.channels} channels, {g.enrolments} enrolments, "
            f"{g.reports} reports, {g.actions} promises, {breakdowns} open breakdowns, {requests} requests "
            f"in {g.seconds:.1f} s"
        )
        results["generated"] = {
            "commitments": g.commitments,
            "enrolments": g.enrolments,
            "promises": g.actions,
            "breakdowns": breakdowns,
            "requests": requests,
        }
        counter = QueryCounter(db.engine)
        decide(db, now, list(g.channel_ids[:1]))  # warm: imports, the holidays-free schedule code
        tenth_channels = list(g.channel_ids[: max(1, channels // 10)])
        counter.reset()
        (tenth_facts, tenth_due), t_wall, t_cpu = timed(lambda: decide(db, now, tenth_channels))
        tenth_queries = counter.selects
        counter.reset()
        (facts, due), wall, cpu = timed(lambda: decide(db, now))
        queries = counter.selects
        counter.close()
        kinds = Counter(r.kind for r in due)
        print(
            f"\nreminder pass over {len(facts.commitments)} commitments, {len(facts.promises)} open promises, "
            f"{len(facts.requests)} requests, {len(facts.breakdowns)} breakdowns: {len(due)} due "
            f"({', '.join(f'{n} {kind}' for kind, n in sorted(kinds.items()))})"
        )
        print(
            f"facts + decisions: {wall:.2f} s wall, {cpu:.2f} s CPU, {queries} queries "
            f"(goal ≤ {GOAL_DECIDE_S:.0f} s) {verdict(wall <= GOAL_DECIDE_S)}"
        )
        print(
            f"a tenth of the channels ({len(tenth_facts.commitments)} commitments): {t_wall:.2f} s wall, "
            f"{tenth_queries} queries — queries {'do not grow' if queries == tenth_queries else 'GROW'} "
            f"with the number of commitments {verdict(queries == tenth_queries)}"
        )
        results["pass"] = {
            "commitments": len(facts.commitments),
            "promises": len(facts.promises),
            "requests": len(facts.requests),
            "breakdowns": len(facts.breakdowns),
            "due": len(due),
            "kinds": dict(kinds),
            "wall_s": round(wall, 3),
            "cpu_s": round(cpu, 3),
            "queries": queries,
            "tenth_commitments": len(tenth_facts.commitments),
            "tenth_due": len(tenth_due),
            "tenth_wall_s": round(t_wall, 3),
            "tenth_queries": tenth_queries,
            "goal_time": wall <= GOAL_DECIDE_S,
            "goal_queries": queries == tenth_queries,
        }
    finally:
        db.dispose()
        tmp.cleanup()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--commitments", type=int, default=10, help="per channel")
    parser.add_argument("--reports", type=int, default=20, help="per commitment")
    parser.add_argument("--actions", type=int, default=1, help="promises per commitment")
    parser.add_argument("--database-url", help="default: a fresh SQLite file in a temporary folder")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    results = run(args.channels, args.commitments, args.reports, args.actions, database_url=args.database_url)
    write_json(args.json, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
