"""Settings from the environment and `.env` (SPEC §4). Real environment wins."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import load_dotenv

DEFAULT_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///coach.db"

# Where a newcomer finds each Slack setting: named in the "missing settings" message.
WHERE_TO_GET = {
    "SLACK_BOT_TOKEN": "OAuth & Permissions → Bot User OAuth Token (xoxb-…), after installing the app",
    "SLACK_SIGNING_SECRET": "Basic Information → App Credentials → Signing Secret",
    "SLACK_APP_TOKEN": "Basic Information → App-Level Tokens, scope connections:write (xapp-…)",
    "SLACK_CLIENT_ID": "Basic Information → App Credentials → Client ID",
    "SLACK_CLIENT_SECRET": "Basic Information → App Credentials → Client Secret",
}
# Not from Slack: secrets you make up.
YOUR_OWN = {
    "SLACK_STATE_SECRET": "a long random string of your own, e.g. "
    'python -c "import secrets; print(secrets.token_hex(32))"',
    "COACH_SECRET_KEY": "the key that encrypts stored tokens: run `coach keygen` and paste what it prints "
    "(keep it safe: without it the stored tokens can't be read, and workspaces must install again)",
}
OAUTH_SETTINGS = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET")
TRUTH = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


class SettingsError(Exception):
    """A setting is missing or wrong; the message says which and how to fix it."""


@dataclass(frozen=True)
class Settings:
    bot_token: str | None = None
    signing_secret: str | None = None
    app_token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    state_secret: str | None = None
    api_url: str = DEFAULT_API_URL
    database_url: str = DEFAULT_DATABASE_URL
    port: int = 3000
    timezone: str = "UTC"
    checkin_interval: float = 60.0  # COACH_CHECKIN_INTERVAL: seconds between the scheduler's ticks
    metrics_port: int | None = None  # COACH_METRICS_PORT: GET /metrics on that port of 127.0.0.1
    secret_key: str | None = None  # COACH_SECRET_KEY: Fernet keys, comma-separated (OAuth mode)
    trust_forwarded_for: bool = False  # COACH_TRUST_X_FORWARDED_FOR: client address from the proxy

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)

    @property
    def oauth(self) -> bool:
        return bool(self.client_id and self.client_secret and self.state_secret)

    def missing_for_run(self) -> list[str]:
        """The Slack settings `coach run` cannot start without, in this mode."""
        missing = []
        oauth_values = dict(zip(OAUTH_SETTINGS, (self.client_id, self.client_secret, self.state_secret)))
        if any(oauth_values.values()) and not self.oauth:
            missing.extend(name for name, value in oauth_values.items() if not value)
        elif not self.oauth and not self.bot_token:
            missing.append("SLACK_BOT_TOKEN")
        if not self.socket_mode and not self.signing_secret:
            missing.append("SLACK_SIGNING_SECRET")
        if self.oauth and not self.secret_key:
            missing.append("COACH_SECRET_KEY")
        return missing


def _get(env: dict[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def load_settings(env: dict[str, str] | None = None, dotenv_path: str | Path | None = ".env") -> Settings:
    """Read settings; `.env` in the working directory fills what the environment lacks."""
    if env is None:
        if dotenv_path and Path(dotenv_path).is_file():
            load_dotenv(dotenv_path, override=False)
        env = dict(os.environ)
    api_url = _get(env, "SLACK_API_URL") or DEFAULT_API_URL
    if not api_url.endswith("/"):
        api_url += "/"
    port_text = _get(env, "PORT") or "3000"
    try:
        port = int(port_text)
    except ValueError:
        raise SettingsError(f"PORT must be a number, not {port_text!r}.") from None
    timezone = _get(env, "COACH_TIMEZONE") or "UTC"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"COACH_TIMEZONE {timezone!r} is not an IANA timezone; use e.g. Europe/Paris or UTC."
        ) from None
    interval_text = _get(env, "COACH_CHECKIN_INTERVAL") or "60"
    try:
        checkin_interval = float(interval_text)
    except ValueError:
        checkin_interval = 0.0
    if not checkin_interval > 0 or checkin_interval == float("inf"):
        raise SettingsError(
            f"COACH_CHECKIN_INTERVAL must be a number of seconds above 0 (default 60), not {interval_text!r}."
        )
    metrics_text = _get(env, "COACH_METRICS_PORT")
    metrics_port = None
    if metrics_text is not None:
        metrics_port = int(metrics_text) if metrics_text.isdigit() else 0
        if not 0 < metrics_port < 65536:
            raise SettingsError(f"COACH_METRICS_PORT must be a port number (1-65535), not {metrics_text!r}.")
    secret_key = _get(env, "COACH_SECRET_KEY")
    if secret_key:
        from storage.tokens import SecretKeyError, TokenCipher

        try:
            TokenCipher(secret_key)
        except SecretKeyError as problem:
            raise SettingsError(f"{problem}.") from None
    trust_text = (_get(env, "COACH_TRUST_X_FORWARDED_FOR") or "false").lower()
    if trust_text not in TRUTH:
        raise SettingsError(f"COACH_TRUST_X_FORWARDED_FOR must be true or false, not {trust_text!r}.")
    return Settings(
        metrics_port=metrics_port,
        bot_token=_get(env, "SLACK_BOT_TOKEN"),
        signing_secret=_get(env, "SLACK_SIGNING_SECRET"),
        app_token=_get(env, "SLACK_APP_TOKEN"),
        client_id=_get(env, "SLACK_CLIENT_ID"),
        client_secret=_get(env, "SLACK_CLIENT_SECRET"),
        state_secret=_get(env, "SLACK_STATE_SECRET"),
        api_url=api_url,
        database_url=_get(env, "DATABASE_URL") or DEFAULT_DATABASE_URL,
        port=port,
        timezone=timezone,
        checkin_interval=checkin_interval,
        secret_key=secret_key,
        trust_forwarded_for=TRUTH[trust_text],
    )


def missing_settings_message(missing: list[str]) -> str:
    lines = ["Breakthrough Coach can't start: these settings are missing:"]
    for name in missing:
        if name in YOUR_OWN:
            lines.append(f"  {name}: {YOUR_OWN[name]}")
        else:
            lines.append(f"  {name}: Slack app settings → {WHERE_TO_GET[name]}")
    if any(name in OAUTH_SETTINGS for name in missing):
        lines.append(
            "Installing in several workspaces (OAuth) needs all three of SLACK_CLIENT_ID, "
            "SLACK_CLIENT_SECRET and SLACK_STATE_SECRET; for one workspace leave all three empty "
            "and set SLACK_BOT_TOKEN instead."
        )
    lines.append(
        "Create the app from manifest.yml (api.slack.com/apps → Create New App → From a manifest), "
        "then copy .env.example to .env and fill it in. See README.md."
    )
    return "\n".join(lines)
