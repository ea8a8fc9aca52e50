"""The front door of HTTP mode: what a POST to /slack/events goes through before Bolt sees it.

In this order, each step on what the one before let through (SPEC §3):
1. size: a declared `Content-Length` over 1 MiB is answered 413 before a byte of the body is
   read; a body without one is read up to 1 MiB and refused 413 past that;
2. signature: `X-Slack-Signature` must be Slack's HMAC-SHA256 of the raw bytes with the signing
   secret, and `X-Slack-Request-Timestamp` a number of seconds within 5 minutes of now;
   else 401;
3. shape: the signed body must be UTF-8, parse the way Bolt parses it (form fields, a
   `payload=` JSON field, or JSON) into an object no deeper than `MAX_DEPTH`, and have the
   shape Slack gives every payload it sends (`body_problem`): ids are strings, `actions` a
   list of actions with an `action_id`, a submitted view has its `state`…; else 400.
A refusal is one short log line (what, why, the size, the peer), never the body. What passes
goes to Bolt's `App.dispatch` as the `BoltRequest` built here.

Socket Mode has no signatures and no HTTP: none of this applies there.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from typing import Any, Callable, Iterable

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse

from bot.ops import logs

log = logging.getLogger("bot.http")

MAX_BODY = 1 << 20  # 1 MiB
# Slack's rule is 5 minutes; a second less here, so that Bolt's own check, a moment later,
# never refuses (and logs) a request this one let in.
MAX_AGE_SECONDS = 300 - 1
MAX_DEPTH = 32  # Slack's deepest payloads (rich text in events) nest about 12 levels
_READ = 64 * 1024


class Refused(Exception):
    def __init__(self, status: int, why: str):
        super().__init__(why)
        self.status = status
        self.why = why


_TEXT = {400: "Bad Request", 401: "Unauthorized", 413: "Content Too Large"}


def refuse(environ: dict, start_response, status: int, why: str, size: int | None = None) -> Iterable[bytes]:
    """Answer `status` with a word, and log one line: never the body."""
    where = f"{environ.get('REQUEST_METHOD', '?')} {environ.get('PATH_INFO', '?')}"
    bytes_ = f", {size} bytes" if size is not None else ""
    log.info("refused %s from %s: %s %s%s", where, environ.get("REMOTE_ADDR") or "-", status, why, bytes_)
    text = _TEXT.get(status, "Refused")
    body = (text + "\n").encode()
    start_response(
        f"{status} {text}", [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    )
    return [body]


def declared_length(environ: dict) -> int | None:
    """The request's `Content-Length`, None without one; `Refused` when it is no number or over 1 MiB."""
    text = (environ.get("CONTENT_LENGTH") or "").strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or len(text) > 15:
        raise Refused(400, "bad Content-Length")
    length = int(text)
    if length > MAX_BODY:
        raise Refused(413, "declared body over 1 MiB")
    return length


def read_body(environ: dict) -> bytes:
    """The body, at most 1 MiB of it (`Refused` for more, or for less than was declared)."""
    length = declared_length(environ)
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    if length is None:
        if not environ.get("wsgi.input_terminated"):  # the server can't tell where it ends
            return b""
        length = MAX_BODY + 1
        exact = False
    else:
        exact = True
    parts, size = [], 0
    while size < length:
        chunk = stream.read(min(_READ, length - size))
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    if size > MAX_BODY:
        raise Refused(413, "body over 1 MiB")
    if exact and size < length:
        raise Refused(400, "body shorter than its Content-Length")
    return b"".join(parts)


def signature_problem(
    secret: bytes, timestamp: str | None, signature: str | None, body: bytes, now: float
) -> str | None:
    """Why the request is not Slack's, or None when its signature and timestamp hold."""
    if not timestamp or not signature:
        return "no signature"
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return "bad timestamp"
    if abs(now - int(timestamp)) > MAX_AGE_SECONDS:
        return "timestamp not within 5 minutes"
    expected = "v0=" + hmac.new(secret, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        return "bad signature"
    return None


def too_deep(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether lists and objects nest more than `limit` levels (checked without recursion)."""
    todo = [(value, 1)]
    while todo:
        item, depth = todo.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        todo.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False


# --- the shape of what Slack sends ----------------------------------------------------------------

_S = (str, type(None))
_D = (dict, type(None))
_L = (list, type(None))
_SD = (str, dict, type(None))  # Bolt reads `team`, `user`, `channel`, `enterprise` as either

TOP: dict[str, tuple] = {
    **dict.fromkeys(
        (
            "type",
            "token",
            "command",
            "text",
            "team_id",
            "team_domain",
            "enterprise_id",
            "enterprise_name",
            "channel_id",
            "channel_name",
            "user_id",
            "user_name",
            "api_app_id",
            "trigger_id",
            "response_url",
            "callback_id",
            "action_ts",
            "message_ts",
            "event_id",
            "challenge",
            "ssl_check",
            "thread_ts",
            "function_execution_id",
            "bot_access_token",
        ),
        _S,
    ),
    **dict.fromkeys(("team", "user", "channel", "enterprise"), _SD),
    **dict.fromkeys(("view", "event", "message", "container", "state", "function_data"), _D),
    **dict.fromkeys(("actions", "authorizations"), _L),
    "response_urls": (list,),
    "is_enterprise_install": (bool, str, type(None)),
    "is_ext_shared_channel": (bool, type(None)),
}
PARTS: dict[str, dict[str, tuple]] = {
    "team": dict.fromkeys(("id", "domain", "enterprise_id", "enterprise_name"), _S),
    "user": dict.fromkeys(("id", "team_id", "name", "username"), _S),
    "channel": dict.fromkeys(("id", "name"), _S),
    "enterprise": dict.fromkeys(("id", "name"), _S),
    "message": dict.fromkeys(("ts", "thread_ts", "text", "user", "bot_id", "subtype"), _S),
    "container": dict.fromkeys(("type", "message_ts", "channel_id", "view_id", "thread_ts"), _S),
    "view": {
        **dict.fromkeys(
            (
                "id",
                "type",
                "callback_id",
                "private_metadata",
                "hash",
                "team_id",
                "app_installed_team_id",
                "app_id",
                "bot_id",
                "external_id",
                "root_view_id",
                "previous_view_id",
            ),
            _S,
        ),
        "state": _D,
        "blocks": _L,
    },
    "event": {
        **dict.fromkeys(
            ("type", "subtype", "text", "ts", "thread_ts", "event_ts", "bot_id", "channel_type", "tab", "team"),
            _S,
        ),
        "blocks": _L,
        "message": _D,
        "tokens": _D,
    },
}
ACTION = {
    **dict.fromkeys(
        (
            "action_id",
            "block_id",
            "type",
            "value",
            "action_ts",
            "selected_user",
            "selected_channel",
            "selected_conversation",
            "selected_date",
            "selected_time",
        ),
        _S,
    ),
    "selected_option": _D,
    **dict.fromkeys(("selected_options", "selected_users", "selected_channels", "selected_conversations"), _L),
}
AUTHORIZATION = {
    **dict.fromkeys(("enterprise_id", "team_id", "user_id"), _S),
    "is_bot": (bool, type(None)),
    "is_enterprise_install": (bool, type(None)),
}
# Every id Bolt reads from a body into the request's context: a string or nothing.
CONTEXT_IDS = (
    "enterprise_id",
    "team_id",
    "user_id",
    "actor_enterprise_id",
    "actor_team_id",
    "actor_user_id",
    "channel_id",
    "thread_ts",
    "response_url",
    "function_execution_id",
    "function_bot_access_token",
)


def _fields_problem(where: str, value: dict, types: dict[str, tuple]) -> str | None:
    for key, allowed in types.items():
        if key in value and not isinstance(value[key], allowed):
            return f"{where}{key} is not a {allowed[0].__name__}"
    return None


def _envelope_problem(where: str, payload: dict) -> str | None:
    """The fields Bolt reads ids from: the payload's own, its parts', its authorizations'. Bolt
    reads them again inside `event` (and an event's `event`…) when the outer level has none."""
    problem = _fields_problem(where, payload, TOP)
    if problem:
        return problem
    for part, types in PARTS.items():
        if isinstance(payload.get(part), dict):
            problem = _fields_problem(f"{where}{part}.", payload[part], types)
            if problem:
                return problem
    for authorization in payload.get("authorizations") or []:
        if not isinstance(authorization, dict):
            return f"{where}authorizations holds something else than objects"
        problem = _fields_problem(f"{where}authorizations[].", authorization, AUTHORIZATION)
        problem = problem or _envelope_problem(f"{where}authorizations[].", authorization)
        if problem:
            return problem
    for key in ("event", "message", "previous_message"):  # where Bolt looks for ids next
        inner = payload.get(key)
        problem = _envelope_problem(f"{where}{key}.", inner) if isinstance(inner, dict) else None
        if problem:
            return problem
    return None


def body_problem(body: Any) -> str | None:
    """What in a parsed body no Slack payload looks like, or None. Never the values themselves."""
    if not isinstance(body, dict):
        return "not an object"
    problem = _envelope_problem("", body)
    if problem:
        return problem
    for response_url in body.get("response_urls") or []:
        if not isinstance(response_url, dict) or not isinstance(response_url.get("response_url"), str):
            return "response_urls holds something else than response urls"
    kind = body.get("type")
    actions = body.get("actions")
    if kind == "block_actions" and not actions:
        return "block_actions without actions"
    for action in actions or []:
        if not isinstance(action, dict):
            return "actions holds something else than objects"
        if kind == "block_actions" and not isinstance(action.get("action_id"), str):
            return "an action without action_id"
        problem = _fields_problem("actions[].", action, ACTION)
        if problem:
            return problem
    view = body.get("view")
    if isinstance(view, dict) and isinstance(view.get("state"), dict):
        values = view["state"].get("values")
        if not isinstance(values, (dict, type(None))) or any(
            not isinstance(block, dict) or any(not isinstance(element, dict) for element in block.values())
            for block in (values or {}).values()
        ):
            return "view.state.values is not blocks of elements"
    if kind in ("view_submission", "view_closed"):
        if not isinstance(view, dict) or not isinstance(view.get("callback_id"), str):
            return f"{kind} without a view and its callback_id"
        if not isinstance(view.get("type"), str):  # Bolt reads it (workflow steps) before any listener
            return f"{kind} without view.type"
        if kind == "view_submission" and not isinstance((view.get("state") or {}).get("values"), dict):
            return "view_submission without view.state.values"
    if kind in ("shortcut", "message_action") and not isinstance(body.get("callback_id"), str):
        return f"{kind} without callback_id"
    if kind == "event_callback":
        event = body.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            return "event_callback without an event type"
    if "command" in body and not isinstance(body.get("command"), str):
        return "command is not a string"
    return None


def context_problem(request: BoltRequest) -> str | None:
    for key in CONTEXT_IDS:
        value = request.context.get(key)
        if value is not None and not isinstance(value, str):
            return f"{key} is not a string"
    return None


class FrontDoor:
    """A WSGI app for `POST /slack/events`: the checks above, then Bolt."""

    def __init__(self, app: App, signing_secret: str, clock: Callable[[], float] = time.time):
        self.app = app
        self.secret = signing_secret.encode()
        self.clock = clock

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        logs.REQUEST_ID.set(logs.new_request_id())
        logs.TEAM_ID.set("-")
        size = None
        try:
            body = read_body(environ)
            size = len(body)
            problem = signature_problem(
                self.secret,
                environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"),
                environ.get("HTTP_X_SLACK_SIGNATURE"),
                body,
                self.clock(),
            )
            if problem:
                raise Refused(401, problem)
            request = self.parse(environ, body)
        except Refused as refused:
            return refuse(environ, start_response, refused.status, refused.why, size)
        answer = self.app.dispatch(request)
        if answer.status == 404:  # signed, well formed, and nothing handles it: 200, one line (SPEC §3)
            log.info("unhandled signed request (%s): answered 200, nothing done", _kind(request.body))
            answer = BoltResponse(status=200, body="")
        response = WsgiHttpResponse(status=answer.status, headers=answer.headers, body=answer.body)
        start_response(response.status, response.get_headers())
        return response.get_body()

    @staticmethod
    def parse(environ: dict, body: bytes) -> BoltRequest:
        """A signed body as Bolt's request; `Refused` (400) for what Slack never sends."""
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused(400, "body is not UTF-8") from None
        headers = {
            key[5:].lower().replace("_", "-"): value for key, value in environ.items() if key.startswith("HTTP_")
        }
        for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(key):
                headers[key.lower().replace("_", "-")] = environ[key]
        try:
            request = BoltRequest(body=text, query=environ.get("QUERY_STRING", ""), headers=headers)
        except Exception:  # broken JSON, too deep for the parser, a shape Bolt can't read ids from
            raise Refused(400, "body can't be parsed") from None
        if too_deep(request.body):
            raise Refused(400, f"body nests deeper than {MAX_DEPTH} levels")
        problem = body_problem(request.body) or context_problem(request)
        if problem:
            raise Refused(400, problem)
        return request


def _kind(body: dict) -> str:
    """What an unhandled request was, for its log line: never its values beyond ids Slack defines."""
    if "command" in body:
        return f"command {str(body.get('command'))[:40]}"
    kind = str(body.get("type") or "unknown")[:40]
    if kind == "event_callback":
        return f"event {str((body.get('event') or {}).get('type'))[:40]}"
    return kind


class _NoUnhandledTraces(logging.Filter):
    """Bolt logs an unhandled request as many lines of suggested code; the front door logs one."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Unhandled request")


logging.getLogger("bot.bolt").addFilter(_NoUnhandledTraces())
