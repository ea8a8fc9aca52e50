"""Starting what the ack benchmarks measure: `coach run` and the bare Bolt yardstick.

Both run under the production server (bot.ops.server.CoachServer: gunicorn with the event-loop
worker of bot/ops/worker.py) in their own process group, on a free loopback port, talking to the fake Web API at `api_url`.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Sequence
from urllib.parse import urlencode

from bench.common import (
    BOT_TOKEN,
    SIGNING_SECRET,
    TEAM_ID,
    Child,
    child_env,
    free_port,
    python,
    signed_headers,
    spawn,
    wait_http,
)
from bench.seed import Target


class Server:
    def __init__(self, name: str, child: Child, port: int):
        self.name = name
        self.child = child
        self.port = port

    def stop(self) -> None:
        self.child.stop()


def start_coach(workdir: Path, api_url: str, database_url: str, name: str = "coach", **env: str) -> Server:
    """`coach run` (migrates, then serves HTTP under gunicorn), as an operator starts it."""
    port = free_port()
    child = spawn(
        name,
        [python(), "-m", "bot.cli", "run"],
        child_env(
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=api_url,
            DATABASE_URL=database_url,
            PORT=str(port),
            COACH_TIMEZONE="UTC",
            **env,
        ),
        workdir,
    )
    wait_http(port, child, "/healthz")
    return Server(name, child, port)


def start_bare(workdir: Path, api_url: str, process_before_response: bool = False) -> Server:
    name = "bare_bolt_pbr" if process_before_response else "bare_bolt"
    port = free_port()
    argv = [python(), "-m", "bench.bare_bolt", "--port", str(port)]
    if process_before_response:
        argv.append("--process-before-response")
    child = spawn(name, argv, child_env(SLACK_SIGNING_SECRET=SIGNING_SECRET, SLACK_API_URL=api_url), workdir)
    wait_http(port, child)
    return Server(name, child, port)


def command_body(text: str, channel: str, user: str, response_url: str, trigger: int) -> bytes:
    """A `/commit` slash command as Slack posts it (form-encoded)."""
    return urlencode(
        {
            "token": "legacy",
            "team_id": TEAM_ID,
            "team_domain": "bench",
            "channel_id": channel,
            "channel_name": "bench",
            "user_id": user,
            "user_name": user,
            "command": "/commit",
            "text": text,
            "api_app_id": "A1",
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": f"trigger-{trigger}",
        }
    ).encode()


def progress_requests(targets: Sequence[Target], response_url: str):
    """Signed `/commit progress #N <n>`: worker i walks the targets from its own offset."""
    triggers = itertools.count(1)

    def make(worker: int, seq: int):
        target = targets[(worker * 7 + seq) % len(targets)]
        value = target.value + (seq % 10)
        body = command_body(
            f"progress #{target.number} {value:g}", target.channel_id, target.user_id, response_url, next(triggers)
        )
        return body, signed_headers(body)

    return make
