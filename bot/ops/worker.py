"""gunicorn's web worker for `coach run`: an event loop reads requests, threads answer them.

gunicorn's threaded worker gives each connection a thread while it reads the request, so a
few clients that send a byte and wait (or thousands that connect and say nothing) hold every
thread, and nobody else is answered, `/healthz` included. Here one asyncio event loop owns
every connection: it reads each request whole (bot/ops/http1.py: a head of at most 16 KiB, a
body of at most 1 MiB, refused with 413 before it is read when it says it is larger), and only
then hands it to the pool of `threads` threads that run the WSGI app (Bolt). A connection costs
a few kilobytes and no thread until its request is complete, and each has deadlines:

- `IDLE_SECONDS` (gunicorn's `keepalive`) to start a request, on a new or a kept-alive
  connection; then it is closed;
- `REQUEST_SECONDS` from a request's first byte to its last; then 408 and closed;
- at most `max_connections` at once (from the open-files limit, which the worker raises to
  its hard limit): a new one past that closes the oldest connection still waiting for its
  request (never one whose request is being answered);
- at most `BUFFER_BUDGET` bytes of unfinished requests in all; a connection that would go
  over it is closed.

SIGTERM: stop accepting, answer every request in flight (a request already coming in gets
`REQUEST_SECONDS` to arrive), close kept-alive connections after `STOP_LINGER_SECONDS`, then
return to gunicorn, whose `worker_exit` hook lets the listeners' work finish. SIGINT/SIGQUIT:
stop now.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import resource
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from email.utils import formatdate
from urllib.parse import unquote_to_bytes

from gunicorn.workers.base import Worker

from bot.ops.http1 import REASONS, HttpError, Request, RequestReader

log = logging.getLogger("bot.http")

MAX_BODY = 1 << 20  # 1 MiB: far above anything Slack sends
IDLE_SECONDS = 5.0  # default; gunicorn's `keepalive` setting wins
REQUEST_SECONDS = 10.0
STOP_LINGER_SECONDS = 1.0
TICK_SECONDS = 0.5
MAX_CONNECTIONS = 10_000
RESERVED_FILES = 200  # open files kept for the database, logs, the Web API
BUFFER_BUDGET = 64 << 20
OPEN_FILES_WANTED = 65_536
ACCEPT_BATCH = 64

IDLE, READING, BUSY, CLOSED = "idle", "reading", "busy", "closed"
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "upgrade", "te", "trailer"}


def raise_open_files(wanted: int = OPEN_FILES_WANTED) -> int:
    """Raise the soft limit on open files toward `wanted` (at most the hard limit); the limit now."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            pass
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return wanted if soft == resource.RLIM_INFINITY else soft


def connection_limit(open_files: int) -> int:
    return max(16, min(MAX_CONNECTIONS, open_files - RESERVED_FILES))


def run_wsgi(app, environ: dict) -> tuple[str, list[tuple[str, str]], bytes]:
    """Call a WSGI app on a whole request; its whole answer (on a pool thread)."""
    answer: dict = {}
    chunks: list[bytes] = []

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = status, list(headers)
        return chunks.append

    try:
        result = app(environ, start_response)
        try:
            for chunk in result:
                chunks.append(chunk)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        return answer["status"], answer["headers"], b"".join(chunks)
    except Exception:
        log.exception("the app failed to answer %s %s", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"))
        return "500 Internal Server Error", [("Content-Type", "text/plain")], b"Internal Server Error"


class _Date:
    """The Date header, formatted once a second."""

    def __init__(self):
        self.second = 0
        self.text = ""

    def now(self) -> str:
        second = int(time.time())
        if second != self.second:
            self.second, self.text = second, formatdate(second, usegmt=True)
        return self.text


_date = _Date()


def response_bytes(
    status: str, headers: list[tuple[str, str]], body: bytes, keep_alive: bool, head_only: bool
) -> bytes:
    code = status[:3]
    lines = [f"HTTP/1.1 {status}"]
    for name, value in headers:
        if name.lower() in _HOP_BY_HOP or name.lower() == "date":
            continue
        lines.append(f"{name}: {value.replace(chr(13), ' ').replace(chr(10), ' ')}")
    if code not in ("204", "304"):
        lines.append(f"Content-Length: {len(body)}")
    else:
        body = b""
    lines.append(f"Date: {_date.now()}")
    if not keep_alive:
        lines.append("Connection: close")
    data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return data if head_only else data + body


def refusal(status: int) -> bytes:
    reason = REASONS.get(status, "Error")
    body = f"{reason}\n".encode()
    return response_bytes(f"{status} {reason}", [("Content-Type", "text/plain")], body, False, False)


def environ_for(request: Request, server: tuple, peer: tuple | None, scheme: str = "http") -> dict:
    head = request.head
    path, _, query = head.target.partition("?")
    if path.startswith(("http://", "https://")):  # an absolute target: keep its path
        path = "/" + path.split("://", 1)[1].partition("/")[2]
    environ = {
        "REQUEST_METHOD": head.method,
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
        "QUERY_STRING": query,
        "RAW_URI": head.target,
        "SERVER_PROTOCOL": head.version,
        "SERVER_NAME": str(server[0]) if server else "localhost",
        "SERVER_PORT": str(server[1]) if server and len(server) > 1 else "",
        "REMOTE_ADDR": str(peer[0]) if peer else "",
        "REMOTE_PORT": str(peer[1]) if peer and len(peer) > 1 else "",
        "CONTENT_LENGTH": str(len(request.body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(request.body),
        "wsgi.input_terminated": True,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in head.headers:
        if "_" in name:  # `X_Foo` would pass for `X-Foo` in the environ: dropped, as gunicorn does
            continue
        if name == "content-type":
            environ["CONTENT_TYPE"] = value
            continue
        if name in ("content-length", "transfer-encoding"):
            continue
        key = "HTTP_" + name.upper().replace("-", "_")
        environ[key] = environ[key] + "," + value if key in environ else value
    return environ


class Connection(asyncio.Protocol):
    def __init__(self, worker: "EventLoopWorker"):
        self.worker = worker
        self.reader = RequestReader(MAX_BODY)
        self.transport: asyncio.Transport | None = None
        self.state = IDLE
        self.since = time.monotonic()
        self.deadline = self.since + worker.idle_seconds
        self.buffered = 0  # bytes counted against the worker's budget
        self.continued = False  # "100 Continue" sent for the request being read
        self.eof = False  # the client will send nothing more
        self.peer = None
        self.server = None

    # --- asyncio ---------------------------------------------------------------------------

    def connection_made(self, transport) -> None:
        self.transport = transport
        self.peer = transport.get_extra_info("peername")
        self.server = transport.get_extra_info("sockname")
        self.worker.opened(self)

    def data_received(self, data: bytes) -> None:
        if self.state == CLOSED:
            return
        if self.state == IDLE:
            self._set(READING, self.worker.request_seconds)
        self.reader.feed(data)
        if not self._account():
            return
        if self.state == READING:
            self._advance()

    def eof_received(self):
        if self.state == BUSY:
            self.eof = True
            return True  # half-closed: answer, then close
        self.close()
        return False

    def connection_lost(self, exc) -> None:
        self.state = CLOSED
        self.worker.closed(self)
        self._release()

    # --- reading and answering -------------------------------------------------------------

    def _set(self, state: str, seconds: float | None) -> None:
        self.state = state
        self.since = time.monotonic()
        self.deadline = self.since + seconds if seconds is not None else None

    def _account(self) -> bool:
        size = len(self.reader.buffer)
        self.worker.buffered += size - self.buffered
        self.buffered = size
        if self.worker.buffered > BUFFER_BUDGET and self.state != BUSY:
            self.worker.note_refusal(f"closed a connection from {self._peer()}: too many bytes of unfinished requests")
            self.close()
            return False
        return True

    def _release(self) -> None:
        self.worker.buffered -= self.buffered
        self.buffered = 0

    def _peer(self) -> str:
        return str(self.peer[0]) if self.peer else "-"

    def _advance(self) -> None:
        try:
            request = self.reader.next_request()
        except HttpError as error:
            self.refuse(error.status, error.why)
            return
        if request is None:
            head = self.reader.head
            if head is not None and head.expect_continue and not self.continued:
                self.continued = True
                self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            if not self.reader.started:  # only empty lines came: still waiting for a request
                self._set(IDLE, self.worker.idle_seconds)
            return
        self._account()
        self._set(BUSY, None)
        self.transport.pause_reading()  # a client sending ahead waits for this answer
        environ = environ_for(request, self.server, self.peer)
        future = self.worker.loop.run_in_executor(self.worker.pool, run_wsgi, self.worker.wsgi, environ)
        future.add_done_callback(lambda done: self._answer(request, done))

    def _answer(self, request: Request, done: asyncio.Future) -> None:
        self.worker.answered()
        if self.state == CLOSED:
            return
        status, headers, body = done.result()
        keep_alive = request.head.keep_alive and not self.worker.stopping and not self.eof
        head_only = request.head.method == "HEAD"
        self.transport.write(response_bytes(status, headers, body, keep_alive, head_only))
        if not keep_alive:
            self.close()
            return
        self.continued = False
        self._set(IDLE, self.worker.idle_seconds)
        self.transport.resume_reading()
        if self.reader.started:  # the client sent the next request ahead
            self._set(READING, self.worker.request_seconds)
            self._advance()

    def refuse(self, status: int, why: str) -> None:
        self.worker.note_refusal(f"refused a request from {self._peer()}: {status} {why}")
        self.transport.write(refusal(status))
        self.close()

    def expire(self) -> None:
        if self.state == READING:
            self.refuse(408, "the request did not arrive in time")
        elif self.state == IDLE:
            self.close()

    def close(self) -> None:
        if self.state != CLOSED and self.transport is not None:
            self.state = CLOSED
            self.transport.close()
            self.worker.closed(self)  # now: its room is free for the next connection


class EventLoopWorker(Worker):
    """A gunicorn worker: one asyncio loop for the connections, `threads` threads for the app."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.pool: ThreadPoolExecutor | None = None
        self.connections: dict[Connection, None] = {}  # in the order they were opened
        self.servers: list[asyncio.AbstractServer] = []
        self.buffered = 0
        self.in_flight = 0
        self.stopping = False
        self.stop_by = 0.0
        self.idle_seconds = float(self.cfg.keepalive or IDLE_SECONDS)
        self.request_seconds = REQUEST_SECONDS
        self.max_connections = MAX_CONNECTIONS
        self._refusals = 0
        self._refusals_since = 0.0

    # --- gunicorn --------------------------------------------------------------------------

    def run(self) -> None:
        self.max_connections = connection_limit(raise_open_files())
        self.loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self.loop)
        self.pool = ThreadPoolExecutor(max_workers=max(1, self.cfg.threads), thread_name_prefix="http")
        self.loop.add_signal_handler(signal.SIGTERM, self.stop, True)
        self.loop.add_signal_handler(signal.SIGINT, self.stop, False)
        self.loop.add_signal_handler(signal.SIGQUIT, self.stop, False)
        self.loop.set_exception_handler(self._loop_error)
        for listener in self.sockets:
            # asyncio accepts up to `backlog` connections at a time, and closes evicted ones only
            # after: a small batch keeps that within RESERVED_FILES. Then the kernel's queue of
            # connections waiting to be accepted is set back to gunicorn's `backlog`.
            server = self.loop.run_until_complete(
                self.loop.create_server(lambda: Connection(self), sock=listener.sock, backlog=ACCEPT_BATCH)
            )
            listener.sock.listen(self.cfg.backlog)
            self.servers.append(server)
        self.loop.call_soon(self.tick)
        try:
            if self.alive:
                self.loop.run_forever()
        finally:
            graceful = not self._quick
            self._done = True
            for connection in list(self.connections):
                connection.close()
            self.pool.shutdown(wait=graceful, cancel_futures=not graceful)
            try:
                self.loop.run_until_complete(asyncio.sleep(0))  # let the transports close
            except RuntimeError:  # a late loop.stop() (a signal, a request finishing) ended that turn early
                log.debug("the loop was stopped while closing its connections")
            self.loop.close()

    _quick = False  # SIGINT/SIGQUIT: stop without waiting
    _done = False  # the loop has stopped for good

    # --- the loop --------------------------------------------------------------------------

    def tick(self) -> None:
        self.notify()
        now = time.monotonic()
        if self.ppid != os.getppid():
            self.log.info("Parent changed, shutting down: %s", self)
            self.stop(False)
            return
        if not self.alive and not self.stopping:
            self.stop(True)
        for connection in list(self.connections):
            if connection.deadline is not None and connection.deadline <= now:
                connection.expire()
        if self.stopping and (not self.connections or now >= self.stop_by):
            self.loop.stop()
            return
        self.loop.call_later(TICK_SECONDS, self.tick)

    def stop(self, graceful: bool) -> None:
        self.alive = False
        if not graceful:
            self._quick = True
            self.stopping = True
            self.loop.stop()
            return
        if self.stopping:
            return
        self.stopping = True
        self.stop_by = time.monotonic() + max(1.0, self.cfg.graceful_timeout - 1.0)
        for server in self.servers:
            server.close()
        linger = time.monotonic() + STOP_LINGER_SECONDS
        for connection in self.connections:
            if connection.state == IDLE:
                connection.deadline = min(connection.deadline, linger)
        if not self.connections:
            self.loop.stop()

    def opened(self, connection: Connection) -> None:
        while len(self.connections) >= self.max_connections:
            oldest = self._longest_waiting()
            if oldest is None:
                self.note_refusal("closed a new connection: every connection is being answered")
                connection.close()
                return
            self.note_refusal(f"closed the oldest connection waiting for a request: {self.max_connections} are open")
            oldest.close()
        self.connections[connection] = None

    def closed(self, connection: Connection) -> None:
        self.connections.pop(connection, None)
        if self.stopping and not self.connections and not self._done:
            self.loop.stop()

    def answered(self) -> None:
        self.nr += 1

    def _longest_waiting(self) -> Connection | None:
        """The oldest connection not being answered (in the order they were opened)."""
        for connection in self.connections:
            if connection.state in (IDLE, READING):
                return connection
        return None

    def _loop_error(self, loop, context: dict) -> None:
        error = context.get("exception")
        if isinstance(error, OSError):  # out of open files, a connection reset mid-accept…
            self.note_refusal(f"{context.get('message', 'socket error')}: {error.strerror or error}")
        else:
            loop.default_exception_handler(context)

    def note_refusal(self, message: str) -> None:
        """Log a refused connection; under a flood, at most a line a second and a count."""
        now = time.monotonic()
        if now - self._refusals_since < 1.0:
            self._refusals += 1
            return
        more = f" (and {self._refusals} more like it since the last line)" if self._refusals else ""
        log.info(message + more)
        self._refusals = 0
        self._refusals_since = now
