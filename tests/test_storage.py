"""Storage on SQLite and PostgreSQL: numbering under concurrency, UTC timestamps, SQLite tuning."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlmodel import select

from storage import commitments as store
from storage.db import normalise_url
from storage.models import Commitment, ProgressReport


def declare(db, team="T1", user="U1", n=0):
    now = datetime.now(timezone.utc)
    return store.declare(
        db,
        team_id=team,
        channel_id="C1",
        owner_id=user,
        outcome=f"Outcome {n}",
        baseline=1,
        target=2,
        unit=None,
        due=date(2099, 1, 1),
        known=None,
        members=[],
        today=now.date(),
        now=now,
    ).commitment


def test_numbers_stay_unique_under_concurrent_declarations(database):
    numbers: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def worker(i):
        try:
            start.wait()
            for j in range(5):
                numbers.append(declare(database, n=i * 10 + j).number)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(numbers) == list(range(1, 41))
    other = declare(database, team="T2")
    assert other.number == 1


def test_timestamps_are_stored_in_utc_and_read_back_aware(database):
    commitment = declare(database)
    paris = datetime(2026, 3, 29, 3, 30, tzinfo=ZoneInfo("Europe/Paris"))  # just after DST starts
    store.add_report(database, commitment.id, "U1", 1.5, None, paris)
    with database.session() as session:
        [report] = session.exec(select(ProgressReport)).all()
    assert report.reported_at.tzinfo is not None
    assert report.reported_at.utcoffset() == timedelta(0)
    assert report.reported_at == paris


def test_record_progress_stores_only_what_the_checks_allow_in_one_statement(database):
    """The ack path's insert (straight to the driver on SQLite): the time is stored as UTC and
    read back aware, the report waits to be told, and a report nobody may make stores nothing."""
    commitment = declare(database)
    store.enroll(database, commitment.id, "U2", datetime.now(timezone.utc))
    paris = datetime(2026, 3, 29, 3, 30, tzinfo=ZoneInfo("Europe/Paris"))
    recorded = store.record_progress(database, "T1", "C1", commitment.number, "U2", 1.25, "a note", paris)
    assert (recorded.commitment_id, recorded.number, recorded.unit) == (commitment.id, commitment.number, None)

    refused = [
        ("T2", "C1", commitment.number, "U2"),  # another workspace
        ("T1", "C9", commitment.number, "U2"),  # another channel
        ("T1", "C1", commitment.number + 1, "U2"),  # no such commitment
        ("T1", "C1", commitment.number, "U3"),  # not enrolled
    ]
    for team, channel, number, user in refused:
        assert store.record_progress(database, team, channel, number, user, 9.0, None, paris) is None
    store.end(database, commitment.id, "withdrawn", "done", paris)
    assert store.record_progress(database, "T1", "C1", commitment.number, "U1", 9.0, None, paris) is None

    with database.read() as session:
        [report] = session.exec(select(ProgressReport)).all()
    assert (report.id, report.user_id, report.value, report.note) == (recorded.report_id, "U2", 1.25, "a note")
    assert report.reported_at == paris and report.reported_at.utcoffset() == timedelta(0)
    assert report.told_at is None
    [claimed] = store.claim_untold(database, paris)
    assert claimed.id == report.id and store.claim_untold(database, paris) == []


def test_naive_timestamps_are_refused(database):
    commitment = declare(database)
    with pytest.raises(Exception, match="naive"):
        store.add_report(database, commitment.id, "U1", 1.5, None, datetime(2026, 1, 1))
    with database.session() as session:
        assert session.exec(select(ProgressReport)).all() == []


def test_enrolment_is_idempotent(database):
    commitment = declare(database)
    now = datetime.now(timezone.utc)
    assert store.enroll(database, commitment.id, "U2", now) is True
    assert store.enroll(database, commitment.id, "U2", now) is False
    assert store.load_state(database, commitment).enrolled == ("U1", "U2")


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(sqlite_database):
    with sqlite_database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_postgres_urls_use_psycopg3():
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_ending_a_commitment_happens_once(database):
    commitment = declare(database)
    now = datetime.now(timezone.utc)
    assert store.end(database, commitment.id, "withdrawn", "why", now) is True
    assert store.end(database, commitment.id, "achieved", None, now) is False
    with database.session() as session:
        assert session.get(Commitment, commitment.id).status == "withdrawn"


def test_the_garbage_collector_is_paused_while_rows_are_read_and_back_on_after():
    import gc

    from storage.db import paused_gc

    assert gc.isenabled()
    inside, release = threading.Event(), threading.Event()

    def other_reader():
        with paused_gc():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=other_reader)
    with paused_gc():
        assert not gc.isenabled()
        thread.start()
        inside.wait(5)
    assert not gc.isenabled(), "another thread is still reading"
    release.set()
    thread.join()
    assert gc.isenabled()

    gc.disable()  # off before: stays off
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_day_of_a_stored_time_is_taken_in_the_coach_timezone():
    from bot.services import Services
    from bot.settings import Settings

    late = datetime(2026, 11, 26, 23, 30, tzinfo=timezone.utc)
    utc = Services(db=None, settings=Settings(timezone="UTC"))
    tokyo = Services(db=None, settings=Settings(timezone="Asia/Tokyo"))
    assert utc.day_of(late).isoformat() == "2026-11-26"
    assert tokyo.day_of(late).isoformat() == "2026-11-27"
