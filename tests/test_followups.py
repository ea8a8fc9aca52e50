"""After "Recorded": the home-thread replies to progress reports (bot/commitments/followups.py).

Reports are stored the way `/commit progress` stores them; the follow-ups then run as the
runtime process runs them (`FollowUps.drain`), and the tests read what reached the fake Web API.
"""

from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest
import time_machine

from bot.commitments.flows import CommitmentFlows
from bot.commitments.followups import PER_REPLY, FollowUps
from storage import commitments as store
from storage.models import Commitment, CommitmentStatus, ProgressReport
from tests.helpers import rows

NOW = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=True):
        yield


def stored(slack, *reports: tuple[str, float, str | None]) -> Commitment:
    """Store reports on #1 without telling anyone yet, as the web worker leaves them."""
    [commitment] = rows(slack, Commitment)
    for user, value, note in reports:
        assert store.record_progress(slack.db, "T1", "C1", commitment.number, user, value, note, NOW) is not None
    return commitment


def follow_ups(slack) -> FollowUps:
    return FollowUps(slack.services, CommitmentFlows(slack.services), executor=None)


def replies(slack, commitment: Commitment) -> list:
    return [c for c in slack.fake.calls("chat.postMessage") if c.get("thread_ts") == commitment.home_ts]


@pytest.fixture
def web_worker(database, fake_slack):
    """The app as `coach run`'s web worker runs it: it answers, and leaves the threads to the
    runtime process (here, `follow_ups(...).drain()`)."""
    from tests.harness import start_app
    from tests.helpers import DECLARE

    harness, stop = start_app(database, fake_slack, follow_up_here=False)
    assert harness.send.command(DECLARE).status == 200
    [commitment] = rows(harness, Commitment)
    harness.send.action("commitment_enroll", str(commitment.id), user="U2")
    fake_slack.reset()
    yield harness
    stop()


def test_progress_is_answered_at_once_and_the_reports_told_together_after(web_worker):
    slack = web_worker
    first = slack.send.command("progress #1 150 two <@U9> teams & more")
    second = slack.send.command("progress #1 162", user="U2")
    assert "Recorded 150 teams on #1" in first.text and "Recorded 162 teams on #1" in second.text
    wrong = slack.send.command("progress #1 lots", user="U2")
    assert "Recorded" not in wrong.text and "number" in wrong.text.lower()
    assert slack.fake.calls("chat.postMessage") == []  # nothing in the thread before the runtime tells it

    assert follow_ups(slack).drain() == 2
    [commitment] = rows(slack, Commitment)
    [reply] = replies(slack, commitment)
    text = reply.all_text()
    assert "2 progress reports on #1: now at 162 teams" in text
    assert "<@U1> reported 150 teams" in text and "<@U2> reported 162 teams" in text
    assert "two &lt;@U9&gt; teams &amp; more" in text  # typed text, escaped once
    assert len(rows(slack, ProgressReport)) == 2  # the wrong one stored nothing


def test_reports_that_came_in_together_are_told_in_one_reply(committed):
    slack = committed
    commitment = stored(slack, ("U1", 150, None), ("U2", 162, "two teams <!channel> & more"), ("U1", 170, None))

    assert follow_ups(slack).drain() == 3
    [reply] = replies(slack, commitment)
    text = reply.all_text()
    assert "3 progress reports on #1: now at 170 teams" in text
    assert (
        "<@U1> reported 150 teams" in text and "<@U2> reported 162 teams" in text and "<@U1> reported 170 teams" in text
    )
    assert "two teams &lt;!channel&gt; &amp; more" in text and "<!channel>" not in text  # typed text, escaped once
    assert "Trajectory" in text
    # told once: nothing is left to tell, in this process or another
    assert follow_ups(slack).drain() == 0
    assert all(r.told_at is not None for r in rows(slack, ProgressReport))


def test_one_report_alone_gets_the_usual_reply(committed):
    slack = committed
    commitment = stored(slack, ("U2", 150, "first"))
    follow_ups(slack).drain()
    [reply] = replies(slack, commitment)
    assert "<@U2> reported 150 teams on #1" in reply.all_text() and "first" in reply.all_text()


def test_a_burst_is_told_ten_reports_to_a_reply(committed):
    slack = committed
    commitment = stored(slack, *[("U2", 130 + n, None) for n in range(PER_REPLY + 2)])
    follow_ups(slack).drain()
    first, second = replies(slack, commitment)
    assert first.all_text().count("<@U2> reported") == PER_REPLY
    assert second.all_text().count("<@U2> reported") == 2 and "now at 141 teams" in second.all_text()


def test_a_report_reaching_the_target_in_a_burst_ends_the_commitment_once(committed):
    slack = committed
    commitment = stored(slack, ("U1", 200, None), ("U2", 300, "there"), ("U1", 310, None))
    follow_ups(slack).drain()

    [ended] = rows(slack, Commitment)
    assert ended.status == CommitmentStatus.ACHIEVED
    thread = [c.all_text() for c in replies(slack, commitment)]
    assert "3 progress reports on #1" in thread[0]
    assert sum("Breakthrough!" in text for text in thread) == 1
    in_channel = [c for c in slack.fake.calls("chat.postMessage") if not c.get("thread_ts")]
    assert len(in_channel) == 1 and "reached 300 teams" in in_channel[0].all_text()


def test_two_processes_draining_at_once_tell_each_report_once(committed):
    slack = committed
    commitment = stored(slack, *[("U2", 130 + n, None) for n in range(40)])
    told = []
    start = threading.Barrier(2)

    def drain():
        start.wait()
        told.append(follow_ups(slack).drain())

    threads = [threading.Thread(target=drain) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(told) == 40
    lines = sum(c.all_text().count("<@U2> reported") for c in replies(slack, commitment))
    assert lines == 40


def test_when_slack_is_out_of_reach_the_reports_are_told_at_the_next_poll(committed, monkeypatch):
    slack = committed
    commitment = stored(slack, ("U2", 150, None), ("U1", 160, None))
    runtime = follow_ups(slack)
    real = runtime.flows.in_thread
    monkeypatch.setattr(runtime.flows, "in_thread", lambda *args: (_ for _ in ()).throw(OSError("network is down")))

    runtime.drain()  # returns: it does not retry in a loop
    assert replies(slack, commitment) == []
    assert all(r.told_at is None for r in rows(slack, ProgressReport))  # left for later

    monkeypatch.setattr(runtime.flows, "in_thread", real)
    assert runtime.drain() == 2
    [reply] = replies(slack, commitment)
    assert "2 progress reports on #1" in reply.all_text()


def test_a_thread_slack_refuses_is_not_tried_again(committed):
    slack = committed
    commitment = stored(slack, ("U2", 150, None))
    slack.fake.fail("chat.postMessage", "channel_not_found")
    follow_ups(slack).drain()
    assert follow_ups(slack).drain() == 0  # told (as far as Slack lets it), not claimed again
    assert len(slack.fake.calls("chat.postMessage", thread_ts=commitment.home_ts)) == 1


class Killed(BaseException):
    """The runtime process dying mid-way (kill -9): nothing of it runs after this."""


def test_a_report_is_marked_told_only_once_slack_accepted_its_reply(committed, monkeypatch):
    slack = committed
    commitment = stored(slack, ("U2", 150, None))
    runtime = follow_ups(slack)
    real = runtime.flows.in_thread
    seen = []

    def in_thread(*args):
        seen.append([r.told_at for r in rows(slack, ProgressReport)])
        real(*args)

    monkeypatch.setattr(runtime.flows, "in_thread", in_thread)
    assert runtime.drain() == 1
    assert seen == [[None]]  # not told while the reply was on its way
    assert all(r.told_at is not None for r in rows(slack, ProgressReport))
    assert len(replies(slack, commitment)) == 1


def test_reports_a_killed_runtime_claimed_are_told_by_the_next_one_after_the_lease(committed, monkeypatch):
    slack = committed
    # 25 reports: three replies of up to 10; the runtime dies once the first one is accepted.
    commitment = stored(slack, *[("U2", 100 + i, None) for i in range(25)])
    dying = follow_ups(slack)
    real = dying.flows.in_thread
    calls = []

    def in_thread(*args):
        calls.append(args)
        if len(calls) > 1:
            raise Killed()
        real(*args)

    monkeypatch.setattr(dying.flows, "in_thread", in_thread)
    with pytest.raises(Killed):
        dying.drain()
    told = [r for r in rows(slack, ProgressReport) if r.told_at is not None]
    assert len(told) == PER_REPLY and len(replies(slack, commitment)) == 1

    following = follow_ups(slack)
    assert following.drain() == 0  # the dead runtime's claim still holds for a while
    with time_machine.travel(NOW + store.CLAIM_LEASE + store.CLAIM_LEASE / 10, tick=True):
        assert following.drain() == 15
    assert all(r.told_at is not None for r in rows(slack, ProgressReport))
    lines = sum(c.all_text().count("<@U2> reported") for c in replies(slack, commitment))
    assert lines == 25  # each report told once: none lost, none twice
