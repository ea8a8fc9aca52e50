"""manifest.yml creates the Slack app with every command, shortcut, event and scope we use."""

import json
from pathlib import Path

import jsonschema
import yaml

from bot import ids

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_manifest_is_valid_against_slacks_schema():
    schema = json.loads((Path(__file__).parent / "data" / "manifest.schema.1.0.0.json").read_text())
    jsonschema.validate(MANIFEST, schema)


def test_manifest_has_our_commands_shortcut_and_events():
    commands = {c["command"] for c in MANIFEST["features"]["slash_commands"]}
    assert commands == {ids.COMMIT_COMMAND, ids.BACKGROUND_COMMAND}
    assert {s["callback_id"] for s in MANIFEST["features"]["shortcuts"]} == {ids.SURFACE_BACKGROUND}
    events = set(MANIFEST["settings"]["event_subscriptions"]["bot_events"])
    assert {"app_mention", "app_home_opened", "message.channels"} <= events
    scopes = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "app_mentions:read", "files:write", "channels:history", "im:write"} <= scopes
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True
