"""One authorized workspace (issue #14 item 3): every listener works in the workspace Bolt
authorized; a body naming another is refused; ids from Slack are checked before use."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest

from bot import ids
from bot.slack.workspace import WRONG_WORKSPACE
from storage import commitments as store
from storage.models import BackgroundConversation, Commitment, Enrolment, ProgressReport
from tests.helpers import DECLARE, declared, rows


def stored_commitment(db, team: str, channel: str) -> Commitment:
    """A commitment of another workspace, stored as its own app would have."""
    return store.declare(
        db,
        team_id=team,
        channel_id=channel,
        owner_id="U7",
        outcome="Their deals",
        baseline=1,
        target=10,
        unit=None,
        due=date(2099, 1, 1),
        known=None,
        members=["U7"],
        today=date.today(),
        now=datetime.now(timezone.utc),
    ).commitment


def test_a_click_naming_two_workspaces_enrols_nobody(two_workspaces):
    slack = two_workspaces
    theirs = stored_commitment(slack.db, "T2", "C2")
    home = {"id": "V1", "type": "home", "team_id": "T1", "app_installed_team_id": "T2"}
    answer = slack.send.action(ids.COMMITMENT_ENROLL, str(theirs.id), user="U9", team="T1", view=home)
    assert answer.status == 200
    assert [e.user_id for e in rows(slack, Enrolment)] == ["U7"]
    assert slack.fake.calls("chat.postMessage") == [] and slack.fake.calls("chat.update") == []


def test_the_same_click_in_single_workspace_mode_enrols_nobody(slack):
    theirs = stored_commitment(slack.db, "T2", "C2")
    home = {"id": "V1", "type": "home", "team_id": "T1", "app_installed_team_id": "T2"}
    assert slack.send.action(ids.COMMITMENT_ENROLL, str(theirs.id), user="U9", view=home).status == 200
    assert [e.user_id for e in rows(slack, Enrolment)] == ["U7"]
    assert slack.fake.calls("chat.postMessage") == []


@pytest.mark.parametrize(
    "event", [{"type": "app_uninstalled"}, {"type": "tokens_revoked", "tokens": {"bot": ["UBOT"]}}]
)
def test_an_event_naming_two_workspaces_uninstalls_neither(two_workspaces, event):
    slack = two_workspaces
    body = {
        "token": "legacy",
        "team_id": "T2",
        "api_app_id": "A1",
        "type": "event_callback",
        "event": event,
        "event_id": "Ev0000ONE",
        "event_time": 1,
        "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
    }
    assert slack.send.send(json.dumps(body), "application/json").status == 200
    found = slack.services.installations.store.find_installation
    assert [found(enterprise_id=None, team_id=team).bot_token for team in ("T1", "T2")] == ["xoxb-T1", "xoxb-T2"]


def test_a_home_opened_naming_two_workspaces_publishes_nothing(two_workspaces):
    slack = two_workspaces
    declared(slack, team="T2", channel="C2")
    slack.fake.reset()
    body = {
        "token": "legacy",
        "team_id": "T2",
        "api_app_id": "A1",
        "type": "event_callback",
        "event": {"type": "app_home_opened", "user": "U1", "tab": "home"},
        "event_id": "Ev0000TWO",
        "event_time": 1,
        "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
    }
    assert slack.send.send(json.dumps(body), "application/json").status == 200
    assert slack.fake.calls("views.publish") == []


def test_a_command_from_another_workspace_is_answered_and_changes_nothing(slack):
    declared(slack)
    answer = slack.send.command("progress #1 150", team="T2")
    assert answer.json() == {"response_type": "ephemeral", "text": WRONG_WORKSPACE}
    assert rows(slack, ProgressReport) == []


def test_each_workspace_uses_its_own_commitments(two_workspaces):
    slack = two_workspaces
    declared(slack, team="T1", channel="C1")
    declared(slack, team="T2", channel="C2")
    assert "Recorded" in slack.send.command("progress #1 150", team="T2", channel="C2").text
    [report] = rows(slack, ProgressReport)
    [theirs] = [c for c in rows(slack, Commitment) if c.team_id == "T2"]
    assert report.commitment_id == theirs.id


@pytest.mark.parametrize("members", [["U5> <!channel"], ["U2", "<!here>"], ["u2"], ["C123"], [""]])
def test_a_user_picker_value_that_is_no_user_is_a_modal_error(slack, members):
    slack.send.command("")
    view = slack.fake.calls("views.open")[0].view
    slack.fake.reset()
    values = {"outcome": "Deals", "baseline": "4", "target": "20", "due": "2099-06-30", "members": members}
    body = slack.send.submit(view, values).json()
    assert body["response_action"] == "errors" and set(body["errors"]) == {"members"}
    assert rows(slack, Commitment) == [] and rows(slack, Enrolment) == []
    assert slack.fake.calls("chat.postMessage") == []


@pytest.mark.parametrize("user, channel", [("U5> <!channel", "C1"), ("U1", "C1> <!here"), ("<!channel>", "C1")])
def test_a_command_with_ids_slack_never_sends_does_nothing(slack, user, channel):
    answer = slack.send.command(DECLARE, user=user, channel=channel)
    assert answer.status == 200
    assert rows(slack, Commitment) == [] and slack.fake.calls("chat.postMessage") == []


def test_a_modal_carrying_another_workspaces_channel_is_refused(slack):
    stored_commitment(slack.db, "T2", "C9")
    slack.send.command("")
    view = slack.fake.calls("views.open")[0].view
    slack.fake.reset()
    values = {"outcome": "Deals", "baseline": "4", "target": "20", "due": "2099-06-30"}
    slack.send.submit({**view, "private_metadata": "C9"}, values)
    assert [c.team_id for c in rows(slack, Commitment)] == ["T2"]
    assert slack.fake.calls("chat.postMessage", channel="C9") == []


@pytest.mark.parametrize("metadata", [json.dumps({"channel": "C9", "ts": None}), json.dumps({"channel": "<!here>"})])
def test_a_background_modal_carrying_another_workspaces_channel_is_refused(slack, metadata):
    stored_commitment(slack.db, "T2", "C9")
    slack.send.shortcut(ids.SURFACE_BACKGROUND, {"type": "message", "ts": "1.2", "text": "we can't ship"})
    view = slack.fake.calls("views.open")[0].view
    slack.fake.reset()
    body = slack.send.submit({**view, "private_metadata": metadata}, {ids.TEXT: "we can't ship"}).json()
    assert body["response_action"] == "errors" and set(body["errors"]) == {ids.TEXT}
    assert rows(slack, BackgroundConversation) == [] and slack.fake.calls("chat.postMessage") == []


def test_a_command_naming_no_workspace_is_refused(slack):
    """The fuzzer found it (issue #14 item 9): `team_id=` was taken for the authorized one."""
    answer = slack.send.command("we can't ship in a month", command="/background", team="")
    assert answer.json()["text"] == WRONG_WORKSPACE
    assert rows(slack, BackgroundConversation) == []
