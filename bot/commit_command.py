"""`/commit`: parse the text once, then hand the parsed subcommand to the domain that owns it.

Each domain registers its subcommands with `router.on(ParsedType)`; the listener itself stays
thin: unescape, parse, route, and let `guarded` answer problems.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from slack_bolt import Ack, App

from bot import ids
from bot.coaching.parsing import COMMIT_USAGE, ParseError, parse_commit_command
from bot.listening import CoachError, guarded
from bot.slack_text import escape, unescape


def usage() -> str:
    return escape(COMMIT_USAGE)


def with_usage(message: str) -> str:
    return f"{message}\n\n{usage()}"


@dataclass(frozen=True)
class CommandRequest:
    ack: Ack
    client: object
    parsed: object
    team_id: str
    channel_id: str
    user_id: str
    trigger_id: str | None

    def reply(self, text: str, blocks: list[dict] | None = None) -> None:
        """Answer the person alone (ephemeral), in the command's own HTTP response."""
        payload = {"response_type": "ephemeral", "text": text}
        if blocks:
            payload["blocks"] = blocks
        self.ack(**payload)


Handler = Callable[[CommandRequest], None]


class CommitRouter:
    def __init__(self) -> None:
        self.routes: dict[type, Handler] = {}

    def on(self, parsed_type: type) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.routes[parsed_type] = handler
            return handler

        return register

    def register(self, app: App) -> None:
        @guarded
        def commit_command(ack, client, command):
            text = unescape(command.get("text") or "")
            try:
                parsed = parse_commit_command(text)
            except ParseError as problem:
                raise CoachError(with_usage(escape(problem.message))) from None
            handler = self.routes.get(type(parsed))
            if handler is None:
                raise CoachError(with_usage("That part of `/commit` isn't available yet."))
            handler(
                CommandRequest(
                    ack=ack,
                    client=client,
                    parsed=parsed,
                    team_id=command["team_id"],
                    channel_id=command["channel_id"],
                    user_id=command["user_id"],
                    trigger_id=command.get("trigger_id"),
                )
            )

        app.command(ids.COMMIT_COMMAND)(commit_command)
