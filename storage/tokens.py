"""Bot and refresh tokens of OAuth installs, encrypted at rest with `COACH_SECRET_KEY` (SPEC §3).

The key is one or more Fernet keys, comma-separated (`coach keygen` makes one): every key
decrypts, the first encrypts. A token is written to slack_sdk's tables (`slack_installations`,
`slack_bots`) as a Fernet token, so a copy of the database alone reveals none. Reading one that
is still in plain text (stored before keys existed) works, and `seal` or `rekey` encrypts it.

`EncryptedInstallationStore` is slack_sdk's SQLAlchemy store with its token columns typed
`EncryptedToken`; `rekey` re-encrypts every stored token with the first key (rotation), and
`audit` says how the stored tokens stand against the keys (for `coach doctor` and `coach run`).
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import MetaData, String, Table, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.types import TypeDecorator

from storage.db import Database

# Token columns of slack_sdk's tables; migration 0008 widens them to hold a Fernet token.
TOKEN_COLUMNS = ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token")
TOKEN_LENGTH = 1000
# Every Fernet token starts with its version byte 0x80, base64url: "gAAAAA". Slack's tokens
# start with "xox": a stored value without this prefix was stored in plain text.
_FERNET_PREFIX = "gAAAAA"


class SecretKeyError(ValueError):
    """COACH_SECRET_KEY is not a list of Fernet keys, or does not decrypt a stored token."""


class TokenCipher:
    """`COACH_SECRET_KEY`: several Fernet keys, comma-separated; all decrypt, the first encrypts."""

    def __init__(self, keys: str):
        parts = [part.strip() for part in (keys or "").split(",") if part.strip()]
        if not parts:
            raise SecretKeyError("COACH_SECRET_KEY is empty")
        fernets = []
        for number, part in enumerate(parts, start=1):
            try:
                fernets.append(Fernet(part))
            except ValueError:
                which = "it is" if len(parts) == 1 else f"key {number} of {len(parts)} is"
                raise SecretKeyError(
                    f"COACH_SECRET_KEY: {which} not a key (32 bytes, url-safe base64); `coach keygen` prints one"
                ) from None
        self.count = len(fernets)
        self._first = fernets[0]
        self._all = MultiFernet(fernets)

    def encrypt(self, token: str) -> str:
        return self._all.encrypt(token.encode()).decode()

    def decrypt(self, stored: str) -> str:
        """The token; a value stored in plain text is returned as it is."""
        if not is_encrypted(stored):
            return stored
        try:
            return self._all.decrypt(stored.encode()).decode()
        except InvalidToken:
            raise SecretKeyError(
                "COACH_SECRET_KEY does not decrypt a stored token: it was encrypted with a key "
                "that is no longer in COACH_SECRET_KEY (put the old key after the new one)"
            ) from None

    def is_current(self, stored: str) -> bool:
        """Encrypted with the first key."""
        try:
            self._first.decrypt(stored.encode())
            return True
        except InvalidToken:
            return False


def new_key() -> str:
    return Fernet.generate_key().decode()


def is_encrypted(stored: str) -> bool:
    return stored.startswith(_FERNET_PREFIX)


class EncryptedToken(TypeDecorator):
    """A token column: encrypted on the way in, decrypted on the way out."""

    impl = String(TOKEN_LENGTH)
    cache_ok = True

    def __init__(self, cipher: TokenCipher):
        super().__init__()
        self.cipher = cipher

    def process_bind_param(self, value, dialect):
        return None if value is None else self.cipher.encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else self.cipher.decrypt(value)


class EncryptedInstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's installation store on our tables, its tokens encrypted with `cipher`."""

    def __init__(self, client_id: str, engine: Engine, cipher: TokenCipher):
        super().__init__(client_id=client_id, engine=engine)
        for table in (self.bots, self.installations):
            for name in TOKEN_COLUMNS:
                if name in table.c:
                    table.c[name].type = EncryptedToken(cipher)


# --- rotation, and plain tokens stored before ----------------------------------------------------

_raw = MetaData()
_RAW_TABLES = (
    SQLAlchemyInstallationStore.build_installations_table(_raw, "slack_installations"),
    SQLAlchemyInstallationStore.build_bots_table(_raw, "slack_bots"),
)


@dataclass
class Audit:
    current: int = 0  # encrypted with the first key
    older: int = 0  # encrypted with another key of COACH_SECRET_KEY
    plain: int = 0  # stored before: not encrypted
    unreadable: int = 0  # encrypted with a key COACH_SECRET_KEY doesn't have

    @property
    def total(self) -> int:
        return self.current + self.older + self.plain + self.unreadable


def _stored(connection: Connection, table: Table, for_update: bool = False):
    columns = [table.c[name] for name in TOKEN_COLUMNS if name in table.c]
    query = select(table.c.id, *columns)
    if for_update:  # PostgreSQL: a token refreshed meanwhile waits for the rekey, not lost to it
        query = query.with_for_update()
    for row in connection.execute(query):
        yield row.id, {column.name: value for column, value in zip(columns, row[1:]) if value}


def audit(db: Database, cipher: TokenCipher) -> Audit:
    found = Audit()
    with db.engine.connect() as connection:
        for table in _RAW_TABLES:
            for _, tokens in _stored(connection, table):
                for value in tokens.values():
                    if not is_encrypted(value):
                        found.plain += 1
                    elif cipher.is_current(value):
                        found.current += 1
                    else:
                        try:
                            cipher.decrypt(value)
                            found.older += 1
                        except SecretKeyError:
                            found.unreadable += 1
    return found


def rekey(db: Database, cipher: TokenCipher, *, plain_only: bool = False) -> int:
    """Encrypt every stored token with the first key (or, `plain_only`, only those stored in
    plain text), in one transaction; returns how many were written. Raises `SecretKeyError`, having
    changed nothing, when a token doesn't decrypt with any key."""
    written = 0
    with db.write() as connection:
        for table in _RAW_TABLES:
            for row_id, tokens in list(_stored(connection, table, for_update=True)):
                changed = {
                    name: cipher.encrypt(cipher.decrypt(value))
                    for name, value in tokens.items()
                    if not (plain_only and is_encrypted(value))
                }
                if changed:
                    connection.execute(update(table).where(table.c.id == row_id).values(**changed))
                    written += len(changed)
    return written
