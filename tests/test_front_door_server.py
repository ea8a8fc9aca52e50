"""`coach run`'s web worker (bot/ops/worker.py) against slow, idle and hostile clients, for real:
the subprocess as an operator starts it, raw sockets as an attacker would use them. Slack is the
loopback fake."""

from __future__ import annotations

import http.client
import itertools
import json
import resource
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from bench.common import signature
from bot.ops.frontdoor import MAX_BODY
from tests.harness import SIGNING_SECRET, coach_env, free_port, stop, wait_healthy

MARKER = "TYPED-BY-SOMEONE-51c9"
SLOW = 50
IDLE = 2000


def open_files_at_least(wanted: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        if hard != resource.RLIM_INFINITY and hard < wanted:
            pytest.skip(f"{wanted} open files needed, the hard limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


class CoachRun:
    def __init__(self, process: subprocess.Popen, port: int, log: Path):
        self.process, self.port, self.log = process, port, log

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def start_coach_run(tmp: Path, fake, files: int | None = None) -> CoachRun:
    """`coach run` on SQLite; `files`: its limit on open files (soft and hard)."""
    port = free_port()
    log = tmp / "coach.log"
    env = coach_env(
        tmp,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=fake.api_url,
        PORT=str(port),
    )

    def limit_files():
        if files:
            resource.setrlimit(resource.RLIMIT_NOFILE, (files, files))

    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run"],
            env=env,
            cwd=tmp,
            stdout=out,
            stderr=subprocess.STDOUT,
            preexec_fn=limit_files,
        )
    wait_healthy(port, process, log)
    return CoachRun(process, port, log)


@pytest.fixture(scope="module")
def coach_run(tmp_path_factory, fake_slack_server):
    open_files_at_least(2 * IDLE + 500)
    server = start_coach_run(tmp_path_factory.mktemp("coach_run"), fake_slack_server)
    yield server
    code = stop(server.process)
    output = server.output()
    assert code == 0, output
    assert "Traceback" not in output and MARKER not in output, output


TRIGGERS = itertools.count(1)


def command_body(text: str = "help") -> bytes:
    return urlencode(
        {
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": "U1",
            "user_name": MARKER,
            "command": "/commit",
            "text": text,
            "response_url": "http://127.0.0.1:9/MARKER-URL",
            "trigger_id": f"t-{next(TRIGGERS)}",  # as Slack's: a new one each time (replays, issue #14)
        }
    ).encode()


def signed_headers(body: bytes) -> dict[str, str]:
    ts = str(int(time.time()))
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature(SIGNING_SECRET, ts, body),
    }


def within(seconds: float, port: int, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
    """One request on a new connection; fails the test (socket timeout) unless answered in time."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=seconds)
    try:
        connection.request(method, path, body=body, headers=signed_headers(body) if body is not None else {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def assert_answering(port: int, seconds: float = 1.0) -> None:
    status, _ = within(seconds, port, "GET", "/healthz")
    assert status == 200
    status, answer = within(seconds, port, "POST", "/slack/events", command_body())
    assert status == 200 and b"Breakthrough Coach" in answer  # `/commit help`, in the response


def connect(port: int, count: int, first: bytes = b"") -> list[socket.socket]:
    opened = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        if first:
            s.sendall(first)
        opened.append(s)
    return opened


def exchange(port: int, data: bytes, timeout: float = 5.0) -> bytes:
    """Send `data` (as much as the server takes) and read until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        answer = b""
        try:
            while chunk := s.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass
    return answer


def statuses(answer: bytes) -> list[int]:
    return [int(line.split()[1]) for line in answer.split(b"\r\n") if line.startswith(b"HTTP/1.1 ")]


# --- slow and idle clients ------------------------------------------------------------------------


def test_slow_and_idle_clients_leave_healthz_and_commit_answering_within_1s(coach_run):
    port = coach_run.port
    body = command_body()
    head = (
        f"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n"
        + "".join(f"{k}: {v}\r\n" for k, v in signed_headers(body).items())
        + "\r\n"
    ).encode()
    held = []
    try:
        held += connect(port, SLOW // 2, b"P")  # a byte of the request line, then nothing
        held += connect(port, SLOW // 2, head + body[:1])  # the whole head, a byte of the body
        held += connect(port, IDLE)  # nothing at all
        # The kernel queues new connections in order: once the worker has taken in all of
        # the above (a fraction of a second, longer on a busy machine), every answer takes < 1 s.
        assert_answering(port, seconds=15)
        for _ in range(3):
            assert_answering(port)
    finally:
        for s in held:
            s.close()
    assert_answering(port)


def test_past_its_open_files_the_worker_closes_the_longest_waiting_connection(tmp_path, fake_slack):
    open_files_at_least(1500)
    server = start_coach_run(tmp_path, fake_slack, files=400)  # room for about 200 connections
    held = []
    try:
        held += connect(server.port, 600)
        assert_answering(server.port, seconds=15)  # with no room it would never be taken in
        assert_answering(server.port)
        held[0].settimeout(5)
        assert held[0].recv(1) == b""  # the oldest idle connection was closed to make room
        # SIGTERM with idle connections open: closed after a moment, and the process exits 0.
        code = stop(server.process, timeout=15)
    finally:
        for s in held:
            s.close()
        if server.process.poll() is None:
            server.process.kill()
    output = server.output()
    assert code == 0, output
    assert "closed the oldest connection waiting for a request" in output and "Traceback" not in output


# --- bodies over 1 MiB, and lengths that lie ------------------------------------------------------------


def test_a_chunked_body_over_1_mib_gets_413_without_being_read_whole(coach_run):
    head = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    piece = (MARKER.encode() * 4000)[: 64 * 1024]
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"

    # One chunk that says it is 2 MiB: refused on its size line.
    answer = exchange(coach_run.port, head + f"{2 * MAX_BODY:x}\r\n".encode() + piece)
    assert statuses(answer) == [413]

    # 64 KiB chunks: refused at the one that goes over 1 MiB; the rest is never read.
    answer = exchange(coach_run.port, head + chunk * 17)
    assert statuses(answer) == [413]


def test_a_declared_body_over_1_mib_gets_413_before_it_is_sent(coach_run):
    answer = exchange(
        coach_run.port, f"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: {100 * MAX_BODY}\r\n\r\n".encode()
    )
    assert statuses(answer) == [413]


def test_bytes_past_a_declared_length_are_no_body(coach_run):
    body = command_body()
    extra = MARKER.encode() * 2000  # 42 KB more than the declared length, no request of their own
    head = (
        f"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n"
        + "".join(f"{k}: {v}\r\n" for k, v in signed_headers(body).items())
        + "\r\n"
    ).encode()

    answer = exchange(coach_run.port, head + body + extra)

    # The request as declared is answered; what follows is no request (refused, or the
    # connection reset while the client still sends), never part of a body.
    assert statuses(answer)[:1] == [200] and set(statuses(answer)[1:]) <= {400, 431}


def test_requests_that_are_not_http_get_400_and_the_worker_goes_on(coach_run):
    for garbage in (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", b"GET / HTTP/1.1\r\nBad Header\r\n\r\n"):
        assert statuses(exchange(coach_run.port, garbage)) == [400]
    assert statuses(exchange(coach_run.port, b"GET / HTTP/1.1\r\nX: " + b"a" * 20_000 + b"\r\n\r\n")) == [431]
    assert_answering(coach_run.port)


@pytest.mark.parametrize(
    "body, signed, status",
    [
        (b"payload=notjson-" + MARKER.encode(), True, 400),
        (command_body() + b"%20\xff\xfe", True, 400),
        (json.dumps({"authorizations": [1], "text": MARKER}).encode(), True, 400),
        (command_body(), False, 401),
    ],
)
def test_the_front_door_holds_under_coach_run(coach_run, body, signed, status):
    headers = signed_headers(body) if signed else {"Content-Type": "application/x-www-form-urlencoded"}
    connection = http.client.HTTPConnection("127.0.0.1", coach_run.port, timeout=5)
    connection.request("POST", "/slack/events", body=body, headers=headers)
    assert connection.getresponse().status == status
    connection.close()


def test_expect_100_continue_is_answered_before_the_body_and_refused_over_1_mib(coach_run):
    body = command_body()
    head = (
        f"POST /slack/events HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: {len(body)}\r\n"
        + "".join(f"{k}: {v}\r\n" for k, v in signed_headers(body).items())
        + "Connection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", coach_run.port), timeout=5) as s:
        s.sendall(head)
        assert s.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
        s.sendall(body)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    assert statuses(answer) == [200] and b"Breakthrough Coach" in answer

    too_big = (
        f"POST /slack/events HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: {MAX_BODY + 1}\r\n\r\n"
    )
    assert statuses(exchange(coach_run.port, too_big.encode())) == [413]
