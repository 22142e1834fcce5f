"""`school-api`: serve, migrate, relay, refresh-statuses, retention run, mint-token (development), audit-verify,
audit-checkpoint, init-data-keys, rotate-data-key."""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal

import httpx
from services.school_api.access import SchoolRole
from services.school_api.database import AuditEntry, Base, SchoolSession
from services.school_api.referrals.police_client import PoliceClient, load_credentials, new_http_client
from services.school_api.referrals.relay import Relay, stop_relay
from services.school_api.referrals.wakeup import listen_for_queued
from services.school_api.retention.service import SCHOOL_RETENTION
from services.school_api.settings import AUDIENCE, SchoolSettings
from shared.cli import add_common_commands, mint_development_token, run_common_command
from shared.clock import Clock
from shared.db import create_engine
from shared.encryption import install_data_keys, load_key_ring
from shared.logging import configure_logging
from shared.retention.job import Line, run_retention
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

SERVICE = "school_api"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="school-api", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    add_common_commands(commands, default_port=8001)
    commands.add_parser("relay", help="run the referral relay on its own (as well as, or instead of, the API's)")
    retention = commands.add_parser("retention", help="the retention schedule (docs/retention.md)")
    retention_commands = retention.add_subparsers(dest="retention_command", required=True)
    run = retention_commands.add_parser("run", help="anonymise every file that has fallen due and is not under a legal hold")
    run.add_argument("--dry-run", action="store_true", help="list what would be done (record type, id, reference, due date, action); change nothing")
    run.add_argument("--school-urn", help="only this school's files (default: every school's)")
    commands.add_parser(
        "refresh-statuses",
        help="ask the police once for the status of every open referral (a reconciliation; the status feed carries changes)",
    )
    mint = commands.add_parser("mint-token", help="development only: sign a token with the development identity provider key")
    mint.add_argument("--role", required=True, choices=[role.value for role in SchoolRole])
    mint.add_argument("--school-urn", required=True)
    mint.add_argument("--sub", default="dev-user")
    mint.add_argument("--hours", type=int, default=8)
    return parser


def main(argv: list[str] | None = None, clock: Clock | None = None) -> None:
    """`clock`: the time the job acts at; tests pass a moved clock, never the CLI user."""
    args = build_parser().parse_args(argv)
    settings = SchoolSettings()

    if run_common_command(
        args, service=SERVICE, settings=settings, app_factory="services.school_api.app:create_app", audit_model=AuditEntry
    ):
        return
    if args.command == "relay":
        asyncio.run(_run_relay(settings))
    elif args.command == "retention":
        for line in asyncio.run(retention_run(settings, dry_run=args.dry_run, school_urn=args.school_urn, clock=clock or Clock())):
            print(json.dumps(line.as_json(), sort_keys=True))
    elif args.command == "refresh-statuses":
        print(f"{asyncio.run(_refresh_statuses(settings))} referrals refreshed")
    elif args.command == "mint-token":
        print(
            mint_development_token(
                settings,
                key_name="dev-school-idp",
                issuer=settings.idp_issuer,
                audience=AUDIENCE,
                subject=args.sub,
                claims={"role": args.role, "school_urn": args.school_urn},
                hours=args.hours,
            )
        )


async def retention_run(settings: SchoolSettings, *, dry_run: bool, school_urn: str | None, clock: Clock) -> list[Line]:
    configure_logging(SERVICE, settings.log_level, readable=settings.readable_logs)
    settings.assert_fit_for_environment()
    engine = create_engine(settings.database_url, pool_size=2)
    try:
        sessionmaker = async_sessionmaker(engine, expire_on_commit=False, sync_session_class=SchoolSession)
        return await run_retention(SCHOOL_RETENTION, sessionmaker, clock, dry_run=dry_run, tenant=school_urn)
    finally:
        await engine.dispose()


def _standalone_relay(settings: SchoolSettings) -> tuple[Relay, AsyncEngine, httpx.AsyncClient]:
    configure_logging(SERVICE, settings.log_level, readable=settings.readable_logs)
    settings.assert_fit_for_environment()
    install_data_keys(Base.metadata, load_key_ring(settings.data_keys_file))  # the outbox holds the reports sealed
    engine = create_engine(settings.database_url, pool_size=4)
    http = new_http_client(
        settings.police_api_url,
        connect_timeout=settings.police_connect_timeout_seconds,
        read_timeout=settings.police_read_timeout_seconds,
    )
    clock = Clock()
    relay = Relay(
        async_sessionmaker(engine, expire_on_commit=False, sync_session_class=SchoolSession),
        PoliceClient(http, load_credentials(settings.police_clients_file), clock),
        settings,
        clock,
    )
    return relay, engine, http


async def _refresh_statuses(settings: SchoolSettings) -> int:
    relay, engine, http = _standalone_relay(settings)
    try:
        return await relay.refresh_statuses()
    finally:
        await http.aclose()
        await engine.dispose()


async def _run_relay(settings: SchoolSettings) -> None:
    relay, engine, http = _standalone_relay(settings)
    running = asyncio.create_task(relay.run_forever())
    # On PostgreSQL the API's commits wake this relay too (NOTIFY); on SQLite its idle poll finds new referrals.
    listening = asyncio.create_task(listen_for_queued(engine, relay.wake)) if engine.dialect.name == "postgresql" else None
    stopping = asyncio.Event()

    def on_signal() -> None:
        # SIGTERM (a deployment stopping the container) or Ctrl-C: finish the pass in flight within one
        # lease, as the API does; a second signal does not wait.
        if stopping.is_set():
            running.cancel()
        stopping.set()

    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal)
    try:
        signalled = asyncio.create_task(stopping.wait())
        await asyncio.wait({running, signalled}, return_when=asyncio.FIRST_COMPLETED)
        signalled.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await stop_relay(relay, running)
    finally:
        if listening is not None:
            listening.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listening
        await http.aclose()
        await engine.dispose()


if __name__ == "__main__":
    main()
