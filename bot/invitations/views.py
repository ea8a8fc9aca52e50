"""Block Kit for invitations: pure functions from data to (fallback text, blocks)."""

from __future__ import annotations

from bot import ids
from bot.commitments.views import span, title
from bot.slack.blocks import actions, button, context, section
from bot.slack.context import Ref
from bot.slack.text import user, users
from storage.models import Commitment, Invitation

Message = tuple[str, list[dict]]


def invitation_dm(invitation: Invitation, c: Commitment) -> Message:
    text = f"{user(invitation.inviter_id)} invites you to enrol in {title(c)} in <#{c.channel_id}>."
    value = Ref(invitation.id).encode()
    return text, [
        section(
            f"{user(invitation.inviter_id)} invites you to enrol in *{title(c)}* in <#{c.channel_id}>: "
            f"{span(c)} by {c.due.isoformat()}.\n"
            "Enrolled means you take it on as your own. Are you in?"
        ),
        actions(
            button("I'm in", ids.INVITE_ACCEPT, value, style="primary"),
            button("Not now", ids.INVITE_DECLINE, value),
        ),
    ]


def accepted_dm(c: Commitment) -> Message:
    text = (
        f":white_check_mark: You're in on *{title(c)}*. Its home thread in <#{c.channel_id}> is where it happens: "
        "what's the first thing you'll do?"
    )
    return text, [section(text)]


def declined_dm(c: Commitment) -> Message:
    text = f"Not now, for *{title(c)}*. Thanks for saying so plainly; you can still click *I'm in* on its announcement later."
    return text, [section(text)]


def joined_reply(c: Commitment, invitation: Invitation, enrolled: tuple[str, ...]) -> Message:
    text = (
        f"{user(invitation.invitee_id)} is in on #{c.number}, invited by {user(invitation.inviter_id)}. "
        f"Enrolled: {users(enrolled)}"
    )
    return text, [section(text)]


def inviter_told(c: Commitment, invitation: Invitation, accepted: bool) -> Message:
    if accepted:
        text = f"{user(invitation.invitee_id)} accepted your invitation: they're in on *{title(c)}*."
    else:
        text = (
            f"{user(invitation.invitee_id)} said “not now” to *{title(c)}*. "
            "That's a clear answer, and worth having. Who else could take it on with you?"
        )
    return text, [section(text)]


def invited_reply(
    invited: list[str], enrolled: list[str], pending: list[str], refused: list[str], c: Commitment
) -> str:
    """The inviter's ephemeral answer to `/commit enrol`: who was invited, and why the others weren't."""
    lines = []
    if invited:
        lines.append(f"Invited {users(invited)} to enrol in #{c.number}: each gets a direct message from me.")
    if enrolled:
        lines.append(f"Already enrolled in #{c.number}: {users(enrolled)}.")
    if pending:
        lines.append(f"Already invited, waiting for their answer: {users(pending)}.")
    lines.extend(refused)
    return "\n".join(lines)


def ended_answer(c: Commitment) -> Message:
    text = f"#{c.number} has ended, so there's nothing to enrol in any more. Thanks for answering."
    return text, [section(text), context("Watch its channel for the next one.")]
