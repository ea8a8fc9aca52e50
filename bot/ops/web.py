"""The WSGI application the production server runs: Slack's paths plus `/healthz`.

`POST /slack/events` goes through the front door (bot/ops/frontdoor.py: size, signature and
shape checked on the raw bytes, before Bolt parses anything); `GET /slack/install` and
`GET /slack/oauth_redirect` (OAuth mode) go to Bolt, which reads no body for them (at most
20 install requests a minute per client address: bot/ops/limits.py); anything
else is 404, and a declared body over 1 MiB is 413 wherever it is sent.
"""

from __future__ import annotations

import json

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.ops.frontdoor import FrontDoor, Refused, declared_length, refuse
from bot.ops.limits import PerAddressLimit, client_address, too_many
from bot.slack.oauth import INSTALL_PATH
from storage.db import Database

EVENTS_PATH = "/slack/events"


def make_wsgi(app: App, db: Database, signing_secret: str, trust_forwarded_for: bool = False):
    slack = SlackRequestHandler(app, path=EVENTS_PATH)
    door = FrontDoor(app, signing_secret)
    installs = PerAddressLimit()

    def wsgi(environ, start_response):
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if path == "/healthz" and method in ("GET", "HEAD"):
            healthy = db.ping()
            body = json.dumps({"ok": healthy, "database": "up" if healthy else "down"}).encode()
            status = "200 OK" if healthy else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        if path == EVENTS_PATH and method == "POST":
            return door(environ, start_response)
        if path == INSTALL_PATH and not installs.allow(client_address(environ, trust_forwarded_for)):
            return too_many(start_response, installs.retry_after())
        try:
            declared_length(environ)
        except Refused as refused:
            return refuse(environ, start_response, refused.status, refused.why)
        return slack(environ, start_response)

    return wsgi
