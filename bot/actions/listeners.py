"""Listeners for actions: add one (`checkin_add_action` → `action_modal`), answer a request
(`action_accept`, `action_decline`, `action_counter` → `counter_modal` → `counter_accept` /
`counter_reject`), and mark a promise `action_kept` / `action_not_kept`.

The answering buttons are also on App Home (a `view` container: no channel, no message, no
response_url): answers then go to the person by direct message (`tell`), and their Home tab
is published again, so it shows what changed."""

from __future__ import annotations

import functools
import logging
from datetime import date

from slack_bolt import App

from bot import ids
from bot.actions import flows, views
from bot.actions.flows import ANSWERED, action_of, from_home, in_thread, replace_clicked, replace_request, send_request
from bot.actions.promises import promise_facts
from bot.coaching.integrity import PromiseState, can_revoke, promise_state
from bot.commitments import access
from bot.home.flows import publish_home
from bot.reminders import views as reminder_views
from bot.services import Services
from bot.slack.context import Ref, decode_ref, listener
from bot.slack.forms import form_values, text_value
from bot.slack.guard import CoachError, ModalErrors, guarded, tell
from bot.slack.posting import post
from bot.slack.text import day, escape, unescape, user
from storage import actions as store
from storage.models import Action, ActionStatus, Commitment

log = logging.getLogger(__name__)


def refresh_home(client, services: Services, team_id: str, user_id: str, on_home: bool) -> None:
    """After a click on App Home, publish the person's Home again (never raises)."""
    if not on_home:
        return
    try:
        publish_home(client, services, team_id, user_id)
    except Exception:
        log.warning("could not refresh the Home tab of %s", user_id, exc_info=True)


def refreshing_home(fn):
    """A button listener that, clicked on a stale App Home ("already answered"), also refreshes
    it: acked first, then Home published, then `guarded` tells the person why."""

    @functools.wraps(fn)
    def wrapped(ack, body, client, action, services: Services, team_id: str, user_id: str):
        try:
            fn(ack, body, client, action, services, team_id, user_id)
        except CoachError:
            if from_home(body):
                if ack.response is None:
                    ack()
                refresh_home(client, services, team_id, user_id, True)
            raise

    return guarded(wrapped)


def due_from(values: dict, today: date) -> date:
    raw = text_value(values, ids.DUE)
    try:
        due = date.fromisoformat(raw)
    except ValueError:
        raise ModalErrors({ids.DUE: "Pick a due date."}) from None
    if due < today:
        raise ModalErrors({ids.DUE: f"Pick today ({today.isoformat()}) or a later date."})
    return due


# --- adding an action ------------------------------------------------------------------------------


@listener(access.clicked(access.is_active, access.is_enrolled))
def open_action_modal(ack, body, client, services: Services, user_id: str, commitment: Commitment, ref: Ref):
    ack()
    client.views_open(
        trigger_id=body["trigger_id"],
        view=views.action_modal(commitment, ref.breakdown, user_id, services.today()),
    )


def _what_owner_due(values: dict, today: date) -> tuple[str, str, date]:
    """action_modal's inputs, every problem on its own block."""
    errors: dict[str, str] = {}
    what = unescape(text_value(values, ids.WHAT))
    if not what:
        errors[ids.WHAT] = "Say what will be done."
    elif len(what) > views.MAX_WHAT:
        errors[ids.WHAT] = f"Keep it under {views.MAX_WHAT} characters."
    owner = values.get(ids.OWNER)
    if not owner or not isinstance(owner, str):
        errors[ids.OWNER] = "Pick who will do it."
    due = today
    try:
        due = due_from(values, today)
    except ModalErrors as problem:
        errors.update(problem.errors)
    if errors:
        raise ModalErrors(errors)
    return what, owner, due


@listener(access.submitted(access.is_active, access.is_enrolled))
def action_submitted(ack, body, client, view, services: Services, user_id: str, commitment: Commitment, ref: Ref):
    what, owner, due = _what_owner_due(form_values(view), services.today())
    breakdown_id = flows.breakdown_answered(services, commitment, ref.breakdown)
    ack()
    added = store.add(
        services.db,
        commitment_id=commitment.id,
        breakdown_id=breakdown_id,
        what=what,
        owner_id=owner,
        asker_id=user_id,
        due=due,
        now=services.now(),
    )
    if added.status == ActionStatus.PROMISED:
        in_thread(client, commitment, views.promised(added))
        return
    if not send_request(client, services, added, commitment):
        tell(client, body, f"I couldn't reach {user(owner)} by direct message: ask them in the thread.")
    back = flows.away_until(services, commitment.team_id, owner)
    if back is not None:
        tell(client, body, views.owner_away(added, back))
    in_thread(client, commitment, views.requested(added))


# --- answering a request (its owner) ---------------------------------------------------------------


def _requested_of(services: Services, team_id: str, user_id: str, raw) -> tuple[Action, Commitment]:
    a, c = action_of(services, team_id, raw)
    if user_id != a.owner_id:
        raise CoachError(f"This request is for {user(a.owner_id)}: only they can answer it.")
    if a.status != ActionStatus.REQUESTED:
        raise CoachError(f"You already answered this request: {ANSWERED.get(a.status, a.status)}.")
    return a, c


@refreshing_home
def accept(ack, body, client, action, services: Services, team_id: str, user_id: str):
    a, c = _requested_of(services, team_id, user_id, action.get("value"))
    ack()
    promised = store.accept(services.db, a.id, services.now())
    if promised is None:
        raise CoachError("You already answered this request.")
    replace_request(client, body, promised, views.request_answered(promised, c, ":handshake: You promised it."))
    in_thread(client, c, views.accepted(promised))
    refresh_home(client, services, team_id, user_id, from_home(body))


@refreshing_home
def decline(ack, body, client, action, services: Services, team_id: str, user_id: str):
    a, c = _requested_of(services, team_id, user_id, action.get("value"))
    ack()
    declined = store.decline(services.db, a.id)
    if declined is None:
        raise CoachError("You already answered this request.")
    replace_request(client, body, declined, views.request_answered(declined, c, "You declined it."))
    in_thread(client, c, views.declined(declined))
    refresh_home(client, services, team_id, user_id, from_home(body))


@refreshing_home
def open_counter(ack, body, client, action, services: Services, team_id: str, user_id: str):
    a, c = _requested_of(services, team_id, user_id, action.get("value"))
    ack()
    client.views_open(trigger_id=body["trigger_id"], view=views.counter_modal(a, c, from_home(body)))


@guarded
def counter_submitted(ack, client, view, services: Services, team_id: str, user_id: str):
    proposed = due_from(form_values(view), services.today())
    ref = decode_ref(view.get("private_metadata"))
    a, c = action_of(services, team_id, ref.id)
    if user_id != a.owner_id:
        raise CoachError(f"This request is for {user(a.owner_id)}: only they can answer it.")
    if proposed == a.due:
        raise ModalErrors({ids.DUE: "That's the date asked for: click *I promise* instead, or pick another."})
    ack()
    countered = store.counter(services.db, a.id, proposed)
    if countered is None:
        raise CoachError("You already answered this request.")
    if countered.request_channel and countered.request_ts:
        text, blocks = views.request_answered(
            countered, c, f"You proposed {day(proposed)} instead; waiting for {user(a.asker_id)}."
        )
        client.chat_update(channel=countered.request_channel, ts=countered.request_ts, text=text, blocks=blocks)
    post(client, countered.asker_id, views.counter_dm(countered, c))
    in_thread(client, c, views.countered(countered))
    refresh_home(client, services, team_id, user_id, ref.home)


# --- answering a counter (the asker) ---------------------------------------------------------------


def _countered_of(services: Services, team_id: str, user_id: str, raw) -> tuple[Action, Commitment, date]:
    ref = decode_ref(raw)
    if ref.proposed is None:
        raise CoachError("This counter has already been answered.")
    a, c = action_of(services, team_id, ref.id)
    if user_id != a.asker_id:
        raise CoachError(f"Only {user(a.asker_id)}, who asked for it, can answer this.")
    if a.status != ActionStatus.COUNTERED or a.countered_due != ref.proposed:
        raise CoachError("This counter has already been answered.")
    return a, c, ref.proposed


@guarded
def counter_accept(ack, body, client, action, services: Services, team_id: str, user_id: str):
    a, c, proposed = _countered_of(services, team_id, user_id, action.get("value"))
    ack()
    promised = store.accept_counter(services.db, a.id, proposed, services.now())
    if promised is None:
        raise CoachError("This counter has already been answered.")
    replace_clicked(client, body, views.counter_answered(promised, c, proposed, "You accepted: it's a promise."))
    post(client, promised.owner_id, views.counter_accepted_dm(promised, c))
    in_thread(client, c, views.counter_accepted(promised))


@guarded
def counter_reject(ack, body, client, action, services: Services, team_id: str, user_id: str):
    a, c, proposed = _countered_of(services, team_id, user_id, action.get("value"))
    ack()
    reopened = store.reject_counter(services.db, a.id)
    if reopened is None:
        raise CoachError("This counter has already been answered.")
    replace_clicked(client, body, views.counter_answered(reopened, c, proposed, f"You kept {day(reopened.due)}."))
    note = f"{user(a.asker_id)} keeps {day(reopened.due)}, not {day(proposed)}."
    send_request(client, services, reopened, c, note=note)


# --- Done / Not done (the promise's owner) ---------------------------------------------------------


def _promise_of(services: Services, team_id: str, user_id: str, raw) -> tuple[Action, Commitment]:
    a, c = action_of(services, team_id, raw)
    if user_id != a.owner_id:
        raise CoachError(f"Only {user(a.owner_id)} can mark this action: it's their promise.")
    if a.status != ActionStatus.PROMISED:
        raise CoachError("This action isn't a promise yet, so there's nothing to mark.")
    if a.done_on is not None:
        raise CoachError(f"You already marked it done ({day(a.done_on)}).")
    if a.revoked_on is not None:
        raise CoachError(f"You said on {day(a.revoked_on)} it won't be done.")
    return a, c


@refreshing_home
def kept(ack, body, client, action, services: Services, team_id: str, user_id: str):
    a, c = _promise_of(services, team_id, user_id, action.get("value"))
    ack()
    done = store.mark_done(services.db, a.id, services.today())
    if done is None:
        raise CoachError("It's already marked.")
    if promise_state(promise_facts(done), services.today()) is PromiseState.KEPT:
        in_thread(client, c, views.kept(done))
        tell(client, body, f"Done: {escape(done.what)}. A promise kept.")
    else:
        in_thread(client, c, views.delivered_late(done))
        tell(
            client,
            body,
            f"Thanks: {escape(done.what)} is delivered. It was due {day(done.due)}, so it's recorded as delivered late.",
        )
    refresh_home(client, services, team_id, user_id, from_home(body))


@refreshing_home
def not_kept(ack, body, client, action, services: Services, team_id: str, user_id: str):
    a, c = _promise_of(services, team_id, user_id, action.get("value"))
    today = services.today()
    if not can_revoke(promise_facts(a), today):
        raise CoachError(
            f"It was due {day(a.due)}: past its due date it counts as not kept. If you still deliver it, click *Done*."
        )
    ack()
    revoked = store.revoke(services.db, a.id, today)
    if revoked is None:
        raise CoachError("It's already marked.")
    in_thread(client, c, views.revoked(revoked))
    tell(client, body, f"Revoked: {escape(revoked.what)}. Thanks for saying so in time.")
    refresh_home(client, services, team_id, user_id, from_home(body))


# --- New date for an overdue promise (its owner) -------------------------------------------------


def _overdue_of(services: Services, team_id: str, user_id: str, raw) -> tuple[Action, Commitment]:
    """A promise past its due date, still open, of the person clicking, on an active commitment."""
    a, c = _promise_of(services, team_id, user_id, raw)
    access.active(c)
    if promise_state(promise_facts(a), services.today()) is not PromiseState.BROKEN:
        raise CoachError(f"{escape(a.what)} is due {day(a.due)}: it needs no new date yet.")
    return a, c


@guarded
def open_redate(ack, body, client, action, services: Services, team_id: str, user_id: str):
    a, c = _overdue_of(services, team_id, user_id, action.get("value"))
    ack()
    client.views_open(trigger_id=body["trigger_id"], view=reminder_views.redate_modal(a, c, services.today()))


@guarded
def redate_submitted(ack, client, view, services: Services, team_id: str, user_id: str):
    due = due_from(form_values(view), services.today())
    a, c = _overdue_of(services, team_id, user_id, view.get("private_metadata"))
    if flows.redated_already(services, a):
        raise ModalErrors({ids.DUE: "You already gave it a new date: it's in the thread."})
    ack()
    new = store.add(
        services.db,
        commitment_id=c.id,
        breakdown_id=a.breakdown_id,
        what=a.what,
        owner_id=user_id,
        asker_id=user_id,
        due=due,
        now=services.now(),
    )
    in_thread(client, c, views.redated(new, a))


def register(app: App) -> None:
    app.action(ids.CHECKIN_ADD_ACTION)(open_action_modal)
    app.view(ids.ACTION_MODAL)(action_submitted)
    app.action(ids.ACTION_ACCEPT)(accept)
    app.action(ids.ACTION_DECLINE)(decline)
    app.action(ids.ACTION_COUNTER)(open_counter)
    app.view(ids.COUNTER_MODAL)(counter_submitted)
    app.action(ids.COUNTER_ACCEPT)(counter_accept)
    app.action(ids.COUNTER_REJECT)(counter_reject)
    app.action(ids.ACTION_KEPT)(kept)
    app.action(ids.ACTION_NOT_KEPT)(not_kept)
    app.action(ids.ACTION_REDATE)(open_redate)
    app.view(ids.REDATE_MODAL)(redate_submitted)
