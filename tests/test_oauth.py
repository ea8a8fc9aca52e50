"""Installing in many workspaces: OAuth against the fake Web API, tokens, rotation, uninstall."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
import yaml

from bot.settings import Settings
from bot.slack.oauth import BOT_SCOPES, NOT_INSTALLED_MESSAGE, NotInstalled
from storage.models import ChannelSettings, Commitment
from storage.workspaces import UNINSTALLED
from tests.fake_slack import Scripted
from tests.harness import SECRET_KEY, start_app
from tests.helpers import rows

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)
OAUTH = {
    "bot_token": None,
    "client_id": "111.222",
    "client_secret": "client-secret",
    "state_secret": "state-secret",
    "secret_key": SECRET_KEY,
}
DECLARE = "Deals closed: 4 -> 20 by 2099-01-01 known 6"


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def oauth(database, fake_slack):
    """The app in OAuth mode (no SLACK_BOT_TOKEN), on SQLite and PostgreSQL."""
    harness, stop = start_app(database, fake_slack, **OAUTH)
    fake_slack.reset()
    yield harness
    stop()


@pytest.fixture
def oauth_sqlite(sqlite_database, fake_slack):
    harness, stop = start_app(sqlite_database, fake_slack, **OAUTH)
    fake_slack.reset()
    yield harness
    stop()


def get(harness, path: str, cookie: str | None = None):
    """A browser's GET, without following redirects: (status, headers, body)."""
    host, port = urlparse(harness.url).netloc.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = connection.getresponse()
    result = response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode()
    connection.close()
    return result


def access_answer(team: str, token: str, refresh: str | None = None, expires_in: int | None = None) -> dict:
    answer = {
        "ok": True,
        "app_id": "A1",
        "authed_user": {"id": "U1"},
        "token_type": "bot",
        "scope": ",".join(BOT_SCOPES),
        "access_token": token,
        "bot_user_id": "UBOT",
        "team": {"id": team, "name": f"Team {team}"},
        "enterprise": None,
        "is_enterprise_install": False,
    }
    if refresh:
        answer.update(refresh_token=refresh, expires_in=expires_in)
    return answer


def install(harness, team: str = "T1", token: str = "xoxb-T1", **rotation) -> tuple[int, str]:
    """The whole browser flow: /slack/install, Slack's page (scripted), /slack/oauth_redirect."""
    harness.fake.script("oauth.v2.access", Scripted(body=access_answer(team, token, **rotation)))
    status, headers, _ = get(harness, "/slack/install")
    assert status == 302
    state = parse_qs(urlparse(headers["location"]).query)["state"][0]
    cookie = headers["set-cookie"].split(";")[0]
    status, _, body = get(harness, f"/slack/oauth_redirect?code=code-{team}&state={state}", cookie=cookie)
    return status, body


def declare(harness, team: str, channel: str = "C1"):
    answer = harness.send.command(DECLARE, team=team, channel=channel)
    assert answer.status == 200, answer.body
    return answer


def posts_by(harness, channel: str):
    """The announcements (top-level posts) in a channel."""
    return [c for c in harness.fake.calls("chat.postMessage", channel=channel) if not c.get("thread_ts")]


def bearer(call) -> str:
    return call.headers.get("Authorization", "")


# --- install ---------------------------------------------------------------------------------


def test_install_sends_the_browser_to_slacks_authorize_page_with_a_state(oauth):
    status, headers, _ = get(oauth, "/slack/install")

    assert status == 302
    location = urlparse(headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == "https://slack.com/oauth/v2/authorize"
    query = parse_qs(location.query)
    assert query["client_id"] == ["111.222"]
    assert query["scope"][0].split(",") == list(BOT_SCOPES)
    state = query["state"][0]
    assert len(state) > 40  # a random value, signed with SLACK_STATE_SECRET
    assert f"slack-app-oauth-state={state}" in headers["set-cookie"]


def test_the_redirect_stores_the_installation_and_that_workspace_uses_its_token(oauth):
    status, body = install(oauth, "T1", "xoxb-T1")

    assert status == 200, body
    [access] = oauth.fake.calls("oauth.v2.access")
    assert access["code"] == "code-T1"
    installation = oauth.services.installations.store.find_installation(enterprise_id=None, team_id="T1")
    assert installation.bot_token == "xoxb-T1" and installation.team_name == "Team T1"

    declare(oauth, "T1")
    [announcement] = posts_by(oauth, "C1")
    assert "#1 Deals closed" in announcement.all_text()
    assert {bearer(c) for c in oauth.fake.calls("chat.postMessage")} == {"Bearer xoxb-T1"}


def test_a_state_we_did_not_issue_is_refused_and_nothing_is_installed(oauth):
    _, headers, _ = get(oauth, "/slack/install")
    state = parse_qs(urlparse(headers["location"]).query)["state"][0]
    forged = state[:-1] + ("0" if state[-1] != "0" else "1")

    status, _, _ = get(oauth, f"/slack/oauth_redirect?code=c&state={forged}", cookie=f"slack-app-oauth-state={forged}")

    assert status in (400, 401)
    assert oauth.fake.calls("oauth.v2.access") == []
    assert oauth.services.installations.teams() == []


def test_a_state_is_used_once(oauth_sqlite):
    oauth_sqlite.fake.script("oauth.v2.access", Scripted(body=access_answer("T1", "xoxb-T1")))
    _, headers, _ = get(oauth_sqlite, "/slack/install")
    state = parse_qs(urlparse(headers["location"]).query)["state"][0]
    cookie = f"slack-app-oauth-state={state}"
    assert get(oauth_sqlite, f"/slack/oauth_redirect?code=c&state={state}", cookie=cookie)[0] == 200

    status, _, _ = get(oauth_sqlite, f"/slack/oauth_redirect?code=c&state={state}", cookie=cookie)

    assert status == 401
    assert len(oauth_sqlite.fake.calls("oauth.v2.access")) == 1


def test_two_workspaces_each_get_their_own_token_and_a_stranger_gets_none(oauth):
    install(oauth, "T1", "xoxb-T1")
    install(oauth, "T2", "xoxb-T2")
    oauth.fake.reset()

    declare(oauth, "T1", channel="C1")
    declare(oauth, "T2", channel="C2")
    answer = oauth.send.command(DECLARE, team="T3", channel="C3")

    assert [bearer(c) for c in posts_by(oauth, "C1")] == ["Bearer xoxb-T1"]
    assert [bearer(c) for c in posts_by(oauth, "C2")] == ["Bearer xoxb-T2"]
    assert posts_by(oauth, "C3") == []
    assert answer.status == 200
    [told] = oauth.fake.calls("response_url")
    assert told["text"] == NOT_INSTALLED_MESSAGE
    assert sorted(c.team_id for c in rows(oauth, Commitment)) == ["T1", "T2"]
    assert oauth.services.installations.teams() == ["T1", "T2"]
    assert oauth.services.client_for("T2").token == "xoxb-T2"
    oauth.send.command("status", team="T1")  # auth.test once per token, not once per request
    assert sorted(bearer(c) for c in oauth.fake.calls("auth.test")) == ["Bearer xoxb-T1", "Bearer xoxb-T2"]


# --- token rotation --------------------------------------------------------------------------


def test_an_expired_token_is_refreshed_before_a_command_is_handled(oauth):
    install(oauth, "T1", "xoxe.xoxb-first", refresh="xoxe-1-first", expires_in=43200)
    oauth.fake.reset()
    oauth.fake.script(
        "oauth.v2.access",
        Scripted(
            body={
                "ok": True,
                "token_type": "bot",
                "access_token": "xoxe.xoxb-second",
                "refresh_token": "xoxe-1-second",
                "expires_in": 43200,
            }
        ),
    )

    with time_machine.travel(NOW + timedelta(hours=12), tick=True):
        declare(oauth, "T1")

    [refresh] = oauth.fake.calls("oauth.v2.access")
    assert refresh["grant_type"] == "refresh_token" and refresh["refresh_token"] == "xoxe-1-first"
    [announcement] = posts_by(oauth, "C1")
    assert bearer(announcement) == "Bearer xoxe.xoxb-second"
    saved = oauth.services.installations.store.find_installation(enterprise_id=None, team_id="T1")
    assert (saved.bot_token, saved.bot_refresh_token) == ("xoxe.xoxb-second", "xoxe-1-second")


def test_a_fresh_token_is_not_refreshed(oauth_sqlite):
    install(oauth_sqlite, "T1", "xoxe.xoxb-first", refresh="xoxe-1-first", expires_in=43200)
    oauth_sqlite.fake.reset()
    declare(oauth_sqlite, "T1")
    assert oauth_sqlite.fake.calls("oauth.v2.access") == []
    assert bearer(posts_by(oauth_sqlite, "C1")[0]) == "Bearer xoxe.xoxb-first"


def test_client_for_refreshes_an_expiring_token_and_saves_it(oauth):
    """The scheduler's path: no request, the workspace's token from the store, refreshed."""
    install(oauth, "T1", "xoxe.xoxb-first", refresh="xoxe-1-first", expires_in=43200)
    oauth.fake.reset()
    assert oauth.services.client_for("T1").token == "xoxe.xoxb-first"
    assert oauth.fake.calls("oauth.v2.access") == []

    with time_machine.travel(NOW + timedelta(hours=11), tick=True):  # within 2 hours of expiry
        client = oauth.services.client_for("T1")
        client.chat_postMessage(channel="C1", text="hello")
        again = oauth.services.client_for("T1")

    [refresh] = oauth.fake.calls("oauth.v2.access")
    assert refresh["grant_type"] == "refresh_token" and refresh["refresh_token"] == "xoxe-1-first"
    new_token = refresh.response["access_token"]
    assert client.token == new_token and again.token == new_token
    assert bearer(oauth.fake.calls("chat.postMessage")[0]) == f"Bearer {new_token}"
    saved = oauth.services.installations.store.find_installation(enterprise_id=None, team_id="T1")
    assert saved.bot_token == new_token and saved.bot_refresh_token == refresh.response["refresh_token"]


def test_client_for_a_workspace_that_never_installed_says_so(oauth_sqlite):
    with pytest.raises(NotInstalled):
        oauth_sqlite.services.client_for("T9")


def test_single_workspace_mode_uses_the_bot_token_everywhere(slack_sqlite):
    assert slack_sqlite.services.client_for("T1").token == "xoxb-test-token"
    assert slack_sqlite.services.client_for("T2").token == "xoxb-test-token"


# --- uninstall -------------------------------------------------------------------------------


def set_channels(harness, *settings):
    with harness.db.session() as session:
        for team, channel, enabled, reason in settings:
            session.add(
                ChannelSettings(team_id=team, channel_id=channel, checkin_enabled=enabled, checkin_paused_reason=reason)
            )


def channels(harness) -> dict:
    return {
        (c.team_id, c.channel_id): (c.checkin_enabled, c.checkin_paused_reason) for c in rows(harness, ChannelSettings)
    }


def test_uninstall_forgets_the_token_pauses_checkins_and_keeps_the_data(oauth):
    install(oauth, "T1", "xoxb-T1")
    install(oauth, "T2", "xoxb-T2")
    declare(oauth, "T1", channel="C1")
    declare(oauth, "T1", channel="C3")  # no settings yet
    set_channels(oauth, ("T1", "C1", True, None), ("T1", "C2", False, "off"), ("T2", "C9", True, None))
    oauth.fake.reset()

    answer = oauth.send.event({"type": "app_uninstalled"}, team="T1")

    assert answer.status == 200
    store = oauth.services.installations.store
    assert store.find_installation(enterprise_id=None, team_id="T1") is None
    assert store.find_bot(enterprise_id=None, team_id="T1") is None
    assert store.find_installation(enterprise_id=None, team_id="T2").bot_token == "xoxb-T2"
    assert channels(oauth) == {
        ("T1", "C1"): (False, UNINSTALLED),
        ("T1", "C2"): (False, "off"),
        ("T1", "C3"): (False, UNINSTALLED),
        ("T2", "C9"): (True, None),
    }
    assert len(rows(oauth, Commitment)) == 2  # data stays until `coach purge`
    assert oauth.fake.calls() == []  # nothing is posted to a workspace that left

    oauth.send.command("status", team="T1")
    assert oauth.fake.calls("chat.postMessage") == []
    with pytest.raises(NotInstalled):
        oauth.services.client_for("T1")


def test_reinstalling_resumes_the_checkins_the_uninstall_paused(oauth_sqlite):
    install(oauth_sqlite, "T1", "xoxb-T1")
    set_channels(oauth_sqlite, ("T1", "C1", True, None), ("T1", "C2", False, "off"))
    oauth_sqlite.send.event({"type": "app_uninstalled"}, team="T1")

    status, _ = install(oauth_sqlite, "T1", "xoxb-T1-again")

    assert status == 200
    assert channels(oauth_sqlite) == {("T1", "C1"): (True, None), ("T1", "C2"): (False, "off")}
    assert oauth_sqlite.services.client_for("T1").token == "xoxb-T1-again"


def test_a_revoked_bot_token_is_an_uninstall_but_revoked_user_tokens_are_not(oauth_sqlite):
    install(oauth_sqlite, "T1", "xoxb-T1")
    set_channels(oauth_sqlite, ("T1", "C1", True, None))

    oauth_sqlite.send.event({"type": "tokens_revoked", "tokens": {"oauth": ["U1"]}}, team="T1")
    assert oauth_sqlite.services.client_for("T1").token == "xoxb-T1"
    assert channels(oauth_sqlite) == {("T1", "C1"): (True, None)}

    oauth_sqlite.send.event({"type": "tokens_revoked", "tokens": {"bot": ["UBOT"]}}, team="T1")
    assert oauth_sqlite.services.installations.teams() == []
    assert channels(oauth_sqlite) == {("T1", "C1"): (False, UNINSTALLED)}


def test_single_workspace_uninstall_pauses_checkins(slack):
    set_channels(slack, ("T1", "C1", True, None), ("T2", "C9", True, None))
    assert slack.send.event({"type": "app_uninstalled"}, team="T1").status == 200
    assert channels(slack) == {("T1", "C1"): (False, UNINSTALLED), ("T2", "C9"): (True, None)}


# --- settings --------------------------------------------------------------------------------


def test_manifest_asks_for_the_scopes_the_install_asks_for():
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)
    assert any(url.endswith("/slack/oauth_redirect") for url in manifest["oauth_config"]["redirect_urls"])


def test_oauth_mode_needs_no_bot_token():
    settings = Settings(client_id="1.2", client_secret="s", state_secret="x", signing_secret="y", secret_key="k")
    assert settings.oauth and settings.missing_for_run() == []


def test_run_with_part_of_the_oauth_settings_says_what_is_missing(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "COACH_"))}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'coach.db'}",
        SLACK_CLIENT_ID="1.2",
        SLACK_SIGNING_SECRET="y",
        SLACK_BOT_TOKEN="xoxb-1",
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "SLACK_CLIENT_SECRET" in result.stderr and "SLACK_STATE_SECRET" in result.stderr
    assert "all three" in result.stderr and "SLACK_BOT_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr
