"""The yardstick: a bare Bolt app whose one `/commit` listener only acks.

Served by the same production server as `coach run` (bot.ops.server.CoachServer: gunicorn with
the event-loop worker, same workers, threads and timeouts), with the same signing secret and the same Web API URL,
so the difference measured against it is the app's own work.

    .venv/bin/python -m bench.bare_bolt --port 3100 [--process-before-response]
"""

from __future__ import annotations

import argparse
import logging
import os

from bench.common import BOT_TOKEN, SIGNING_SECRET


def create_bare_app(process_before_response: bool = False, api_url: str | None = None):
    from slack_bolt import App
    from slack_sdk import WebClient

    client = WebClient(token=BOT_TOKEN, base_url=api_url) if api_url else WebClient(token=BOT_TOKEN)
    app = App(
        client=client,
        signing_secret=os.environ.get("SLACK_SIGNING_SECRET", SIGNING_SECRET),
        process_before_response=process_before_response,
        token_verification_enabled=bool(api_url),
    )

    @app.command("/commit")
    def commit(ack):
        ack()

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="a bare Bolt app under coach's gunicorn settings")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument(
        "--process-before-response",
        action="store_true",
        help="run the listener before answering (Bolt's FaaS mode): no ack polling",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    from slack_bolt.adapter.wsgi import SlackRequestHandler

    from bot.ops.server import CoachServer

    api_url = os.environ.get("SLACK_API_URL")

    def load():
        return SlackRequestHandler(create_bare_app(args.process_before_response, api_url), path="/slack/events")

    CoachServer(load, args.port).run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
