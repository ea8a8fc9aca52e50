"""What the performance work (issue #7, BENCHMARKS.md) changed, held to its behaviour:
read sessions that never wait for a writer, writers of one process queueing instead of failing,
reports loaded as rows that read like ProgressReport, and a verdict computed from a projection
the caller already has."""

from __future__ import annotations

import threading
import time
from datetime import date, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from bot.coaching.trajectory import CommitmentFacts, Report, projected_value, verdict
from storage import commitments as store
from storage.models import Commitment, ProgressReport, TeamCounter

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)


def declared(db, channel="C1", owner="U1", members=("U2",)):
    return store.declare(
        db,
        team_id="T1",
        channel_id=channel,
        owner_id=owner,
        outcome="Weekly active teams",
        baseline=120,
        target=300,
        unit="teams",
        due=date(2027, 3, 31),
        known=140,
        members=members,
        today=NOW.date(),
        now=NOW,
    ).commitment


def test_a_read_never_waits_for_a_writer_and_sees_only_what_was_committed(sqlite_database):
    db = sqlite_database
    commitment = declared(db)
    writing, release = threading.Event(), threading.Event()

    def slow_writer():
        with db.session() as session:
            session.add(ProgressReport(commitment_id=commitment.id, user_id="U1", value=150, reported_at=NOW))
            session.flush()  # holds SQLite's write lock from here to the commit
            writing.set()
            release.wait(10)

    writer = threading.Thread(target=slow_writer)
    writer.start()
    try:
        assert writing.wait(5)
        started = time.monotonic()
        state = store.load_state(db, commitment)
        assert time.monotonic() - started < 2, "the read waited for the writer"
        assert state.reports == ()
        assert store.get_by_number(db, "T1", commitment.number).id == commitment.id
    finally:
        release.set()
        writer.join()
    assert [r.value for r in store.load_state(db, commitment).reports] == [150]


def test_what_a_read_loaded_stays_readable_after_it_closed(sqlite_database):
    commitment = declared(sqlite_database)
    with sqlite_database.read() as session:
        loaded = session.exec(select(Commitment).where(Commitment.id == commitment.id)).one()
    assert (loaded.number, loaded.outcome, loaded.owner_id) == (commitment.number, "Weekly active teams", "U1")


def test_a_read_session_commits_nothing(database):
    with database.read() as session:
        session.add(TeamCounter(team_id="T9", last_commitment_number=5))
        session.flush()
    with database.read() as session:
        assert session.get(TeamCounter, "T9") is None


def test_many_writers_of_one_process_all_get_through(sqlite_database):
    db = sqlite_database
    commitment = declared(db)
    problems = []

    def report(i):
        try:
            for n in range(10):
                store.add_report(db, commitment.id, f"U{i}", 100 + n, None, NOW + timedelta(seconds=n))
        except Exception as error:  # "database is locked" before writers queued
            problems.append(error)

    threads = [threading.Thread(target=report, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert problems == []
    assert len(store.load_state(db, commitment).reports) == 160


def test_reports_read_like_progress_reports_in_order(database):
    commitment = declared(database)
    store.add_report(database, commitment.id, "U2", 150, "two new teams", NOW + timedelta(days=1))
    store.add_report(database, commitment.id, "U1", 140, None, NOW)
    store.add_report(database, commitment.id, "U1", 160, None, NOW + timedelta(days=1))

    state = store.load_state(database, commitment)

    assert state.enrolled == ("U1", "U2")
    assert [(r.value, r.user_id, r.note) for r in state.reports] == [
        (140, "U1", None),
        (150, "U2", "two new teams"),
        (160, "U1", None),
    ]
    assert all(r.reported_at.tzinfo is not None and r.commitment_id == commitment.id for r in state.reports)
    assert state.latest.value == 160  # same day: the later stored one


@settings(max_examples=200, deadline=None)
@given(
    st.floats(-1e6, 1e6, allow_nan=False),
    st.floats(-1e6, 1e6, allow_nan=False),
    st.integers(1, 400),
    st.integers(0, 500),
    st.lists(st.tuples(st.integers(0, 450), st.floats(-1e6, 1e6, allow_nan=False)), max_size=12),
)
def test_a_verdict_from_the_projection_is_the_verdict(baseline, target, length, age, points):
    start = date(2026, 1, 1)
    facts = CommitmentFacts(
        baseline,
        target,
        start,
        start + timedelta(days=length),
        tuple(Report(start + timedelta(days=d), v) for d, v in points),
    )
    today = start + timedelta(days=age)
    assert verdict(facts, today, projected_value(facts, today)) is verdict(facts, today)
