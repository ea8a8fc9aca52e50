"""Posting into channels: join a public channel once when the app isn't in it yet."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


def post(client, channel: str, message: tuple[str, list[dict]], thread_ts: str | None = None, **extra) -> str:
    """Post `(text, blocks)`; returns the message ts."""
    text, blocks = message
    kwargs = {"channel": channel, "text": text, "blocks": blocks, **extra}
    if thread_ts:
        kwargs["thread_ts"] = thread_ts
    try:
        return client.chat_postMessage(**kwargs)["ts"]
    except SlackApiError as error:
        if error.response.get("error") != "not_in_channel":
            raise
        log.info("joining %s to post there", channel)
        client.conversations_join(channel=channel)
        return client.chat_postMessage(**kwargs)["ts"]
