"""A loopback fake of the Slack Web API that records every call the app makes.

Bind to port 0, point `SLACK_API_URL` (or a WebClient's base_url) at `fake.api_url`, act, then
assert on `fake.calls(...)`. Responses can be scripted per method (errors, HTTP 429, delays).
Also serves `response_url`s and file upload URLs, recorded the same way.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qs

import yaml

MANIFEST = Path(__file__).resolve().parent.parent / "manifest.yml"


def manifest_bot_scopes() -> list[str]:
    """The bot scopes manifest.yml asks for: what a token from a real install carries."""
    return list(yaml.safe_load(MANIFEST.read_text())["oauth_config"]["scopes"]["bot"])


@dataclass
class Call:
    method: str  # e.g. "chat.postMessage", "response_url", "upload"
    params: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    path: str = ""
    response: dict[str, Any] | None = None  # what the fake answered

    def __getitem__(self, key: str) -> Any:
        return self.params[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.params.get(key, default)

    @property
    def blocks(self) -> list[dict]:
        blocks = self.params.get("blocks") or []
        return json.loads(blocks) if isinstance(blocks, str) else blocks

    @property
    def view(self) -> dict:
        view = self.params.get("view") or {}
        return json.loads(view) if isinstance(view, str) else view

    def all_text(self) -> str:
        """Fallback text plus every string in the blocks: what a person could read."""
        parts = [str(self.params.get("text") or "")]
        parts += texts_in(self.blocks) + texts_in(self.view.get("blocks", []))
        return "\n".join(parts)


def texts_in(node: Any) -> list[str]:
    """Every `text` string inside Block Kit, in order."""
    if isinstance(node, dict):
        found: list[str] = []
        for key, value in node.items():
            found += [value] if key == "text" and isinstance(value, str) else texts_in(value)
        return found
    if isinstance(node, list):
        return [text for item in node for text in texts_in(item)]
    return []


@dataclass
class Scripted:
    status: int = 200
    body: dict | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class FakeSlack:
    def __init__(self) -> None:
        self._calls: list[Call] = []
        self._lock = threading.Condition()
        self._scripts: dict[str, list[Scripted]] = {}
        self._ts = itertools.count(1)
        self.delay = 0.0  # seconds every API answer waits (benchmarks)
        self.bot_user_id = "UBOT"
        self.team_id = "T1"
        self.scopes = manifest_bot_scopes()  # auth.test's x-oauth-scopes, oauth.v2.access's scope
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    # --- addresses ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, name: str = "cmd") -> str:
        return f"{self.url}/response_url/{name}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- scripting and inspection ------------------------------------------------------------

    def script(self, method: str, *answers: Scripted) -> None:
        """The next calls of `method` get these answers, in order, then the defaults again."""
        with self._lock:
            self._scripts.setdefault(method, []).extend(answers)

    def fail(self, method: str, error: str, times: int = 1) -> None:
        self.script(method, *[Scripted(body={"ok": False, "error": error}) for _ in range(times)])

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
            self._scripts.clear()

    def calls(self, method: str | None = None, **match: Any) -> list[Call]:
        with self._lock:
            found = [c for c in self._calls if method is None or c.method == method]
        return [c for c in found if all(c.params.get(k) == v for k, v in match.items())]

    def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 5.0,
        where: Callable[[Call], bool] | None = None,
        **match: Any,
    ) -> list[Call]:
        """Block until `count` matching calls arrived; returns them (fails the test otherwise)."""
        deadline = time.monotonic() + timeout
        while True:
            found = [c for c in self.calls(method, **match) if where is None or where(c)]
            if len(found) >= count:
                return found
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                seen = [(c.method, c.params.get("channel"), str(c.params.get("text"))[:80]) for c in self.calls()]
                raise AssertionError(f"expected {count} call(s) to {method} {match}, saw: {seen}")
            with self._lock:
                self._lock.wait(min(remaining, 0.05))

    # --- answers -----------------------------------------------------------------------------

    def _default_headers(self, method: str) -> dict[str, str]:
        if method == "auth.test":
            return {"x-oauth-scopes": ",".join(self.scopes)}
        return {}

    def _default(self, method: str, params: dict[str, Any], token: str = "") -> dict:
        ts = f"{1_700_000_000 + next(self._ts)}.000100"
        channel = params.get("channel")
        if method == "auth.test":
            # A token that ends with its workspace (`xoxb-T2`, `xoxb-plain-T2`, as OAuth tests
            # install them) is that workspace's, as Slack's auth.test says; any other is the
            # default workspace's.
            named = re.match(r"^xox[a-z.]*-(?:.*-)?(T[A-Z0-9]+)$", token)
            return {
                "ok": True,
                "user_id": self.bot_user_id,
                "user": "coach",
                "team_id": named.group(1) if named else self.team_id,
                "team": "Test",
                "bot_id": "B1",
                "url": "https://test.slack.com/",
            }
        if method in ("chat.postMessage", "chat.update", "chat.scheduleMessage"):
            return {
                "ok": True,
                "channel": channel,
                "ts": params.get("ts") or ts,
                "message": {"text": params.get("text"), "ts": ts},
            }
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method in ("views.open", "views.publish", "views.update", "views.push"):
            return {"ok": True, "view": {"id": "V1", "hash": "h"}}
        if method == "chat.getPermalink":
            return {
                "ok": True,
                "channel": channel,
                "permalink": f"https://test.slack.com/archives/{channel}/p{str(params.get('message_ts')).replace('.', '')}",
            }
        if method == "conversations.open":
            users = str(params.get("users") or "")
            return {"ok": True, "channel": {"id": "D" + users.split(",")[0]}}
        if method == "conversations.join":
            return {"ok": True, "channel": {"id": channel}}
        if method == "files.getUploadURLExternal":
            return {"ok": True, "upload_url": f"{self.url}/upload/F1", "file_id": "F1"}
        if method == "files.completeUploadExternal":
            return {"ok": True, "files": [{"id": "F1", "title": "chart"}]}
        if method == "oauth.v2.access":
            if params.get("grant_type") == "refresh_token":
                n = next(self._ts)
                return {
                    "ok": True,
                    "app_id": "A1",
                    "token_type": "bot",
                    "scope": ",".join(self.scopes),
                    "access_token": f"xoxe.xoxb-refreshed-{n}",
                    "refresh_token": f"xoxe-1-refreshed-{n}",
                    "expires_in": 43200,
                    "bot_user_id": self.bot_user_id,
                    "team": {"id": self.team_id, "name": "Test"},
                    "enterprise": None,
                }
            return {
                "ok": True,
                "app_id": "A1",
                "authed_user": {"id": "U1"},
                "token_type": "bot",
                "scope": ",".join(self.scopes),
                "access_token": "xoxb-installed-token",
                "bot_user_id": self.bot_user_id,
                "team": {"id": self.team_id, "name": "Test"},
                "enterprise": None,
                "is_enterprise_install": False,
            }
        if method == "users.info":
            user = params.get("user")
            return {"ok": True, "user": {"id": user, "tz": "UTC", "name": user}}
        return {"ok": True}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                path = self.path.split("?")[0]
                # Upload bodies are the file's bytes, whatever Content-Type urllib gives them.
                params = {} if path.startswith("/upload/") else _parse(raw, self.headers.get("Content-Type", ""))
                query = self.path.split("?", 1)[1] if "?" in self.path else ""
                for key, values in parse_qs(query).items():
                    params.setdefault(key, values[-1])
                if path.startswith("/api/"):
                    method = path[len("/api/") :]
                elif path.startswith("/response_url/"):
                    method = "response_url"
                elif path.startswith("/upload/"):
                    method = "upload"
                    params = {"bytes": raw, "size": len(raw)}
                else:
                    method = path
                call = Call(method, params, dict(self.headers.items()), path)
                with fake._lock:
                    scripted = fake._scripts.get(method)
                    answer = scripted.pop(0) if scripted else None
                delay = (answer.delay if answer else 0.0) or fake.delay
                if delay:
                    time.sleep(delay)
                token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
                if answer is None:
                    answer = Scripted(
                        body=fake._default(method, params, token) if method not in ("response_url", "upload") else None
                    )
                elif answer.body is None and answer.status == 200:
                    answer.body = fake._default(method, params, token)
                call.response = answer.body
                # Record before answering, so a test woken by the answer sees the call.
                with fake._lock:
                    fake._calls.append(call)
                    fake._lock.notify_all()
                payload = json.dumps(answer.body).encode() if answer.body is not None else b"ok"
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json" if answer.body is not None else "text/plain")
                for key, value in {**fake._default_headers(method), **answer.headers}.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_PUT = do_POST

            def do_GET(self):
                self.do_POST()

        return Handler


def _parse(raw: bytes, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    if "json" in content_type:
        try:
            data = json.loads(raw)
            return data if isinstance(data, dict) else {"body": data}
        except ValueError:
            return {"body": raw}
    if "x-www-form-urlencoded" in content_type:
        return {k: v[-1] for k, v in parse_qs(raw.decode(), keep_blank_values=True).items()}
    return {"body": raw}
