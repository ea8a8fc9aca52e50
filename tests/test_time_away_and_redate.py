"""Nobody forgets, the listeners: `/commit away`, "No change" (`progress_same`), "New date"
(`action_redate` → `redate_modal`), and the reminder pass run by the check-in timer and by
`coach checkin`. Signed requests in, what the app sent to the fake Web API out."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine

from bot import ids
from bot.checkins.scheduler import run_checkins_now
from storage import actions as action_store
from storage import reminders as reminder_store
from storage.models import Action, ActionStatus, Commitment, ProgressReport, ReminderSent, TimeAway
from tests.helpers import buttons, rows

UTC = timezone.utc
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)  # Thursday
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=True):
        yield


def ephemeral(answer) -> str:
    body = answer.json()
    assert body["response_type"] == "ephemeral"
    return body["text"]


# --- /commit away -------------------------------------------------------------------------------


def test_away_until_a_date_is_stored_and_said_and_off_ends_it(slack):
    text = ephemeral(slack.send.command("away 2026-12-11", user="U2"))
    assert "away until Fri 11 Dec 2026" in text and "/commit away off" in text
    [away] = rows(slack, TimeAway)
    assert (away.team_id, away.user_id, away.until) == ("T1", "U2", date(2026, 12, 11))

    assert "Welcome back" in ephemeral(slack.send.command("away off", user="U2"))
    assert rows(slack, TimeAway) == []
    assert "weren't marked away" in ephemeral(slack.send.command("away off", user="U2"))


@pytest.mark.parametrize("typed", ["away 2026-11-25", "away someday", "away 2026-13-01", "away"])
def test_a_bad_away_date_is_explained_with_the_usage_and_nothing_is_stored(slack_sqlite, typed):
    answer = slack_sqlite.send.command(typed, user="U2")
    text = ephemeral(answer)
    assert "away" in text and "/commit away" in text  # what went wrong, then the usage
    assert rows(slack_sqlite, TimeAway) == []


def test_asking_someone_away_for_an_action_tells_the_asker_when_they_are_back(committed):
    slack = committed
    slack.send.command("away 2026-12-04", user="U2")
    c = rows(slack, Commitment)[0]
    slack.send.action(ids.CHECKIN_ADD_ACTION, str(c.id), user="U1")
    view = slack.fake.calls("views.open")[-1].view
    slack.fake.reset()
    slack.send.submit(view, {"what": "Draft the plan", "owner": "U2", "due": "2026-12-10"}, user="U1")

    [request] = rows(slack, Action)
    assert request.status == ActionStatus.REQUESTED and request.owner_id == "U2"
    told = [c for c in slack.fake.calls("chat.postMessage") if c["channel"] == "U1"]
    told += slack.fake.calls("chat.postEphemeral")
    assert any("<@U2> is away until Fri 04 Dec 2026" in c["text"] for c in told)


def test_a_promise_to_oneself_while_away_says_nothing_about_being_away(committed):
    slack = committed
    slack.send.command("away 2026-12-04", user="U1")
    c = rows(slack, Commitment)[0]
    slack.send.action(ids.CHECKIN_ADD_ACTION, str(c.id), user="U1")
    view = slack.fake.calls("views.open")[-1].view
    slack.fake.reset()
    slack.send.submit(view, {"what": "Call Acme", "owner": "U1", "due": "2026-12-10"}, user="U1")
    assert not any("away" in c["text"] for c in slack.fake.calls("chat.postEphemeral"))


def test_nobody_away_gets_the_reminder_pass_from_the_check_in_timer(committed):
    slack = committed
    c = rows(slack, Commitment)[0]
    for owner in ("U1", "U2"):
        action_store.add(
            slack.db, commitment_id=c.id, breakdown_id=None, what=f"Promise of {owner}",
            owner_id=owner, asker_id=owner, due=TODAY + timedelta(days=1), now=NOW - timedelta(days=1),
        )  # fmt: skip
    slack.send.command("away 2026-11-30", user="U2")
    slack.fake.reset()
    run_checkins_now(slack.services)  # one tick of `coach run`'s timer: check-ins, then reminders

    to_u1 = slack.fake.calls("chat.postMessage", channel="U1")
    assert len(to_u1) == 1 and "Promise of U1" in to_u1[0].all_text()
    assert slack.fake.calls("chat.postMessage", channel="U2") == []
    run_checkins_now(slack.services)
    assert len(slack.fake.calls("chat.postMessage", channel="U1")) == 1  # once, however many ticks
    assert [r.key for r in rows(slack, ReminderSent)] == [f"due:{rows(slack, Action)[0].id}"]


# --- No change ----------------------------------------------------------------------------------


def test_no_change_records_the_latest_value_or_the_baseline(committed):
    slack = committed
    c = rows(slack, Commitment)[0]
    slack.send.action(ids.PROGRESS_SAME, str(c.id), user="U2")
    assert [(r.value, r.user_id) for r in rows(slack, ProgressReport)] == [(120.0, "U2")]
    said = slack.fake.calls("chat.postEphemeral") + slack.fake.calls("chat.postMessage", channel="U2")
    assert any("Recorded 120 teams on #1: no change" in s["text"] for s in said)

    slack.send.command("progress #1 150", user="U1")
    slack.send.action(ids.PROGRESS_SAME, str(c.id), user="U1")
    assert [r.value for r in rows(slack, ProgressReport)] == [120.0, 150.0, 150.0]


def test_no_change_is_for_enrolled_people_of_an_active_commitment_only(committed):
    slack = committed
    c = rows(slack, Commitment)[0]
    slack.send.action(ids.PROGRESS_SAME, str(c.id), user="U3")
    slack.send.action(ids.PROGRESS_SAME, "99999999999999999999", user="U1")
    slack.send.action(ids.PROGRESS_SAME, str(c.id), user="U1", team="T2")
    assert rows(slack, ProgressReport) == []
    said = [s["text"] for s in slack.fake.calls("chat.postEphemeral")]
    assert any("Enrol first" in s for s in said)
    assert sum("doesn't point at" in s for s in said) == 1  # T2: refused, nothing said (one workspace)


# --- New date -----------------------------------------------------------------------------------


@pytest.fixture
def overdue(committed):
    """U1's promise on #1, due three days ago, still open."""
    slack = committed
    c = rows(slack, Commitment)[0]
    promise = action_store.add(
        slack.db, commitment_id=c.id, breakdown_id=None, what="Call the <5> biggest customers",
        owner_id="U1", asker_id="U1", due=TODAY - timedelta(days=3), now=NOW - timedelta(days=10),
    )  # fmt: skip
    slack.fake.reset()
    return slack, c, promise


def test_new_date_opens_redate_modal_and_makes_a_new_promise_told_in_the_thread(overdue):
    slack, c, promise = overdue
    slack.send.action(ids.ACTION_REDATE, str(promise.id), user="U1")
    [opened] = slack.fake.calls("views.open")
    view = opened.view
    assert view["callback_id"] == ids.REDATE_MODAL
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == [ids.DUE]

    bad = slack.send.submit(view, {ids.DUE: "2026-11-20"}, user="U1").json()
    assert bad["response_action"] == "errors" and ids.DUE in bad["errors"]
    assert len(rows(slack, Action)) == 1

    slack.send.submit(view, {ids.DUE: "2026-12-03"}, user="U1")
    old, new = rows(slack, Action)
    assert old.id == promise.id and old.done_on is None and old.due == promise.due  # stays broken
    assert (new.what, new.owner_id, new.status, new.due) == (
        promise.what,
        "U1",
        ActionStatus.PROMISED,
        date(2026, 12, 3),
    )
    [told] = [m for m in slack.fake.calls("chat.postMessage") if m.get("thread_ts") == c.home_ts]
    text = told.all_text()
    assert "new date: Thu 03 Dec 2026" in text and "&lt;5&gt;" in text and "<5>" not in text

    again = slack.send.submit(view, {ids.DUE: "2026-12-05"}, user="U1").json()
    assert again["response_action"] == "errors" and "already" in again["errors"][ids.DUE]
    assert len(rows(slack, Action)) == 2


def test_new_date_is_for_the_promises_owner_and_only_once_it_is_overdue(overdue):
    slack, c, promise = overdue
    slack.send.action(ids.ACTION_REDATE, str(promise.id), user="U2")
    fresh = action_store.add(
        slack.db, commitment_id=c.id, breakdown_id=None, what="Not yet due",
        owner_id="U1", asker_id="U1", due=TODAY + timedelta(days=2), now=NOW,
    )  # fmt: skip
    slack.send.action(ids.ACTION_REDATE, str(fresh.id), user="U1")
    assert slack.fake.calls("views.open") == []
    said = [s["text"] for s in slack.fake.calls("chat.postEphemeral")]
    assert any("Only <@U1> can mark this action" in s for s in said)
    assert any("needs no new date yet" in s for s in said)


def test_the_overdue_reminder_carries_done_and_new_date(overdue):
    slack, c, promise = overdue
    reminder_store.claimed(slack.db, [])  # the claims table is there
    run_checkins_now(slack.services)
    [dm] = slack.fake.calls("chat.postMessage", channel="U1")
    assert {ids.ACTION_KEPT, ids.ACTION_REDATE} <= set(buttons(dm))
    assert buttons(dm)[ids.ACTION_REDATE]["value"] == str(promise.id)


# --- coach checkin ----------------------------------------------------------------------------


def test_coach_checkin_prints_reminders_in_a_dry_run_then_sends_them_once(committed, capsys):
    from bot.ops.checkin_command import run_checkins

    slack = committed
    c = rows(slack, Commitment)[0]
    promise = action_store.add(
        slack.db, commitment_id=c.id, breakdown_id=None, what="Send the <deck>",
        owner_id="U2", asker_id="U2", due=TODAY + timedelta(days=1), now=NOW - timedelta(days=1),
    )  # fmt: skip
    slack.fake.reset()

    assert run_checkins(slack.services.settings, dry_run=True) == 0
    printed = capsys.readouterr().out
    assert f"due:{promise.id}" in printed and "would send" in printed and "U2" in printed
    assert slack.fake.calls("chat.postMessage") == [] and rows(slack, ReminderSent) == []

    assert run_checkins(slack.services.settings) == 0
    assert "sent" in capsys.readouterr().out
    [dm] = slack.fake.calls("chat.postMessage", channel="U2")
    assert "&lt;deck&gt;" in dm.all_text() and "<deck>" not in dm.all_text()
    assert run_checkins(slack.services.settings) == 0
    assert len(slack.fake.calls("chat.postMessage", channel="U2")) == 1
    assert "No check-in is due now" in capsys.readouterr().out
