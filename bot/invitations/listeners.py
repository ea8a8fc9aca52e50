"""Listeners for invitations: `/commit enrol #N @person…` (owner and enrolled people invite),
`invite_accept` ("I'm in": enrols) and `invite_decline` ("Not now"), from the invitation's
direct message. Each one checks, then calls flows.py; `register` wires them all."""

from __future__ import annotations

from slack_bolt import App

from bot import ids
from bot.actions.flows import replace_clicked
from bot.coaching import parsing
from bot.commitments import access
from bot.commitments.flows import CommitmentFlows
from bot.invitations import flows, views
from bot.services import Services
from bot.slack.commands import CommandRequest, CommitRouter, with_usage
from bot.slack.context import Load, Ref, from_value, listener
from bot.slack.guard import CoachError
from storage import commitments as commitment_store
from storage import invitations as store
from storage.models import Commitment, CommitmentStatus, Invitation, InvitationStatus

NOT_FOUND = "That button doesn't point at an invitation I know."


def enrol(req: CommandRequest) -> None:
    """`/commit enrol #N @person…`: invite each person by direct message."""
    p, services = req.parsed, req.services
    commitment = access.typed(req, access.is_active, access.is_enrolled)
    people, refused = flows.sort_people(req.client, p.people, req.user_id, commitment.owner_id)
    if not people:
        raise CoachError(with_usage("\n".join(refused) or "Mention who you invite."))
    invited = flows.store_invitations(services, commitment, req.user_id, people)
    answer = views.invited_reply(
        [i.invitee_id for i in invited.new], invited.enrolled, invited.pending, refused, commitment
    )
    req.reply(answer)
    if invited.new:
        flows.send_invitations(services, req.client, commitment, invited.new)
        CommitmentFlows(services).refresh_announcement(req.client, commitment)


# --- the invitation's buttons --------------------------------------------------------------------


def _fetch(services: Services, team_id: str, ref: Ref) -> tuple[Invitation, Commitment]:
    found = store.get_with_commitment(services.db, ref.id)
    if found is None or found[1].team_id != team_id:
        raise CoachError(NOT_FOUND)
    return found


def _is_invitee(services: Services, found: tuple[Invitation, Commitment], user_id: str) -> None:
    invitation, commitment = found
    if invitation.invitee_id != user_id:
        raise CoachError(f"This invitation to #{commitment.number} is for {'<@' + invitation.invitee_id + '>'}.")


INVITED = Load("invited", from_value, _fetch, (_is_invitee,))


def _answer(ack, body, client, services: Services, invited, accept: bool) -> None:
    ack()
    invitation, commitment = invited
    if commitment.status != CommitmentStatus.ACTIVE:
        replace_clicked(client, body, views.ended_answer(commitment))
        return
    answered = store.answer(services.db, invitation.id, accept, services.now())
    if answered is None:
        said = "you're in" if invitation.status == InvitationStatus.ACCEPTED else "not now"
        raise CoachError(f"You already answered this invitation to #{commitment.number} ({said}).")
    replace_clicked(client, body, views.accepted_dm(commitment) if accept else views.declined_dm(commitment))
    commitment_flows = CommitmentFlows(services)
    if accept:
        enrolled = commitment_store.load_state(services.db, commitment).enrolled
        commitment_flows.in_thread(client, commitment, views.joined_reply(commitment, answered, enrolled))
    commitment_flows.refresh_announcement(client, commitment)
    flows.tell_inviter(client, commitment, answered, accept)


@listener(INVITED)
def accept(ack, body, client, services: Services, invited):
    _answer(ack, body, client, services, invited, accept=True)


@listener(INVITED)
def decline(ack, body, client, services: Services, invited):
    _answer(ack, body, client, services, invited, accept=False)


def register(app: App, router: CommitRouter) -> None:
    router.on(parsing.Enrol)(enrol)
    app.action(ids.INVITE_ACCEPT)(accept)
    app.action(ids.INVITE_DECLINE)(decline)
