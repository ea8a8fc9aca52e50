"""App Home: a person's commitments, open breakdowns and a way to declare, as valid Block Kit."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine
from slack_sdk.models.views import View
from sqlmodel import select

from bot import ids
from bot.coaching.integrity import Integrity
from bot.home import views as home_views
from storage import commitments as store
from storage.models import Breakdown, Commitment, CommitmentStatus, Enrolment
from tests.helpers import counting_queries, home_buttons, text_of, valid_home

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)
TODAY = NOW.date()


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=True):
        yield


def opened(slack, user="U1", team="T1", tab="home"):
    """Open the home tab; returns the view published for that person."""
    slack.fake.reset()
    answer = slack.send.event(
        {"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": tab, "event_ts": "1700000000.000100"},
        team=team,
    )
    assert answer.status == 200
    if tab != "home":
        return None
    [published] = slack.fake.wait_for("views.publish")
    assert published["user_id"] == user
    return valid_home(published.view)


def declare(
    db,
    number_hint: str,
    owner="U1",
    team="T1",
    channel="C1",
    members=(),
    due=date(2027, 3, 31),
    baseline=120.0,
    target=300.0,
    today=TODAY,
):
    return store.declare(
        db,
        team_id=team,
        channel_id=channel,
        owner_id=owner,
        outcome=number_hint,
        baseline=baseline,
        target=target,
        unit="teams",
        due=due,
        known=None,
        members=members,
        today=today,
        now=NOW,
    ).commitment


def add(db, row):
    with db.session() as session:
        session.add(row)
    return row


# --- what a person sees ----------------------------------------------------------------------------


def test_an_empty_home_invites_a_declaration(slack):
    view = opened(slack)
    text = text_of(view)
    assert "Your commitments" in text and "not in on any active commitment" in text
    assert "No open breakdowns" in text
    declare_button = [b for b in home_buttons(view) if b["action_id"] == ids.HOME_DECLARE]
    assert declare_button and declare_button[0]["text"]["text"] == "Declare a commitment"


def test_one_commitment_with_progress_verdict_and_days_left(slack):
    slack.send.command("Weekly active teams: 120 -> 300 teams by 2027-03-31 known 140", channel="C5")
    with time_machine.travel(NOW + timedelta(days=14), tick=True):
        slack.send.command("progress #1 134", channel="C5")
        view = opened(slack)
    text = text_of(view)
    assert "#1 Weekly active teams" in text and "<#C5>" in text
    assert "134 teams of 300 teams" in text and "8%" in text
    assert "111 days left" in text
    assert "*breakdown*" in text and "heading for 245 teams" in text
    assert "you own it" in text
    [progress] = [b for b in home_buttons(view) if b["action_id"] == ids.COMMITMENT_PROGRESS]
    with slack.db.session() as session:
        assert progress["value"] == str(session.exec(select(Commitment)).one().id)


def test_sixty_commitments_stay_within_block_kit_limits(slack):
    for n in range(60):
        declare(slack.db, f"Outcome {n}", due=date(2027, 1, 1) + timedelta(days=n))
    view = opened(slack)
    assert len(view["blocks"]) <= 100
    text = text_of(view)
    assert "Outcome 0" in text and f"Outcome {home_views.MAX_COMMITMENTS - 1}" in text  # soonest due first
    assert f"Outcome {home_views.MAX_COMMITMENTS}*" not in text
    assert f"and {60 - home_views.MAX_COMMITMENTS} more" in text


def test_a_person_sees_only_their_own_commitments_of_this_workspace(two_workspaces):
    slack = two_workspaces
    declare(slack.db, "Mine", owner="U1")
    declare(slack.db, "Someone else's", owner="U2", channel="C2")
    declare(slack.db, "Enrolled in", owner="U2", channel="C3", members=["U1"])
    enrolled_later = declare(slack.db, "Clicked I'm in", owner="U3", channel="C4")
    store.enroll(slack.db, enrolled_later.id, "U1", NOW)
    declare(slack.db, "Other workspace", owner="U1", team="T2")

    text = text_of(opened(slack, user="U1", team="T1"))
    assert "Mine" in text and "Enrolled in" in text and "Clicked I'm in" in text
    assert "Someone else's" not in text and "Other workspace" not in text
    assert text.count("you're enrolled") == 2 and text.count("you own it") == 1

    other = text_of(opened(slack, user="U1", team="T2"))
    assert "Other workspace" in other and "Mine" not in other
    assert "Mine" not in text_of(opened(slack, user="U9", team="T1"))


def test_open_breakdowns_of_their_commitments(slack):
    mine = declare(slack.db, "Mine", channel="C1")
    theirs = declare(slack.db, "Not mine", owner="U2", channel="C2")
    add(
        slack.db,
        Breakdown(commitment_id=mine.id, source="checkin", projected=245.0, opened_at=NOW - timedelta(days=12)),
    )
    add(
        slack.db,
        Breakdown(
            commitment_id=mine.id,
            source="declared",
            what="Lost our biggest <!channel> partner",
            declared_by="U1",
            opened_at=NOW - timedelta(days=2),
        ),
    )
    add(
        slack.db,
        Breakdown(
            commitment_id=mine.id,
            source="checkin",
            projected=100.0,
            opened_at=NOW - timedelta(days=40),
            closed_at=NOW - timedelta(days=20),
        ),
    )
    add(slack.db, Breakdown(commitment_id=theirs.id, source="checkin", projected=1.0, opened_at=NOW))

    view = opened(slack)
    text = text_of(view)
    start = text.index("Open breakdowns")
    breakdowns = text[start:]
    assert "open 12 days" in breakdowns and "Heading for 245 teams" in breakdowns
    assert "open 2 days" in breakdowns and "<@U1> declared it: Lost our biggest &lt;!channel&gt; partner" in breakdowns
    assert "open 40 days" not in breakdowns and "Not mine" not in breakdowns
    assert "<!channel>" not in text


def test_ended_commitments_stay_a_while_then_leave(slack):
    recent = declare(slack.db, "Recently withdrawn")
    store.end(slack.db, recent.id, CommitmentStatus.WITHDRAWN, "other bet", NOW - timedelta(days=3))
    old = declare(slack.db, "Long gone")
    store.end(slack.db, old.id, CommitmentStatus.ACHIEVED, None, NOW - timedelta(days=45))
    text = text_of(opened(slack))
    assert "Recently withdrawn" in text and "withdrawn" in text
    assert "Long gone" not in text
    assert "not in on any active commitment" in text


def test_the_messages_tab_publishes_nothing(slack_sqlite):
    opened(slack_sqlite, tab="messages")
    assert slack_sqlite.fake.calls("views.publish") == []


def test_typed_text_is_escaped_on_home(slack_sqlite):
    declare(slack_sqlite.db, "Ship <!channel> & <https://evil.example|click>")
    text = text_of(opened(slack_sqlite))
    assert "Ship &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;" in text
    assert "<!channel>" not in text and "&amp;amp;" not in text


def test_queries_do_not_grow_with_the_number_of_commitments(slack_sqlite):
    db = slack_sqlite.db
    for n in range(2):
        c = declare(db, f"Few {n}")
        store.add_report(db, c.id, "U1", 130, None, NOW)
    with counting_queries(db) as few:
        opened(slack_sqlite)
    for n in range(40):
        c = declare(db, f"Many {n}", members=["U2"])
        store.add_report(db, c.id, "U1", 130, None, NOW)
        add(db, Breakdown(commitment_id=c.id, source="checkin", projected=150.0, opened_at=NOW))
    with counting_queries(db) as many:
        opened(slack_sqlite)
    assert many["n"] == few["n"]


# --- declaring from Home -------------------------------------------------------------------------


def test_declare_from_home_asks_for_the_channel_and_announces_there(slack):
    slack.send.action(ids.HOME_DECLARE, "home", view={"id": "VHOME", "type": "home"})
    [opened_modal] = slack.fake.calls("views.open")
    modal = opened_modal.view
    assert modal["callback_id"] == ids.COMMIT_MODAL and modal["private_metadata"] == ""
    block_ids = [b["block_id"] for b in modal["blocks"] if b["type"] == "input"]
    assert block_ids == ["channel", "outcome", "baseline", "target", "unit", "due", "known", "members"]
    assert modal["blocks"][0]["element"]["type"] == "conversations_select"
    View(**modal).validate_json()

    slack.fake.reset()
    answer = slack.send.submit(
        modal,
        {
            "channel": "C8",
            "outcome": "Deals closed",
            "baseline": "4",
            "target": "20",
            "unit": "deals",
            "due": "2027-06-30",
            "known": "6",
            "members": ["U2"],
        },
    )
    assert answer.status == 200 and answer.body in ("", "null")
    with slack.db.session() as session:
        [commitment] = session.exec(select(Commitment)).all()
        # members are invited (SPEC §1 "enrolled"): U2 enrols by accepting the invitation
        assert sorted(e.user_id for e in session.exec(select(Enrolment)).all()) == ["U1"]
    assert commitment.channel_id == "C8"
    [announcement] = [
        c for c in slack.fake.calls("chat.postMessage") if not c.get("thread_ts") and c["channel"] == "C8"
    ]
    assert "Invited: <@U2>" in announcement.all_text()
    assert [c["channel"] for c in slack.fake.calls("chat.postMessage") if ids.INVITE_ACCEPT in str(c.blocks)] == ["U2"]
    assert announcement["channel"] == "C8" and "#1 Deals closed" in announcement.all_text()
    assert commitment.home_ts == announcement.response["ts"]
    assert "Deals closed" in text_of(opened(slack))


@pytest.mark.parametrize(
    "info, says",
    [
        ({"ok": True, "channel": {"id": "C9", "is_private": True, "is_member": False}}, "Invite me"),
        ({"ok": True, "channel": {"id": "C9", "is_archived": True}}, "archived"),
        ({"ok": False, "error": "channel_not_found"}, "Invite me"),
    ],
)
def test_a_channel_the_app_cannot_post_in_is_flagged_on_the_modal(slack_sqlite, info, says):
    from tests.fake_slack import Scripted

    slack_sqlite.send.action(ids.HOME_DECLARE, "home", view={"id": "VHOME", "type": "home"})
    modal = slack_sqlite.fake.calls("views.open")[0].view
    slack_sqlite.fake.reset()
    slack_sqlite.fake.script("conversations.info", Scripted(body=info))
    answer = slack_sqlite.send.submit(
        modal,
        {
            "channel": "C9",
            "outcome": "Deals",
            "baseline": "4",
            "target": "20",
            "due": "2027-06-30",
        },
    )
    body = answer.json()
    assert answer.status == 200 and body["response_action"] == "errors"
    assert set(body["errors"]) == {"channel"} and says in body["errors"]["channel"]
    with slack_sqlite.db.session() as session:
        assert session.exec(select(Commitment)).all() == []
    assert slack_sqlite.fake.calls("chat.postMessage") == []


def test_a_modal_without_channel_or_metadata_is_answered(slack_sqlite):
    slack_sqlite.send.action(ids.HOME_DECLARE, "home", view={"id": "VHOME", "type": "home"})
    modal = slack_sqlite.fake.calls("views.open")[0].view
    slack_sqlite.fake.reset()
    body = slack_sqlite.send.submit(
        modal,
        {
            "channel": None,
            "outcome": "Deals",
            "baseline": "4",
            "target": "20",
            "due": "2027-06-30",
        },
    ).json()
    assert body["response_action"] == "errors" and "channel" in body["errors"]


# --- the extension points (pure view) -----------------------------------------------------------------


def test_actions_requests_and_integrity_render_within_limits():
    item = home_views.ActionItem
    actions = [item(i, 1, f"Call <!here> partner {i}", TODAY + timedelta(days=i)) for i in range(30)]
    requests = [item(100 + i, 2, f"Draft {i}", TODAY + timedelta(days=3), asker_id="U2") for i in range(10)]
    requests.append(
        item(200, 2, "Countered", TODAY + timedelta(days=3), owner_id="U3", countered_due=TODAY + timedelta(days=9))
    )
    view = valid_home(
        home_views.home_view(
            "U1",
            TODAY,
            [],
            [],
            lambda moment: moment.date(),
            open_actions=actions,
            requests=requests,
            integrity=Integrity(honoured=11, due=12, kept=9),
        )
    )
    text = text_of(view)
    ids_seen = [b["action_id"] for b in home_buttons(view)]
    assert ids_seen.count(ids.ACTION_KEPT) == ids_seen.count(ids.ACTION_NOT_KEPT) == home_views.MAX_ACTIONS
    assert ids_seen.count(ids.ACTION_ACCEPT) == ids_seen.count(ids.ACTION_COUNTER) == home_views.MAX_REQUESTS
    assert f"and {30 - home_views.MAX_ACTIONS} more" in text
    assert "92% (11 of 12 honoured) · kept 75%" in text and "Only you see this" in text
    assert "<!here>" not in text and "&lt;!here&gt;" in text
    # no section for what isn't there
    bare = text_of(home_views.home_view("U1", TODAY, [], [], lambda m: m.date()))
    assert "Your open actions" not in bare and "Your integrity" not in bare and "Waiting for your answer" not in bare
