"""`COACH_SECRET_KEY` in operation (`coach keygen` is storage.tokens.new_key): `coach db rekey`, what `coach run` does with
stored tokens before serving, and `coach doctor`'s key check (storage/tokens.py does the work)."""

from __future__ import annotations

import logging
import sys

from bot.settings import Settings
from storage.db import Database
from storage.tokens import SecretKeyError, TokenCipher, audit, rekey

log = logging.getLogger(__name__)

NO_KEY = (
    "COACH_SECRET_KEY is not set: it encrypts the stored tokens. Run `coach keygen` and put what it "
    "prints in .env as COACH_SECRET_KEY=…"
)


def unreadable_message(count: int) -> str:
    return (
        f"COACH_SECRET_KEY does not decrypt {count} stored token(s): they were encrypted with a key that "
        "is not in it any more. Put the old key back after the new one (COACH_SECRET_KEY=new,old), "
        "then run `coach db rekey`."
    )


def rekey_command(settings: Settings, db: Database) -> int:
    """Re-encrypt every stored token with the first key (tokens in plain text too)."""
    if not settings.secret_key:
        print(NO_KEY, file=sys.stderr)
        return 2
    cipher = TokenCipher(settings.secret_key)
    db.upgrade()
    try:
        written = rekey(db, cipher)
    except SecretKeyError:
        print(unreadable_message(audit(db, cipher).unreadable) + " Nothing was changed.", file=sys.stderr)
        return 1
    print(f"{written} stored token(s) encrypted with the first key of COACH_SECRET_KEY")
    return 0


def prepare_tokens(settings: Settings, db: Database) -> str | None:
    """OAuth mode, before serving: encrypt tokens stored in plain text (before keys existed);
    a sentence for the person when the key can't read what is stored."""
    if not settings.oauth:
        return None
    cipher = TokenCipher(settings.secret_key or "")
    found = audit(db, cipher)
    if found.unreadable:
        return unreadable_message(found.unreadable)
    if found.plain:
        written = rekey(db, cipher, plain_only=True)
        log.info("%d token(s) stored in plain text encrypted with COACH_SECRET_KEY", written)
    return None


def key_detail(settings: Settings, db: Database | None) -> tuple[bool, str]:
    """`coach doctor`: (ok, what to say) about the key and the stored tokens."""
    if not settings.secret_key:
        return False, NO_KEY
    cipher = TokenCipher(settings.secret_key)
    keys = f"{cipher.count} key(s)"
    if db is None:
        return True, f"{keys}; stored tokens not checked: no database"
    found = audit(db, cipher)
    if found.unreadable:
        return False, unreadable_message(found.unreadable)
    parts = [f"{found.current} encrypted with the first key"]
    if found.older:
        parts.append(f"{found.older} with an older key (run `coach db rekey`)")
    if found.plain:
        parts.append(f"{found.plain} in plain text (`coach run` or `coach db rekey` encrypts them)")
    return True, f"{keys}; stored tokens: {', '.join(parts)}"
