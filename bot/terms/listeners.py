"""Listeners for a commitment's terms: sub-results (`/commit milestone`, `commitment_add_milestone`
→ `milestone_modal`), standing (`stand_firm` → `action_modal`) and renegotiating
(`stand_renegotiate` → `renegotiate_modal`, `/commit renegotiate`, owner only)."""

from __future__ import annotations

from datetime import date

from slack_bolt import App

from bot import ids
from bot.actions.listeners import open_action_modal
from bot.coaching.terms_parsing import AddMilestone, Renegotiate
from bot.commitments import access
from bot.commitments.listeners import number_field
from bot.services import Services
from bot.slack.commands import CommandRequest, CommitRouter, with_usage
from bot.slack.context import listener
from bot.slack.forms import form_values, text_value
from bot.slack.guard import CoachError, ModalErrors
from bot.slack.text import escape, quantity, unescape
from bot.terms import flows, views
from storage.models import Commitment

# --- /commit milestone, /commit renegotiate ---------------------------------------------------------


def milestone(req: CommandRequest) -> None:
    p, s = req.parsed, req.services
    commitment = access.typed(req, access.is_active, access.is_enrolled)
    problems = flows.milestone_problems(s, commitment, p.value, p.due)
    if problems:
        raise CoachError(with_usage("\n".join(escape(message) for _, message in problems)))
    flows.store_milestone(s, commitment, p.value, p.due, req.user_id)
    req.reply(f"Sub-result set on #{commitment.number}: {quantity(p.value, commitment.unit)} by {p.due.isoformat()}.")
    flows.tell_milestone(req.client, commitment, p.value, p.due, req.user_id)


def renegotiate(req: CommandRequest) -> None:
    p, s = req.parsed, req.services
    commitment = access.typed(req, access.is_active, access.is_owner)
    problems = flows.renegotiation_problems(commitment, p.target, p.due, p.reason, s.today())
    if problems:
        raise CoachError(with_usage("\n".join(escape(message) for _, message in problems)))
    commitment, entry = flows.renegotiate(s, commitment, p.target, p.due, p.reason, req.user_id)
    req.reply(f"#{commitment.number} is renegotiated: {quantity(p.target, commitment.unit)} by {p.due.isoformat()}.")
    flows.announce_renegotiation(s, req.client, commitment, entry)


# --- buttons and modals ------------------------------------------------------------------------------


@listener(access.clicked(access.is_active, access.is_enrolled))
def open_milestone(ack, body, client, commitment: Commitment):
    ack()
    client.views_open(trigger_id=body["trigger_id"], view=views.milestone_modal(commitment))


def _due_field(values: dict) -> date:
    try:
        return date.fromisoformat(text_value(values, ids.DUE))
    except ValueError:
        raise ModalErrors({ids.DUE: "Pick a date."}) from None


@listener(access.submitted(access.is_active, access.is_enrolled))
def milestone_submitted(ack, client, view, services: Services, user_id: str, commitment: Commitment):
    values = form_values(view)
    value = number_field(values, ids.VALUE, required=True)
    due = _due_field(values)
    problems = flows.milestone_problems(services, commitment, value, due)
    if problems:
        raise ModalErrors({field: message for field, message in reversed(problems)})
    flows.store_milestone(services, commitment, value, due, user_id)
    ack()
    flows.tell_milestone(client, commitment, value, due, user_id)


@listener(access.clicked(access.is_active, access.is_owner))
def open_renegotiate(ack, body, client, commitment: Commitment):
    ack()
    client.views_open(trigger_id=body["trigger_id"], view=views.renegotiate_modal(commitment))


@listener(access.submitted(access.is_active, access.is_owner))
def renegotiate_submitted(ack, client, view, services: Services, user_id: str, commitment: Commitment):
    values = form_values(view)
    errors: dict[str, str] = {}
    target = due = None
    try:
        target = number_field(values, ids.TARGET, required=True)
    except ModalErrors as problem:
        errors.update(problem.errors)
    try:
        due = _due_field(values)
    except ModalErrors as problem:
        errors.update(problem.errors)
    reason = unescape(text_value(values, ids.REASON))
    if not errors:
        problems = flows.renegotiation_problems(commitment, target, due, reason, services.today())
        errors = {field: message for field, message in reversed(problems)}
    elif not reason:
        errors[ids.REASON] = "Say why: the reason is part of the new promise."
    if errors:
        raise ModalErrors(errors)
    commitment, entry = flows.renegotiate(services, commitment, target, due, reason, user_id)
    ack()
    flows.announce_renegotiation(services, client, commitment, entry)


def register(app: App, router: CommitRouter) -> None:
    router.on(AddMilestone)(milestone)
    router.on(Renegotiate)(renegotiate)
    app.action(ids.COMMITMENT_ADD_MILESTONE)(open_milestone)
    app.view(ids.MILESTONE_MODAL)(milestone_submitted)
    app.action(ids.STAND_FIRM)(open_action_modal)  # "I stand": a new action, as "Add new action" opens it
    app.action(ids.STAND_RENEGOTIATE)(open_renegotiate)
    app.view(ids.RENEGOTIATE_MODAL)(renegotiate_submitted)
