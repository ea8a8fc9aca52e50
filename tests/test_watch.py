"""Background watch, bounded (issue #14 item 4) and only ever a private suggestion (issue #15):
hostile 40,000-character messages are handled quickly whether the channel watches or not; a
channel that doesn't watch costs no text work (and, once known, no query); edits and deletions
are never suggested on."""

import time

import pytest
from sqlalchemy import event as sql_event

from bench.beliefs import hostile_messages
from bot.background import watch as watch_module
from storage import background as store

BELIEF_TEXT = "Honestly, donors only give at Christmas."


def said(slack, text, channel="C1", user="U2", **extra):
    event = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": "1700000070.000300",
        "channel_type": "channel",
        **extra,
    }
    started = time.perf_counter()
    answer = slack.send.event(event)  # waits for the listener to finish
    elapsed = time.perf_counter() - started
    assert answer.status == 200
    return elapsed


def watch(slack, on, channel="C1"):
    answer = slack.send.command(f"watch {'on' if on else 'off'}", command="/background", channel=channel)
    assert answer.status == 200


@pytest.mark.parametrize("name", list(hostile_messages()))
def test_a_hostile_40000_character_message_is_handled_quickly_watched_or_not(slack_sqlite, name):
    text = hostile_messages(40_000)[name]
    watch(slack_sqlite, True, channel="C1")
    for channel in ("C1", "C2"):  # C1 watches, C2 doesn't
        ordinary = min(said(slack_sqlite, "Morning all.", channel=channel) for _ in range(3))
        hostile = said(slack_sqlite, text, channel=channel)
        # The goal is 50 ms (bench/beliefs.py measures a few ms); a generous margin over
        # an ordinary message's round trip keeps this robust on a busy machine.
        assert hostile - ordinary < 0.200, f"{name} in {channel}: {hostile * 1e3:.0f} ms"
    assert slack_sqlite.fake.calls("chat.postMessage") == []
    for call in slack_sqlite.fake.calls("chat.postEphemeral"):
        assert call["channel"] == "C1" and call["user"] == "U2"


def test_a_channel_that_does_not_watch_costs_no_text_work_and_once_known_no_query(slack_sqlite, monkeypatch):
    read = []
    original = watch_module.watch_reading
    monkeypatch.setattr(watch_module, "watch_reading", lambda text: read.append(text) or original(text))
    opt_in_reads = []

    def executed(_conn, _cursor, statement, *_args):
        if "channel_settings" in statement:
            opt_in_reads.append(statement)

    sql_event.listen(slack_sqlite.db.engine, "before_cursor_execute", executed)
    try:
        said(slack_sqlite, BELIEF_TEXT, channel="C2")
        said(slack_sqlite, BELIEF_TEXT, channel="C2")
    finally:
        sql_event.remove(slack_sqlite.db.engine, "before_cursor_execute", executed)
    assert read == [] and len(opt_in_reads) == 1
    assert slack_sqlite.fake.calls() == []

    watch(slack_sqlite, True, channel="C2")  # heard at once in this process
    slack_sqlite.fake.reset()
    said(slack_sqlite, BELIEF_TEXT, channel="C2")
    assert read == [BELIEF_TEXT]
    [suggestion] = slack_sqlite.fake.calls("chat.postEphemeral")
    assert suggestion["user"] == "U2" and "donors only give at Christmas" in suggestion.all_text()


def test_a_change_made_by_another_process_is_heard_within_the_ttl(slack_sqlite):
    db, now = slack_sqlite.db, [1000.0]

    def clock():
        return now[0]

    assert watch_module.watching(db, "T1", "C9", clock) is False
    store.set_watch(db, "T1", "C9", True)  # another process: this one's cache doesn't know
    now[0] += watch_module.TTL_S - 1
    assert watch_module.watching(db, "T1", "C9", clock) is False
    now[0] += 2
    assert watch_module.watching(db, "T1", "C9", clock) is True


@pytest.mark.parametrize(
    "extra",
    [
        {"subtype": "message_changed", "message": {"type": "message", "user": "U2", "text": BELIEF_TEXT}},
        {"subtype": "message_deleted", "previous_message": {"type": "message", "user": "U2", "text": BELIEF_TEXT}},
        {"subtype": "message_replied"},
        {"subtype": "thread_broadcast"},
        {"hidden": True},
    ],
    ids=lambda extra: extra.get("subtype", "hidden"),
)
def test_an_edited_or_deleted_message_is_never_suggested_on(slack_sqlite, extra):
    watch(slack_sqlite, True)
    slack_sqlite.fake.reset()
    said(slack_sqlite, BELIEF_TEXT, **extra)
    assert slack_sqlite.fake.calls() == []
