"""A workspace with a row in every table it owns, and an OAuth installation: for export and purge."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from slack_sdk.oauth.installation_store import Installation

from storage.db import Database
from storage.models import (
    Action,
    BackgroundConversation,
    Breakdown,
    ChannelSettings,
    CheckinPost,
    Commitment,
    Enrolment,
    Invitation,
    NewAgreement,
    ProcessedEvent,
    ProgressReport,
    Recognition,
    ReminderSent,
    Renegotiation,
    RetroAnswer,
    SeenRequest,
    SkippedWeek,
    SubResult,
    TeamCounter,
    TimeAway,
)
from storage.tokens import TokenCipher
from storage.workspaces import installation_store
from tests.harness import SECRET_KEY

AT = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)
CLIENT_ID = "111.222"


def seed_workspace(db: Database, team: str, channel: str = "C1", outcome: str = "Weekly active teams") -> int:
    """One of everything for `team`; returns the commitment's id."""
    with db.session() as session:
        commitment = Commitment(
            team_id=team,
            channel_id=channel,
            number=1,
            outcome=f"{outcome} ({team})",
            baseline=120,
            target=300,
            unit="teams",
            known=140.5,
            start_date=date(2026, 11, 26),
            due=date(2027, 3, 31),
            owner_id="U1",
            declared_at=AT,
            home_ts="1700000001.000100",
        )
        session.add(commitment)
        session.flush()
        session.add(Enrolment(commitment_id=commitment.id, user_id="U1", enrolled_at=AT))
        session.add(Enrolment(commitment_id=commitment.id, user_id="U2", enrolled_at=AT + timedelta(hours=1)))
        session.add(
            ProgressReport(
                commitment_id=commitment.id,
                user_id="U2",
                value=150,
                note='two new teams, "finally", & <more>\non a new line',
                reported_at=AT + timedelta(days=7),
            )
        )
        breakdown = Breakdown(
            commitment_id=commitment.id, source="checkin", projected=210.25, opened_at=AT + timedelta(days=7)
        )
        session.add(breakdown)
        session.flush()
        session.add(
            Action(
                commitment_id=commitment.id,
                breakdown_id=breakdown.id,
                what="call the ten biggest teams, ünïcode",
                owner_id="U2",
                asker_id="U1",
                due=date(2026, 12, 10),
                created_at=AT + timedelta(days=7),
            )
        )
        conversation = BackgroundConversation(
            team_id=team,
            channel_id=channel,
            text="nothing ships here in under six months",
            surfaced_by="U1",
            surfaced_at=AT,
        )
        session.add(conversation)
        session.flush()
        session.add(Recognition(conversation_id=conversation.id, user_id="U2", recognised_at=AT + timedelta(minutes=5)))
        session.add(
            NewAgreement(
                conversation_id=conversation.id,
                team_id=team,
                channel_id=channel,
                text="we ship every week",
                kind="possible",
                made_by="U1",
                made_at=AT + timedelta(days=1),
            )
        )
        session.add(ChannelSettings(team_id=team, channel_id=channel))
        session.add(
            CheckinPost(
                team_id=team,
                channel_id=channel,
                iso_week="2026-W49",
                scheduled_for=AT,
                claimed_at=AT,
                posted_at=AT,
                ts="1700000002.000100",
            )
        )
        session.add(TeamCounter(team_id=team, last_commitment_number=1))
        session.add(ProcessedEvent(event_id=f"Ev-{team}", team_id=team, received_at=AT))
        session.add(SeenRequest(digest=f"{team:0>64}", team_id=team, expires_at=AT))
        session.add(SkippedWeek(team_id=team, channel_id=channel, iso_week="2026-W52", skipped_by="U1", skipped_at=AT))
        session.add(TimeAway(team_id=team, user_id="U2", until=date(2026, 12, 31), set_at=AT))
        session.add(
            ReminderSent(
                key=f"nudge:{team}:{channel}:U1:2026-W49",
                kind="nudge",
                team_id=team,
                user_id="U1",
                claimed_at=AT,
                result="sent",
                finished_at=AT,
            )
        )
        session.add(
            Invitation(
                commitment_id=commitment.id,
                invitee_id="U3",
                inviter_id="U1",
                status="declined",
                invited_at=AT,
                answered_at=AT + timedelta(hours=2),
                dm_channel="DU3",
                dm_ts="1700000003.000100",
            )
        )
        session.add(
            RetroAnswer(
                commitment_id=commitment.id,
                author_id="U2",
                shifted='asking teams "why not now?" & <listening>',
                next="weekly demos",
                answered_at=AT + timedelta(days=3),
            )
        )
        session.add(
            SubResult(commitment_id=commitment.id, value=180, due=date(2027, 1, 15), added_by="U1", added_at=AT)
        )
        session.add(
            Renegotiation(
                commitment_id=commitment.id,
                old_target=320,
                new_target=300,
                old_due=date(2027, 3, 31),
                new_due=date(2027, 3, 31),
                reason="a rounder number",
                made_by="U1",
                made_at=AT,
            )
        )
        return commitment.id


def install_workspace(db: Database, team: str, token: str | None = None, **extra) -> Installation:
    installation = Installation(
        app_id="A1",
        team_id=team,
        team_name=f"Team {team}",
        bot_token=token or f"xoxb-{team}-secret",
        bot_id="B1",
        bot_user_id="UBOT",
        bot_scopes="chat:write,commands",
        user_id="U1",
        **extra,
    )
    installation_store(db, CLIENT_ID, TokenCipher(SECRET_KEY)).save(installation)
    return installation
