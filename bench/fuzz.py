"""The fuzzer's full run (issue #14 item 9): generated requests, signed, to the real app.

Runs the strategies of tests/fuzz_strategies.py (slash commands, block actions with every
action id, view submissions with every callback id, shortcuts, events, broken shapes) against
the app over HTTP (tests/harness.py, the fake Web API), on SQLite or on `--database-url`, and
counts: requests, answers by status, 5xx, tracebacks (records logged at ERROR or with an
exception), and rows written by invalid input. Goal: 0 5xx, 0 tracebacks, 0 rows.

    .venv/bin/python -m bench.fuzz --examples 10000
"""

from __future__ import annotations

import argparse
import collections
import logging
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings

from storage.db import Database
from tests.fake_slack import FakeSlack
from tests.fuzz_strategies import Request, requests
from tests.harness import start_app
from tests.helpers import table_counts


class Errors(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR or record.exc_info:
            self.records.append(record)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=1000)
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file")
    args = parser.parse_args()

    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'coach.db'}"
    db = Database(url)
    db.upgrade()
    fake = FakeSlack()
    harness, stop = start_app(db, fake)
    errors = Errors()
    logging.getLogger().addHandler(errors)
    logging.getLogger().setLevel(logging.INFO)
    for name in ("bot", "slack_bolt", "slack_sdk", "storage", "bot.bolt", "bot.http"):
        logging.getLogger(name).propagate = True
    statuses: collections.Counter = collections.Counter()
    kinds: collections.Counter = collections.Counter()
    written: list[str] = []
    failures: list[str] = []

    @settings(
        max_examples=args.examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(request=requests)
    def send(request: Request) -> None:
        before = table_counts(db) if request.invalid else None
        seen = len(errors.records)
        answer = harness.send.send(request.body, request.content_type, timestamp=int(time.time()))
        statuses[answer.status] += 1
        kinds[request.kind] += 1
        if answer.status >= 500 or len(errors.records) > seen:
            failures.append(repr(request))
        if before is not None and table_counts(db) != before:
            written.append(repr(request))

    started = time.monotonic()
    send()
    took = time.monotonic() - started
    stop()
    fake.close()
    print(f"database: {db.engine.dialect.name}; {sum(kinds.values())} requests in {took:.0f} s")
    print("by kind: " + ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items())))
    print("by status: " + ", ".join(f"{status} {count}" for status, count in sorted(statuses.items())))
    print(f"5xx: {sum(c for s, c in statuses.items() if s >= 500)}")
    print(f"tracebacks (ERROR or exception logged): {len(errors.records)}")
    print(f"rows written by invalid input: {len(written)}")
    for line in (failures + written)[:10]:
        print("  " + line[:400])
    for record in errors.records[:5]:
        print("  logged: " + record.getMessage()[:300])


if __name__ == "__main__":
    main()
