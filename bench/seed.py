"""Fast bulk data for the benchmarks: channels × commitments × reports, with SQLAlchemy core.

`generate(db, channels=1000, per_channel=10, reports=20)` writes, in one transaction with
executemany inserts (no ORM), what a busy workspace holds: commitments numbered #1… in team T1,
each with its owner and two members enrolled, `reports` progress reports spread between its
start and `now`, one promise, and one `channel_settings` row per channel (the default Monday
09:00 check-in). The mix is fixed by a seeded random generator: most commitments going up,
some down, some on track and some heading for a breakdown, a few younger than 7 days (not
judged yet) and a few past their due date (the check-in ends them as missed).

    .venv/bin/python -m bench.seed --database-url sqlite:///big.db --channels 1000
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from datetime import time as clock

from sqlalchemy import func, insert, select, text

from bench.common import TEAM_ID
from storage.db import Database
from storage.models import (
    Action,
    ActionStatus,
    ChannelSettings,
    Commitment,
    CommitmentStatus,
    Enrolment,
    ProgressReport,
    TeamCounter,
)

CHUNK = 5_000


@dataclass(frozen=True)
class Target:
    """A commitment the load generator reports progress on: who, where, and a safe value."""

    number: int
    channel_id: str
    user_id: str
    value: float  # between baseline and target: never a breakthrough, so it stays active


@dataclass(frozen=True)
class Generated:
    channels: int
    commitments: int
    enrolments: int
    reports: int
    actions: int
    seconds: float
    channel_ids: tuple[str, ...]
    first_channel_targets: tuple[Target, ...]


def channel_id(i: int) -> str:
    return f"C{i:06d}"


def _at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, clock(hour, minute), tzinfo=timezone.utc)


def _insert(connection, model, rows: list[dict]) -> None:
    table = model.__table__
    for i in range(0, len(rows), CHUNK):
        connection.execute(insert(table), rows[i : i + CHUNK])


def generate(
    db: Database,
    channels: int = 1000,
    per_channel: int = 10,
    reports: int = 20,
    actions: int = 1,
    now: datetime | None = None,
    seed: int = 7,
    team_id: str = TEAM_ID,
    checkin_at: datetime | None = None,
) -> Generated:
    """Bulk-insert the data set into a migrated, empty database. Every channel's check-in is
    at `checkin_at`'s weekday and minute (UTC), by default Monday 09:00."""
    started = time.perf_counter()
    now = now or datetime.now(timezone.utc)
    today = now.date()
    rng = random.Random(seed)
    commitments, enrolments, progress, promises, settings = [], [], [], [], []
    first_targets: list[Target] = []
    with db.engine.connect() as connection:
        first_id = (connection.execute(select(func.max(Commitment.id))).scalar() or 0) + 1
        first_number = (
            connection.execute(select(func.max(Commitment.number)).where(Commitment.team_id == team_id)).scalar() or 0
        ) + 1
        connection.rollback()
    cid, number = first_id, first_number
    for ch in range(1, channels + 1):
        channel = channel_id(ch)
        people = [f"U{ch:05d}{k}" for k in range(4)]
        earliest = None
        for _ in range(per_channel):
            roll = rng.random()
            if roll < 0.05:
                start = today - timedelta(days=rng.randint(0, 6))  # too young to judge
            else:
                start = today - timedelta(days=rng.randint(14, 120))
            due = today + timedelta(days=rng.randint(30, 200))
            if 0.05 <= roll < 0.08:
                due = today - timedelta(days=rng.randint(1, 10))  # past due: the check-in ends it
            if due <= start:
                due = start + timedelta(days=1)
            baseline = float(rng.choice([0, 10, 100, 120, 1000]))
            gain = float(rng.randint(20, 500))
            up = rng.random() < 0.8
            target = baseline + gain if up else baseline - gain
            known = baseline + (target - baseline) / rng.choice([1.2, 2, 4, 8]) if rng.random() < 0.7 else None
            owner = people[0]
            declared = _at(start, 9)
            earliest = min(earliest or declared, declared)
            commitments.append(
                {
                    "id": cid,
                    "team_id": team_id,
                    "channel_id": channel,
                    "number": number,
                    "outcome": f"Outcome {number} of {channel}: weekly active teams",
                    "baseline": baseline,
                    "target": target,
                    "unit": rng.choice([None, "teams", "%", "ms"]),
                    "known": known,
                    "start_date": start,
                    "due": due,
                    "owner_id": owner,
                    "status": CommitmentStatus.ACTIVE,
                    "declared_at": declared,
                    "ended_at": None,
                    "end_reason": None,
                    "home_ts": f"{1_700_000_000 + cid}.000100",
                }
            )
            for user in people[:3]:
                enrolments.append({"commitment_id": cid, "user_id": user, "enrolled_at": declared})
            # Reports from the start to today; the pace decides on track or breakdown.
            pace = rng.choice([0.4, 0.7, 0.95, 1.1, 1.3])
            span = max(0, (today - start).days)
            length = max(1, (due - start).days)
            for r in range(reports):
                day = start + timedelta(days=round(span * (r + 1) / reports))
                fraction = min(0.95, pace * (day - start).days / length + rng.uniform(-0.03, 0.03))
                progress.append(
                    {
                        "commitment_id": cid,
                        "user_id": people[r % 3],
                        "value": round(baseline + fraction * (target - baseline), 2),
                        "note": None if r % 4 else "steady work",
                        "reported_at": _at(day, 10, r % 60),
                    }
                )
            for a in range(actions):
                action_due = today - timedelta(days=rng.randint(1, 6))
                done = rng.random() < 0.6
                promises.append(
                    {
                        "commitment_id": cid,
                        "breakdown_id": None,
                        "what": f"Call five more teams ({a + 1})",
                        "owner_id": people[a % 3],
                        "asker_id": people[a % 3],
                        "due": action_due,
                        "status": ActionStatus.PROMISED,
                        "countered_due": None,
                        "created_at": declared,
                        "promised_at": declared,
                        "done_on": action_due if done else None,
                        "revoked_on": None,
                        "request_channel": None,
                        "request_ts": None,
                    }
                )
            if ch == 1:
                first_targets.append(
                    Target(
                        number, channel, people[len(first_targets) % 3], round(baseline + 0.5 * (target - baseline), 2)
                    )
                )
            cid += 1
            number += 1
        settings.append(
            {
                "team_id": team_id,
                "channel_id": channel,
                "checkin_weekday": checkin_at.weekday() if checkin_at else 0,
                "checkin_time": checkin_at.strftime("%H:%M") if checkin_at else "09:00",
                "checkin_timezone": "UTC",
                "checkin_enabled": True,
                "checkin_paused_reason": None,
                "first_checkin_after": earliest,
                "background_watch": False,
            }
        )
    with db.engine.begin() as connection:
        _insert(connection, Commitment, commitments)
        _insert(connection, Enrolment, enrolments)
        _insert(connection, ProgressReport, progress)
        _insert(connection, Action, promises)
        _insert(connection, ChannelSettings, settings)
        _set_counter(connection, team_id, number - 1)
        if db.dialect == "postgresql":
            connection.execute(
                text("SELECT setval(pg_get_serial_sequence('commitment', 'id'), (SELECT max(id) FROM commitment))")
            )
    return Generated(
        channels=channels,
        commitments=len(commitments),
        enrolments=len(enrolments),
        reports=len(progress),
        actions=len(promises),
        seconds=time.perf_counter() - started,
        channel_ids=tuple(channel_id(i) for i in range(1, channels + 1)),
        first_channel_targets=tuple(first_targets),
    )


def _set_counter(connection, team_id: str, last: int) -> None:
    table = TeamCounter.__table__
    exists = connection.execute(select(table.c.team_id).where(table.c.team_id == team_id)).first()
    if exists:
        connection.execute(table.update().where(table.c.team_id == team_id).values(last_commitment_number=last))
    else:
        connection.execute(insert(table).values(team_id=team_id, last_commitment_number=last))


def load_targets(
    db: Database, count: int, channel: str = "C1", users: int = 8, now: datetime | None = None, team_id: str = TEAM_ID
) -> list[Target]:
    """`count` commitments in `channel`, declared the way `/commit` does, everyone enrolled:
    what the ack benchmark reports progress on. The channel's check-ins are off (`/commit
    checkin off`), so `coach run`'s scheduler doesn't review it in the middle of the measurement."""
    from storage import checkins
    from storage import commitments as store

    now = now or datetime.now(timezone.utc)
    people = [f"U{i:03d}" for i in range(1, users + 1)]
    targets = []
    for i in range(count):
        state = store.declare(
            db,
            team_id=team_id,
            channel_id=channel,
            owner_id=people[0],
            outcome=f"Weekly active teams, squad {i + 1}",
            baseline=120.0,
            target=1_000_000.0,
            unit="teams",
            due=now.date() + timedelta(days=180),
            known=140.0,
            members=people[1:],
            today=now.date() - timedelta(days=30),
            now=now - timedelta(days=30),
        )
        store.set_home_ts(db, state.commitment.id, f"{1_690_000_000 + i}.000100")
        targets.extend(Target(state.commitment.number, channel, user, 150.0) for user in people)
    checkins.turn_off(db, team_id, channel)
    return targets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="bulk-generate benchmark data into a database")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--commitments", type=int, default=10, help="per channel")
    parser.add_argument("--reports", type=int, default=20, help="per commitment")
    parser.add_argument("--actions", type=int, default=1, help="promises per commitment")
    args = parser.parse_args(argv)
    db = Database(args.database_url)
    db.upgrade()
    g = generate(db, args.channels, args.commitments, args.reports, args.actions)
    print(
        f"{g.commitments} commitments in {g.channels} channels, {g.enrolments} enrolments, {g.reports} reports, "
        f"{g.actions} promises in {g.seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
