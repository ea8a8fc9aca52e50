"""Posting into channels: join a public channel once when the app isn't in it yet.

Every post of the app goes through `post`, so there is one join-then-post. When the app can't
join (a private or archived channel, one that is gone), `ChannelClosed` says why."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


class ChannelClosed(SlackApiError):
    """The app isn't in the channel and can't join it; `reason` is Slack's error for the join."""

    def __init__(self, error: SlackApiError):
        super().__init__(str(error), error.response)
        self.reason = error.response.get("error") or "not_in_channel"


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
    try:
        client.conversations_join(channel=channel)
    except SlackApiError as join_error:
        raise ChannelClosed(join_error) from None
    return client.chat_postMessage(**kwargs)["ts"]
