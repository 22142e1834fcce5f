"""Command-line pieces both services share: serve, migrate, mint a development token, audit commands, data key rotation."""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from shared.audit import checkpoint_gaps, checkpoint_marks, describe_gaps, read_checkpoint, verify_chain
from shared.checkpoints import CheckpointRefused, CheckpointStore, CheckpointUnreadable, write_checkpoint
from shared.clock import Clock
from shared.db import begin_read_snapshot, create_engine, new_sessionmaker
from shared.devkeys import dev_private_key
from shared.encryption import KeyRing, add_data_key, new_key_ring, reencrypt, write_key_ring
from shared.migrations import upgrade
from shared.settings import Environment, ServiceSettings
from shared.tenancy import ALL_TENANTS, set_tenant
from shared.tokens import InvalidToken, TokenIssuer, public_key_pem_from_private


def add_common_commands(commands: Any, default_port: int) -> None:
    serve = commands.add_parser("serve", help="run the API with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=default_port)
    serve.add_argument(
        "--workers", type=int, default=1,
        help="worker processes (PostgreSQL only: SQLite has one writer); set PROMETHEUS_MULTIPROC_DIR for /metrics",
    )
    serve.add_argument(
        "--graceful-shutdown-seconds", type=float, default=5.0,
        help="on SIGTERM, how long requests in flight may finish (a held long poll is cut then; its follower asks again)",
    )
    commands.add_parser("migrate", help="upgrade the database to the latest migration")
    verify = commands.add_parser(
        "audit-verify",
        help="verify every audit chain and that it still reaches the latest signed checkpoint; exit 1 naming the "
        "first broken row or the rows missing",
    )
    verify.add_argument("--checkpoint", type=Path, help="compare with this exported checkpoint instead of the latest one")
    checkpoint = commands.add_parser(
        "audit-checkpoint", help="sign a checkpoint of every chain's head, store it in the checkpoint folder and print it"
    )
    checkpoint.add_argument("--output", type=Path, help="also write it to this file")
    commands.add_parser(
        "init-data-keys", help="create the data key ring at the configured path (a deployment's first step; never overwrites)"
    )
    rotate = commands.add_parser(
        "rotate-data-key",
        help="add a new data key to the key ring as current and re-encrypt every stored value under it, in batches",
    )
    rotate.add_argument("--batch-size", type=int, default=500, help="rows per committed batch (default 500)")
    rotate.add_argument(
        "--resume", action="store_true", help="add no key: re-encrypt what is still under an older key (an interrupted run)"
    )


def run_common_command(
    args: argparse.Namespace, *, service: str, settings: ServiceSettings, app_factory: str, audit_model: type[Any]
) -> bool:
    if args.command == "serve":
        import uvicorn

        if args.workers > 1 and not settings.database_url.startswith("postgresql"):
            sys.exit("several workers need PostgreSQL: SQLite has a single writer")
        uvicorn.run(
            app_factory, factory=True, host=args.host, port=args.port, log_config=None, access_log=False,
            workers=args.workers, timeout_graceful_shutdown=args.graceful_shutdown_seconds,
        )
    elif args.command == "migrate":
        upgrade(service, settings.database_url, data_keys_file=settings.data_keys_file)
        print(f"{service}: database at head")
    elif args.command == "audit-verify":
        sys.exit(asyncio.run(_audit_verify(settings, audit_model, args.checkpoint)))
    elif args.command == "audit-checkpoint":
        try:
            signed = asyncio.run(_audit_checkpoint(settings, audit_model, service))
        except (CheckpointRefused, CheckpointUnreadable) as refused:
            print(json.dumps({"written": False, "problem": str(refused)}))
            sys.exit(1)
        if args.output:
            args.output.write_text(signed + "\n")
        print(signed)
    elif args.command == "init-data-keys":
        try:
            write_key_ring(Path(settings.data_keys_file), new_key_ring(), exclusive=True)
        except FileExistsError:
            raise SystemExit(f"not created: {settings.data_keys_file} exists (rotate-data-key adds a key to it)") from None
        print(json.dumps({"created": str(settings.data_keys_file), "current_key": KeyRing.load(settings.data_keys_file).current}))
    elif args.command == "rotate-data-key":
        print(json.dumps(asyncio.run(_rotate_data_key(settings, audit_model.metadata, args.batch_size, resume=args.resume))))
    else:
        return False
    return True


async def _rotate_data_key(settings: ServiceSettings, metadata: Any, batch_size: int, *, resume: bool) -> dict[str, Any]:
    ring = KeyRing.load(settings.data_keys_file) if resume else add_data_key(settings.data_keys_file)
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        done = await reencrypt(engine, metadata, ring, batch_size=batch_size)
    finally:
        await engine.dispose()
    return {"current_key": ring.current, "reencrypted": sum(done.values()), "by_table": done}


def _signing_key(settings: Any) -> str:
    return Path(settings.signing_key_file).read_text()


def _store(settings: Any) -> CheckpointStore:
    return CheckpointStore(Path(settings.audit_checkpoint_dir), _signing_key(settings))


async def _audit_verify(settings: Any, audit_model: type[Any], exported: Path | None) -> int:
    try:
        if exported is not None:
            public = public_key_pem_from_private(_signing_key(settings).encode()).decode()
            source, checkpoint = exported.name, read_checkpoint(exported.read_text().strip(), public)
        else:
            latest = _store(settings).latest()
            source, checkpoint = (latest[0].name, latest[1]) if latest else (None, None)
    except (InvalidToken, CheckpointUnreadable) as unreadable:
        print(json.dumps({"intact": False, "problem": f"the checkpoint does not verify: {unreadable}"}))
        return 1
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        async with new_sessionmaker(engine)() as session:
            set_tenant(session, ALL_TENANTS)
            await begin_read_snapshot(session)
            report = await verify_chain(session, audit_model, marks=checkpoint_marks(checkpoint) if checkpoint else None)
    finally:
        await engine.dispose()
    if not report.intact:
        print(json.dumps({"intact": False, "first_broken_seq": report.first_broken_seq, "problem": report.problem}))
        return 1
    gaps = checkpoint_gaps(report, checkpoint) if checkpoint else []
    if gaps:
        print(json.dumps({"intact": False, "checkpoint": source, **describe_gaps(gaps)}))
        return 1
    print(
        json.dumps(
            {
                "intact": True,
                "rows": report.rows_checked,
                "chains": len(report.heads),
                "last_seq": report.last_seq,
                "checkpoint": source,
            }
        )
    )
    return 0


async def _audit_checkpoint(settings: Any, audit_model: type[Any], service: str) -> str:
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        async with new_sessionmaker(engine)() as session:
            path, _ = await write_checkpoint(session, audit_model, _store(settings), service, Clock())
            return path.read_text().strip()
    finally:
        await engine.dispose()


def mint_development_token(
    settings: ServiceSettings, *, key_name: str, issuer: str, audience: str, subject: str, claims: dict[str, Any], hours: int
) -> str:
    if settings.environment is Environment.production:
        raise SystemExit("mint-token is a development command and refuses to run in production")
    # The kid is the key's thumbprint, the one the development key set names it by.
    signer = TokenIssuer(issuer, dev_private_key(key_name))
    return signer.issue(subject=subject, audience=audience, now=Clock().now(), lifetime=timedelta(hours=hours), claims=claims)

