"""The reminder pass end to end: a commitment declared over signed HTTP, the pass run at fixed
times against the fake Web API, each nudge and reminder sent once, the buttons in them clicked
back into the real app."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine

from bot import ids
from bot.reminders.runner import describe, run_due_reminders
from bot.services import Services
from storage import actions as action_store
from storage import checkins as checkin_store
from storage import reminders as reminder_store
from storage.db import Database
from storage.models import Action, ActionStatus, Commitment, ReminderSent, ReminderStatus
from tests.fake_slack import Scripted
from tests.helpers import buttons, declared, rows

UTC = timezone.utc
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)  # Thursday; the default check-in is Monday 09:00 UTC
REQUEST_DUE = NOW + timedelta(days=2, hours=1)  # the request and the breakdown are 2 days old
NUDGE = datetime(2026, 12, 6, 10, tzinfo=UTC)  # the day before the 2026-12-07 check-in
DUE_TOMORROW = datetime(2026, 12, 7, 10, tzinfo=UTC)  # the promise is due 2026-12-08
OVERDUE = datetime(2026, 12, 9, 10, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def world(slack):
    """#1 declared by U1 in C1 with U2 enrolled; U1's promise due 2026-12-08 (made before the
    breakdown), U1's request of U2, and a breakdown opened at NOW."""
    declared(slack)
    [commitment] = rows(slack, Commitment)
    slack.send.action(ids.COMMITMENT_ENROLL, str(commitment.id), user="U2")
    db = slack.db
    promise = action_store.add(
        db, commitment_id=commitment.id, breakdown_id=None, what="Call the 5 biggest customers",
        owner_id="U1", asker_id="U1", due=date(2026, 12, 8), now=NOW - timedelta(hours=1),
    )  # fmt: skip
    request = action_store.add(
        db, commitment_id=commitment.id, breakdown_id=None, what="Draft the <launch> plan & dates",
        owner_id="U2", asker_id="U1", due=date(2026, 12, 20), now=NOW - timedelta(hours=1),
    )  # fmt: skip
    breakdown = checkin_store.open_breakdown(
        db, commitment.id, source="declared", what="slipped", declared_by="U1", projected=None, now=NOW
    )
    slack.wait_idle()
    slack.fake.reset()
    return slack, commitment, promise, request, breakdown


def dms(fake, user: str) -> list:
    return fake.calls("chat.postMessage", channel=user)


def sent_keys(results) -> list[str]:
    return [r.key for r in results if r.sent]


def test_each_kind_is_sent_once_across_runs_and_its_buttons_work(world):
    slack, commitment, promise, request, breakdown = world
    fake = slack.fake

    first = run_due_reminders(slack.services, REQUEST_DUE)
    assert sent_keys(first) == [
        f"request:{request.id}",
        f"asker:{request.id}",
        f"followup:{breakdown.id}:U1",
        f"followup:{breakdown.id}:U2",
    ]
    assert run_due_reminders(slack.services, REQUEST_DUE + timedelta(minutes=5)) == []
    [to_owner, followup_u2] = dms(fake, "U2")
    assert "Draft the &lt;launch&gt; plan &amp; dates" in to_owner.all_text()
    assert set(buttons(to_owner)) == {ids.ACTION_ACCEPT, ids.ACTION_DECLINE, ids.ACTION_COUNTER}
    [asker_note, followup_u1] = dms(fake, "U1")
    assert "<@U2> hasn't answered" in asker_note.all_text()
    assert buttons(followup_u1)[ids.CHECKIN_ADD_ACTION]["value"] == f"{commitment.id}:{breakdown.id}"

    # The buttons are the ones the app's listeners read: "I promise" makes it a promise.
    accept = buttons(to_owner)[ids.ACTION_ACCEPT]["value"]
    assert slack.send.action(ids.ACTION_ACCEPT, accept, user="U2", channel="DU2").status == 200
    slack.wait_idle()
    assert {a.id: a.status for a in rows(slack, Action)}[request.id] == ActionStatus.PROMISED
    add = buttons(followup_u2)[ids.CHECKIN_ADD_ACTION]["value"]
    assert slack.send.action(ids.CHECKIN_ADD_ACTION, add, user="U2", channel="DU2").status == 200
    assert fake.wait_for("views.open")[0].view["callback_id"] == ids.ACTION_MODAL

    fake.reset()
    assert sent_keys(run_due_reminders(slack.services, NUDGE)) == ["nudge:T1:C1:U1:2026-W50"]
    assert run_due_reminders(slack.services, NUDGE + timedelta(hours=1)) == []
    [nudge] = dms(fake, "U1")
    assert "#1 Weekly active teams" in nudge.all_text() and "no report yet" in nudge.all_text()
    assert {k: b["value"] for k, b in buttons(nudge).items()} == {
        ids.COMMITMENT_PROGRESS: str(commitment.id),
        ids.PROGRESS_SAME: str(commitment.id),
    }
    assert slack.send.action(ids.COMMITMENT_PROGRESS, str(commitment.id), user="U1", channel="DU1").status == 200
    assert fake.wait_for("views.open")[0].view["callback_id"] == ids.PROGRESS_MODAL

    fake.reset()
    assert sent_keys(run_due_reminders(slack.services, DUE_TOMORROW)) == [f"due:{promise.id}"]
    assert run_due_reminders(slack.services, DUE_TOMORROW + timedelta(hours=3)) == []
    [due] = dms(fake, "U1")
    assert set(buttons(due)) == {ids.ACTION_KEPT, ids.ACTION_NOT_KEPT}

    fake.reset()
    assert sent_keys(run_due_reminders(slack.services, OVERDUE)) == [f"overdue:{promise.id}"]
    assert run_due_reminders(slack.services, OVERDUE + timedelta(days=1)) == []
    [overdue] = dms(fake, "U1")
    assert {k: b["value"] for k, b in buttons(overdue).items()} == {
        ids.ACTION_KEPT: str(promise.id),
        ids.ACTION_REDATE: str(promise.id),
    }
    with time_machine.travel(OVERDUE, tick=True):  # "Done", recorded late
        assert slack.send.action(ids.ACTION_KEPT, str(promise.id), user="U1", channel="DU1").status == 200
        slack.wait_idle()
    assert {a.id: a.done_on for a in rows(slack, Action)}[promise.id] == OVERDUE.date()
    assert all(c.result == ReminderStatus.SENT for c in rows(slack, ReminderSent))


def test_nothing_reaches_someone_away_and_it_comes_when_they_are_back(world):
    slack, commitment, promise, request, breakdown = world
    reminder_store.set_away(slack.db, "T1", "U2", date(2026, 11, 30), NOW)
    assert sent_keys(run_due_reminders(slack.services, REQUEST_DUE)) == [f"followup:{breakdown.id}:U1"]
    assert dms(slack.fake, "U2") == []
    back = datetime(2026, 12, 1, 0, 30, tzinfo=UTC)
    assert sent_keys(run_due_reminders(slack.services, back)) == [
        f"request:{request.id}",
        f"asker:{request.id}",
        f"followup:{breakdown.id}:U2",
    ]
    # away again: the nudge for U1's check-in doesn't reach them, and is not sent after it
    reminder_store.set_away(slack.db, "T1", "U1", date(2026, 12, 7), NOW)
    assert run_due_reminders(slack.services, NUDGE) == []
    assert run_due_reminders(slack.services, DUE_TOMORROW) == []  # due 12-08: U1 away on the 7th
    assert sent_keys(run_due_reminders(slack.services, OVERDUE)) == [f"overdue:{promise.id}"]


def test_a_person_who_cant_be_messaged_is_not_retried_and_nobody_else_is_affected(world, caplog):
    slack, commitment, promise, request, breakdown = world
    slack.fake.fail("chat.postMessage", "user_not_found")  # the first DM: the request to U2
    results = run_due_reminders(slack.services, REQUEST_DUE)
    assert [(r.key, r.sent, r.error) for r in results] == [
        (f"request:{request.id}", False, "user_not_found"),
        (f"asker:{request.id}", True, None),
        (f"followup:{breakdown.id}:U1", True, None),
        (f"followup:{breakdown.id}:U2", True, None),
    ]
    assert "user_not_found" in caplog.text
    failed = reminder_store.get_claim(slack.db, f"request:{request.id}")
    assert (failed.result, failed.error) == (ReminderStatus.FAILED, "user_not_found")
    slack.fake.reset()
    assert run_due_reminders(slack.services, REQUEST_DUE + timedelta(hours=1)) == []
    assert slack.fake.calls("chat.postMessage") == []


def test_slack_failing_gives_the_claim_back_for_the_next_pass(world):
    slack, commitment, promise, request, breakdown = world
    slack.fake.script("chat.postMessage", Scripted(status=503, body={"ok": False, "error": "service_unavailable"}))
    first = run_due_reminders(slack.services, REQUEST_DUE)
    assert [(r.key, r.retry) for r in first if not r.sent] == [(f"request:{request.id}", True)]
    assert sent_keys(run_due_reminders(slack.services, REQUEST_DUE + timedelta(minutes=1))) == [f"request:{request.id}"]


def test_a_429_is_waited_out(world):
    slack, commitment, promise, request, breakdown = world
    slack.fake.script("chat.postMessage", Scripted(status=429, headers={"Retry-After": "1"}))
    results = run_due_reminders(slack.services, DUE_TOMORROW)
    assert sent_keys(results) == [f"due:{promise.id}", f"request:{request.id}", f"asker:{request.id}"]
    attempts = [c for c in dms(slack.fake, "U1") if "Tomorrow is the day" in c.all_text()]
    assert len(attempts) == 2  # the 429, then the message
    assert attempts[0].response is None and attempts[1].response["ok"]


def test_a_dry_run_posts_nothing_and_claims_nothing(world):
    slack, commitment, promise, request, breakdown = world
    dry = run_due_reminders(slack.services, REQUEST_DUE, dry_run=True)
    assert [r.key for r in dry] == [
        f"request:{request.id}",
        f"asker:{request.id}",
        f"followup:{breakdown.id}:U1",
        f"followup:{breakdown.id}:U2",
    ]
    assert all(r.dry_run and not r.sent for r in dry)
    lines = [describe(r) for r in dry]
    assert lines[0].startswith(f"request to U2 (T1/C1) [request:{request.id}] would send: <@U1> asked you")
    assert slack.fake.calls("chat.postMessage") == []
    assert rows(slack, ReminderSent) == []
    assert len(sent_keys(run_due_reminders(slack.services, REQUEST_DUE))) == 4


def test_only_the_channels_asked_for(world):
    slack, *_ = world
    assert run_due_reminders(slack.services, REQUEST_DUE, channels=["C9"]) == []
    assert len(run_due_reminders(slack.services, REQUEST_DUE, channels=["C1"])) == 4


def test_two_processes_racing_send_each_once(world):
    slack, commitment, promise, request, breakdown = world
    slack.fake.delay = 0.02
    url = slack.db.url
    barrier = threading.Barrier(4)
    results = []

    def one_process():
        db = Database(url)  # its own engine and connections, like another process
        services = Services(db=db, settings=slack.services.settings)
        barrier.wait()
        results.extend(run_due_reminders(services, REQUEST_DUE))
        db.dispose()

    threads = [threading.Thread(target=one_process) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(sent_keys(results)) == sorted(
        [f"request:{request.id}", f"asker:{request.id}", f"followup:{breakdown.id}:U1", f"followup:{breakdown.id}:U2"]
    )
    assert len(slack.fake.calls("chat.postMessage")) == 4
