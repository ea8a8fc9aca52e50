"""Install in many workspaces (OAuth), their tokens, and what happens when one uninstalls.

With `SLACK_CLIENT_ID`, `SLACK_CLIENT_SECRET` and `SLACK_STATE_SECRET` set, `/slack/install`
sends the person to Slack's authorize page and `/slack/oauth_redirect` stores the workspace's
bot token in slack_sdk's installation store (our database, tables from migration 0002),
encrypted with `COACH_SECRET_KEY` (storage/tokens.py). Issuing a state deletes the expired
ones; `/slack/install` answers each client address at most `INSTALLS_PER_MINUTE` times a
minute (bot/ops/web.py).
Tokens rotate: when one is about to expire, Bolt (in a request) or `Installations.bot_token`
(outside one: the scheduler, the CLI) refreshes it with oauth.v2.access and saves it.

When a workspace uninstalls the app (or revokes its bot token) its installation is deleted and
its check-ins are paused; its data stays until `coach purge --team T…`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
from typing import TYPE_CHECKING

from slack_bolt import App
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth import OAuthFlow
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.state_store import OAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator

from bot.ops import logs
from bot.slack.guard import guarded
from storage import workspaces
from storage.tokens import TokenCipher

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
STATE_EXPIRATION_SECONDS = 10 * 60
# Refresh a rotating token this long before it expires (Bolt's default too).
TOKEN_ROTATION_MINUTES = 120

# The bot scopes of manifest.yml (tests/test_oauth.py keeps them equal): what the install asks
# for, and what `coach doctor` expects a token to have.
BOT_SCOPES = (
    "app_mentions:read",
    "channels:history",
    "channels:join",
    "channels:read",
    "chat:write",
    "commands",
    "files:write",
    "groups:history",
    "groups:read",
    "im:history",
    "im:write",
    "users:read",
)


# What a person sees when their workspace has no installation (it left, or never installed).
NOT_INSTALLED_MESSAGE = (
    "Breakthrough Coach isn't installed in this workspace any more, so I can't do that. "
    "Ask an admin to install it again; your commitments are still here."
)


class NotInstalled(LookupError):
    """No installation (bot token) for this workspace: it never installed the app, or left."""

    def __init__(self, team_id: str):
        super().__init__(f"the app is not installed in workspace {team_id}")
        self.team_id = team_id


class SignedStateStore(OAuthStateStore):
    """The database state store, with each state signed by `SLACK_STATE_SECRET`: a forged or
    altered `state` is refused before the database is asked."""

    def __init__(self, inner: OAuthStateStore, secret: str):
        self.inner = inner
        self.secret = secret.encode()

    @property
    def logger(self) -> logging.Logger:
        return log

    def _sign(self, state: str) -> str:
        return hmac.new(self.secret, state.encode(), hashlib.sha256).hexdigest()[:32]

    def issue(self, *args, **kwargs) -> str:
        state = self.inner.issue(*args, **kwargs)
        return f"{state}.{self._sign(state)}"

    def consume(self, state: str) -> bool:
        raw, _, signature = (state or "").rpartition(".")
        if not raw or not hmac.compare_digest(signature, self._sign(raw)):
            log.warning("OAuth redirect with a state we did not sign")
            return False
        return self.inner.consume(raw)


class Installations:
    """The workspaces that installed the app, and a fresh bot token for each."""

    def __init__(self, services: "Services"):
        settings = services.settings
        self.services = services
        self.cipher = TokenCipher(settings.secret_key or "")  # `coach run` refuses to start without
        self.store = workspaces.installation_store(services.db, settings.client_id or "", self.cipher)
        self.state_store = SignedStateStore(
            workspaces.oauth_state_store(services.db, STATE_EXPIRATION_SECONDS), settings.state_secret or ""
        )
        # oauth.v2.access (install and refresh) goes to SLACK_API_URL like every other call.
        self.rotator = TokenRotator(
            client_id=settings.client_id or "",
            client_secret=settings.client_secret or "",
            client=services.web_client(),
        )
        self._rotating = threading.Lock()

    def bot_token(self, team_id: str) -> str:
        """The workspace's bot token, refreshed (and saved) first when it is about to expire."""
        installation = self._find(team_id)
        expires_at = installation.bot_token_expires_at
        if installation.bot_refresh_token and expires_at and expires_at <= time.time() + TOKEN_ROTATION_MINUTES * 60:
            with self._rotating:
                installation = self._find(team_id)  # another thread may have rotated it
                refreshed = self.rotator.perform_token_rotation(
                    installation=installation, minutes_before_expiration=TOKEN_ROTATION_MINUTES
                )
                if refreshed is not None:
                    self.store.save(refreshed)
                    log.info("bot token of %s refreshed", team_id)
                    installation = refreshed
        return installation.bot_token

    def _find(self, team_id: str) -> Installation:
        installation = self.store.find_installation(enterprise_id=None, team_id=team_id)
        if installation is None or not installation.bot_token:
            raise NotInstalled(team_id)
        return installation

    def teams(self) -> list[str]:
        return workspaces.installed_teams(self.services.db, self.store.client_id)

    def remove(self, team_id: str, enterprise_id: str | None = None) -> None:
        self.store.delete_installation(enterprise_id=enterprise_id, team_id=team_id)
        self.store.delete_bot(enterprise_id=enterprise_id, team_id=team_id)


def oauth_flow(services: "Services") -> OAuthFlow:
    """Bolt's install flow on our stores; every Slack call it makes goes to SLACK_API_URL."""
    settings = services.settings
    installations = services.installations

    def installed(args: SuccessArgs) -> BoltResponse:
        team_id = args.installation.team_id or ""
        with logs.bound(request_id=logs.new_request_id(), team_id=team_id):
            resumed = workspaces.resume_checkins(services.db, team_id)
            log.info("installed; %d check-in(s) resumed", resumed)
        return args.default.success(args)

    def failed(args: FailureArgs) -> BoltResponse:
        with logs.bound(request_id=logs.new_request_id(), team_id="-"):
            log.warning("installation failed: %s", args.reason)
        return args.default.failure(args)

    oauth_settings = OAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scopes=list(BOT_SCOPES),
        user_scopes=[],
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        install_page_rendering_enabled=False,  # straight to Slack's authorize page
        installation_store=installations.store,
        state_store=installations.state_store,
        state_expiration_seconds=STATE_EXPIRATION_SECONDS,
        token_rotation_expiration_minutes=TOKEN_ROTATION_MINUTES,
        callback_options=CallbackOptions(success=installed, failure=failed),
        logger=logging.getLogger("bot.bolt"),
    )
    # Bolt's own authorize would refresh tokens through slack.com; ours uses SLACK_API_URL.
    # It caches auth.test per token (a rotated token is a new key), so a request waits for
    # one database read before its ack, not for a Slack round trip as well.
    oauth_settings.authorize = InstallationStoreAuthorize(
        logger=logging.getLogger("bot.bolt"),
        installation_store=installations.store,
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        token_rotation_expiration_minutes=TOKEN_ROTATION_MINUTES,
        cache_enabled=True,
        client=services.web_client(),
    )
    return OAuthFlow(client=services.web_client(), logger=logging.getLogger("bot.bolt"), settings=oauth_settings)


def leave(services: "Services", team_id: str, enterprise_id: str | None, why: str) -> None:
    """The app left a workspace: forget its token (OAuth), pause its check-ins, keep its data."""
    if services.settings.oauth:
        services.installations.remove(team_id, enterprise_id)
        why += ", installation deleted"
    paused = workspaces.pause_checkins(services.db, team_id)
    log.info("%s, %d check-in(s) paused, data kept", why, paused)


@guarded
def app_uninstalled(ack, context, services: "Services", team_id: str):
    ack()
    leave(services, team_id, context.enterprise_id, "app uninstalled")


@guarded
def tokens_revoked(ack, event, context, services: "Services", team_id: str):
    ack()
    # We ask for no user scopes, so only the bot token matters.
    if (event.get("tokens") or {}).get("bot"):
        leave(services, team_id, context.enterprise_id, "bot token revoked")


def register(app: App) -> None:
    """`app_uninstalled` and `tokens_revoked`: forget the token, pause check-ins, keep data."""
    app.event("app_uninstalled")(app_uninstalled)
    app.event("tokens_revoked")(tokens_revoked)
