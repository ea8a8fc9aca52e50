"""The WSGI application the production server runs: Slack's paths plus `/healthz`."""

from __future__ import annotations

import json

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from storage.db import Database


def make_wsgi(app: App, db: Database):
    slack = SlackRequestHandler(app, path="/slack/events")

    def wsgi(environ, start_response):
        if environ.get("PATH_INFO") == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            healthy = db.ping()
            body = json.dumps({"ok": healthy, "database": "up" if healthy else "down"}).encode()
            status = "200 OK" if healthy else "503 Service Unavailable"
            start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        return slack(environ, start_response)

    return wsgi
