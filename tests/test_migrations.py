"""Upgrades keep data; migration 0002 creates exactly the tables slack_sdk's OAuth stores use
(0008 widens their token columns)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
from alembic import command
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import inspect

from storage import commitments as store
from storage.db import Database
from storage.migrate import alembic_config, current_heads, script_heads, upgrade
from storage.models import Commitment
from storage.tokens import TOKEN_COLUMNS, TOKEN_LENGTH
from storage.workspaces import SLACK_TABLES
from tests.harness import scratch_postgres

AT = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    """A database with no tables at all."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'old.db'}")
        yield db
        db.dispose()
        return
    with scratch_postgres("coach_migration") as url:
        db = Database(url)
        yield db
        db.dispose()


def test_upgrading_from_0001_keeps_commitments_enrolments_and_reports(empty_database):
    db = empty_database
    upgrade(db.engine, "0001")
    assert current_heads(db.engine) == {"0001"}
    # Written with the columns of revision 0001 only, as an old version of the app would have.
    commitment = sa.table(
        "commitment",
        *[
            sa.column(c)
            for c in (
                "id",
                "team_id",
                "channel_id",
                "number",
                "outcome",
                "baseline",
                "target",
                "unit",
                "known",
                "start_date",
                "due",
                "owner_id",
                "status",
                "declared_at",
            )
        ],
    )
    enrolment = sa.table("enrolment", *[sa.column(c) for c in ("commitment_id", "user_id", "enrolled_at")])
    report = sa.table(
        "progress_report", *[sa.column(c) for c in ("commitment_id", "user_id", "value", "note", "reported_at")]
    )
    stamp = AT if db.dialect == "postgresql" else AT.replace(tzinfo=None)
    with db.engine.begin() as connection:
        connection.execute(
            commitment.insert().values(
                id=7,
                team_id="T1",
                channel_id="C1",
                number=3,
                outcome="Weekly active teams",
                baseline=120,
                target=300,
                unit="teams",
                known=140,
                start_date=date(2026, 11, 26),
                due=date(2027, 3, 31),
                owner_id="U1",
                status="active",
                declared_at=stamp,
            )
        )
        connection.execute(enrolment.insert().values(commitment_id=7, user_id="U2", enrolled_at=stamp))
        connection.execute(
            report.insert().values(commitment_id=7, user_id="U2", value=150, note="two more", reported_at=stamp)
        )

    db.upgrade()

    assert current_heads(db.engine) == script_heads()
    assert set(SLACK_TABLES) <= set(inspect(db.engine).get_table_names())
    with db.session() as session:
        found = session.get(Commitment, 7)
    assert (found.outcome, found.baseline, found.target, found.due) == (
        "Weekly active teams",
        120,
        300,
        date(2027, 3, 31),
    )
    assert found.declared_at == AT
    [state] = store.load_states(db, [found])
    assert state.enrolled == ("U2",)
    assert [(r.user_id, r.value, r.note, r.reported_at) for r in state.reports] == [("U2", 150, "two more", AT)]


def _shape(table: sa.Table) -> dict:
    return {
        column.name: (type(column.type).__name__, getattr(column.type, "length", None), column.nullable)
        for column in table.columns
    }


def _reflected_shape(engine, name: str) -> dict:
    shape = {}
    for column in inspect(engine).get_columns(name):
        kind = column["type"]
        generic = kind.as_generic() if hasattr(kind, "as_generic") else kind
        type_name = type(generic).__name__
        shape[column["name"]] = (type_name, getattr(generic, "length", None), column["nullable"])
    return shape


def _normal(shape: dict) -> dict:
    """String/DateTime/Integer/Boolean by family, as the database reports them back."""
    families = {
        "VARCHAR": "String",
        "String": "String",
        "DATETIME": "DateTime",
        "TIMESTAMP": "DateTime",
        "DateTime": "DateTime",
        "INTEGER": "Integer",
        "Integer": "Integer",
        "BOOLEAN": "Boolean",
        "Boolean": "Boolean",
    }
    return {name: (families.get(kind, kind), length, nullable) for name, (kind, length, nullable) in shape.items()}


def test_migrations_match_slack_sdks_stores_with_room_for_encrypted_tokens(database):
    """0002 creates slack_sdk's tables; 0008 widens their token columns for Fernet tokens."""
    metadata = sa.MetaData()
    expected = {
        "slack_installations": SQLAlchemyInstallationStore.build_installations_table(metadata, "slack_installations"),
        "slack_bots": SQLAlchemyInstallationStore.build_bots_table(metadata, "slack_bots"),
        "slack_oauth_states": SQLAlchemyOAuthStateStore.build_oauth_states_table(metadata, "slack_oauth_states"),
    }
    inspector = inspect(database.engine)
    for name, table in expected.items():
        reflected = _normal(_reflected_shape(database.engine, name))
        wanted = _normal(_shape(table))
        for column in set(TOKEN_COLUMNS) & set(wanted):
            wanted[column] = ("String", TOKEN_LENGTH, True)
        assert reflected == wanted, name
        assert inspector.get_pk_constraint(name)["constrained_columns"] == ["id"]
        wanted_indexes = {i.name: [c.name for c in i.columns] for i in table.indexes}
        got_indexes = {i["name"]: i["column_names"] for i in inspector.get_indexes(name)}
        assert got_indexes == wanted_indexes, name


def test_migration_0002_downgrades_cleanly(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'coach.db'}")
    upgrade(db.engine, "0002")
    assert set(SLACK_TABLES) <= set(inspect(db.engine).get_table_names())
    config = alembic_config(db.engine)
    with db.engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
        connection.commit()
    assert not set(SLACK_TABLES) & set(inspect(db.engine).get_table_names())
    assert current_heads(db.engine) == {"0001"}
    db.dispose()


def test_upgrading_from_0003_keeps_channel_settings_and_adds_the_reminder_tables(empty_database):
    db = empty_database
    upgrade(db.engine, "0003")
    settings = sa.table(
        "channel_settings",
        *[
            sa.column(c)
            for c in (
                "team_id",
                "channel_id",
                "checkin_weekday",
                "checkin_time",
                "checkin_timezone",
                "checkin_enabled",
                "background_watch",
            )
        ],
    )
    with db.engine.begin() as connection:
        connection.execute(
            settings.insert().values(
                team_id="T1",
                channel_id="C1",
                checkin_weekday=4,
                checkin_time="16:30",
                checkin_timezone="Europe/Paris",
                checkin_enabled=True,
                background_watch=False,
            )
        )
    db.upgrade()
    assert current_heads(db.engine) == script_heads()
    assert {"skipped_week", "time_away", "reminder_sent"} <= set(inspect(db.engine).get_table_names())
    from storage import checkins, reminders

    kept = checkins.get_settings(db, "T1", "C1")
    assert (kept.checkin_weekday, kept.checkin_time, kept.checkin_timezone, kept.holidays) == (
        4,
        "16:30",
        "Europe/Paris",
        None,
    )
    assert reminders.set_holidays(db, "T1", "C1", "FR").checkin_time == "16:30"
    assert reminders.claim(db, "due:1", kind="due", team_id="T1", user_id="U1", now=AT)


def test_migration_0004_downgrades_cleanly(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'coach.db'}")
    db.upgrade()
    config = alembic_config(db.engine)
    with db.engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
        connection.commit()
    names = set(inspect(db.engine).get_table_names())
    assert not {"skipped_week", "time_away", "reminder_sent"} & names
    assert "holidays" not in {c["name"] for c in inspect(db.engine).get_columns("channel_settings")}
    db.dispose()


def test_upgrading_from_0004_keeps_enrolments_and_adds_invitations_and_retrospective_answers(empty_database):
    db = empty_database
    upgrade(db.engine, "0004")
    stamp = AT if db.dialect == "postgresql" else AT.replace(tzinfo=None)
    commitment = sa.table(
        "commitment",
        *[
            sa.column(c)
            for c in ("id", "team_id", "channel_id", "number", "outcome", "baseline", "target")
            + ("start_date", "due", "owner_id", "status", "declared_at")
        ],
    )
    enrolment = sa.table("enrolment", *[sa.column(c) for c in ("commitment_id", "user_id", "enrolled_at")])
    with db.engine.begin() as connection:
        connection.execute(
            commitment.insert().values(
                id=7,
                team_id="T1",
                channel_id="C1",
                number=3,
                outcome="Deals",
                baseline=4,
                target=20,
                start_date=date(2026, 11, 26),
                due=date(2027, 3, 31),
                owner_id="U1",
                status="active",
                declared_at=stamp,
            )
        )
        for person in ("U1", "U2"):
            connection.execute(enrolment.insert().values(commitment_id=7, user_id=person, enrolled_at=stamp))

    db.upgrade()

    assert current_heads(db.engine) == script_heads()
    assert {"invitation", "retro_answer"} <= set(inspect(db.engine).get_table_names())
    with db.session() as session:
        found = session.get(Commitment, 7)
    assert store.load_state(db, found).enrolled == ("U1", "U2")  # existing enrolments stay
    from storage import invitations

    invited = invitations.invite(db, 7, "U1", ["U2", "U3"], AT)
    assert ([i.invitee_id for i in invited.new], invited.enrolled) == (["U3"], ["U2"])


def test_upgrading_from_0004_keeps_untold_reports_claimable_and_adds_seen_requests(empty_database):
    db = empty_database
    upgrade(db.engine, "0004")
    with db.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO commitment (id, team_id, number, channel_id, owner_id, outcome, baseline, target, "
            "start_date, due, status, declared_at) VALUES (1, 'T1', 1, 'C1', 'U1', 'Teams', 1, 2, "
            "'2026-11-01', '2027-01-01', 'active', '2026-11-01 10:00:00')"
        )
        connection.exec_driver_sql(
            "INSERT INTO progress_report (id, commitment_id, user_id, value, reported_at, told_at) "
            "VALUES (1, 1, 'U1', 1.5, '2026-11-01 10:00:00', NULL)"
        )
    db.upgrade()
    assert "seen_request" in set(inspect(db.engine).get_table_names())
    [claimed] = store.claim_untold(db, AT)
    assert (claimed.id, claimed.value, claimed.told_at) == (1, 1.5, None)
    db.dispose()


def test_upgrading_from_0004_keeps_commitments_and_adds_sub_results_and_renegotiations(empty_database):
    db = empty_database
    upgrade(db.engine, "0004")
    with db.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO commitment (id, team_id, channel_id, number, outcome, baseline, target, start_date,"
                " due, owner_id, status, declared_at) VALUES (7, 'T1', 'C1', 3, 'Weekly active teams', 120, 300,"
                " :start, :due, 'U1', 'active', :at)"
            ),
            {
                "start": date(2026, 11, 26),
                "due": date(2027, 3, 31),
                "at": AT if db.dialect == "postgresql" else AT.replace(tzinfo=None),
            },
        )
    db.upgrade()
    assert current_heads(db.engine) == script_heads()
    assert {"sub_result", "renegotiation"} <= set(inspect(db.engine).get_table_names())
    from storage import subresults

    [kept] = store.list_active(db, "T1", "C1")
    assert (kept.id, kept.number, kept.target, kept.due) == (7, 3, 300, date(2027, 3, 31))
    assert subresults.add(db, 7, 180, date(2027, 1, 15), "U1", AT)
    changed, entry = subresults.renegotiate(db, 7, 260, date(2027, 4, 30), "the market shrank", "U1", AT)
    assert (changed.target, entry.old_target, entry.old_due) == (260, 300, date(2027, 3, 31))


def test_migrations_after_0004_downgrade_cleanly(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'coach.db'}")
    db.upgrade()
    config = alembic_config(db.engine)
    with db.engine.connect() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")
        connection.commit()
    assert not {"invitation", "retro_answer"} & set(inspect(db.engine).get_table_names())
    assert "seen_request" not in set(inspect(db.engine).get_table_names())
    assert "claimed_at" not in {c["name"] for c in inspect(db.engine).get_columns("progress_report")}
    assert not {"sub_result", "renegotiation"} & set(inspect(db.engine).get_table_names())
    db.dispose()
