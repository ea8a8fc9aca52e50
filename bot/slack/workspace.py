"""One authorized workspace per request, and the ids Slack hands us checked (SPEC §3).

Bolt reads the workspace from the body (`view.app_installed_team_id` first, then `team`, then
`authorizations[0]`, then `team_id`) and authorizes that one; in single-workspace mode it is
the bot token's workspace (auth.test). Every listener gets `team_id` from the authorization
result (`authorized_team`), never from the body. A body whose workspace fields name another
workspace than the one authorized is refused before any listener runs (`team_problem`),
as is a body whose user or channel id is not one Slack would send (`id_problem`): the app's
middleware (bot/app.py) answers 200 with nothing done (a command gets a short ephemeral
answer) and logs one line.

Ids people pick in modals are checked where the form is read (bot/slack/forms.py: a user
picker value that isn't a user id is an error on its block), and a channel a modal carries in
its `private_metadata` must not be another workspace's (`check_channel`).
"""

from __future__ import annotations

import json
import re
from typing import Any

from bot.slack.guard import CoachError

USER_ID = re.compile(r"^[UW][A-Z0-9]{1,31}$")
CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{1,31}$")
TEAM_ID = re.compile(r"^[TE][A-Z0-9]{1,31}$")
WRONG_WORKSPACE = "That came from another workspace than the one I'm installed in here, so I did nothing."
NOT_A_CHANNEL = "I lost track of the channel; run it again from the channel."


def authorized_team(context) -> str:
    """The workspace Bolt authorized for this request ('' when it authorized none)."""
    result = context.get("authorize_result")
    team = getattr(result, "team_id", None) if result is not None else None
    return team or context.team_id or ""


def body_teams(body: dict) -> list[str]:
    """Every workspace a body names where Bolt may read its workspace from."""
    named: list[Any] = [body.get("team_id")]
    team = body.get("team")
    named.append(team.get("id") if isinstance(team, dict) else team)
    view = body.get("view")
    if isinstance(view, dict):
        named.append(view.get("app_installed_team_id"))
    authorizations = body.get("authorizations")
    if isinstance(authorizations, list) and authorizations and isinstance(authorizations[0], dict):
        named.append(authorizations[0].get("team_id"))
    return [team for team in named if team is not None]  # "" names no workspace: not ours either


def team_problem(body: dict, context) -> str | None:
    """Why the body's workspace is not the authorized one, or None when they agree."""
    authorized = authorized_team(context)
    if not authorized:
        return None  # nothing authorized (url_verification, ssl_check): no listener uses a workspace
    others = sorted({str(team)[:32] for team in body_teams(body) if team != authorized})
    if others:
        return f"the body names workspace {', '.join(others)}, Bolt authorized {authorized}"
    return None


def id_problem(context) -> str | None:
    """A user or channel id Slack would never send, or None."""
    user = context.get("user_id")
    if user is not None and not USER_ID.match(user):
        return "a user id that is not one"
    channel = context.get("channel_id")
    if channel is not None and not CHANNEL_ID.match(channel):
        return "a channel id that is not one"
    return None


def check_user(value: object) -> str | None:
    """A user id a person picked, or None when it is not one."""
    return value if isinstance(value, str) and USER_ID.match(value) else None


def check_channel(services, team_id: str, channel_id: object) -> str:
    """A channel a modal carried (its `private_metadata`): a channel id, and not one this app
    knows in another workspace; a CoachError otherwise."""
    if not isinstance(channel_id, str) or not CHANNEL_ID.match(channel_id) or channel_id.startswith("D"):
        raise CoachError(NOT_A_CHANNEL)
    from storage import channels

    if channels.belongs_elsewhere(services.db, team_id, channel_id):
        raise CoachError(NOT_A_CHANNEL)
    return channel_id


def refusal(body: dict):
    """200 with nothing done; a command gets a short answer only its person sees."""
    from slack_bolt import BoltResponse

    if isinstance(body.get("command"), str):
        return BoltResponse(
            status=200,
            body=json.dumps({"response_type": "ephemeral", "text": WRONG_WORKSPACE}),
            headers={"content-type": "application/json;charset=utf-8"},
        )
    return BoltResponse(status=200, body="")
