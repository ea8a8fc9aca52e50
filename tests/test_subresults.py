"""Sub-results end to end: the long-commitment question, `/commit milestone`, the
`commitment_add_milestone` button and `milestone_modal`, "sub-result reached" in the thread, missed
ones after the check-in, the status card, App Home, the chart, and the export."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine

from bot import ids
from bot.charts.series import chart_series
from bot.checkins.scheduler import run_checkins_now
from bot.commitments.facts import facts_of
from storage import commitments as commitment_store
from storage.export import export, read_export
from storage.models import Commitment, SubResult
from tests.helpers import buttons, declared, rows, text_of, valid_home

UTC = timezone.utc
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)  # Thursday; DECLARE runs to 2027-03-31: 125 days
MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=True):
        yield


def ephemeral(answer) -> str:
    body = answer.json()
    assert body["response_type"] == "ephemeral"
    return body["text"]


def home_ts(slack) -> str:
    return rows(slack, Commitment)[0].home_ts


def in_thread(slack, containing: str) -> list:
    ts = home_ts(slack)
    return [c for c in slack.fake.calls("chat.postMessage") if c.get("thread_ts") == ts and containing in c.all_text()]


def test_a_long_commitment_is_asked_for_sub_results_in_its_home_thread_and_a_short_one_is_not(slack_sqlite):
    slack = slack_sqlite
    declared(slack)
    [question] = in_thread(slack, "sub-results no more than 100 days apart")
    c = rows(slack, Commitment)[0]
    add = buttons(question)[ids.COMMITMENT_ADD_MILESTONE]
    assert add["text"]["text"] == "Add a sub-result" and add["value"] == str(c.id)

    slack.fake.reset()
    declared(slack, "Bugs closed: 0 -> 40 bugs by 2027-01-31 known 10")  # 66 days
    assert not [p for p in slack.fake.calls("chat.postMessage") if "sub-results" in p.all_text()]


def test_milestone_command_adds_a_sub_result_told_in_the_thread(committed):
    slack = committed
    answer = slack.send.command("milestone #1 180 by 2027-01-15", user="U2")  # enrolled
    assert "Sub-result set on #1: 180 teams by 2027-01-15" in ephemeral(answer)
    [row] = rows(slack, SubResult)
    assert (row.value, row.due, row.added_by) == (180, date(2027, 1, 15), "U2")
    [told] = in_thread(slack, "set a sub-result on #1")
    assert "<@U2>" in told.all_text() and "180 teams by 2027-01-15" in told.all_text()


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("milestone #1 180 by 2027-03-31", "before the due date"),  # on the due date
        ("milestone #1 180 by 2026-11-26", "after the start"),  # on the start date
        ("milestone #1 310 by 2027-01-15", "between the baseline and the target"),
        ("milestone #1 100 by 2027-01-15", "between the baseline and the target"),
        ("milestone #1 180 2027-01-15", "/commit milestone #N"),
        ("milestone #1 lots by 2027-01-15", "as a number"),
        ("milestone #9 180 by 2027-01-15", "no commitment #9"),
    ],
)
def test_a_bad_sub_result_gets_a_clear_answer_and_nothing_is_stored(committed, typed, says):
    answer = committed.send.command(typed)
    assert answer.status == 200
    assert says in ephemeral(answer)
    assert rows(committed, SubResult) == []


def test_a_second_sub_result_on_the_same_day_and_one_by_someone_not_enrolled_are_refused(committed):
    slack = committed
    slack.send.command("milestone #1 180 by 2027-01-15")
    assert "already a sub-result on 2027-01-15" in ephemeral(slack.send.command("milestone #1 200 by 2027-01-15"))
    assert "Enrol first" in ephemeral(slack.send.command("milestone #1 200 by 2027-02-15", user="U3"))
    assert len(rows(slack, SubResult)) == 1


def test_the_button_opens_milestone_modal_and_its_errors_come_back_in_place(committed):
    slack = committed
    c = rows(slack, Commitment)[0]
    slack.send.action(ids.COMMITMENT_ADD_MILESTONE, str(c.id), user="U2")
    [opened] = slack.fake.calls("views.open")
    view = opened.view
    assert view["callback_id"] == ids.MILESTONE_MODAL
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == [ids.VALUE, ids.DUE]

    bad = slack.send.submit(view, {"value": "400", "due": "2027-06-01"}, user="U2")
    assert bad.json()["response_action"] == "errors"
    assert set(bad.json()["errors"]) == {ids.VALUE, ids.DUE}
    assert rows(slack, SubResult) == []

    assert slack.send.submit(view, {"value": "200", "due": "2027-02-01"}, user="U2").status == 200
    [row] = rows(slack, SubResult)
    assert (row.value, row.due) == (200, date(2027, 2, 1))
    assert in_thread(slack, "200 teams by 2027-02-01")

    slack.send.action(ids.COMMITMENT_ADD_MILESTONE, str(c.id), user="U3")  # not enrolled: no modal
    assert len(slack.fake.calls("views.open")) == 1


def test_a_report_reaching_a_sub_result_is_told_in_the_thread_once(committed):
    slack = committed
    slack.send.command("milestone #1 150 by 2027-01-15")
    slack.send.command("progress #1 155")
    slack.fake.wait_for("chat.postMessage", where=lambda c: "Sub-result reached on #1" in c.all_text())
    for value in (160, 170):  # the reply to 170 comes after 160's reply and whatever followed it
        slack.send.command(f"progress #1 {value}")
        slack.fake.wait_for("chat.postMessage", where=lambda c, v=value: f"reported {v} teams" in c.all_text())
    [reached] = in_thread(slack, "Sub-result reached")
    assert "150 teams by 2027-01-15, reached on 2026-11-26" in reached.all_text()
    assert rows(slack, SubResult)[0].reached_told_at is not None


def test_status_home_and_chart_show_sub_results(committed):
    slack = committed
    slack.send.command("milestone #1 150 by 2026-12-15")
    slack.send.command("milestone #1 220 by 2027-02-15")
    slack.send.command("progress #1 155")
    slack.fake.wait_for("chat.postMessage", where=lambda c: "Sub-result reached" in c.all_text())

    card = json.dumps(slack.send.command("status #1").json(), ensure_ascii=False)
    assert "Sub-results" in card and "150 teams by 2026-12-15 (reached 2026-11-26)" in card
    assert "220 teams by 2027-02-15" in card

    slack.send.event({"type": "app_home_opened", "user": "U2", "tab": "home"})
    [published] = slack.fake.wait_for("views.publish")
    assert "Sub-results: 1 of 2 reached · next 220 teams by 2027-02-15" in text_of(valid_home(published.view))

    c = rows(slack, Commitment)[0]
    state = commitment_store.load_state(slack.db, c)
    series = chart_series(facts_of(state, slack.services.day_of), NOW.date())
    assert series.committed.values == (120, 150, 220, 300)
    assert series.reached.days == (date(2026, 12, 15),) and series.pending.days == (date(2027, 2, 15),)


def test_a_missed_sub_result_is_said_after_the_check_in_once(committed):
    slack = committed
    slack.send.command("milestone #1 150 by 2026-12-01")
    slack.send.command("progress #1 125")
    for at in (MONDAY, MONDAY + timedelta(days=7), MONDAY + timedelta(days=7, minutes=5)):
        with time_machine.travel(at, tick=True):
            run_checkins_now(slack.services)
    [missed] = in_thread(slack, "Sub-result missed on #1")
    assert "150 teams by 2026-12-01" in missed.all_text() and "it's at 125 teams" in missed.all_text()
    assert "what new action" in missed.all_text()


def test_sub_results_are_exported_in_json_and_csv(committed):
    slack = committed
    slack.send.command("milestone #1 180 by 2027-01-15")
    for fmt in ("json", "csv"):
        out = io.StringIO()
        export(slack.db, out, fmt)
        [row] = read_export(io.StringIO(out.getvalue()), fmt)["tables"]["sub_result"]
        assert (row["value"], row["due"], row["added_by"]) == (180, "2027-01-15", "U1")


def test_a_trajectory_short_of_the_next_sub_result_is_a_breakdown_on_it(committed):
    slack = committed
    slack.send.command("milestone #1 250 by 2026-12-20")
    with time_machine.travel(datetime(2026, 12, 6, 12, tzinfo=UTC), tick=True):
        slack.send.command("progress #1 135")  # on pace for the target, far behind the sub-result
        card = json.dumps(slack.send.command("status #1").json(), ensure_ascii=False)
    assert "*breakdown* on a sub-result" in card
    assert "the trajectory gives 156 teams by 2026-12-20; you committed to 250 teams by 2026-12-20" in card
