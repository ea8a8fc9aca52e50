"""Listeners for App Home: publish each person's tab when they open it (`app_home_opened`);
declare a commitment from there (`home_declare`)."""

from __future__ import annotations

from slack_bolt import App

from bot import ids
from bot.commitments import views as commitment_views
from bot.home.flows import publish_home
from bot.services import Services
from bot.slack.guard import guarded


@guarded
def home_opened(client, event, services: Services, team_id: str):
    if event.get("tab", "home") != "home":
        return
    publish_home(client, services, team_id, event["user"])


@guarded
def declare_from_home(ack, body, client, services: Services):
    ack()
    client.views_open(trigger_id=body["trigger_id"], view=commitment_views.commit_modal("", services.today()))


def register(app: App) -> None:
    app.event("app_home_opened")(home_opened)
    app.action(ids.HOME_DECLARE)(declare_from_home)
