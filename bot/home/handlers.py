"""App Home: publish each person's tab when they open it; declare a commitment from there."""

from __future__ import annotations

from datetime import timedelta

from slack_bolt import App

from bot import ids
from bot.commitments import views as commitment_views
from bot.commitments.facts import review
from bot.home import views
from bot.listening import guarded
from bot.services import Services
from storage import commitments as commitment_store
from storage import home as store

ENDED_SHOWN_DAYS = 30  # ended commitments stay on Home this long


# --- EXTENSION POINTS: the actions storage fills these in when it lands ---------------------------
# Each returns what `views.home_view` shows; until then Home shows no such section.


def open_actions_of(services: Services, team_id: str, user_id: str) -> list[views.ActionItem]:
    """Their open promises (for "Done"/"Not done")."""
    return []


def requests_for(services: Services, team_id: str, user_id: str) -> list[views.ActionItem]:
    """Requests asked of them, and counters to their own requests, waiting for their answer."""
    return []


def integrity_of(services: Services, team_id: str, user_id: str):
    """Their own integrity (`bot.coaching.integrity.Integrity`), or None to leave it out."""
    return None


# ------------------------------------------------------------------------------------------------


def home_for(services: Services, team_id: str, user_id: str) -> dict:
    """The person's home view: a handful of queries whatever the number of commitments."""
    today = services.today()
    commitments = store.commitments_of(
        services.db, team_id, user_id, services.now() - timedelta(days=ENDED_SHOWN_DAYS)
    )
    reviews = [review(s, today, services.day_of) for s in commitment_store.load_states(services.db, commitments)]
    return views.home_view(
        user_id,
        today,
        reviews,
        store.open_breakdowns_of(services.db, team_id, user_id),
        services.day_of,
        open_actions=open_actions_of(services, team_id, user_id),
        requests=requests_for(services, team_id, user_id),
        integrity=integrity_of(services, team_id, user_id),
    )


def publish_home(client, services: Services, team_id: str, user_id: str) -> None:
    """(Re)publish a person's home tab, e.g. after they answered an action from it."""
    client.views_publish(user_id=user_id, view=home_for(services, team_id, user_id))


def register(app: App, services: Services) -> None:
    @guarded
    def home_opened(client, event, body):
        if event.get("tab", "home") != "home":
            return
        team_id = body.get("team_id") or (event.get("view") or {}).get("team_id") or ""
        publish_home(client, services, team_id, event["user"])

    app.event("app_home_opened")(home_opened)

    @guarded
    def declare_from_home(ack, body, client):
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=commitment_views.commit_modal("", services.today()))

    app.action(ids.HOME_DECLARE)(declare_from_home)
