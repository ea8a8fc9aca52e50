"""Sends requests to the app the way Slack does: signed, form-encoded or JSON, over HTTP."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from itertools import count
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

_ids = count(1)


@dataclass
class Answer:
    status: int
    body: str
    elapsed: float

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def text(self) -> str:
        """The ephemeral text the person sees (from an ack body), or ''."""
        data = self.json() if self.body.startswith("{") else None
        if not data:
            return self.body
        parts = [data.get("text") or ""]
        for block in data.get("blocks") or []:
            text = block.get("text")
            if isinstance(text, dict):
                parts.append(text.get("text", ""))
            for element in block.get("elements") or []:
                if isinstance(element, dict) and isinstance(element.get("text"), str):
                    parts.append(element["text"])
        return "\n".join(parts)


class SlackSender:
    def __init__(self, url: str, signing_secret: str, response_url: str, wait_idle=None):
        self.url = url.rstrip("/") + "/slack/events"
        self.base = url.rstrip("/")
        self.verifier = SignatureVerifier(signing_secret)
        self.response_url = response_url
        self.wait_idle = wait_idle  # called after each request: the app's background work is done

    # --- raw ---------------------------------------------------------------------------------

    def send(
        self,
        body: str,
        content_type: str,
        headers: dict[str, str] | None = None,
        timestamp: int | None = None,
        sign: bool = True,
        wait: bool = True,
        expect: int | None = None,
    ) -> Answer:
        """Send a body as Slack does. A signed, current request must be answered 2xx (as Slack
        needs), unless the test says which status it `expect`s; unsigned, re-timed or re-headed
        requests are the tests' probes, and their status is theirs to check."""
        ts = str(timestamp if timestamp is not None else int(time.time()))
        all_headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts}
        if sign:
            all_headers["X-Slack-Signature"] = self.verifier.generate_signature(timestamp=ts, body=body)
        all_headers.update(headers or {})
        request = urllib.request.Request(self.url, data=body.encode(), headers=all_headers, method="POST")
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                answer = Answer(response.status, response.read().decode(), time.monotonic() - started)
        except urllib.error.HTTPError as error:
            answer = Answer(error.code, error.read().decode(), time.monotonic() - started)
        if wait and self.wait_idle:
            self.wait_idle()
        if expect is not None:
            assert answer.status == expect, (answer.status, answer.body)
        elif sign and timestamp is None and not headers:
            assert 200 <= answer.status < 300, f"Slack needs a 2xx, the app answered {answer.status}: {answer.body}"
        return answer

    def get(self, path: str) -> Answer:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(self.base + path, timeout=10) as response:
                return Answer(response.status, response.read().decode(), time.monotonic() - started)
        except urllib.error.HTTPError as error:
            return Answer(error.code, error.read().decode(), time.monotonic() - started)

    def form(self, fields: dict[str, Any], **kwargs) -> Answer:
        return self.send(urlencode(fields), "application/x-www-form-urlencoded", **kwargs)

    def interactive(self, payload: dict[str, Any], **kwargs) -> Answer:
        return self.form({"payload": json.dumps(payload)}, **kwargs)

    # --- what Slack sends ----------------------------------------------------------------------

    def command(
        self,
        text: str = "",
        command: str = "/commit",
        user: str = "U1",
        channel: str = "C1",
        team: str = "T1",
        **kwargs,
    ) -> Answer:
        return self.form(
            {
                "token": "legacy",
                "team_id": team,
                "team_domain": "test",
                "channel_id": channel,
                "channel_name": "general",
                "user_id": user,
                "user_name": user,
                "command": command,
                "text": text,
                "api_app_id": "A1",
                "is_enterprise_install": "false",
                "response_url": self.response_url,
                "trigger_id": f"trigger-{next(_ids)}",
            },
            **kwargs,
        )

    def action(
        self,
        action_id: str,
        value: str = "",
        user: str = "U1",
        channel: str = "C1",
        team: str = "T1",
        message_ts: str = "1700000001.000100",
        block_id: str = "b",
        view: dict | None = None,
        **kwargs,
    ) -> Answer:
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": {"id": team, "domain": "test"},
            "user": {"id": user, "username": user, "team_id": team},
            "api_app_id": "A1",
            "token": "legacy",
            "trigger_id": f"trigger-{next(_ids)}",
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": block_id,
                    "value": value,
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view.get("id", "V1")}
            payload["view"] = view
        else:
            payload["container"] = {"type": "message", "message_ts": message_ts, "channel_id": channel}
            payload["channel"] = {"id": channel, "name": "general"}
            payload["message"] = {"ts": message_ts, "text": "", "type": "message"}
            payload["response_url"] = self.response_url
        return self.interactive(payload, **kwargs)

    def submit(self, view: dict, values: dict[str, Any], user: str = "U1", team: str = "T1", **kwargs) -> Answer:
        """Submit a modal the app opened (`view` as sent to views.open) with `values`:
        {block_id: value}; the element type is taken from the view, as Slack would."""
        state: dict[str, dict] = {}
        elements = {b["block_id"]: b["element"] for b in view.get("blocks", []) if b.get("type") == "input"}
        for block_id, value in values.items():
            element = elements.get(block_id, {"type": "plain_text_input", "action_id": block_id})
            state[block_id] = {element.get("action_id", block_id): _element_state(element["type"], value)}
        payload = {
            "type": "view_submission",
            "team": {"id": team, "domain": "test"},
            "user": {"id": user, "username": user, "team_id": team},
            "api_app_id": "A1",
            "token": "legacy",
            "trigger_id": f"trigger-{next(_ids)}",
            "view": {**view, "id": "V1", "team_id": team, "state": {"values": state}},
        }
        return self.interactive(payload, **kwargs)

    def shortcut(
        self, callback_id: str, message: dict, user: str = "U1", channel: str = "C1", team: str = "T1", **kwargs
    ) -> Answer:
        payload = {
            "type": "message_action",
            "callback_id": callback_id,
            "team": {"id": team, "domain": "test"},
            "user": {"id": user, "username": user, "team_id": team},
            "channel": {"id": channel, "name": "general"},
            "message": message,
            "message_ts": message.get("ts"),
            "trigger_id": f"trigger-{next(_ids)}",
            "response_url": self.response_url,
            "token": "legacy",
        }
        return self.interactive(payload, **kwargs)

    def event(
        self,
        event: dict[str, Any],
        team: str = "T1",
        event_id: str | None = None,
        retry_num: int | None = None,
        **kwargs,
    ) -> Answer:
        body = {
            "token": "legacy",
            "team_id": team,
            "api_app_id": "A1",
            "type": "event_callback",
            "event": event,
            "event_id": event_id or f"Ev{next(_ids):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": team, "user_id": "UBOT", "is_bot": True}],
        }
        headers = kwargs.pop("headers", {}) or {}
        if retry_num is not None:
            headers.update({"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"})
        return self.send(json.dumps(body), "application/json", headers=headers, **kwargs)


def _element_state(kind: str, value: Any) -> dict[str, Any]:
    if kind == "datepicker":
        return {"type": kind, "selected_date": value}
    if kind == "timepicker":
        return {"type": kind, "selected_time": value}
    if kind == "users_select":
        return {"type": kind, "selected_user": value}
    if kind == "multi_users_select":
        return {"type": kind, "selected_users": value or []}
    if kind in ("static_select", "radio_buttons"):
        return {"type": kind, "selected_option": {"value": value} if value is not None else None}
    if kind == "conversations_select":
        return {"type": kind, "selected_conversation": value}
    if kind == "channels_select":
        return {"type": kind, "selected_channel": value}
    return {"type": kind, "value": value}
