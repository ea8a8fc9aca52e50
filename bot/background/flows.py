"""What background listeners call once they have said yes: surface a background conversation
(stored, then posted; forgotten when it can't be posted), refresh its message, find one."""

from __future__ import annotations

from bot.background import views
from bot.services import Services
from bot.slack.context import row_id
from bot.slack.guard import CoachError
from bot.slack.posting import post
from storage import background as store
from storage.models import BackgroundConversation

NOT_OURS = "That button doesn't point at a background conversation I know."


class BackgroundFlows:
    """What happens after a listener has said yes: store, then tell the channel."""

    def __init__(self, services: Services):
        self.services = services

    def surface(
        self, client, team_id: str, channel_id: str, user_id: str, text: str, permalink: str | None = None
    ) -> BackgroundConversation:
        s = self.services
        conversation = store.surface(
            s.db, team_id=team_id, channel_id=channel_id, text=text, user_id=user_id, now=s.now(), permalink=permalink
        )
        try:
            ts = post(client, channel_id, views.conversation_message(store.summary(s.db, conversation)))
        except Exception:
            store.forget(s.db, conversation.id)  # not posted: as if it never was
            raise
        store.set_ts(s.db, conversation.id, ts)
        conversation.ts = ts
        return conversation

    def refresh(self, client, conversation: BackgroundConversation) -> None:
        if not conversation.ts:
            return
        text, blocks = views.conversation_message(store.summary(self.services.db, conversation))
        client.chat_update(channel=conversation.channel_id, ts=conversation.ts, text=text, blocks=blocks)

    def conversation(self, body: dict, team_id: str, raw) -> BackgroundConversation:
        """The conversation behind a button, checked against the authorized workspace and the
        channel it was clicked in."""
        key = row_id(raw)
        conversation = store.get(self.services.db, team_id, key) if key is not None else None
        channel = (body.get("channel") or {}).get("id")
        if conversation is None or (channel and channel != conversation.channel_id):
            raise CoachError(NOT_OURS)
        return conversation
