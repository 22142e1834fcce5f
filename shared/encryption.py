"""Encryption at rest of names, dates of birth and narrative text (issue 14), and keyed hashes for lookups.

A column declared `EncryptedText()`, `EncryptedDate()` or `EncryptedJSON()` holds, in the database, a token

    v1:<key id>:<nonce>:<ciphertext>        (nonce and ciphertext base64url, no padding)

sealed with AES-256-GCM under one data key of the service's key ring. The associated data names the token's
version and key id and the value's table, column and row id, so a token copied onto another row, another
column or another table does not open: GCM refuses it. The service code never sees a token: the ORM seals
a value as it flushes (the row id is known by then), and every SELECT of the column carries its row's id
beside it (`column_expression`), so the value comes back opened, by the ORM and by Core queries alike.

Why a key ring of data keys and not a data key per value wrapped by a key-encryption key: envelope
encryption pays off where the key-encryption key lives somewhere the database host cannot reach (a KMS or an
HSM), so that rotating it rewraps small keys instead of re-encrypting data. These services hold their keys
in a file on the service host, beside the process; wrapping per-value keys with a second key from the same
place would double the stored size and the AES work of every value and protect nothing more. The ring
(several data keys, each with an id, one of them current) gives what rotation needs: a new key becomes
current, old tokens stay readable by their key id until `rotate-data-key` has re-encrypted them.

Lookups on encrypted values (a UPN, a normalised name with a date of birth) go through `KeyRing.keyed_hash`:
HMAC-SHA256 under a separate index key of the ring, so equal inputs give equal hashes and nothing else
does, and a copy of the database cannot test guesses without the key.
"""
from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import os
import secrets
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
import sqlalchemy as sa
from sqlalchemy import Column, MetaData, String, Text, cast, event, literal_column
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Mapper, attributes
from sqlalchemy.sql.base import SchemaEventTarget
from sqlalchemy.types import TypeDecorator

from shared.settings import is_development_key

TOKEN_VERSION = "v1"
KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # GCM's standard nonce; random per value (2^-32 collision bound is far beyond these volumes)
_RING_INFO = "data_keys"


class DataKeyError(RuntimeError):
    """A token that does not open: unknown key id, another row's token, or tampered with."""


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class KeyRing:
    """The data keys of one service (one current) and its index key for keyed hashes."""

    current: str
    data_keys: dict[str, bytes]
    index_key: bytes
    source: Path | None = None

    def __post_init__(self) -> None:
        if self.current not in self.data_keys:
            raise DataKeyError("the key ring's current key is not among its data keys")
        for kid, key in self.data_keys.items():
            if ":" in kid or not kid or len(key) != KEY_BYTES:
                raise DataKeyError(f"data key {kid!r}: an id without ':' and a {KEY_BYTES}-byte key are required")
        if len(self.index_key) != KEY_BYTES:
            raise DataKeyError(f"the index key must be {KEY_BYTES} bytes")

    @classmethod
    def from_document(cls, document: dict[str, Any], source: Path | None = None) -> KeyRing:
        return cls(
            current=document["current"],
            data_keys={kid: _unb64(key) for kid, key in document["data_keys"].items()},
            index_key=_unb64(document["index_key"]),
            source=source,
        )

    @classmethod
    def load(cls, path: Path) -> KeyRing:
        return cls.from_document(json.loads(Path(path).read_text()), source=Path(path))

    def document(self) -> dict[str, Any]:
        return {
            "current": self.current,
            "data_keys": {kid: _b64(key) for kid, key in self.data_keys.items()},
            "index_key": _b64(self.index_key),
        }

    def seal(self, plaintext: bytes, context: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        header = f"{TOKEN_VERSION}:{self.current}"
        sealed = AESGCM(self.data_keys[self.current]).encrypt(nonce, plaintext, f"{header}|{context}".encode())
        return f"{header}:{_b64(nonce)}:{_b64(sealed)}"

    def open(self, token: str, context: str) -> bytes:
        try:
            version, kid, nonce, sealed = token.split(":")
        except ValueError:
            raise DataKeyError("not an encrypted value") from None
        if version != TOKEN_VERSION:
            raise DataKeyError(f"unknown token version {version!r}")
        key = self.data_keys.get(kid)
        if key is None:
            raise DataKeyError(f"no data key {kid!r} in the key ring")
        try:
            return AESGCM(key).decrypt(_unb64(nonce), _unb64(sealed), f"{version}:{kid}|{context}".encode())
        except (InvalidTag, ValueError):
            raise DataKeyError(f"a value of {context.rsplit('.', 1)[0]} does not open for its row") from None

    def keyed_hash(self, purpose: str, value: str) -> str:
        """HMAC-SHA256 of `value` under the index key; `purpose` keeps one lookup's hashes apart from another's."""
        return hmac.new(self.index_key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()

    def with_new_current_key(self, now: datetime | None = None) -> KeyRing:
        kid = f"{(now or datetime.now(UTC)):%Y%m%d}-{secrets.token_hex(4)}"
        return KeyRing(kid, {**self.data_keys, kid: AESGCM.generate_key(bit_length=256)}, self.index_key, self.source)


def new_key_ring() -> KeyRing:
    first = KeyRing(
        "initial", {"initial": AESGCM.generate_key(bit_length=256)}, AESGCM.generate_key(bit_length=256)
    )
    return first.with_new_current_key()


def write_key_ring(path: Path, ring: KeyRing, *, exclusive: bool = False) -> None:
    """Owner-only, written whole: a new file and a rename, so a reader never sees half a ring."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if exclusive:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(ring.document(), handle, indent=2)
        return
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(ring.document(), handle, indent=2)
    os.replace(temporary, path)


def load_key_ring(path: Path) -> KeyRing:
    """The service's ring; a development ring under var/ is created on first use, never a production one."""
    if is_development_key(Path(path)):
        ensure_key_ring_file(Path(path))
    return KeyRing.load(path)


def ensure_key_ring_file(path: Path) -> None:
    """The development key generator: a fresh ring on first run, never overwritten."""
    if not path.exists():
        try:
            write_key_ring(path, new_key_ring(), exclusive=True)
        except FileExistsError:
            pass  # another process created it first


# ---------------------------------------------------------------------------------------------------------
# The ring a database's columns use. `rotate-data-key` rewrites the ring's file while the services run: a
# service seals under the new current key from its next write (the file's modification time is looked at
# before each seal, a stat call), and a token under a key it does not hold yet makes it read the file again.


@dataclass
class DataKeys:
    ring: KeyRing
    _seen: float | None = None

    def __post_init__(self) -> None:
        self._seen = self._modified()

    def _modified(self) -> float | None:
        try:
            return self.ring.source.stat().st_mtime if self.ring.source is not None else None
        except OSError:
            return self._seen  # the file being replaced: keep the ring in hand

    def _reload(self) -> None:
        assert self.ring.source is not None
        self.ring = KeyRing.load(self.ring.source)
        self._seen = self._modified()

    def for_sealing(self) -> KeyRing:
        if self.ring.source is not None and self._modified() != self._seen:
            self._reload()
        return self.ring

    def open(self, token: str, context: str) -> bytes:
        kid = token.split(":", 2)[1] if token.count(":") >= 2 else ""
        if kid not in self.ring.data_keys and self.ring.source is not None:
            self._reload()
        return self.ring.open(token, context)


def install_data_keys(metadata: MetaData, ring: KeyRing) -> None:
    """Give a database's encrypted columns their key ring (each service at start-up and in its commands)."""
    metadata.info[_RING_INFO] = DataKeys(ring)


def data_keys(metadata: MetaData) -> KeyRing:
    """The ring to seal and hash with (its current key as the ring's file has it now)."""
    return _holder(metadata).for_sealing()


def _holder(metadata: MetaData) -> DataKeys:
    holder: DataKeys | None = metadata.info.get(_RING_INFO)
    if holder is None:
        raise DataKeyError("no data keys are loaded for this database (install_data_keys at start-up)")
    return holder


# ---------------------------------------------------------------------------------------------------------
# The column types.


class Sealed(str):
    """A token sealed for its row: the only thing an encrypted column accepts on the way in."""


class _Encrypted(TypeDecorator[Any], SchemaEventTarget):
    impl = Text
    cache_ok = True
    # The row's key, part of every value's associated data.
    row_key = "id"

    def _set_parent(self, parent: Any, **_kw: Any) -> None:
        # The first table column keeps it: a proxy of the column (an alias, a subquery) is not its home.
        current = getattr(self, "_column", None)
        if current is None or current.table is None:
            self._column: Column[Any] = parent

    @property
    def column(self) -> Column[Any]:
        column = getattr(self, "_column", None)
        if column is None or column.table is None:
            raise DataKeyError("an encrypted type is used outside a table column")
        return column

    def context(self, row_id: Any) -> str:
        column = self.column
        return value_context(column.table.name, column.name, row_id)

    def seal(self, value: Any, row_id: Any) -> Sealed:
        ring = data_keys(self.column.table.metadata)
        return Sealed(ring.seal(self.serialise(value), self.context(row_id)))

    def open(self, token: str, row_id: Any) -> Any:
        return self.deserialise(_holder(self.column.table.metadata).open(token, self.context(row_id)))

    def serialise(self, value: Any) -> bytes:
        raise NotImplementedError

    def deserialise(self, raw: bytes) -> Any:
        raise NotImplementedError

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if isinstance(value, Sealed):
            return str(value)
        column = self.column
        raise DataKeyError(
            f"{column.table.name}.{column.name} is encrypted: write it through the ORM or with seal_value(), "
            "and never compare it in SQL (use a keyed hash)"
        )

    def column_expression(self, column: Any) -> Any:
        # The row's id travels beside the token, so that it opens for this row only, whoever selects it.
        selectable = getattr(column, "table", None)
        row_key = selectable.c.get(self.row_key) if selectable is not None else None
        if row_key is None:
            return column
        return column.op("||")(literal_column("':'")).op("||")(cast(row_key, String))

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        token, separator, row_id = value.rpartition(":")
        if not separator or token.count(":") != 3:
            column = self.column
            raise DataKeyError(f"{column.table.name}.{column.name} was selected without its row's {self.row_key}")
        return self.open(token, row_id)


def _row_id_text(row_id: Any) -> str:
    # SQLite returns a UUID as 32 hex digits, PostgreSQL with dashes: one spelling for the associated data.
    return str(row_id if isinstance(row_id, uuid.UUID) else uuid.UUID(str(row_id)))


class EncryptedText(_Encrypted):
    """Text (a name, a narrative, a reason) encrypted for its row. Length limits belong to the schemas."""

    cache_ok = True

    def serialise(self, value: str) -> bytes:
        return value.encode()

    def deserialise(self, raw: bytes) -> str:
        return raw.decode()


class EncryptedDate(_Encrypted):
    """A date (of birth) encrypted for its row."""

    cache_ok = True

    def serialise(self, value: date) -> bytes:
        return value.isoformat().encode()

    def deserialise(self, raw: bytes) -> date:
        return date.fromisoformat(raw.decode())


class EncryptedJSON(_Encrypted):
    """A JSON document (a report as received or queued) encrypted whole for its row."""

    cache_ok = True

    def serialise(self, value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()

    def deserialise(self, raw: bytes) -> Any:
        return json.loads(raw)


def encrypted_columns(table: Any) -> list[Column[Any]]:
    return [column for column in table.columns if isinstance(column.type, _Encrypted)]


@functools.cache
def _encrypted_columns_of(table: Any) -> tuple[Column[Any], ...]:
    # A table's columns are fixed once its model is declared; sealed_values runs on every incident opened.
    return tuple(encrypted_columns(table))


def seal_value(column: Any, row_id: Any, value: Any) -> Sealed | None:
    """For a Core write to an encrypted column (the ORM does this itself): the value sealed for its row."""
    if value is None or isinstance(value, Sealed):
        return value
    return column.type.seal(value, row_id)


def sealed_values(table: Any, values: dict[str, Any]) -> dict[str, Any]:
    """A Core INSERT's column values with every encrypted one sealed for the row `values["id"]`."""
    sealed = dict(values)
    for column in _encrypted_columns_of(table):
        if column.key in sealed:
            sealed[column.key] = seal_value(column, values[column.type.row_key], sealed[column.key])
    return sealed


# ---------------------------------------------------------------------------------------------------------
# The ORM seals as it flushes: by then the row has its id. The attribute holds the token only while the
# statement is built; the plain value is put back once the row is written.


@dataclass
class _Pending:
    values: dict[str, Any] = field(default_factory=dict)


def _encrypted_attributes(mapper: Mapper[Any]) -> list[tuple[str, Column[Any]]]:
    cached = mapper.__dict__.get("_encrypted_attributes")
    if cached is None:
        cached = [
            (prop.key, prop.columns[0])
            for prop in mapper.column_attrs
            if len(prop.columns) == 1 and isinstance(prop.columns[0].type, _Encrypted)
        ]
        mapper.__dict__["_encrypted_attributes"] = cached
    return cached


def _seal_before_write(mapper: Mapper[Any], _connection: Any, target: Any, *, inserting: bool) -> None:
    encrypted = _encrypted_attributes(mapper)
    if not encrypted:
        return
    row_key = encrypted[0][1].type.row_key
    if inserting and getattr(target, row_key, None) is None:
        setattr(target, row_key, uuid.uuid4())
    row_id = getattr(target, row_key)
    pending = _Pending()
    for key, column in encrypted:
        if not inserting and not attributes.get_history(target, key).added:
            continue
        value = target.__dict__.get(key)
        if value is None or isinstance(value, Sealed):
            continue
        pending.values[key] = value
        target.__dict__[key] = column.type.seal(value, row_id)
    if pending.values:
        attributes.instance_state(target).info["encryption_pending"] = pending


def _restore_after_write(_mapper: Mapper[Any], _connection: Any, target: Any) -> None:
    pending: _Pending | None = attributes.instance_state(target).info.pop("encryption_pending", None)
    if pending is not None:
        for key, value in pending.values.items():
            attributes.set_committed_value(target, key, value)


event.listen(Mapper, "before_insert", lambda m, c, t: _seal_before_write(m, c, t, inserting=True))
event.listen(Mapper, "before_update", lambda m, c, t: _seal_before_write(m, c, t, inserting=False))
event.listen(Mapper, "after_insert", _restore_after_write)
event.listen(Mapper, "after_update", _restore_after_write)


def tables_with_encrypted_columns(metadata: MetaData) -> Iterable[Any]:
    return [table for table in metadata.sorted_tables if encrypted_columns(table)]


# ---------------------------------------------------------------------------------------------------------
# Rewriting stored values in place, in batches: the migrations that encrypt (and decrypt) existing rows, and
# key rotation. Plain Core on one connection: no ORM, no tenant filter, every row of the table.

Rewrite = Callable[[str, Any, Any], Any]


def rewrite_batch(
    connection: Connection,
    table_name: str,
    columns: Sequence[str],
    rewrite: Rewrite,
    *,
    after: Any = None,
    pending: Callable[[Any], Any] | None = None,
    batch_size: int = 500,
    row_key: str = "id",
) -> tuple[Any, int]:
    """Rewrite one batch of rows (by `row_key` order, after `after`) whose columns are `pending` (default: not
    NULL); `rewrite(column, stored value, row id)` gives each new value. The rows are locked (FOR UPDATE on
    PostgreSQL, the write lock on SQLite) until the caller's transaction ends, so no write in between is lost.
    Returns the last row key of the batch (None when there were no more rows) and the number of values changed."""
    table = sa.table(table_name, sa.column(row_key), *(sa.column(name, Text) for name in columns))
    wanted = pending or (lambda column: column.is_not(None))
    query = (
        sa.select(table.c[row_key], *(table.c[name] for name in columns))
        .where(sa.or_(*(wanted(table.c[name]) for name in columns)))
        .order_by(table.c[row_key])
        .limit(batch_size)
        .with_for_update()
    )
    if after is not None:
        query = query.where(table.c[row_key] > after)
    rows = connection.execute(query).all()
    if not rows:
        return None, 0
    changed = 0
    updates = []
    for row in rows:
        values = {}
        for index, name in enumerate(columns, start=1):
            stored = row[index]
            new = None if stored is None else rewrite(name, stored, row[0])
            changed += new != stored
            values[f"new_{name}"] = new
        updates.append({"row": row[0], **values})
    statement = (
        sa.update(table)
        .where(table.c[row_key] == sa.bindparam("row"))
        .values({name: sa.bindparam(f"new_{name}", type_=Text) for name in columns})
    )
    connection.execute(statement, updates)
    return rows[-1][0], changed


def value_context(table_name: str, column_name: str, row_id: Any) -> str:
    """The associated data of one stored value: its table, column and row."""
    return f"{table_name}.{column_name}.{_row_id_text(row_id)}"


def rotation_rewrite(ring: KeyRing, table_name: str) -> tuple[Rewrite, Callable[[Any], Any]]:
    """Re-encrypt under the ring's current key every token sealed under another; the rows still to do."""
    prefix = f"{TOKEN_VERSION}:{ring.current}:"

    def rewrite(column: str, token: str, row_id: Any) -> str:
        if token.startswith(prefix):
            return token
        context = value_context(table_name, column, row_id)
        return ring.seal(ring.open(token, context), context)

    return rewrite, lambda column: sa.and_(column.is_not(None), sa.not_(column.startswith(prefix)))


_PLAIN = {
    "text": lambda stored: stored.encode(),
    "date": lambda stored: date.fromisoformat(stored[:10]).isoformat().encode(),
    "json": lambda stored: json.dumps(json.loads(stored), ensure_ascii=False, separators=(",", ":")).encode(),
}


def encrypting(ring: KeyRing, table_name: str, kinds: dict[str, str]) -> Rewrite:
    """For a migration: plain stored text (a date as ISO text, JSON as its text) sealed as the column types
    seal it (`kinds`: column -> "text", "date" or "json")."""

    def rewrite(column: str, stored: str, row_id: Any) -> str:
        return ring.seal(_PLAIN[kinds[column]](stored), value_context(table_name, column, row_id))

    return rewrite


def decrypting(ring: KeyRing, table_name: str) -> Rewrite:
    """For a migration's downgrade: each token back to the plain text it was sealed from."""

    def rewrite(column: str, token: str, row_id: Any) -> str:
        return ring.open(token, value_context(table_name, column, row_id)).decode()

    return rewrite


def rewrite_table(connection: Connection, table_name: str, columns: Sequence[str], rewrite: Rewrite, **options: Any) -> int:
    """Every batch of `rewrite_batch` in the caller's transaction (a migration's)."""
    after, total = None, 0
    while True:
        after, changed = rewrite_batch(connection, table_name, columns, rewrite, after=after, **options)
        if after is None:
            return total
        total += changed


def encrypt_existing_rows(connection: Connection, tables: dict[str, dict[str, str]], ring: Callable[[], KeyRing]) -> None:
    """A migration's data step: seal every plain value of `tables` (table -> column -> kind). The ring is
    loaded only if there is a value to seal, so an empty database migrates without one."""
    for table_name, kinds in tables.items():
        rewrite_table(
            connection, table_name, list(kinds), lambda column, stored, row, t=table_name, k=kinds: encrypting(ring(), t, k)(column, stored, row)
        )


def decrypt_existing_rows(connection: Connection, tables: dict[str, dict[str, str]], ring: Callable[[], KeyRing]) -> None:
    for table_name, kinds in tables.items():
        rewrite_table(connection, table_name, list(kinds), lambda column, token, row, t=table_name: decrypting(ring(), t)(column, token, row))


def add_data_key(path: Path) -> KeyRing:
    """Rotation's first step: a new data key, current from now on, written into the ring's file beside the old."""
    ring = KeyRing.load(path).with_new_current_key()
    write_key_ring(Path(path), ring)
    return KeyRing.load(path)


async def reencrypt(engine: AsyncEngine, metadata: MetaData, ring: KeyRing, *, batch_size: int = 500) -> dict[str, int]:
    """Rotation's second step: every value not under the ring's current key, re-encrypted under it, one
    committed batch at a time (a row is locked only while its batch runs; an interrupted run resumes where
    it stopped, since what is done is under the current key). Values per table re-encrypted."""
    done: dict[str, int] = {}
    for table in tables_with_encrypted_columns(metadata):
        columns = [column.name for column in encrypted_columns(table)]
        rewrite, pending = rotation_rewrite(ring, table.name)
        after, total = None, 0
        while True:
            async with engine.begin() as connection:
                after, changed = await connection.run_sync(
                    lambda sync, since=after: rewrite_batch(
                        sync, table.name, columns, rewrite, after=since, pending=pending, batch_size=batch_size
                    )
                )
            if after is None:
                break
            total += changed
        done[table.name] = total
    return done
