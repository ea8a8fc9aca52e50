"""Invitations end to end (SPEC "Invitations", `/commit enrol`): people named are invited by
direct message and enrolled only when they accept; the thread and the inviter are told."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import time_machine

from bot import ids
from storage.models import Commitment, Enrolment, Invitation, InvitationStatus
from tests.fake_slack import Scripted
from tests.helpers import buttons, rows

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=True):
        yield


def invitation_dms(slack):
    return [c for c in slack.fake.calls("chat.postMessage") if ids.INVITE_ACCEPT in str(c.blocks)]


def enrolled(slack) -> list[str]:
    return sorted(e.user_id for e in rows(slack, Enrolment))


def invite(slack, text="enrol #1 <@U4|maya> <@W5>", user="U1"):
    answer = slack.send.command(text, user=user)
    assert answer.status == 200
    return answer.json()


def test_enrol_invites_by_direct_message_and_enrols_nobody_yet(committed):
    slack = committed
    body = invite(slack)

    assert body["response_type"] == "ephemeral"
    assert "Invited <@U4>, <@W5> to enrol in #1" in body["text"]
    dms = invitation_dms(slack)
    assert [d["channel"] for d in dms] == ["U4", "W5"]
    dm = dms[0]
    assert "<@U1> invites you to enrol in *#1 Weekly active teams*" in dm.all_text()
    assert [b["text"]["text"] for b in buttons(dm).values()] == ["I'm in", "Not now"]
    assert enrolled(slack) == ["U1", "U2"]
    assert [(i.invitee_id, i.inviter_id, i.status) for i in rows(slack, Invitation)] == [
        ("U4", "U1", InvitationStatus.PENDING),
        ("W5", "U1", InvitationStatus.PENDING),
    ]
    [refreshed] = slack.fake.calls("chat.update")
    assert "Enrolled: <@U1>, <@U2> · Invited: <@U4>, <@W5>" in refreshed.all_text()


def test_accepting_enrols_tells_the_thread_and_the_inviter(committed):
    slack = committed
    invite(slack, "enrol #1 <@U4>", user="U2")  # enrolled people may invite too
    value = buttons(invitation_dms(slack)[0])[ids.INVITE_ACCEPT]["value"]
    home_ts = rows(slack, Commitment)[0].home_ts
    slack.fake.reset()

    slack.send.action(ids.INVITE_ACCEPT, value, user="U4", channel="DU4")

    assert enrolled(slack) == ["U1", "U2", "U4"]
    [thread] = [c for c in slack.fake.calls("chat.postMessage") if c.get("thread_ts") == home_ts]
    assert "<@U4> is in on #1, invited by <@U2>" in thread.all_text()
    [told] = [c for c in slack.fake.calls("chat.postMessage") if c["channel"] == "U2"]
    assert "<@U4> accepted your invitation" in told.all_text()
    updates = slack.fake.calls("chat.update")
    assert any(u["channel"] == "DU4" and "You're in on" in u.all_text() for u in updates)
    assert any("Enrolled: <@U1>, <@U2>, <@U4>" in u.all_text() and "Invited" not in u.all_text() for u in updates)

    slack.fake.reset()
    slack.send.action(ids.INVITE_ACCEPT, value, user="U4", channel="DU4")
    [again] = slack.fake.calls("chat.postMessage")  # a click in a direct message is answered there
    assert again["channel"] == "U4" and "already answered" in again["text"]
    assert enrolled(slack) == ["U1", "U2", "U4"]


def test_not_now_enrols_nobody_and_the_inviter_is_told(committed):
    slack = committed
    invite(slack, "enrol #1 <@U4>")
    value = buttons(invitation_dms(slack)[0])[ids.INVITE_DECLINE]["value"]
    slack.fake.reset()

    slack.send.action(ids.INVITE_DECLINE, value, user="U4", channel="DU4")

    assert enrolled(slack) == ["U1", "U2"]
    assert rows(slack, Invitation)[0].status == InvitationStatus.DECLINED
    [told] = [c for c in slack.fake.calls("chat.postMessage") if c["channel"] == "U1"]
    assert "said “not now”" in told.all_text() and "Who else" in told.all_text()
    assert not [c for c in slack.fake.calls("chat.postMessage") if c.get("thread_ts")]


def test_only_the_invited_person_can_answer(committed):
    slack = committed
    invite(slack, "enrol #1 <@U4>")
    value = buttons(invitation_dms(slack)[0])[ids.INVITE_ACCEPT]["value"]
    slack.fake.reset()
    slack.send.action(ids.INVITE_ACCEPT, value, user="U3", channel="C1")
    assert "is for <@U4>" in slack.fake.calls("chat.postEphemeral")[0]["text"]
    assert enrolled(slack) == ["U1", "U2"]
    slack.send.action(ids.INVITE_ACCEPT, "12:nonsense:x", user="U4", channel="DU4")
    assert enrolled(slack) == ["U1", "U2"]


def test_already_enrolled_already_invited_oneself_and_bots_get_clear_answers(committed):
    slack = committed
    invite(slack, "enrol #1 <@U4>")
    slack.fake.reset()
    slack.fake.script(
        "users.info",
        Scripted(body={"ok": True, "user": {"id": "U4"}}),
        Scripted(body={"ok": True, "user": {"id": "U2"}}),
        Scripted(body={"ok": True, "user": {"id": "U7", "is_bot": True}}),
    )

    body = invite(slack, "enrol #1 <@U4> <@U2> <@U1> <@U7|robot>")

    text = body["text"]
    assert "Already enrolled in #1: <@U2>" in text
    assert "Already invited, waiting for their answer: <@U4>" in text
    assert "You can't invite yourself" in text
    assert "<@U7> is a bot" in text
    assert len(rows(slack, Invitation)) == 1
    assert invitation_dms(slack) == []


@pytest.mark.parametrize(
    "text, says",
    [
        ("enrol #1 maya", "mention each one with @"),
        ("enrol #1", "Mention who you invite"),
        ("enrol #1 <@u4>", "isn't a person I can invite"),
        ("enrol #1 <!channel>", "mention each one with @"),
        ("enrol #1 <@U1>", "can't invite yourself"),
        ("enrol #9 <@U4>", "no commitment #9"),
    ],
)
def test_bad_enrol_input_is_answered_with_the_usage_and_stores_nothing(committed, text, says):
    body = invite(committed, text)
    assert body["response_type"] == "ephemeral"
    assert says.lower() in body["text"].lower(), body["text"]
    assert rows(committed, Invitation) == []
    assert committed.fake.calls("chat.postMessage") == []


def test_people_not_enrolled_cannot_invite(committed):
    body = invite(committed, "enrol #1 <@U4>", user="U3")
    assert "Only people enrolled in #1" in body["text"]
    assert rows(committed, Invitation) == []


def test_a_bot_in_the_modals_members_is_flagged_on_its_block(slack):
    slack.send.command("")
    view = slack.fake.calls("views.open")[0].view
    slack.fake.script("users.info", Scripted(body={"ok": True, "user": {"id": "U7", "is_bot": True}}))
    answer = slack.send.submit(
        view, {"outcome": "Deals", "baseline": "4", "target": "20", "due": "2027-06-30", "members": ["U7"]}
    )
    body = answer.json()
    assert body["response_action"] == "errors"
    assert "is a bot" in body["errors"][ids.MEMBERS]
    assert rows(slack, Commitment) == [] and rows(slack, Invitation) == []


def test_the_modal_invites_at_most_twenty_people(slack_sqlite):
    slack = slack_sqlite
    slack.send.command("")
    view = slack.fake.calls("views.open")[0].view
    [members] = [b for b in view["blocks"] if b.get("block_id") == ids.MEMBERS]
    assert members["element"]["max_selected_items"] == 20
    people = [f"U{n}0" for n in range(2, 23)]
    answer = slack.send.submit(
        view, {"outcome": "Deals", "baseline": "4", "target": "20", "due": "2027-06-30", "members": people}
    )
    assert "up to 20" in answer.json()["errors"][ids.MEMBERS]
    assert rows(slack, Commitment) == [] and rows(slack, Invitation) == []
