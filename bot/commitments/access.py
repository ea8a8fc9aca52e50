"""Who may do what (SPEC §3), as checks that raise a sentence for the person."""

from __future__ import annotations

from bot.services import Services
from bot.slack.context import Load, Ref, from_metadata, from_value, row_id
from bot.slack.guard import CoachError
from storage import commitments as store
from storage.models import Commitment, CommitmentStatus

ENDED_WORD = {
    CommitmentStatus.ACHIEVED: "ended as a breakthrough",
    CommitmentStatus.MISSED: "ended as missed",
    CommitmentStatus.WITHDRAWN: "was withdrawn",
}


def in_channel(services: Services, team_id: str, channel_id: str, number: int) -> Commitment:
    """The commitment `#number` of this workspace, used from its own channel."""
    commitment = store.get_by_number(services.db, team_id, number)
    if commitment is None:
        raise CoachError(f"There's no commitment #{number} in this workspace. `/commit status` lists this channel's.")
    if commitment.channel_id != channel_id:
        raise CoachError(f"#{number} belongs to another channel: use it there (<#{commitment.channel_id}>).")
    return commitment


def by_id(services: Services, team_id: str, commitment_id: str | int) -> Commitment:
    """The commitment behind a button or modal, checked against the clicking workspace."""
    key = row_id(commitment_id)
    if key is None:
        raise CoachError("That button doesn't point at a commitment I know.")
    with services.db.session() as session:
        commitment = session.get(Commitment, key)
    if commitment is None or commitment.team_id != team_id:
        raise CoachError("That button doesn't point at a commitment I know.")
    return commitment


def active(commitment: Commitment) -> Commitment:
    if commitment.status != CommitmentStatus.ACTIVE:
        raise CoachError(
            f"#{commitment.number} {ENDED_WORD.get(commitment.status, 'has ended')}; it takes no more updates."
        )
    return commitment


def enrolled(services: Services, commitment: Commitment, user_id: str) -> Commitment:
    if user_id != commitment.owner_id and not store.is_enrolled(services.db, commitment.id, user_id):
        raise CoachError(
            f"Only people enrolled in #{commitment.number} can do that. "
            "Enrol first: click *I'm in* on its announcement."
        )
    return commitment


def owner(commitment: Commitment, user_id: str) -> Commitment:
    if user_id != commitment.owner_id:
        raise CoachError(f"Only the owner of #{commitment.number} (<@{commitment.owner_id}>) can do that.")
    return commitment


# --- declarative rules for `bot.slack.context.listener` -------------------------------------------
# Each is rule(services, commitment, user_id); the listener gets `commitment` and `ref`.


def is_active(services: Services, commitment: Commitment, user_id: str) -> None:
    active(commitment)


def is_enrolled(services: Services, commitment: Commitment, user_id: str) -> None:
    enrolled(services, commitment, user_id)


def is_owner(services: Services, commitment: Commitment, user_id: str) -> None:
    owner(commitment, user_id)


def _fetch(services: Services, team_id: str, ref: Ref) -> Commitment:
    return by_id(services, team_id, ref.id)


def typed(req, *rules) -> Commitment:
    """The commitment `#N` a `/commit …` names (`req.parsed.number`), in its own channel,
    checked by `rules` (e.g. `is_active, is_owner`)."""
    commitment = in_channel(req.services, req.team_id, req.channel_id, req.parsed.number)
    for rule in rules:
        rule(req.services, commitment, req.user_id)
    return commitment


def clicked(*rules) -> Load:
    """The commitment of the clicked button, checked by `rules` (e.g. `is_active, is_enrolled`)."""
    return Load("commitment", from_value, _fetch, rules)


def submitted(*rules) -> Load:
    """The commitment in the submitted modal's private_metadata, checked by `rules`."""
    return Load("commitment", from_metadata, _fetch, rules)
