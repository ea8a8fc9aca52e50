"""App Home and actions together: a person's open promises, the requests waiting for their
answer and their own integrity on Home, answered from Home through signed requests."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine

from bot import ids
from storage.models import Action, Commitment, ProgressReport
from tests.helpers import DECLARE, counting_queries, rows, text_of, valid_home
from tests.helpers import home_buttons as buttons

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)  # Thursday
HOME = {"id": "VHOME", "type": "home"}


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=True):
        yield


def action(slack, action_id) -> Action:
    with slack.db.session() as session:
        return session.get(Action, action_id)


def add_action(slack, what, owner="U1", due="2026-12-04", user="U1") -> Action:
    c = rows(slack, Commitment)[0]
    slack.send.action(ids.CHECKIN_ADD_ACTION, f"{c.id}:", user=user)
    view = slack.fake.calls("views.open")[-1].view
    answer = slack.send.submit(view, {"what": what, "owner": owner, "due": due}, user=user)
    assert answer.status == 200 and answer.body in ("", "null"), answer.body
    return rows(slack, Action)[-1]


def home_of(slack, user) -> dict:
    """Open `user`'s Home tab: the view published for them."""
    slack.fake.reset()
    answer = slack.send.event(
        {"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": "home", "event_ts": "1700000000.000100"}
    )
    assert answer.status == 200
    [published] = slack.fake.wait_for("views.publish")
    assert published["user_id"] == user
    return valid_home(published.view)


def click_on_home(slack, action_id, value, user):
    """A button on App Home: a `view` container, no channel, no message, no response_url."""
    slack.fake.reset()
    answer = slack.send.action(action_id, value, user=user, view=HOME)
    assert answer.status == 200
    return answer


def republished(slack, user) -> dict:
    [published] = slack.fake.calls("views.publish")
    assert published["user_id"] == user
    return valid_home(published.view)


ACTION_BUTTONS = {ids.ACTION_KEPT, ids.ACTION_NOT_KEPT, ids.ACTION_ACCEPT, ids.ACTION_DECLINE, ids.ACTION_COUNTER}


def marks(view, action_id_value) -> set[str]:
    """The action buttons on Home for this action."""
    return {
        b["action_id"] for b in buttons(view) if b["value"] == str(action_id_value) and b["action_id"] in ACTION_BUTTONS
    }


def dms(slack, user):
    return [c for c in slack.fake.calls("chat.postMessage", channel=user)]


# --- what Home shows --------------------------------------------------------------------------------


def test_home_shows_each_person_their_own_promises_requests_and_integrity(committed):
    slack = committed
    kept = add_action(slack, "Kept one", due="2026-11-27")
    add_action(slack, "Broken one", due="2026-11-27")  # never marked: broken once past due
    upcoming = add_action(slack, "Call ten teams &lt;!here&gt;", due="2026-12-10")
    asked = add_action(slack, "Draft the board deck", owner="U2", due="2026-12-08")
    revoked = add_action(slack, "U2's own", owner="U2", user="U2", due="2026-11-27")
    slack.send.action(ids.ACTION_KEPT, str(kept.id), user="U1")
    slack.send.action(ids.ACTION_NOT_KEPT, str(revoked.id), user="U2")

    with time_machine.travel(NOW + timedelta(days=3), tick=True):
        mine, theirs = home_of(slack, "U1"), home_of(slack, "U2")

    text = text_of(mine)
    assert "Your open actions" in text and "Call ten teams &lt;!here&gt;" in text and "<!here>" not in text
    assert marks(mine, upcoming.id) == {ids.ACTION_KEPT, ids.ACTION_NOT_KEPT}
    assert "Kept one" not in text and "Broken one" not in text  # settled, or past due: not open
    assert "Your integrity" in text and "50% (1 of 2 honoured) · kept 50%" in text and "Only you see this" in text
    assert "Draft the board deck" not in text  # asked of U2, not of U1
    assert "Waiting for your answer" not in text

    other = text_of(theirs)
    assert "100% (1 of 1 honoured) · kept 0%" in other
    assert "50% (1 of 2" not in other and "Kept one" not in other and "Call ten teams" not in other
    assert "Waiting for your answer" in other and "<@U1> asks: *Draft the board deck*" in other
    assert marks(theirs, asked.id) == {ids.ACTION_ACCEPT, ids.ACTION_DECLINE, ids.ACTION_COUNTER}
    assert "Your open actions" not in other  # U2's only promise was revoked

    # someone with no promise at all gets no integrity section, and sees none of theirs
    nobody = text_of(home_of(slack, "U3"))
    assert "Your integrity" not in nobody and "honoured" not in nobody


def test_a_counter_waits_on_the_askers_home_and_another_workspace_sees_nothing(committed):
    slack = committed
    asked = add_action(slack, "Draft the board deck", owner="U2", due="2026-12-08")
    slack.send.action(ids.ACTION_COUNTER, str(asked.id), user="U2", channel="DU2")
    slack.send.submit(slack.fake.calls("views.open")[-1].view, {"due": "2026-12-15"}, user="U2")
    text = text_of(home_of(slack, "U1"))
    assert "<@U2> countered with 2026-12-15 instead of 2026-12-08" in text
    assert "Draft the board deck" not in text_of(home_of(slack, "U2"))  # answered: U1's move now

    slack.fake.reset()
    slack.send.event(
        {"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "home", "event_ts": "1700000000.000200"},
        team="T2",
    )
    assert slack.fake.calls("views.publish") == []  # not the workspace this app is installed in


def test_home_queries_do_not_grow_with_the_number_of_actions(slack_sqlite):
    slack = slack_sqlite
    slack.send.command(DECLARE)
    c = rows(slack, Commitment)[0]

    def promises(n):
        with slack.db.session() as session:
            for i in range(n):
                for owner, asker, status in (
                    ("U1", "U1", "promised"),
                    ("U1", "U2", "requested"),
                    ("U2", "U1", "countered"),
                ):
                    session.add(
                        Action(
                            commitment_id=c.id,
                            what=f"Action {i}",
                            owner_id=owner,
                            asker_id=asker,
                            due=date(2026, 11, 20) + timedelta(days=i % 20),
                            status=status,
                            countered_due=date(2027, 1, 1) if status == "countered" else None,
                            created_at=NOW,
                            promised_at=NOW if status == "promised" else None,
                        )
                    )

    promises(1)
    with counting_queries(slack.db) as few:
        home_of(slack, "U1")
    promises(60)
    with counting_queries(slack.db) as many:
        view = home_of(slack, "U1")
    assert many["n"] == few["n"]
    assert len(view["blocks"]) <= 100 and "more" in text_of(view)


# --- answering from Home --------------------------------------------------------------------------


def test_done_on_home_keeps_the_promise_tells_the_person_and_refreshes_home(committed):
    slack = committed
    promise = add_action(slack, "Call ten teams", due="2026-12-04")
    click_on_home(slack, ids.ACTION_KEPT, str(promise.id), user="U1")

    assert action(slack, promise.id).done_on == date(2026, 11, 26)
    home_ts = rows(slack, Commitment)[0].home_ts
    [said] = [c for c in slack.fake.calls("chat.postMessage", channel="C1") if c.get("thread_ts") == home_ts]
    assert "kept their promise" in said.all_text()
    [told] = dms(slack, "U1")
    assert "A promise kept" in told["text"]
    assert slack.fake.calls("chat.postEphemeral") == [] and slack.fake.calls("response_url") == []
    text = text_of(republished(slack, "U1"))
    assert "Call ten teams" not in text and "100% (1 of 1 honoured) · kept 100%" in text


def test_not_done_on_home_revokes_it_and_refreshes_home(committed):
    slack = committed
    promise = add_action(slack, "Call ten teams", due="2026-12-04")
    click_on_home(slack, ids.ACTION_NOT_KEPT, str(promise.id), user="U1")

    assert action(slack, promise.id).revoked_on == date(2026, 11, 26)
    assert "Revoked: Call ten teams" in dms(slack, "U1")[0]["text"]
    text = text_of(republished(slack, "U1"))
    assert "Your open actions" not in text and "100% (1 of 1 honoured) · kept 0%" in text


def test_someone_else_clicking_done_on_home_is_told_by_dm_and_nothing_changes(committed):
    slack = committed
    promise = add_action(slack, "Call ten teams", due="2026-12-04")
    click_on_home(slack, ids.ACTION_KEPT, str(promise.id), user="U2")
    assert action(slack, promise.id).done_on is None
    [told] = dms(slack, "U2")
    assert "Only <@U1> can mark this action" in told["text"]
    assert republished(slack, "U2")  # a stale Home is brought up to date
    assert [c for c in slack.fake.calls("chat.postMessage") if c.get("thread_ts")] == []


def test_past_due_not_done_on_home_is_refused_by_dm(committed):
    slack = committed
    promise = add_action(slack, "Call ten teams", due="2026-11-27")
    with time_machine.travel(NOW + timedelta(days=2), tick=True):
        click_on_home(slack, ids.ACTION_NOT_KEPT, str(promise.id), user="U1")
    assert action(slack, promise.id).revoked_on is None
    assert "past its due date" in dms(slack, "U1")[0]["text"]
    assert marks(republished(slack, "U1"), promise.id) == set()  # past due: no longer an open promise


def test_i_promise_on_home_makes_it_a_promise_and_closes_the_request_message(committed):
    slack = committed
    asked = add_action(slack, "Draft the board deck", owner="U2", due="2026-12-08")
    request_ts = action(slack, asked.id).request_ts
    assert request_ts
    click_on_home(slack, ids.ACTION_ACCEPT, str(asked.id), user="U2")

    promised = action(slack, asked.id)
    assert promised.status == "promised" and promised.promised_at is not None
    [updated] = slack.fake.calls("chat.update")
    assert updated["ts"] == request_ts and updated["channel"] == promised.request_channel
    assert "You promised it" in updated.all_text() and not buttons({"blocks": updated.blocks})
    assert any("promises, as <@U1> asked" in c.all_text() for c in slack.fake.calls("chat.postMessage", channel="C1"))
    view = republished(slack, "U2")
    assert "Waiting for your answer" not in text_of(view)
    assert marks(view, asked.id) == {ids.ACTION_KEPT, ids.ACTION_NOT_KEPT}

    # Home was stale elsewhere: a second click is told so, and Home refreshed
    click_on_home(slack, ids.ACTION_ACCEPT, str(asked.id), user="U2")
    assert "already answered" in dms(slack, "U2")[-1]["text"]
    assert republished(slack, "U2") and slack.fake.calls("chat.update") == []


def test_decline_on_home(committed):
    slack = committed
    asked = add_action(slack, "Draft the board deck", owner="U2", due="2026-12-08")
    click_on_home(slack, ids.ACTION_DECLINE, str(asked.id), user="U2")
    assert action(slack, asked.id).status == "declined"
    [updated] = slack.fake.calls("chat.update")
    assert "You declined it" in updated.all_text()
    assert any("who else could take it on" in c.all_text() for c in slack.fake.calls("chat.postMessage", channel="C1"))
    assert "Draft the board deck" not in text_of(republished(slack, "U2"))


def test_counter_on_home_opens_the_modal_and_its_submission_refreshes_home(committed):
    slack = committed
    asked = add_action(slack, "Draft the board deck", owner="U2", due="2026-12-08")
    click_on_home(slack, ids.ACTION_COUNTER, str(asked.id), user="U2")
    [opened] = slack.fake.calls("views.open")
    assert opened.view["callback_id"] == ids.COUNTER_MODAL
    assert slack.fake.calls("views.publish") == []  # nothing changed yet

    slack.fake.reset()
    bad = slack.send.submit(opened.view, {"due": "2026-11-01"}, user="U2").json()
    assert bad["response_action"] == "errors" and "due" in bad["errors"]
    assert action(slack, asked.id).status == "requested" and slack.fake.calls("views.publish") == []

    assert slack.send.submit(opened.view, {"due": "2026-12-15"}, user="U2").status == 200
    countered = action(slack, asked.id)
    assert (countered.status, countered.countered_due) == ("countered", date(2026, 12, 15))
    [updated] = slack.fake.calls("chat.update")
    assert updated["ts"] == countered.request_ts and "waiting for <@U1>" in updated.all_text()
    assert any(ids.COUNTER_ACCEPT in str(c.blocks) for c in dms(slack, "U1"))
    assert "Draft the board deck" not in text_of(republished(slack, "U2"))


def test_a_counter_opened_from_a_message_does_not_publish_home(committed):
    slack = committed
    asked = add_action(slack, "Draft the board deck", owner="U2", due="2026-12-08")
    slack.send.action(ids.ACTION_COUNTER, str(asked.id), user="U2", channel="DU2")
    view = slack.fake.calls("views.open")[-1].view
    slack.fake.reset()
    slack.send.submit(view, {"due": "2026-12-15"}, user="U2")
    assert action(slack, asked.id).status == "countered"
    assert slack.fake.calls("views.publish") == []


def test_a_home_button_from_another_workspace_changes_nothing(committed):
    slack = committed
    promise = add_action(slack, "Call ten teams", due="2026-12-04")
    slack.fake.reset()
    slack.send.action(ids.ACTION_KEPT, str(promise.id), user="U1", team="T2", view=HOME)
    assert action(slack, promise.id).done_on is None
    assert slack.fake.calls() == []  # refused before any listener: not this app's workspace


def test_update_progress_from_home_records_and_shows_home_again(committed):
    c = rows(committed, Commitment)[0]
    click_on_home(committed, ids.COMMITMENT_PROGRESS, str(c.id), user="U2")
    view = committed.fake.calls("views.open")[-1].view
    assert view["callback_id"] == ids.PROGRESS_MODAL
    committed.fake.reset()
    answer = committed.send.submit(view, {"value": "150", "note": ""}, user="U2")
    assert answer.status == 200 and answer.body in ("", "null")
    [report] = rows(committed, ProgressReport)
    assert (report.value, report.user_id) == (150, "U2")
    assert any("reported 150 teams" in p.all_text() for p in committed.fake.calls("chat.postMessage"))
    [published] = committed.fake.calls("views.publish")
    assert published["user_id"] == "U2" and "150" in text_of(published.view)


def test_update_progress_from_a_message_does_not_publish_home(committed):
    c = rows(committed, Commitment)[0]
    committed.send.action(ids.COMMITMENT_PROGRESS, str(c.id), user="U2")
    view = committed.fake.calls("views.open")[-1].view
    committed.fake.reset()
    committed.send.submit(view, {"value": "150", "note": ""}, user="U2")
    assert committed.fake.calls("views.publish") == []
