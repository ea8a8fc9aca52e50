"""`coach export`: every row a workspace owns, JSON or CSV, read back the same."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from sqlmodel import SQLModel

from storage.export import FORMAT, NOT_EXPORTED, ExportError, export, export_data, read_export
from storage.workspaces import owned_tables
from tests.workspace_data import install_workspace, seed_workspace

WORKSPACE_TABLES = {
    "commitment",
    "progress_report",
    "enrolment",
    "breakdown",
    "action",
    "background_conversation",
    "recognition",
    "new_agreement",
    "channel_settings",
    "checkin_post",
    "invitation",
    "retro_answer",
}


def exported(db, fmt, teams=()):
    stream = io.StringIO()
    export(db, stream, fmt=fmt, teams=teams)
    return stream.getvalue()


def test_every_table_belongs_to_a_workspace():
    """A new table must say whose it is (team_id, or a required key to a table that has one),
    or export and purge would miss it."""
    assert {o.name for o in owned_tables()} == {t.name for t in SQLModel.metadata.sorted_tables}


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_reads_back_the_same(database, fmt):
    seed_workspace(database, "T1")
    seed_workspace(database, "T2", channel="C9")

    text = exported(database, fmt)
    data = read_export(io.StringIO(text), fmt)

    assert data == export_data(database)
    assert data["format"] == FORMAT and data["version"] == 1
    assert WORKSPACE_TABLES <= set(data["tables"])
    assert not set(data["tables"]) & NOT_EXPORTED
    tables = data["tables"]
    assert len(tables["commitment"]) == 2 and len(tables["enrolment"]) == 4
    [commitment] = [c for c in tables["commitment"] if c["team_id"] == "T1"]
    assert commitment["declared_at"] == "2026-11-26T10:00:00+00:00"
    assert commitment["due"] == "2027-03-31" and commitment["start_date"] == "2026-11-26"
    assert commitment["baseline"] == 120.0 and commitment["known"] == 140.5 and commitment["number"] == 1
    assert commitment["ended_at"] is None
    assert tables["channel_settings"][0]["checkin_enabled"] is True
    assert tables["channel_settings"][0]["background_watch"] is False
    report = tables["progress_report"][0]
    assert report["note"] == 'two new teams, "finally", & <more>\non a new line'
    assert report["reported_at"] == "2026-12-03T10:00:00+00:00"
    assert tables["action"][0]["what"] == "call the ten biggest teams, ünïcode"
    invitation = tables["invitation"][0]
    assert (invitation["invitee_id"], invitation["inviter_id"], invitation["status"]) == ("U3", "U1", "declined")
    assert invitation["answered_at"] == "2026-11-26T12:00:00+00:00" and invitation["dm_channel"] == "DU3"
    answer = tables["retro_answer"][0]
    assert answer["shifted"] == 'asking teams "why not now?" & <listening>' and answer["next"] == "weekly demos"
    assert answer["author_id"] == "U2" and answer["answered_at"] == "2026-11-29T10:00:00+00:00"


def test_csv_is_one_section_per_table(database):
    seed_workspace(database, "T1")
    lines = exported(database, "csv").splitlines()
    assert lines[0] == "# format: breakthrough-coach-export; version: 1"
    start = lines.index("# table: commitment")
    assert lines[start + 1].startswith("id,team_id,channel_id,number,outcome,")
    assert lines[start + 2].startswith(
        "1,T1,C1,1,Weekly active teams (T1),120.0,300.0,teams,140.5,2026-11-26,2027-03-31,U1,active,"
    )
    assert "# table: enrolment" in lines


def test_export_of_one_workspace_holds_nothing_of_another(database):
    seed_workspace(database, "T1")
    seed_workspace(database, "T2", channel="C9")

    data = read_export(io.StringIO(exported(database, "json", teams=["T2"])), "json")

    for name in WORKSPACE_TABLES:
        assert len(data["tables"][name]) == (2 if name == "enrolment" else 1), name
    for rows in data["tables"].values():
        assert all(row.get("team_id", "T2") == "T2" and row.get("channel_id", "C9") == "C9" for row in rows)
    assert "(T1)" not in json.dumps(data)
    commitment_ids = {c["id"] for c in data["tables"]["commitment"]}
    assert {r["commitment_id"] for r in data["tables"]["progress_report"]} == commitment_ids
    conversation_ids = {c["id"] for c in data["tables"]["background_conversation"]}
    assert {r["conversation_id"] for r in data["tables"]["recognition"]} == conversation_ids


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_tokens_are_never_exported(sqlite_database, fmt):
    seed_workspace(sqlite_database, "T1")
    install_workspace(sqlite_database, "T1", token="xoxb-do-not-leak", bot_refresh_token="xoxe-1-do-not-leak")
    text = exported(sqlite_database, fmt)
    assert "do-not-leak" not in text and "slack_" not in text


def test_an_empty_database_exports_empty_tables(sqlite_database):
    for fmt in ("json", "csv"):
        data = read_export(io.StringIO(exported(sqlite_database, fmt)), fmt)
        assert set(data["tables"]) >= WORKSPACE_TABLES
        assert all(rows == [] for rows in data["tables"].values())


@pytest.mark.parametrize(
    "text, fmt",
    [
        ('{"tables": {}}', "json"),
        ('{"format": "breakthrough-coach-export", "version": 99, "tables": {}}', "json"),
        ("id,team_id\n1,T1\n", "csv"),
        ("# format: something-else; version: 1\n", "csv"),
        ("# table: commitment\nid,team_id\n1,T1,extra\n", "csv"),
    ],
)
def test_what_is_not_an_export_is_refused(text, fmt):
    with pytest.raises(ExportError):
        read_export(io.StringIO(text), fmt)


def test_coach_export_writes_csv_of_one_workspace_to_stdout(tmp_path, sqlite_database):
    seed_workspace(sqlite_database, "T1")
    seed_workspace(sqlite_database, "T2", channel="C9")
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": sqlite_database.url}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "export", "--format", "csv", "--team", "T1"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    data = read_export(io.StringIO(result.stdout), "csv")
    assert data == export_data(sqlite_database, ["T1"])
    assert [c["team_id"] for c in data["tables"]["commitment"]] == ["T1"]
