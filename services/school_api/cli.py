"""`school-api`: serve, migrate, relay, mint-token (development), audit-verify, audit-checkpoint, init-data-keys, rotate-data-key."""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from services.school_api.access import SchoolRole
from services.school_api.database import AuditEntry, Base, SchoolSession
from services.school_api.referrals.police_client import PoliceClient, load_credentials, new_http_client
from services.school_api.referrals.relay import Relay, stop_relay
from services.school_api.referrals.wakeup import listen_for_queued
from services.school_api.settings import AUDIENCE, SchoolSettings
from shared.cli import add_common_commands, mint_development_token, run_common_command
from shared.clock import Clock
from shared.db import create_engine
from shared.encryption import install_data_keys, load_key_ring
from shared.logging import configure_logging
from sqlalchemy.ext.asyncio import async_sessionmaker

SERVICE = "school_api"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="school-api", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    add_common_commands(commands, default_port=8001)
    commands.add_parser("relay", help="run the referral relay on its own (as well as, or instead of, the API's)")
    mint = commands.add_parser("mint-token", help="development only: sign a token with the development identity provider key")
    mint.add_argument("--role", required=True, choices=[role.value for role in SchoolRole])
    mint.add_argument("--school-urn", required=True)
    mint.add_argument("--sub", default="dev-user")
    mint.add_argument("--hours", type=int, default=8)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    settings = SchoolSettings()

    if run_common_command(
        args, service=SERVICE, settings=settings, app_factory="services.school_api.app:create_app", audit_model=AuditEntry
    ):
        return
    if args.command == "relay":
        asyncio.run(_run_relay(settings))
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


async def _run_relay(settings: SchoolSettings) -> None:
    configure_logging(SERVICE, settings.log_level)
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
