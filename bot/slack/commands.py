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
from bot.services import Services
from bot.slack.guard import CoachError, guarded
from bot.slack.text import escape, unescape


def usage() -> str:
    return escape(COMMIT_USAGE)


def with_usage(message: str, usage_text: str | None = None) -> str:
    """`message`, then the usage of `/commit` (or the `usage_text` given, e.g. `/background`'s)."""
    return f"{message}\n\n{usage_text if usage_text is not None else usage()}"


@dataclass(frozen=True)
class CommandRequest:
    """One `/commit`, parsed, with what its route needs: `services` and `followups` come from
    the request context (bot/app.py), the team from the workspace Bolt authorized."""

    ack: Ack
    client: object
    parsed: object
    team_id: str
    channel_id: str
    user_id: str
    trigger_id: str | None
    services: Services
    followups: object = None

    def reply(self, text: str, blocks: list[dict] | None = None) -> None:
        """Answer the person alone (ephemeral), in the command's own HTTP response."""
        payload = {"response_type": "ephemeral", "text": text}
        if blocks:
            payload["blocks"] = blocks
        self.ack(**payload)


Handler = Callable[[CommandRequest], None]


PARSED = "coach_commit_parsed"  # request context key: the command's text, parsed once


class CommitRouter:
    def __init__(self) -> None:
        self.routes: dict[type, Handler] = {}
        self.quick: set[type] = set()

    def on(self, parsed_type: type, quick: bool = False) -> Callable[[Handler], Handler]:
        """Route a subcommand to `handler`. `quick`: it only answers (ack) and leaves nothing to
        do after, so it may run on the request thread itself (`is_quick`)."""

        def register(handler: Handler) -> Handler:
            self.routes[parsed_type] = handler
            if quick:
                self.quick.add(parsed_type)
            return handler

        return register

    def parse(self, body: dict, context) -> object:
        """The `/commit` text of this request, parsed (a ParseError when it can't be), once."""
        if PARSED not in context:
            try:
                context[PARSED] = parse_commit_command(unescape(body.get("text") or ""))
            except ParseError as problem:
                context[PARSED] = problem
        return context[PARSED]

    def is_quick(self, body: dict, context) -> bool:
        """A `/commit` whose subcommand is quick: its answer is all there is to do."""
        if body.get("command") != ids.COMMIT_COMMAND:
            return False
        return type(self.parse(body, context)) in self.quick

    def register(self, app: App) -> None:
        @guarded
        def commit_command(ack, client, command, context, services, followups, team_id, user_id):
            parsed = self.parse(command, context)
            if isinstance(parsed, ParseError):
                raise CoachError(with_usage(escape(parsed.message)))
            handler = self.routes.get(type(parsed))
            if handler is None:
                raise CoachError(with_usage("That part of `/commit` isn't available yet."))
            handler(
                CommandRequest(
                    ack=ack,
                    client=client,
                    parsed=parsed,
                    team_id=team_id,
                    channel_id=command["channel_id"],
                    user_id=user_id,
                    trigger_id=command.get("trigger_id"),
                    services=services,
                    followups=followups,
                )
            )

        app.command(ids.COMMIT_COMMAND)(commit_command)
