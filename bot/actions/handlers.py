"""Listeners for actions: add one (`checkin_add_action` → `action_modal`), answer a request
(`action_accept`, `action_decline`, `action_counter` → `counter_modal` → `counter_accept` /
`counter_reject`), and mark a promise `action_kept` / `action_not_kept`.

The answering buttons are also on App Home (a `view` container: no channel, no message, no
response_url): answers then go to the person by direct message (`tell`), and their Home tab
is published again, so it shows what changed."""

from __future__ import annotations

import logging
from datetime import date

from slack_bolt import App
from slack_sdk.errors import SlackApiError

from bot import ids
from bot.actions import views
from bot.actions.promises import promise_facts
from bot.coaching.integrity import PromiseState, can_revoke, promise_state
from bot.commitments import access
from bot.home.handlers import publish_home
from bot.services import Services
from bot.slack.forms import form_values, text_value
from bot.slack.guard import CoachError, ModalErrors, guarded, tell
from bot.slack.posting import post
from bot.slack.text import day, escape, unescape, user
from storage import actions as store
from storage import checkins as checkin_store
from storage.models import Action, ActionStatus, Commitment

log = logging.getLogger(__name__)

ANSWERED = {
    ActionStatus.PROMISED: "you promised it",
    ActionStatus.DECLINED: "you declined it",
    ActionStatus.COUNTERED: "you proposed another date",
    ActionStatus.REQUESTED: "it is waiting for an answer",
}


def _action(services: Services, team_id: str, value) -> tuple[Action, Commitment]:
    """The action behind a button or modal, checked against the clicking workspace."""
    try:
        found = store.get_with_commitment(services.db, int(value))
    except (TypeError, ValueError):
        found = None
    if found is None or found[1].team_id != team_id:
        raise CoachError("That button doesn't point at an action I know.")
    return found


def _in_thread(client, c: Commitment, message) -> None:
    post(client, c.channel_id, message, thread_ts=c.home_ts)


def _message_of(body: dict) -> tuple[str | None, str | None]:
    """(channel, ts) of the message whose button was clicked."""
    container = body.get("container") or {}
    return container.get("channel_id") or (body.get("channel") or {}).get("id"), container.get("message_ts")


def _replace_clicked(client, body: dict, message) -> None:
    channel, ts = _message_of(body)
    if channel and ts:
        client.chat_update(channel=channel, ts=ts, text=message[0], blocks=message[1])


def _replace_request(client, body: dict, a: Action, message) -> None:
    """Show the answer in place of the request's buttons: the clicked message, or, for a click
    from App Home, the direct message that brought the request (when it was delivered)."""
    channel, ts = _message_of(body)
    if not (channel and ts):
        channel, ts = a.request_channel, a.request_ts
    if not (channel and ts):
        return
    try:
        client.chat_update(channel=channel, ts=ts, text=message[0], blocks=message[1])
    except SlackApiError as error:  # the answer is stored and said in the thread all the same
        log.warning("could not update the request message of %s: %s", a.id, error.response.get("error"))


def from_home(body: dict) -> bool:
    """Whether a button was clicked on App Home (rather than in a message)."""
    return (body.get("container") or {}).get("type") == "view" and (body.get("view") or {}).get("type") == "home"


def _due_from(values: dict, today: date) -> date:
    raw = text_value(values, ids.DUE)
    try:
        due = date.fromisoformat(raw)
    except ValueError:
        raise ModalErrors({ids.DUE: "Pick a due date."}) from None
    if due < today:
        raise ModalErrors({ids.DUE: f"Pick today ({today.isoformat()}) or a later date."})
    return due


def register(app: App, services: Services) -> None:
    db = services.db

    def refresh_home(client, body: dict, clicked_on_home: bool | None = None) -> None:
        """After a click on App Home, publish the person's Home again (never raises)."""
        if not (from_home(body) if clicked_on_home is None else clicked_on_home):
            return
        try:
            publish_home(client, services, body["team"]["id"], body["user"]["id"])
        except Exception:
            log.warning("could not refresh the Home tab of %s", body["user"]["id"], exc_info=True)

    def refreshing_home(listener):
        """A button listener that, clicked on a stale App Home ("already answered"), also
        refreshes it: acked first, then Home published, then `guarded` tells the person why."""

        def wrapped(ack, body, client, action):
            try:
                listener(ack, body, client, action)
            except CoachError:
                if from_home(body):
                    if ack.response is None:
                        ack()
                    refresh_home(client, body)
                raise

        wrapped.__name__ = listener.__name__
        wrapped.__qualname__ = listener.__qualname__
        return wrapped

    # --- adding an action ---------------------------------------------------------------------

    @guarded
    def open_action_modal(ack, body, client, action):
        commitment_id, _, breakdown = str(action.get("value") or "").partition(":")
        commitment = access.active(access.by_id(services, body["team"]["id"], commitment_id))
        access.enrolled(services, commitment, body["user"]["id"])
        ack()
        breakdown_id = int(breakdown) if breakdown.isdigit() else None
        client.views_open(
            trigger_id=body["trigger_id"],
            view=views.action_modal(commitment, breakdown_id, body["user"]["id"], services.today()),
        )

    app.action(ids.CHECKIN_ADD_ACTION)(open_action_modal)

    @guarded
    def action_submitted(ack, body, client, view):
        values = form_values(view)
        errors: dict[str, str] = {}
        what = unescape(text_value(values, ids.WHAT))
        if not what:
            errors[ids.WHAT] = "Say what will be done."
        elif len(what) > views.MAX_WHAT:
            errors[ids.WHAT] = f"Keep it under {views.MAX_WHAT} characters."
        owner = values.get(ids.OWNER)
        if not owner or not isinstance(owner, str):
            errors[ids.OWNER] = "Pick who will do it."
        try:
            due = _due_from(values, services.today())
        except ModalErrors as problem:
            errors.update(problem.errors)
        if errors:
            raise ModalErrors(errors)
        commitment_id, breakdown_id = views.read_metadata(view.get("private_metadata"))
        commitment = access.active(access.by_id(services, body["team"]["id"], commitment_id))
        asker = body["user"]["id"]
        access.enrolled(services, commitment, asker)
        if breakdown_id is not None:
            breakdown = checkin_store.get_breakdown(db, breakdown_id)
            if breakdown is None or breakdown.commitment_id != commitment.id:
                breakdown_id = None
        if breakdown_id is None:  # an action taken while a breakdown is open answers it
            open_now = checkin_store.open_breakdowns_of(db, commitment.id)
            breakdown_id = open_now[0].id if open_now else None
        ack()
        added = store.add(
            db,
            commitment_id=commitment.id,
            breakdown_id=breakdown_id,
            what=what,
            owner_id=owner,
            asker_id=asker,
            due=due,
            now=services.now(),
        )
        if added.status == ActionStatus.PROMISED:
            _in_thread(client, commitment, views.promised(added))
            return
        if not _send_request(client, added, commitment):
            tell(client, body, f"I couldn't reach {user(owner)} by direct message: ask them in the thread.")
        _in_thread(client, commitment, views.requested(added))

    app.view(ids.ACTION_MODAL)(action_submitted)

    def _send_request(client, a: Action, c: Commitment, note: str | None = None) -> bool:
        """The request goes to its owner by direct message, with its three answers."""
        text, blocks = views.request_dm(a, c, note)
        try:
            response = client.chat_postMessage(channel=a.owner_id, text=text, blocks=blocks)
        except SlackApiError as error:
            log.warning("request %s could not reach %s: %s", a.id, a.owner_id, error.response.get("error"))
            return False
        store.set_request_message(db, a.id, response.get("channel"), response.get("ts"))
        return True

    # --- answering a request (its owner) ---------------------------------------------------------

    def _requested_of(body, action) -> tuple[Action, Commitment]:
        a, c = _action(services, body["team"]["id"], action.get("value"))
        if body["user"]["id"] != a.owner_id:
            raise CoachError(f"This request is for {user(a.owner_id)}: only they can answer it.")
        if a.status != ActionStatus.REQUESTED:
            raise CoachError(f"You already answered this request: {ANSWERED.get(a.status, a.status)}.")
        return a, c

    @guarded
    @refreshing_home
    def accept(ack, body, client, action):
        a, c = _requested_of(body, action)
        ack()
        promised = store.accept(db, a.id, services.now())
        if promised is None:
            raise CoachError("You already answered this request.")
        _replace_request(client, body, promised, views.request_answered(promised, c, ":handshake: You promised it."))
        _in_thread(client, c, views.accepted(promised))
        refresh_home(client, body)

    app.action(ids.ACTION_ACCEPT)(accept)

    @guarded
    @refreshing_home
    def decline(ack, body, client, action):
        a, c = _requested_of(body, action)
        ack()
        declined = store.decline(db, a.id)
        if declined is None:
            raise CoachError("You already answered this request.")
        _replace_request(client, body, declined, views.request_answered(declined, c, "You declined it."))
        _in_thread(client, c, views.declined(declined))
        refresh_home(client, body)

    app.action(ids.ACTION_DECLINE)(decline)

    @guarded
    @refreshing_home
    def open_counter(ack, body, client, action):
        a, c = _requested_of(body, action)
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=views.counter_modal(a, c, from_home(body)))

    app.action(ids.ACTION_COUNTER)(open_counter)

    @guarded
    def counter_submitted(ack, body, client, view):
        proposed = _due_from(form_values(view), services.today())
        action_id, opened_on_home = views.read_counter_metadata(view.get("private_metadata"))
        a, c = _action(services, body["team"]["id"], action_id)
        if body["user"]["id"] != a.owner_id:
            raise CoachError(f"This request is for {user(a.owner_id)}: only they can answer it.")
        if proposed == a.due:
            raise ModalErrors({ids.DUE: "That's the date asked for: click *I promise* instead, or pick another."})
        ack()
        countered = store.counter(db, a.id, proposed)
        if countered is None:
            raise CoachError("You already answered this request.")
        if countered.request_channel and countered.request_ts:
            message = views.request_answered(
                countered, c, f"You proposed {day(proposed)} instead; waiting for {user(a.asker_id)}."
            )
            client.chat_update(
                channel=countered.request_channel, ts=countered.request_ts, text=message[0], blocks=message[1]
            )
        post(client, countered.asker_id, views.counter_dm(countered, c))
        _in_thread(client, c, views.countered(countered))
        refresh_home(client, body, opened_on_home)

    app.view(ids.COUNTER_MODAL)(counter_submitted)

    # --- answering a counter (the asker) ---------------------------------------------------------

    def _countered_of(body, action) -> tuple[Action, Commitment, date]:
        action_id, proposed = views.read_counter_value(action.get("value"))
        a, c = _action(services, body["team"]["id"], action_id)
        if body["user"]["id"] != a.asker_id:
            raise CoachError(f"Only {user(a.asker_id)}, who asked for it, can answer this.")
        if a.status != ActionStatus.COUNTERED or a.countered_due != proposed:
            raise CoachError("This counter has already been answered.")
        return a, c, proposed

    @guarded
    def counter_accept(ack, body, client, action):
        a, c, proposed = _countered_of(body, action)
        ack()
        promised = store.accept_counter(db, a.id, proposed, services.now())
        if promised is None:
            raise CoachError("This counter has already been answered.")
        _replace_clicked(client, body, views.counter_answered(promised, c, proposed, "You accepted: it's a promise."))
        post(client, promised.owner_id, views.counter_accepted_dm(promised, c))
        _in_thread(client, c, views.counter_accepted(promised))

    app.action(ids.COUNTER_ACCEPT)(counter_accept)

    @guarded
    def counter_reject(ack, body, client, action):
        a, c, proposed = _countered_of(body, action)
        ack()
        reopened = store.reject_counter(db, a.id)
        if reopened is None:
            raise CoachError("This counter has already been answered.")
        _replace_clicked(client, body, views.counter_answered(reopened, c, proposed, f"You kept {day(reopened.due)}."))
        _send_request(client, reopened, c, note=f"{user(a.asker_id)} keeps {day(reopened.due)}, not {day(proposed)}.")

    app.action(ids.COUNTER_REJECT)(counter_reject)

    # --- Done / Not done (the promise's owner) -----------------------------------------------------

    def _promise_of(body, action) -> tuple[Action, Commitment]:
        a, c = _action(services, body["team"]["id"], action.get("value"))
        if body["user"]["id"] != a.owner_id:
            raise CoachError(f"Only {user(a.owner_id)} can mark this action: it's their promise.")
        if a.status != ActionStatus.PROMISED:
            raise CoachError("This action isn't a promise yet, so there's nothing to mark.")
        if a.done_on is not None:
            raise CoachError(f"You already marked it done ({day(a.done_on)}).")
        if a.revoked_on is not None:
            raise CoachError(f"You said on {day(a.revoked_on)} it won't be done.")
        return a, c

    @guarded
    @refreshing_home
    def kept(ack, body, client, action):
        a, c = _promise_of(body, action)
        ack()
        done = store.mark_done(db, a.id, services.today())
        if done is None:
            raise CoachError("It's already marked.")
        if promise_state(promise_facts(done), services.today()) is PromiseState.KEPT:
            _in_thread(client, c, views.kept(done))
            tell(client, body, f"Done: {escape(done.what)}. A promise kept.")
        else:
            _in_thread(client, c, views.delivered_late(done))
            tell(client, body, f"Done: {escape(done.what)}. Recorded as delivered late (it was due {day(done.due)}).")
        refresh_home(client, body)

    app.action(ids.ACTION_KEPT)(kept)

    @guarded
    @refreshing_home
    def not_kept(ack, body, client, action):
        a, c = _promise_of(body, action)
        today = services.today()
        if not can_revoke(promise_facts(a), today):
            raise CoachError(
                f"It was due {day(a.due)}: past its due date it counts as not kept. "
                "If you still deliver it, click *Done*."
            )
        ack()
        revoked = store.revoke(db, a.id, today)
        if revoked is None:
            raise CoachError("It's already marked.")
        _in_thread(client, c, views.revoked(revoked))
        tell(client, body, f"Revoked: {escape(revoked.what)}. Thanks for saying so in time.")
        refresh_home(client, body)

    app.action(ids.ACTION_NOT_KEPT)(not_kept)
