"""Actions, requests and promises end to end: signed requests in, what the app sent out."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine

from bot import ids
from bot.checkins.runner import run_due_checkins
from bot.slack.context import Ref, decode_ref
from storage.models import Action, Breakdown, Commitment
from tests.helpers import DECLARE, buttons, rows

UTC = timezone.utc
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)  # Thursday
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=True):
        yield


def thread(slack, containing=""):
    home_ts = rows(slack, Commitment)[0].home_ts
    return [
        c for c in slack.fake.calls("chat.postMessage") if c.get("thread_ts") == home_ts and containing in c.all_text()
    ]


def open_action_modal(slack, user="U1", value=None):
    c = rows(slack, Commitment)[0]
    slack.send.action(ids.CHECKIN_ADD_ACTION, value or f"{c.id}:", user=user)
    return slack.fake.calls("views.open")[-1].view


def add_action(slack, what="Call ten teams", owner="U1", due="2026-12-04", user="U1"):
    view = open_action_modal(slack, user=user)
    answer = slack.send.submit(view, {"what": what, "owner": owner, "due": due}, user=user)
    assert answer.status == 200 and answer.body in ("", "null"), answer.body
    return rows(slack, Action)[-1]


# --- adding an action ----------------------------------------------------------------------------------


def test_add_new_action_opens_the_action_modal(committed):
    slack = committed
    slack.send.command("breakdown #1 the launch slipped")
    [breakdown] = rows(slack, Breakdown)
    c = rows(slack, Commitment)[0]
    view = open_action_modal(slack, value=f"{c.id}:{breakdown.id}")
    assert view["callback_id"] == ids.ACTION_MODAL
    inputs = {b["block_id"]: b["element"]["type"] for b in view["blocks"] if b["type"] == "input"}
    assert inputs == {"what": "plain_text_input", "owner": "users_select", "due": "datepicker"}
    assert decode_ref(view["private_metadata"]) == Ref(c.id, breakdown=breakdown.id)

    slack.send.submit(view, {"what": "Demo to the board", "owner": "U1", "due": "2026-12-10"})
    assert rows(slack, Action)[-1].breakdown_id == breakdown.id
    # opened from elsewhere while the breakdown is open, the action still answers it
    assert add_action(slack).breakdown_id == breakdown.id
    slack.send.command("progress #1 400")  # a breakthrough ends it, and closes the breakdown
    assert slack.send.command(DECLARE).status == 200
    c2 = rows(slack, Commitment)[1]
    slack.send.action(ids.CHECKIN_ADD_ACTION, f"{c2.id}:", user="U1")
    view = slack.fake.calls("views.open")[-1].view
    slack.send.submit(view, {"what": "Plan", "owner": "U1", "due": "2026-12-10"})
    assert rows(slack, Action)[-1].breakdown_id is None


def test_taking_an_action_on_yourself_is_a_promise(committed):
    slack = committed
    action = add_action(slack, what="Call ten teams &amp; <!here>")
    assert (action.status, action.owner_id, action.asker_id, action.due) == ("promised", "U1", "U1", date(2026, 12, 4))
    assert action.what == "Call ten teams & <!here>" and action.promised_at is not None
    [told] = thread(slack, "promises")
    assert "Call ten teams &amp; &lt;!here&gt;" in told.all_text() and "<!here>" not in told.all_text()
    assert [c for c in slack.fake.calls("chat.postMessage") if c["channel"].startswith("U")] == []


def test_the_action_modal_errors_come_back_on_their_blocks(committed):
    slack = committed
    view = open_action_modal(slack)
    body = slack.send.submit(view, {"what": "", "owner": "U1", "due": "2026-11-01"}).json()
    assert body["response_action"] == "errors" and set(body["errors"]) == {"what", "due"}
    body = slack.send.submit(view, {"what": "x" * 301, "owner": None, "due": "2026-12-01"}).json()
    assert set(body["errors"]) == {"what", "owner"}
    assert rows(slack, Action) == []
    assert thread(slack) == []


def test_only_the_owner_and_enrolled_people_add_actions(committed):
    slack = committed
    c = rows(slack, Commitment)[0]
    slack.send.action(ids.CHECKIN_ADD_ACTION, f"{c.id}:", user="U3")
    assert slack.fake.calls("views.open") == []
    [told] = slack.fake.calls("chat.postEphemeral")
    assert told["user"] == "U3" and "Enrol first" in told["text"]
    # and a submission from someone not enrolled stores nothing
    view = open_action_modal(slack, user="U2")
    slack.send.submit(view, {"what": "Sneaky", "owner": "U3", "due": "2026-12-04"}, user="U3")
    assert rows(slack, Action) == []
    # enrolled people may
    assert add_action(slack, owner="U2", user="U2").status == "promised"


def test_another_workspace_cannot_open_the_modal(committed):
    slack = committed
    c = rows(slack, Commitment)[0]
    slack.send.action(ids.CHECKIN_ADD_ACTION, f"{c.id}:", user="U1", team="T2")
    assert slack.fake.calls("views.open") == []


# --- requests ----------------------------------------------------------------------------------------


def request_dm(slack, user):
    return [c for c in slack.fake.calls("chat.postMessage", channel=user) if ids.ACTION_ACCEPT in buttons(c)][-1]


def test_asking_someone_else_sends_them_a_request_they_can_accept(committed):
    slack = committed
    action = add_action(slack, owner="U2")
    assert action.status == "requested" and action.promised_at is None
    dm = request_dm(slack, "U2")
    assert [b["text"]["text"] for b in buttons(dm).values()] == ["I promise", "Decline", "Counter"]
    assert all(b["value"] == str(action.id) for b in buttons(dm).values())
    assert "<@U1> asks you" in dm.all_text() and "Call ten teams" in dm.all_text()
    assert rows(slack, Action)[0].request_ts == dm.response["ts"]
    assert thread(slack, "Waiting for their answer")

    # only its owner answers
    slack.send.action(ids.ACTION_ACCEPT, str(action.id), user="U1", channel="DU2")
    assert rows(slack, Action)[0].status == "requested"
    assert "only they can answer" in slack.fake.calls("chat.postMessage", channel="U1")[-1]["text"]

    slack.send.action(ids.ACTION_ACCEPT, str(action.id), user="U2", channel="DU2", message_ts=dm.response["ts"])
    promised = rows(slack, Action)[0]
    assert promised.status == "promised" and promised.promised_at is not None
    [updated] = slack.fake.calls("chat.update")
    assert updated["ts"] == dm.response["ts"] and "You promised it" in updated.all_text()
    assert not buttons(updated)
    assert thread(slack, "promises, as <@U1> asked")

    # a second click changes nothing
    slack.send.action(ids.ACTION_ACCEPT, str(action.id), user="U2", channel="DU2")
    assert "already answered" in slack.fake.calls("chat.postMessage", channel="U2")[-1]["text"]


def test_a_declined_request_is_not_a_promise(committed):
    slack = committed
    action = add_action(slack, owner="U2")
    slack.send.action(ids.ACTION_DECLINE, str(action.id), user="U2", channel="DU2")
    assert rows(slack, Action)[0].status == "declined"
    [told] = thread(slack, "declined")
    assert "<@U1>, who else could take it on?" in told.all_text()
    body = slack.send.command("status #1").json()
    assert "no promises due yet" in str(body) and "0 of 2 enrolled hold a promise" in str(body)


def test_a_counter_the_asker_accepts_becomes_a_promise_at_the_new_date(committed):
    slack = committed
    action = add_action(slack, owner="U2", due="2026-12-04")
    slack.send.action(ids.ACTION_COUNTER, str(action.id), user="U2", channel="DU2")
    view = slack.fake.calls("views.open")[-1].view
    assert view["callback_id"] == ids.COUNTER_MODAL
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == ["due"]

    same = slack.send.submit(view, {"due": "2026-12-04"}, user="U2").json()
    assert same["response_action"] == "errors" and "due" in same["errors"]
    past = slack.send.submit(view, {"due": "2026-11-01"}, user="U2").json()
    assert past["response_action"] == "errors" and "due" in past["errors"]
    assert rows(slack, Action)[0].status == "requested"

    assert slack.send.submit(view, {"due": "2026-12-11"}, user="U2").status == 200
    countered = rows(slack, Action)[0]
    assert (countered.status, countered.countered_due) == ("countered", date(2026, 12, 11))
    [to_asker] = [c for c in slack.fake.calls("chat.postMessage", channel="U1") if ids.COUNTER_ACCEPT in buttons(c)]
    assert "Fri 11 Dec 2026" in to_asker.all_text()
    assert set(buttons(to_asker)) == {ids.COUNTER_ACCEPT, ids.COUNTER_REJECT}
    value = buttons(to_asker)[ids.COUNTER_ACCEPT]["value"]

    slack.send.action(ids.COUNTER_ACCEPT, value, user="U2", channel="DU1")  # not the asker
    assert rows(slack, Action)[0].status == "countered"
    slack.send.action(ids.COUNTER_ACCEPT, value, user="U1", channel="DU1")
    promised = rows(slack, Action)[0]
    assert (promised.status, promised.due) == ("promised", date(2026, 12, 11))
    assert any("your promise now" in c.all_text() for c in slack.fake.calls("chat.postMessage", channel="U2"))
    assert thread(slack, "a date <@U1> accepted")


def test_a_rejected_counter_sends_the_request_again_at_the_first_date(committed):
    slack = committed
    action = add_action(slack, owner="U2", due="2026-12-04")
    slack.send.action(ids.ACTION_COUNTER, str(action.id), user="U2", channel="DU2")
    slack.send.submit(slack.fake.calls("views.open")[-1].view, {"due": "2026-12-18"}, user="U2")
    to_asker = [c for c in slack.fake.calls("chat.postMessage", channel="U1") if ids.COUNTER_REJECT in buttons(c)][-1]
    slack.send.action(ids.COUNTER_REJECT, buttons(to_asker)[ids.COUNTER_REJECT]["value"], user="U1", channel="DU1")
    again = rows(slack, Action)[0]
    assert (again.status, again.due, again.countered_due) == ("requested", date(2026, 12, 4), None)
    dm = request_dm(slack, "U2")
    assert "keeps Fri 04 Dec 2026" in dm.all_text()
    # a stale counter button changes nothing now
    slack.send.action(ids.COUNTER_ACCEPT, buttons(to_asker)[ids.COUNTER_ACCEPT]["value"], user="U1", channel="DU1")
    assert rows(slack, Action)[0].status == "requested"


# --- Done / Not done, and integrity -------------------------------------------------------------------


def test_done_on_time_is_kept_and_only_the_owner_can_mark(committed):
    slack = committed
    action = add_action(slack, due="2026-12-04")
    slack.send.action(ids.ACTION_KEPT, str(action.id), user="U2")
    assert rows(slack, Action)[0].done_on is None
    [no] = slack.fake.calls("chat.postEphemeral")
    assert no["user"] == "U2" and "Only <@U1> can mark" in no["text"]

    slack.send.action(ids.ACTION_KEPT, str(action.id), user="U1")
    assert rows(slack, Action)[0].done_on == date(2026, 11, 26)
    assert thread(slack, "kept their promise")
    assert "A promise kept" in slack.fake.calls("chat.postEphemeral")[-1]["text"]
    slack.send.action(ids.ACTION_KEPT, str(action.id), user="U1")
    assert "already marked it done" in slack.fake.calls("chat.postEphemeral")[-1]["text"]


def test_not_done_before_the_due_date_revokes_it(committed):
    slack = committed
    action = add_action(slack, due="2026-12-04")
    slack.send.action(ids.ACTION_NOT_KEPT, str(action.id), user="U1")
    assert rows(slack, Action)[0].revoked_on == date(2026, 11, 26)
    assert thread(slack, "revoked")
    slack.send.action(ids.ACTION_KEPT, str(action.id), user="U1")
    assert rows(slack, Action)[0].done_on is None
    assert "won't be done" in slack.fake.calls("chat.postEphemeral")[-1]["text"]


def test_past_the_due_date_not_done_is_refused_and_done_is_delivered_late(committed):
    slack = committed
    action = add_action(slack, due="2026-11-27")
    with time_machine.travel(NOW + timedelta(days=3), tick=True):
        slack.send.action(ids.ACTION_NOT_KEPT, str(action.id), user="U1")
        assert rows(slack, Action)[0].revoked_on is None
        assert "past its due date" in slack.fake.calls("chat.postEphemeral")[-1]["text"]
        slack.send.action(ids.ACTION_KEPT, str(action.id), user="U1")
    assert rows(slack, Action)[0].done_on == date(2026, 11, 29)
    assert thread(slack, "delivered late")
    assert "delivered late" in slack.fake.calls("chat.postEphemeral")[-1]["text"]


def test_kept_revoked_and_broken_promises_count_in_integrity(committed):
    slack = committed
    kept = add_action(slack, what="Kept one", due="2026-11-28")
    revoked = add_action(slack, what="Revoked one", due="2026-11-28")
    add_action(slack, what="Broken one", due="2026-11-28")  # never marked: broken once past due
    add_action(slack, what="Open one", owner="U2", user="U2", due="2026-12-20")
    declined = add_action(slack, what="Declined one", owner="U3", due="2026-11-28")
    slack.send.action(ids.ACTION_DECLINE, str(declined.id), user="U3", channel="DU3")
    slack.send.action(ids.ACTION_KEPT, str(kept.id))
    slack.send.action(ids.ACTION_NOT_KEPT, str(revoked.id))

    with time_machine.travel(NOW + timedelta(days=5), tick=True):
        card = slack.send.command("status #1").json()
    text = str(card)
    assert "Integrity: 67% (2 of 3 honoured) · kept 33%" in text
    assert "Enrolment coverage: 100% (2 of 2 enrolled hold a promise)" in text
    assert "Open one" in text and "Broken one" not in text.split("Integrity")[0]

    slack.fake.reset()
    [result] = run_due_checkins(slack.services, now=MONDAY)
    post = result.messages[0]
    post_text = str(post[1])
    assert "Integrity: 67% (2 of 3 honoured) · kept 33%" in post_text
    # due since the last check-in: kept and revoked are listed, the broken one gets its buttons
    assert "Kept one" in post_text and "Revoked one" in post_text
    [call] = [c for c in slack.fake.calls("chat.postMessage", channel="C1") if not c.get("thread_ts")]
    broken = rows(slack, Action)[2]
    marks = {
        e["value"]: e["action_id"]
        for b in call.blocks
        if b["type"] == "actions"
        for e in b["elements"]
        if e["action_id"] in (ids.ACTION_KEPT, ids.ACTION_NOT_KEPT)
    }
    assert marks == {str(broken.id): ids.ACTION_KEPT}  # past due: only "Done" (delivered late)
    assert "Open one" not in post_text  # not due yet


def test_a_check_in_shows_open_actions_due_with_done_and_not_done(committed):
    slack = committed
    action = add_action(slack, what="Due on Monday", due="2026-11-30")
    slack.fake.reset()
    run_due_checkins(slack.services, now=MONDAY)
    [call] = [c for c in slack.fake.calls("chat.postMessage", channel="C1") if not c.get("thread_ts")]
    assert "Actions due since the last check-in" in call.all_text()
    block = next(b for b in call.blocks if b.get("block_id") == f"action_{action.id}")
    labels = {e["action_id"]: e["text"]["text"] for e in block["elements"]}
    assert labels == {ids.ACTION_KEPT: "Done", ids.ACTION_NOT_KEPT: "Not done"}
    # clicking on it in the channel works for its owner
    slack.send.action(ids.ACTION_KEPT, str(action.id), user="U1", message_ts=call.response["ts"])
    assert rows(slack, Action)[0].done_on is not None


def test_status_shows_the_open_breakdown_and_the_first_new_promise(committed):
    slack = committed
    slack.send.command("breakdown #1 slipped")
    with time_machine.travel(NOW + timedelta(days=2), tick=True):
        add_action(slack, due="2026-12-10")
    with time_machine.travel(NOW + timedelta(days=5), tick=True):
        text = str(slack.send.command("status #1").json())
    assert "Breakdown announced 5 days ago · first new promise 3 days ago" in text
    assert "Open promises" in text and "Call ten teams" in text
    # without promises yet
    slack.send.command("withdraw #1 done here")
    assert slack.send.command(DECLARE).status == 200
    slack.send.command("breakdown #2 slipped")
    text = str(slack.send.command("status #2").json())
    assert "Breakdown announced today · no new promise yet" in text


def test_a_request_that_cannot_be_delivered_is_said_to_the_asker(committed):
    slack = committed
    slack.fake.fail("chat.postMessage", "user_not_found")
    action = add_action(slack, owner="U9")
    assert action.status == "requested"
    told = slack.fake.calls("chat.postMessage", channel="U1")
    assert any("couldn't reach <@U9>" in c["text"] for c in told)
    assert thread(slack, "Waiting for their answer")


def test_the_status_card_in_the_home_thread_shows_integrity(committed):
    slack = committed
    add_action(slack)
    c = rows(slack, Commitment)[0]
    slack.fake.reset()
    slack.send.event(
        {
            "type": "app_mention",
            "user": "U2",
            "text": "<@UBOT> status",
            "channel": "C1",
            "ts": "1700000099.000100",
            "thread_ts": c.home_ts,
        }
    )
    reply = slack.fake.wait_for("chat.postMessage", where=lambda call: call.get("thread_ts") == c.home_ts)[0]
    assert "Integrity: no promises due yet" in reply.all_text() and "Call ten teams" in reply.all_text()
