"""Storage of "Nobody forgets" on SQLite and PostgreSQL: holidays, skipped weeks, time away, the
exactly-once reminder claims (threads and processes racing), and the facts loader."""

from __future__ import annotations

import multiprocessing
import threading
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import event

from storage import actions as action_store
from storage import checkins as checkin_store
from storage import commitments as store
from storage import reminders
from storage.db import Database
from storage.models import ActionStatus, ReminderStatus

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)


def declare(db, team="T1", channel="C1", owner="U1", members=(), n=0, at=NOW - timedelta(days=20)):
    return store.declare(
        db,
        team_id=team,
        channel_id=channel,
        owner_id=owner,
        outcome=f"Outcome {n}",
        baseline=10,
        target=20,
        unit="teams",
        due=date(2027, 6, 1),
        known=None,
        members=list(members),
        today=at.date(),
        now=at,
    ).commitment


# --- holidays, skips, time away -------------------------------------------------------------------


def test_holidays_are_set_and_turned_off_per_channel(database):
    assert reminders.set_holidays(database, "T1", "C1", "DE").holidays == "DE"
    assert checkin_store.get_settings(database, "T1", "C1").holidays == "DE"
    assert checkin_store.get_settings(database, "T1", "C1").checkin_weekday == 0  # the rest as it was
    assert reminders.set_holidays(database, "T1", "C1", None).holidays is None
    assert checkin_store.get_settings(database, "T1", "C2") is None


def test_a_week_is_skipped_once_per_channel(database):
    assert reminders.skip_week(database, "T1", "C1", "2026-W52", "U1", NOW)
    assert not reminders.skip_week(database, "T1", "C1", "2026-W52", "U2", NOW)
    assert reminders.skip_week(database, "T1", "C2", "2026-W52", "U1", NOW)
    assert reminders.skip_week(database, "T1", "C1", "2027-W01", "U1", NOW)
    assert reminders.skipped_weeks(database, "T1", "C1") == {"2026-W52", "2027-W01"}
    assert reminders.skipped_weeks(database, "T2", "C1") == frozenset()
    reminders.set_holidays(database, "T1", "C3", "US")
    found = reminders.calendars(database, [("T1", "C1"), ("T1", "C3"), ("T1", "C9")])
    assert found == {("T1", "C1"): (None, {"2026-W52", "2027-W01"}), ("T1", "C3"): ("US", frozenset())}


def test_time_away_is_set_replaced_cleared_and_asked(database):
    assert reminders.away_until(database, "T1", "U1") is None
    reminders.set_away(database, "T1", "U1", date(2026, 12, 10), NOW)
    reminders.set_away(database, "T1", "U1", date(2026, 12, 20), NOW)  # replaces
    reminders.set_away(database, "T1", "U2", date(2026, 12, 5), NOW)
    reminders.set_away(database, "T2", "U3", date(2026, 12, 31), NOW)
    assert reminders.away_until(database, "T1", "U1") == date(2026, 12, 20)
    assert reminders.is_away(database, "T1", "U1", date(2026, 12, 20))  # inclusive
    assert not reminders.is_away(database, "T1", "U1", date(2026, 12, 21))
    assert reminders.away_on(database, "T1", date(2026, 12, 5)) == {"U1", "U2"}
    assert reminders.away_on(database, "T1", date(2026, 12, 6)) == {"U1"}
    assert reminders.away_on(database, "T1", date(2026, 12, 5), ["U2", "U9"]) == {"U2"}
    assert reminders.clear_away(database, "T1", "U1")
    assert not reminders.clear_away(database, "T1", "U1")
    assert reminders.away_on(database, "T1", date(2026, 12, 6)) == set()


# --- claims ---------------------------------------------------------------------------------------


def test_a_claim_is_taken_once_then_finished(database):
    assert reminders.claim(database, "due:1", kind="due", team_id="T1", user_id="U1", now=NOW)
    assert not reminders.claim(database, "due:1", kind="due", team_id="T1", user_id="U1", now=NOW)
    assert reminders.claimed(database, ["due:1", "due:2"]) == {"due:1"}
    reminders.finish(database, "due:1", True, now=NOW)
    row = reminders.get_claim(database, "due:1")
    assert (row.result, row.error, row.finished_at) == (ReminderStatus.SENT, None, NOW)
    assert reminders.claim(database, "overdue:1", kind="overdue", team_id="T1", user_id="U1", now=NOW)
    reminders.finish(database, "overdue:1", False, "user_not_found", now=NOW)
    row = reminders.get_claim(database, "overdue:1")
    assert (row.result, row.error) == (ReminderStatus.FAILED, "user_not_found")
    reminders.release(database, "overdue:1")  # a finished claim is never given back
    assert reminders.claimed(database, ["overdue:1"]) == {"overdue:1"}
    assert reminders.claim(database, "request:1", kind="request", team_id="T1", user_id="U1", now=NOW)
    reminders.release(database, "request:1")
    assert reminders.claim(database, "request:1", kind="request", team_id="T1", user_id="U1", now=NOW)


def test_claims_since_a_moment_are_read_in_one_go(database):
    reminders.claim(database, "due:1", kind="due", team_id="T1", user_id="U1", now=NOW - timedelta(days=20))
    reminders.claim(database, "due:2", kind="due", team_id="T1", user_id="U1", now=NOW - timedelta(days=15))
    reminders.claim(database, "due:3", kind="due", team_id="T2", user_id="U1", now=NOW)
    assert reminders.claimed_since(database, NOW - timedelta(days=15)) == {"due:2", "due:3"}
    assert reminders.claimed_since(database, NOW + timedelta(seconds=1)) == set()


def test_many_keys_are_looked_up_in_chunks(database):
    keys = [f"due:{i}" for i in range(reminders.CLAIMED_CHUNK + 10)]
    for key in keys[::500]:
        reminders.claim(database, key, kind="due", team_id="T1", user_id="U1", now=NOW)
    assert reminders.claimed(database, keys) == set(keys[::500])


def test_concurrent_claims_of_one_key_give_exactly_one_true(database):
    for round_ in range(5):
        key = f"nudge:T1:C1:U1:2026-W{round_:02d}"
        results: list[bool] = []
        errors: list[BaseException] = []
        start = threading.Barrier(8)

        def worker(key=key, results=results, errors=errors, start=start):
            try:
                start.wait()
                results.append(reminders.claim(database, key, kind="nudge", team_id="T1", user_id="U1", now=NOW))
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        assert sorted(results) == [False] * 7 + [True]


def _claim_in_process(url: str, keys: list[str], start, out) -> None:
    db = Database(url)
    start.wait()
    out.put([reminders.claim(db, key, kind="due", team_id="T1", user_id="U1", now=NOW) for key in keys])
    db.dispose()


def test_two_processes_claiming_the_same_keys_take_each_once(database):
    keys = [f"due:{i}" for i in range(40)]
    database.dispose()
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    out = context.Queue()
    processes = [context.Process(target=_claim_in_process, args=(database.url, keys, start, out)) for _ in range(2)]
    for p in processes:
        p.start()
    first, second = out.get(timeout=60), out.get(timeout=60)
    for p in processes:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert all(a != b for a, b in zip(first, second))  # each key: one True, one False
    assert reminders.claimed(database, keys) == set(keys)


# --- the facts --------------------------------------------------------------------------------------


def _count_queries(db):
    counter = {"n": 0}

    def before(*_args):
        counter["n"] += 1

    event.listen(db.engine, "before_cursor_execute", before)
    return counter, lambda: event.remove(db.engine, "before_cursor_execute", before)


def _seed(db, commitments: int):
    made = []
    for n in range(commitments):
        c = declare(db, channel=f"C{n % 3}", owner=f"U{n % 4}", members=["U9"], n=n)
        store.add_report(db, c.id, c.owner_id, 11 + n, None, NOW - timedelta(days=10))
        store.add_report(db, c.id, c.owner_id, 12 + n, None, NOW - timedelta(days=8 - n % 3))
        breakdown = checkin_store.open_breakdown(
            db, c.id, source="checkin", what=None, declared_by=None, projected=15, now=NOW - timedelta(days=3)
        )
        for k in range(2):
            action_store.add(
                db,
                commitment_id=c.id,
                breakdown_id=breakdown.id,
                what=f"action {n}.{k}",
                owner_id=c.owner_id if k == 0 else "U9",
                asker_id=c.owner_id,
                due=NOW.date() + timedelta(days=1 + k),
                now=NOW - timedelta(days=4),
            )
        made.append(c)
    return made


def test_the_facts_take_the_same_number_of_queries_for_few_or_many_commitments(database):
    _seed(database, 2)
    counter, stop = _count_queries(database)
    few = reminders.load_facts(database, NOW, "UTC")
    few_queries = counter["n"]
    stop()
    _seed(database, 12)
    counter, stop = _count_queries(database)
    many = reminders.load_facts(database, NOW, "UTC")
    stop()
    assert len(many.commitments) == 14 > len(few.commitments) == 2
    assert counter["n"] == few_queries  # (SQLite adds its BEGIN)
    assert many.queries == few.queries == 9


def test_the_facts_say_what_the_reminders_need(database):
    [first, second] = _seed(database, 2)
    reminders.set_holidays(database, "T1", "C0", "DE")
    reminders.skip_week(database, "T1", "C0", "2026-W52", "U1", NOW)
    checkin_store.set_schedule(database, "T1", "C1", weekday=4, at="16:30", zone="Europe/Paris", now=NOW)
    reminders.set_away(database, "T1", "U9", date(2026, 12, 3), NOW)
    reminders.set_away(database, "T1", "U8", date(2026, 11, 1), NOW)  # long back
    # a promise kept, one revoked, one declined, a commitment ended: none of them is open
    extra = action_store.add(
        database,
        commitment_id=first.id,
        breakdown_id=None,
        what="done",
        owner_id="U0",
        asker_id="U0",
        due=NOW.date(),
        now=NOW,
    )
    action_store.mark_done(database, extra.id, NOW.date())
    ended = declare(database, channel="C0", n=99)
    assert store.end(database, ended.id, "withdrawn", "merged", NOW)

    facts = reminders.load_facts(database, NOW, "America/New_York")
    c0 = facts.channels[("T1", "C0")]
    assert (c0.weekday, c0.at, c0.zone, c0.holidays, c0.skips, c0.enabled) == (
        0,
        time(9),
        "America/New_York",
        "DE",
        {"2026-W52"},
        True,
    )
    assert c0.starts_after == first.declared_at
    c1 = facts.channels[("T1", "C1")]
    assert (c1.weekday, c1.at, c1.zone, c1.starts_after) == (4, time(16, 30), "Europe/Paris", NOW)
    by_id = {c.id: c for c in facts.commitments}
    assert by_id[first.id].latest_value == 12 and by_id[first.id].last_report_at == NOW - timedelta(days=8)
    assert by_id[second.id].latest_value == 13 and by_id[second.id].last_report_at == NOW - timedelta(days=7)
    assert {(p.commitment_id, p.owner_id, p.due) for p in facts.promises} == {
        (first.id, "U0", date(2026, 12, 3)),
        (second.id, "U1", date(2026, 12, 3)),
    }
    assert {(r.commitment_id, r.owner_id, r.asker_id, r.status) for r in facts.requests} == {
        (first.id, "U9", "U0", ActionStatus.REQUESTED),
        (second.id, "U9", "U1", ActionStatus.REQUESTED),
    }
    assert all(r.asked_at == NOW - timedelta(days=4) for r in facts.requests)
    [b0, b1] = facts.breakdowns
    # on #1 the promise kept (made after the breakdown opened) was made since; not on #2
    assert (b0.commitment_id, b0.owner_id, b0.enrolled, b0.promised_since) == (first.id, "U0", ("U0", "U9"), True)
    assert (b1.commitment_id, b1.owner_id, b1.enrolled, b1.promised_since) == (second.id, "U1", ("U1", "U9"), False)
    assert b0.announced_at == NOW - timedelta(days=3)
    assert facts.away == {("T1", "U9"): date(2026, 12, 3)}
    # a promise made after a breakdown opened counts as made since
    later = checkin_store.open_breakdown(
        database, second.id, source="declared", what="x", declared_by="U0", projected=None, now=NOW - timedelta(days=5)
    )
    facts = reminders.load_facts(database, NOW, "UTC")
    assert {b.id: b.promised_since for b in facts.breakdowns}[later.id] is True
    # one channel only
    only = reminders.load_facts(database, NOW, "UTC", channels=["C1"])
    assert set(only.channels) == {("T1", "C1")} and {c.id for c in only.commitments} == {second.id}
