"""Endings end to end (SPEC "Endings"): the retrospective in the home thread for every ending,
its answers and the next declaration, and open promises released."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine

from bot import ids
from bot.checkins.runner import run_due_checkins
from storage import actions as action_store
from storage.models import Action, ActionStatus, Commitment, RetroAnswer
from tests.helpers import buttons, declared, rows

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)  # a Thursday
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=True):
        yield


def retrospectives(slack, home_ts):
    return [
        c
        for c in slack.fake.calls("chat.postMessage")
        if c.get("thread_ts") == home_ts and ids.RETRO_ADD in str(c.blocks)
    ]


def promise(slack, commitment, owner, due, done_on=None):
    a = action_store.add(
        slack.db,
        commitment_id=commitment.id,
        breakdown_id=None,
        what=f"call <teams> & more for {owner}",
        owner_id=owner,
        asker_id=owner,
        due=due,
        now=NOW - timedelta(days=30),
    )
    if done_on:
        action_store.mark_done(slack.db, a.id, done_on)
    return a


def test_withdrawing_posts_the_retrospective_and_releases_open_promises(committed):
    slack = committed
    [c] = rows(slack, Commitment)
    kept = promise(slack, c, "U2", date(2026, 11, 20), done_on=date(2026, 11, 19))
    broken = promise(slack, c, "U1", date(2026, 11, 24))
    still_open = promise(slack, c, "U2", date(2026, 12, 10))
    slack.send.command("progress #1 150 first teams")
    slack.fake.reset()

    answer = slack.send.command("withdraw #1 merged into #5")

    assert "withdrawn" in answer.json()["text"]
    [retro] = retrospectives(slack, c.home_ts)
    text = retro.all_text()
    assert "Retrospective of #1 Weekly active teams" in text and "was withdrawn" in text
    assert "120 teams → *150 teams* against a target of 300 teams: 17% of the way" in text
    assert "Promises: 3 made · 1 kept · 0 revoked · 1 broken · 1 released" in text
    assert "Integrity: 50% (1 of 2 honoured)" in text
    assert "Enrolled: <@U1>, <@U2>" in text and "Breakdowns: none" in text
    assert "What will you commit to next?" in text  # every ending looks forward
    assert set(buttons(retro)) == {ids.RETRO_ADD, ids.COMMITMENT_NEXT}
    slack.fake.wait_for("files.completeUploadExternal")  # the final chart, in the thread
    statuses = {a.id: a.status for a in rows(slack, Action)}
    assert statuses == {
        kept.id: ActionStatus.PROMISED,
        broken.id: ActionStatus.PROMISED,
        still_open.id: ActionStatus.RELEASED,
    }
    [told] = [m for m in slack.fake.calls("chat.postMessage") if m["channel"] == "U2"]
    assert "no longer due" in told.all_text() and "call &lt;teams&gt; &amp; more for U2" in told.all_text()
    assert not [m for m in slack.fake.calls("chat.postMessage") if m["channel"] == "U1"]


def test_released_promises_leave_app_home_and_integrity(committed):
    slack = committed
    [c] = rows(slack, Commitment)
    promise(slack, c, "U2", date(2026, 12, 10))
    slack.send.command("withdraw #1 merged into #5")
    slack.fake.reset()
    slack.send.event({"type": "app_home_opened", "user": "U2", "tab": "home"})
    [published] = slack.fake.calls("views.publish")
    assert "call &lt;teams&gt;" not in str(published["view"])
    with time_machine.travel(NOW + timedelta(days=30), tick=True):
        slack.fake.reset()
        slack.send.event({"type": "app_home_opened", "user": "U2", "tab": "home"})
        [later] = slack.fake.calls("views.publish")
        assert "honoured" not in str(later["view"])  # nothing due: it counts nowhere


def test_answers_are_posted_with_their_author_escaped_and_stored(committed):
    slack = committed
    [c] = rows(slack, Commitment)
    slack.send.action(ids.RETRO_ADD, str(c.id), user="U2")
    assert "still running" in slack.fake.calls("chat.postEphemeral")[-1]["text"]
    slack.send.command("withdraw #1 merged into #5")
    slack.fake.reset()

    slack.send.action(ids.RETRO_ADD, str(c.id), user="U3")
    [opened] = slack.fake.calls("views.open")
    view = opened.view
    assert view["callback_id"] == ids.RETRO_MODAL
    assert [(b["block_id"], b["optional"]) for b in view["blocks"] if b["type"] == "input"] == [
        ("shifted", False),
        ("next", True),
    ]
    bad = slack.send.submit(view, {"shifted": "  ", "next": ""}, user="U3").json()
    assert bad["response_action"] == "errors" and "shifted" in bad["errors"]
    assert rows(slack, RetroAnswer) == []

    ok = slack.send.submit(view, {"shifted": "asking &lt;!channel&gt; &amp; listening", "next": "demos"}, user="U3")
    assert ok.status == 200
    [stored] = rows(slack, RetroAnswer)
    assert (stored.author_id, stored.shifted, stored.next) == ("U3", "asking <!channel> & listening", "demos")
    [posted] = [m for m in slack.fake.calls("chat.postMessage") if m.get("thread_ts") == c.home_ts]
    assert "<@U3> on what made the difference in #1" in posted.all_text()
    assert "asking &lt;!channel&gt; &amp; listening" in posted.all_text()
    assert "<!channel>" not in posted.all_text()


def test_declare_the_next_one_opens_commit_modal_prefilled(committed):
    slack = committed
    [c] = rows(slack, Commitment)
    slack.send.command("progress #1 180")
    slack.send.command("enrol #1 <@U4>")
    slack.send.command("withdraw #1 new plan")
    slack.fake.reset()

    slack.send.action(ids.COMMITMENT_NEXT, str(c.id), user="U1")

    [opened] = slack.fake.calls("views.open")
    view = opened.view
    assert view["callback_id"] == ids.COMMIT_MODAL and view["private_metadata"] == "C1"
    elements = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert elements["outcome"]["initial_value"] == "Weekly active teams"
    assert elements["baseline"]["initial_value"] == "180"
    assert elements["unit"]["initial_value"] == "teams"
    assert elements["members"]["initial_users"] == ["U2", "U4"]
    assert "initial_value" not in elements["target"]


def test_a_breakthrough_gets_its_retrospective(slack):
    declared(slack)
    [c] = rows(slack, Commitment)
    slack.fake.reset()
    slack.send.command("progress #1 301")
    [retro] = retrospectives(slack, c.home_ts)
    assert (
        "ended as a breakthrough" in retro.all_text()
        and "*301 teams* against a target of 300 teams" in retro.all_text()
    )


def test_a_commitment_missed_in_the_check_in_gets_its_retrospective(slack):
    declared(slack, "Short sprint: 0 -> 10 tickets by 2026-12-05")
    [c] = rows(slack, Commitment)
    slack.send.command("progress #1 4")
    slack.send.command("breakdown #1 two people out sick")
    promise(slack, c, "U1", date(2026, 12, 20))
    slack.fake.reset()

    run_due_checkins(slack.services, now=MONDAY + timedelta(days=7))

    assert rows(slack, Commitment)[0].status == "missed"
    [retro] = retrospectives(slack, c.home_ts)
    text = retro.all_text()
    assert "ended as missed" in text and "Breakdowns: 1, open" in text and "1 released" in text
    replies = [m for m in slack.fake.calls("chat.postMessage") if m.get("thread_ts") == c.home_ts]
    assert "ends as missed" in replies[0].all_text() and replies[-1] is retro  # the record comes last
    assert rows(slack, Action)[0].status == ActionStatus.RELEASED
    run_due_checkins(slack.services, now=MONDAY + timedelta(days=14))
    assert len(retrospectives(slack, c.home_ts)) == 1  # once
