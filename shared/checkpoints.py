"""Where signed audit checkpoints are kept, and the API process's task that writes one on a schedule.

Checkpoints are files in a folder (`…_AUDIT_CHECKPOINT_DIR`), not rows in the database: whoever can
empty the audit table can empty any other table too, and a checkpoint erased with the chain proves
nothing. In production the folder belongs on storage the database's administrators cannot write.
Each file holds one compact JWS; its name starts with the signing time, so the latest sorts last.
"""
from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import CheckpointRefused, read_checkpoint, signed_checkpoint
from shared.clock import Clock
from shared.db import begin_read_snapshot
from shared.tenancy import ALL_TENANTS, set_tenant
from shared.tokens import InvalidToken, TokenIssuer, public_key_pem_from_private

log = logging.getLogger("audit.checkpoints")

_PREFIX = "checkpoint-"
_SUFFIX = ".jws"
# Only the latest is ever compared with; the rest are kept for an operator to export (a week, hourly).
KEEP = 168


class CheckpointUnreadable(Exception):
    """The latest checkpoint does not verify with the service's signing key."""


@dataclass
class CheckpointStore:
    folder: Path
    signing_key_pem: str

    def write(self, signed: str, signed_at: datetime) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{_PREFIX}{signed_at.strftime('%Y%m%dT%H%M%S%fZ')}-{uuid.uuid4().hex[:8]}{_SUFFIX}"
        partial = self.folder / f".{name}.partial"
        partial.write_text(signed + "\n")
        os.replace(partial, self.folder / name)
        for old in self._files()[:-KEEP]:
            old.unlink(missing_ok=True)
        return self.folder / name

    def latest(self) -> tuple[Path, dict[str, Any]] | None:
        """The newest checkpoint and its verified document; None when none was ever written."""
        files = self._files()
        if not files:
            return None
        path = files[-1]
        public = public_key_pem_from_private(self.signing_key_pem.encode()).decode()
        try:
            return path, read_checkpoint(path.read_text().strip(), public)
        except (OSError, InvalidToken) as exc:
            raise CheckpointUnreadable(f"{path.name} does not verify with the signing key") from exc

    def _files(self) -> list[Path]:
        if not self.folder.is_dir():
            return []
        return sorted(p for p in self.folder.iterdir() if p.name.startswith(_PREFIX) and p.name.endswith(_SUFFIX))


def checkpoint_signer(service: str, signing_key_pem: str) -> TokenIssuer:
    return TokenIssuer(f"{service}-audit", signing_key_pem)


async def write_checkpoint(
    session: AsyncSession, model: type[Any], store: CheckpointStore, service: str, clock: Clock
) -> tuple[Path, dict[str, Any]]:
    """Sign the heads of every chain, if they still reach the latest checkpoint's, and store the result."""
    set_tenant(session, ALL_TENANTS)
    await begin_read_snapshot(session)
    latest = store.latest()
    signed, document = await signed_checkpoint(
        session, model, checkpoint_signer(service, store.signing_key_pem), service, clock, latest[1] if latest else None
    )
    return store.write(signed, clock.now()), document


async def checkpoint_forever(
    new_session: Callable[[], AsyncSession],
    model: type[Any],
    store: CheckpointStore,
    service: str,
    clock: Clock,
    interval_seconds: float,
) -> None:
    """One checkpoint at start-up, then one every interval. A refusal is logged as an error and retried at
    the next interval: the chain must be looked at by a person (`audit-verify`)."""
    while True:
        try:
            async with new_session() as session:
                path, document = await write_checkpoint(session, model, store, service, clock)
            log.info("audit checkpoint written", extra={"fields": {"file": path.name, "chains": len(document["heads"])}})
        except (CheckpointRefused, CheckpointUnreadable) as refused:
            log.error("audit checkpoint refused", extra={"fields": {"reason": str(refused)}})
        except Exception:
            log.exception("audit checkpoint failed")
        await asyncio.sleep(interval_seconds)


async def stop_checkpoints(task: asyncio.Task[None]) -> None:
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        pass
