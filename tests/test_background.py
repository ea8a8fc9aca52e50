"""Background conversations end to end: signed requests in (slash command, buttons, modals,
message shortcut, events), what the app sent to the fake Web API out."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from bot import ids
from bot.background import views
from bot.background.command import KINDS
from storage import background as store
from storage.models import BackgroundConversation, ChannelSettings, NewAgreement, Recognition
from tests.helpers import BELIEF, buttons, reinvented, rows, surfaced

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=True):
        yield


def top_level_posts(slack):
    return [c for c in slack.fake.calls("chat.postMessage") if not c.get("thread_ts")]


def no_posts(slack):
    return slack.fake.calls("chat.postMessage") == [] and slack.fake.calls("chat.update") == []


# --- surfacing -------------------------------------------------------------------------------------


def test_surfacing_posts_the_conversation_escaped_with_its_buttons(slack):
    typed = "nothing ships here <!channel> & <https://evil.example|fast> &lt;ever&gt;"
    conversation = surfaced(slack, typed)

    [post] = slack.fake.calls("chat.postMessage")
    assert post["channel"] == "C1"
    text = post.all_text()
    assert "nothing ships here &lt;!channel&gt; &amp; &lt;https://evil.example|fast&gt; &lt;ever&gt;" in text
    assert "<!channel>" not in text and "<https://evil" not in text and "&amp;lt;" not in text
    assert "<@U1>" in text and "Me too: nobody yet" in text
    assert {k: b["text"]["text"] for k, b in buttons(post).items()} == {
        ids.BACKGROUND_ME_TOO: "Me too",
        ids.BACKGROUND_REINVENT: "Reinvent",
    }
    assert {b["value"] for b in buttons(post).values()} == {str(conversation.id)}

    assert conversation.text == "nothing ships here <!channel> & <https://evil.example|fast> <ever>"
    assert (conversation.team_id, conversation.channel_id, conversation.surfaced_by) == ("T1", "C1", "U1")
    assert conversation.ts == post.response["ts"]
    assert conversation.surfaced_at.tzinfo is not None


BAD_COMMANDS = [
    ("x " * 500 + "y", "1,000"),  # 1,001 characters
    ("bureaucracy", "isn't something"),
    ("list everything", "takes nothing"),
    ("help me", "takes nothing"),
    ("watch", "watch on"),
    ("watch maybe", "watch on"),
]


@pytest.mark.parametrize("text, says", BAD_COMMANDS)
def test_bad_input_gets_a_clear_ephemeral_answer_and_stores_nothing(slack, text, says):
    answer = slack.send.command(text, command="/background")
    assert answer.status == 200 and answer.elapsed < 3
    body = answer.json()
    assert body["response_type"] == "ephemeral"
    assert says in body["text"], body["text"]
    assert "/background list" in body["text"]  # the usage comes with it
    assert rows(slack, BackgroundConversation) == [] and rows(slack, ChannelSettings) == []
    assert no_posts(slack)


def test_exactly_a_thousand_characters_is_fine(slack_sqlite):
    text = "x " * 499 + "yy"
    assert len(text) == 1000
    assert surfaced(slack_sqlite, text).text == text


def test_help_is_ephemeral_usage(slack_sqlite):
    body = slack_sqlite.send.command("help", command="/background").json()
    assert body["response_type"] == "ephemeral"
    for form in (
        "/background ‹",
        "/background list",
        "/background watch on",
        "Surface background",
        "Me too",
        "Reinvent",
    ):
        assert form in body["text"]
    assert "<" not in body["text"]
    assert no_posts(slack_sqlite)


def test_a_failed_post_apologises_and_keeps_nothing(slack_sqlite):
    slack_sqlite.fake.fail("chat.postMessage", "channel_not_found")
    slack_sqlite.send.command(BELIEF, command="/background")
    [apology] = slack_sqlite.fake.calls("chat.postEphemeral")
    assert "Sorry" in apology["text"] and apology["user"] == "U1"
    assert rows(slack_sqlite, BackgroundConversation) == []


def test_unsigned_requests_are_refused(slack_sqlite):
    assert slack_sqlite.send.command(BELIEF, command="/background", sign=False).status == 401
    assert rows(slack_sqlite, BackgroundConversation) == []


# --- Me too ------------------------------------------------------------------------------------------


def test_me_too_counts_once_per_person_and_a_second_click_takes_it_back(slack):
    conversation = surfaced(slack)
    slack.fake.reset()

    slack.send.action(ids.BACKGROUND_ME_TOO, str(conversation.id), user="U2")
    [update] = slack.fake.calls("chat.update")
    assert (update["channel"], update["ts"]) == ("C1", conversation.ts)
    assert "Me too: *1* (<@U2>)" in update.all_text()

    slack.send.action(ids.BACKGROUND_ME_TOO, str(conversation.id), user="U3")
    assert "Me too: *2* (<@U2>, <@U3>)" in slack.fake.calls("chat.update")[-1].all_text()

    slack.send.action(ids.BACKGROUND_ME_TOO, str(conversation.id), user="U2")  # takes it back
    assert "Me too: *1* (<@U3>)" in slack.fake.calls("chat.update")[-1].all_text()
    assert [r.user_id for r in rows(slack, Recognition)] == ["U3"]
    assert slack.fake.calls("chat.postMessage") == [] and slack.fake.calls("chat.postEphemeral") == []


def test_the_person_who_surfaced_it_is_not_counted(slack):
    conversation = surfaced(slack, user="U1")
    slack.fake.reset()
    slack.send.action(ids.BACKGROUND_ME_TOO, str(conversation.id), user="U1")
    [note] = slack.fake.calls("chat.postEphemeral")
    assert note["user"] == "U1" and "You surfaced this one" in note["text"] and "Nothing changed" in note["text"]
    assert rows(slack, Recognition) == []
    assert slack.fake.calls("chat.update") == []


def test_buttons_never_reach_another_workspace_or_channel(two_workspaces):
    slack = two_workspaces
    conversation = surfaced(slack)
    slack.fake.reset()
    for action_id in (ids.BACKGROUND_ME_TOO, ids.BACKGROUND_REINVENT):
        slack.send.action(action_id, str(conversation.id), user="U9", team="T2")
        slack.send.action(action_id, str(conversation.id), user="U9", channel="C2")
        slack.send.action(action_id, "not-a-number", user="U9")
    told = slack.fake.calls("chat.postEphemeral")
    assert len(told) == 6 and all("doesn't point at a background conversation" in t["text"] for t in told)
    assert rows(slack, Recognition) == [] and rows(slack, NewAgreement) == []
    assert slack.fake.calls("views.open") == [] and no_posts(slack)


# --- listing -------------------------------------------------------------------------------------------


def test_list_shows_this_channels_conversations_most_recognised_first(two_workspaces):
    slack = two_workspaces
    first = surfaced(slack, "legal will never sign off in a week", user="U1")
    second = surfaced(slack, BELIEF, user="U2")
    surfaced(slack, "other channel's belief", channel="C2")
    surfaced(slack, "other workspace's belief", team="T2")
    for person in ("U3", "U4"):
        slack.send.action(ids.BACKGROUND_ME_TOO, str(second.id), user=person)
    slack.send.action(ids.BACKGROUND_ME_TOO, str(first.id), user="U3")
    reinvented(slack, first, text="Legal reviews in 2 days & we plan for it.", kind="committed", user="U5")

    for text in ("", "list", "  LIST "):
        body = slack.send.command(text, command="/background").json()
        assert body["response_type"] == "ephemeral"
        sections = [b["text"]["text"] for b in body["blocks"] if b["type"] == "section"]
        assert "2 background conversations" in sections[0]
        assert sections[1].startswith("*2* Me too") and BELIEF in sections[1] and "<@U2>" in sections[1]
        assert sections[2].startswith("*1* Me too") and "legal will never sign off" in sections[2]
        assert "New agreement (committed) by <@U5>" in sections[2]
        assert "Legal reviews in 2 days &amp; we plan for it." in sections[2]
        assert "other" not in body["text"] + "".join(sections)


def test_an_empty_list_says_how_to_surface_one(slack_sqlite):
    body = slack_sqlite.send.command("list", command="/background").json()
    assert body["response_type"] == "ephemeral"
    assert "No background conversations" in body["text"] and "/background " in body["text"]


# --- reinventing -----------------------------------------------------------------------------------------


def test_reinvent_opens_the_agreement_modal_with_the_spec_blocks(slack_sqlite):
    conversation = surfaced(slack_sqlite, "we can't <!here> ship")
    slack_sqlite.send.action(ids.BACKGROUND_REINVENT, str(conversation.id), user="U3")
    view = slack_sqlite.fake.calls("views.open")[-1].view
    assert view["callback_id"] == ids.AGREEMENT_MODAL
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert list(inputs) == ["agreement", "kind"]
    assert inputs["agreement"]["type"] == "plain_text_input"
    assert inputs["kind"]["type"] == "static_select"
    assert [o["value"] for o in inputs["kind"]["options"]] == [
        "possible",
        "committed",
        "breakthrough",
        "breakdown",
        "integrity",
    ]
    assert view["private_metadata"] == str(conversation.id)
    assert "we can't &lt;!here&gt; ship" in json.dumps(view)


def test_a_new_agreement_is_posted_in_the_channel_and_the_thread_and_marks_it_reinvented(slack):
    conversation = surfaced(slack)
    slack.fake.reset()
    _, answer = reinvented(slack, conversation, text="We ship weekly <!everyone>", kind="breakthrough", user="U3")
    assert answer.status == 200 and answer.body in ("", "null")

    [in_channel] = top_level_posts(slack)
    [in_thread] = [c for c in slack.fake.calls("chat.postMessage") if c.get("thread_ts") == conversation.ts]
    for post in (in_channel, in_thread):
        assert post["channel"] == "C1"
        text = post.all_text()
        assert "We ship weekly &lt;!everyone&gt;" in text and "<!everyone>" not in text
        assert "breakthrough" in text and "<@U3>" in text
    assert BELIEF in in_channel.all_text()  # says what it replaces

    [update] = slack.fake.calls("chat.update")
    assert update["ts"] == conversation.ts and "New agreement" in update.all_text()
    assert set(buttons(update)) == {ids.BACKGROUND_ME_TOO}  # nothing left to reinvent

    [agreement] = rows(slack, NewAgreement)
    assert (agreement.text, agreement.kind, agreement.made_by) == ("We ship weekly <!everyone>", "breakthrough", "U3")
    assert (agreement.team_id, agreement.channel_id, agreement.ts) == ("T1", "C1", in_channel.response["ts"])
    assert rows(slack, BackgroundConversation)[0].reinvented_at is not None


def test_reinventing_twice_gets_a_clear_answer_and_changes_nothing(slack):
    conversation = surfaced(slack)
    stale_view, _ = reinvented(slack, conversation, user="U3")
    slack.fake.reset()

    slack.send.action(ids.BACKGROUND_REINVENT, str(conversation.id), user="U4")
    [told] = slack.fake.calls("chat.postEphemeral")
    assert told["user"] == "U4" and "already reinvented by <@U3>" in told["text"] and "Nothing changed" in told["text"]
    assert slack.fake.calls("views.open") == []

    body = slack.send.submit(stale_view, {ids.AGREEMENT: "Something else", ids.KIND: "integrity"}, user="U4").json()
    assert body["response_action"] == "errors" and "already reinvented" in body["errors"][ids.AGREEMENT]
    [agreement] = rows(slack, NewAgreement)
    assert (agreement.made_by, agreement.text) == ("U3", "We ship every week.")
    assert no_posts(slack)


@pytest.mark.parametrize(
    "values, blocks",
    [
        ({ids.AGREEMENT: "   ", ids.KIND: "possible"}, {ids.AGREEMENT}),
        ({ids.AGREEMENT: "y" * 1001, ids.KIND: "possible"}, {ids.AGREEMENT}),
        ({ids.AGREEMENT: "We ship weekly", ids.KIND: None}, {ids.KIND}),
        ({ids.AGREEMENT: "We ship weekly", ids.KIND: "maybe"}, {ids.KIND}),
        ({ids.AGREEMENT: "", ids.KIND: None}, {ids.AGREEMENT, ids.KIND}),
    ],
)
def test_agreement_modal_errors_come_back_on_their_blocks(slack, values, blocks):
    conversation = surfaced(slack)
    slack.send.action(ids.BACKGROUND_REINVENT, str(conversation.id), user="U3")
    view = slack.fake.calls("views.open")[-1].view
    slack.fake.reset()
    body = slack.send.submit(view, values, user="U3").json()
    assert body["response_action"] == "errors" and set(body["errors"]) == blocks
    assert rows(slack, NewAgreement) == [] and no_posts(slack)


def test_an_agreement_form_from_another_workspace_changes_nothing(two_workspaces):
    slack = two_workspaces
    conversation = surfaced(slack)
    view = views.agreement_modal(conversation)
    slack.fake.reset()
    body = slack.send.submit(view, {ids.AGREEMENT: "Mine now", ids.KIND: "possible"}, user="U9", team="T2").json()
    assert body["response_action"] == "errors" and "doesn't point at" in body["errors"][ids.AGREEMENT]
    assert rows(slack, NewAgreement) == [] and no_posts(slack)


# --- the message shortcut ----------------------------------------------------------------------------------


def test_the_shortcut_opens_the_modal_prefilled_and_the_post_links_to_the_message(slack):
    message = {
        "type": "message",
        "user": "U7",
        "ts": "1700000050.000200",
        "text": "honestly <@U8|dana> we can't ship &lt;anything&gt; in a month &amp; <https://x.example|see>",
    }
    answer = slack.send.shortcut(ids.SURFACE_BACKGROUND, message, user="U2")
    assert answer.status == 200
    [opened] = slack.fake.calls("views.open")
    view = opened.view
    assert view["callback_id"] == ids.BACKGROUND_MODAL
    [block] = [b for b in view["blocks"] if b["type"] == "input"]
    assert block["block_id"] == ids.TEXT
    assert block["element"]["initial_value"] == "honestly @dana we can't ship <anything> in a month & see"
    assert json.loads(view["private_metadata"]) == {"channel": "C1", "ts": "1700000050.000200"}

    answer = slack.send.submit(view, {ids.TEXT: "we can't ship <anything> in a month"}, user="U2")
    assert answer.status == 200 and answer.body in ("", "null")
    [link] = slack.fake.calls("chat.getPermalink")
    assert (link["channel"], link["message_ts"]) == ("C1", "1700000050.000200")
    [post] = slack.fake.calls("chat.postMessage")
    permalink = link.response["permalink"]
    assert f"<{permalink}|this message>" in post.all_text()
    assert "we can't ship &lt;anything&gt; in a month" in post.all_text()
    [conversation] = rows(slack, BackgroundConversation)
    assert (conversation.surfaced_by, conversation.source_permalink) == ("U2", permalink)


def test_a_message_without_a_permalink_is_still_surfaced(slack_sqlite):
    slack_sqlite.fake.fail("chat.getPermalink", "message_not_found")
    slack_sqlite.send.shortcut(ids.SURFACE_BACKGROUND, {"type": "message", "ts": "1.2", "text": BELIEF})
    view = slack_sqlite.fake.calls("views.open")[0].view
    slack_sqlite.send.submit(view, {ids.TEXT: BELIEF})
    [conversation] = rows(slack_sqlite, BackgroundConversation)
    assert conversation.source_permalink is None and conversation.ts


def test_a_long_message_is_prefilled_within_the_limit(slack_sqlite):
    slack_sqlite.send.shortcut(ids.SURFACE_BACKGROUND, {"type": "message", "ts": "1.2", "text": "z" * 3000})
    initial = [b for b in slack_sqlite.fake.calls("views.open")[0].view["blocks"] if b["type"] == "input"][0]
    assert len(initial["element"]["initial_value"]) == 1000


@pytest.mark.parametrize("text, says", [("  ", "few words"), ("w" * 1001, "1,000")])
def test_background_modal_errors_come_back_on_the_text_block(slack, text, says):
    slack.send.shortcut(ids.SURFACE_BACKGROUND, {"type": "message", "ts": "1.2", "text": BELIEF})
    view = slack.fake.calls("views.open")[0].view
    slack.fake.reset()
    body = slack.send.submit(view, {ids.TEXT: text}).json()
    assert body["response_action"] == "errors" and says in body["errors"][ids.TEXT]
    assert rows(slack, BackgroundConversation) == [] and no_posts(slack)


# --- background watch ------------------------------------------------------------------------------------------


def said(slack, text, user="U2", channel="C1", team="T1", **extra):
    event = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": "1700000070.000300",
        "channel_type": "channel",
        "team": team,
        **extra,
    }
    answer = slack.send.event(event, team=team)
    assert answer.status == 200
    return event


def watch(slack, on, channel="C1", team="T1"):
    body = slack.send.command(
        f"watch {'on' if on else 'off'}", command="/background", channel=channel, team=team
    ).json()
    assert body["response_type"] == "ephemeral"
    return body["text"]


def test_watch_on_suggests_surfacing_to_the_author_alone_and_stores_nothing(slack):
    reply = watch(slack, True)
    assert "Background watch is on" in reply and "never post" in reply
    assert [s.background_watch for s in rows(slack, ChannelSettings)] == [True]
    [joined] = slack.fake.calls("conversations.join")
    assert joined["channel"] == "C1"
    slack.fake.reset()

    said(slack, "Great demo. Honestly, we can't ship a new product in under six months &amp; everyone knows it.")
    [suggestion] = slack.fake.calls("chat.postEphemeral")
    assert (suggestion["channel"], suggestion["user"]) == ("C1", "U2")
    assert "we can't ship a new product in under six months &amp; everyone knows it" in suggestion.all_text()
    button = buttons(suggestion)[ids.BACKGROUND_SUGGEST]
    assert button["text"]["text"] == "Surface it"
    assert slack.fake.calls("chat.postMessage") == []
    assert rows(slack, BackgroundConversation) == []

    slack.send.action(ids.BACKGROUND_SUGGEST, button["value"], user="U2")
    view = slack.fake.calls("views.open")[-1].view
    assert view["callback_id"] == ids.BACKGROUND_MODAL
    initial = [b for b in view["blocks"] if b["type"] == "input"][0]["element"]["initial_value"]
    assert initial == "Honestly, we can't ship a new product in under six months & everyone knows it."
    slack.send.submit(view, {ids.TEXT: initial}, user="U2")
    [link] = slack.fake.calls("chat.getPermalink")
    assert link["message_ts"] == "1700000070.000300"
    [post] = slack.fake.calls("chat.postMessage")
    assert "&amp; everyone knows it" in post.all_text() and link.response["permalink"] in post.all_text()
    [conversation] = rows(slack, BackgroundConversation)
    assert conversation.surfaced_by == "U2"


def test_a_thread_reply_gets_its_suggestion_in_the_thread(slack_sqlite):
    watch(slack_sqlite, True)
    said(slack_sqlite, "That never works here.", thread_ts="1700000001.000100")
    [suggestion] = slack_sqlite.fake.calls("chat.postEphemeral")
    assert suggestion["thread_ts"] == "1700000001.000100"


def test_watch_is_off_by_default_and_off_means_nothing_happens(slack):
    said(slack, "We can't ship a new product in one quarter.")
    assert slack.fake.calls() == []

    watch(slack, True)
    reply = watch(slack, False)
    assert "off" in reply
    assert [s.background_watch for s in rows(slack, ChannelSettings)] == [False]
    slack.fake.reset()
    said(slack, "We can't ship a new product in one quarter.")
    said(slack, "That is impossible here.", channel="C2")  # never turned on there
    assert slack.fake.calls() == []
    assert rows(slack, BackgroundConversation) == []


def test_watch_is_per_channel_and_per_workspace(slack_sqlite):
    watch(slack_sqlite, True, channel="C1", team="T1")
    slack_sqlite.fake.reset()
    said(slack_sqlite, "That never works here.", channel="C1", team="T2")
    said(slack_sqlite, "That never works here.", channel="C2", team="T1")
    assert slack_sqlite.fake.calls("chat.postEphemeral") == []


def test_turning_watch_on_twice_says_so(slack_sqlite):
    watch(slack_sqlite, True)
    assert "already on" in watch(slack_sqlite, True)
    assert len(rows(slack_sqlite, ChannelSettings)) == 1


def test_watch_in_a_channel_the_app_cannot_join_asks_for_an_invite(slack_sqlite):
    slack_sqlite.fake.fail("conversations.join", "method_not_supported_for_channel_type")
    watch(slack_sqlite, True, channel="G1")
    [told] = slack_sqlite.fake.calls("chat.postEphemeral")
    assert "/invite @coach" in told["text"] and told["user"] == "U1"


@pytest.mark.parametrize(
    "text, extra",
    [
        ("We can't ship that in one quarter.", {"bot_id": "B9"}),
        ("We can't ship that in one quarter.", {"subtype": "bot_message"}),
        ("We can't ship that in one quarter.", {"subtype": "message_changed"}),
        ("We can't ship that in one quarter.", {"subtype": "channel_join"}),
        ("We can't ship that in one quarter.", {"user": "UBOT"}),
        ("We can't ship that in one quarter.", {"channel_type": "im"}),
        ("Can't we ship that in one quarter?", {}),
        ("It's not true that we can't ship that.", {}),
        ("```we can't ship that```", {}),
        ("> we can't ship that in one quarter", {}),
        ("We can't wait to ship it!", {}),
        ("Shipped it, thanks all.", {}),
    ],
)
def test_watch_ignores_bots_edits_questions_quotes_and_everyday_talk(slack_sqlite, text, extra):
    watch(slack_sqlite, True)
    slack_sqlite.fake.reset()
    said(slack_sqlite, text, **extra)
    assert slack_sqlite.fake.calls() == []


def test_a_suggestion_button_from_another_channel_or_garbled_changes_nothing(slack_sqlite):
    value = json.dumps({"c": "C1", "ts": "1.2", "t": BELIEF})
    slack_sqlite.send.action(ids.BACKGROUND_SUGGEST, value, user="U2", channel="C2")
    slack_sqlite.send.action(ids.BACKGROUND_SUGGEST, "{oops", user="U2")
    told = slack_sqlite.fake.calls("chat.postEphemeral")
    assert [("another channel" in told[0]["text"]), ("expired" in told[1]["text"])] == [True, True]
    assert slack_sqlite.fake.calls("views.open") == []


# --- the rest of the product -------------------------------------------------------------------------------------


def test_a_declaration_asks_in_its_thread_what_everyone_knows_makes_it_impossible(slack_sqlite):
    slack_sqlite.send.command("Weekly active teams: 120 -> 300 teams by 2027-03-31 known 140")
    home = top_level_posts(slack_sqlite)[0]
    replies = [c for c in slack_sqlite.fake.calls("chat.postMessage") if c.get("thread_ts") == home.response["ts"]]
    [question] = [r for r in replies if "impossible" in r.all_text()]
    text = question.all_text()
    assert "#1" in text and "“know”" in text
    assert "/background ‹what everyone knows›" in text and "Surface background" in text


def test_commit_status_lists_the_channels_new_agreements(slack_sqlite):
    conversation = surfaced(slack_sqlite)
    reinvented(slack_sqlite, conversation, text="We ship <every> week", kind="possible", user="U3")
    other = surfaced(slack_sqlite, "belief elsewhere", channel="C2")
    reinvented(slack_sqlite, other, text="elsewhere agreement", user="U3")

    body = slack_sqlite.send.command("status").json()
    [part] = [b for b in body["blocks"] if b.get("block_id") == "new_agreements"]
    text = part["text"]["text"]
    assert text.startswith("*New agreements*")
    assert "(possible) “We ship &lt;every&gt; week” · <@U3>" in text
    assert "elsewhere" not in text


# --- the weekly check-in's part -------------------------------------------------------------------------------------


def test_for_checkin_gives_this_weeks_agreements_and_what_still_runs(database):
    def conversation(text, channel="C1", team="T1", at=NOW):
        c = store.surface(database, team_id=team, channel_id=channel, text=text, user_id="U1", now=at)
        store.set_ts(database, c.id, f"{c.id}.0")
        return store.get(database, team, c.id)

    old = conversation("old belief", at=NOW - timedelta(days=20))
    store.reinvent(database, old, text="old agreement", kind="committed", user_id="U2", now=NOW - timedelta(days=10))
    fresh = conversation("fresh belief")
    store.reinvent(database, fresh, text="fresh <agreement>", kind="possible", user_id="U3", now=NOW)
    conversation("quiet belief")
    loud = conversation("loud belief")
    for person in ("U4", "U5"):
        store.toggle_recognition(database, loud.id, person, NOW)
    store.toggle_recognition(database, loud.id, "U1", NOW)  # the surfacer is never counted
    conversation("another channel", channel="C2")
    conversation("another workspace", team="T2")

    new, running = store.for_checkin(database, "T1", "C1", since=NOW - timedelta(days=7))
    assert [a.text for a in new] == ["fresh <agreement>"]
    assert [(s.conversation.text, s.recognition) for s in running] == [("loud belief", 2), ("quiet belief", 0)]
    assert [a.text for a in store.for_checkin(database, "T1", "C1", since=None).new_this_week] == [
        "old agreement",
        "fresh <agreement>",
    ]

    many = store.for_checkins(database, [("T1", "C1"), ("T1", "C2"), ("T2", "C1")], since=NOW - timedelta(days=7))
    assert many[("T1", "C1")] == (new, running)
    assert [s.conversation.text for s in many[("T1", "C2")].running] == ["another channel"]
    assert [s.conversation.text for s in many[("T2", "C1")].running] == ["another workspace"]
    assert many[("T2", "C1")].new_this_week == []

    blocks = views.checkin_section(new, running)
    assert [b["block_id"] for b in blocks] == ["background_agreements", "background_running"]
    text = "\n".join(b["text"]["text"] for b in blocks)
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks)
    assert "*New agreements this week*" in text and "(possible) “fresh &lt;agreement&gt;” · <@U3>" in text
    assert "*Still running in the background*" in text and "“loud belief” · Me too: 2" in text
    assert text.index("loud belief") < text.index("quiet belief")
    assert views.checkin_section([], []) == []
    assert [b["block_id"] for b in views.checkin_section([], running)] == ["background_running"]


def test_every_kind_has_a_label():
    assert list(KINDS) == ["possible", "committed", "breakthrough", "breakdown", "integrity"]


def test_blocks_stay_within_slacks_limits_even_when_escaping_makes_text_longer():
    worst = "&<>\n" * 250  # 1,000 characters that escaping makes four times longer
    c = BackgroundConversation(
        id=1,
        team_id="T1",
        channel_id="C1",
        text=worst,
        surfaced_by="U1",
        surfaced_at=NOW,
        ts="1.0",
        source_permalink="https://test.slack.com/archives/C1/p1",
    )
    a = NewAgreement(
        id=1, conversation_id=1, team_id="T1", channel_id="C1", text=worst, kind="integrity", made_by="U2", made_at=NOW
    )
    s = store.ConversationSummary(c, tuple(f"U{i}" for i in range(30)), a)
    messages = [
        views.conversation_message(s),
        views.list_message([s] * 60),
        views.agreement_message(c, a, True),
        views.agreement_message(c, a, False),
        views.suggestion(worst, "v"),
    ]
    blocks = (
        [b for _, bs in messages for b in bs] + views.status_part([a] * 9) + views.checkin_section([a] * 20, [s] * 9)
    )
    blocks += views.agreement_modal(c)["blocks"]
    assert all(len(bs) <= 50 for _, bs in messages)
    for block in blocks:
        texts = [block["text"]["text"]] if "text" in block else []
        texts += [e["text"] for e in block.get("elements", []) if isinstance(e.get("text"), str)]
        assert all(len(t) <= 3000 for t in texts)
        assert all("<" not in t.replace("<@U", "").replace("<https://test.slack.com", "") for t in texts)
