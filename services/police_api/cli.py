"""`police-api`: serve, migrate, register-school, add-offence-code, mint-token (development), audit-verify, audit-checkpoint,
purge-idempotency, retention run, init-data-keys, rotate-data-key."""
from __future__ import annotations

import argparse
import asyncio
import json

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import async_sessionmaker

from services.police_api.access import PoliceRole
from services.police_api.clients.service import register_school_client
from services.police_api.crimes.schemas import OffenceCodeIn
from services.police_api.crimes.service import add_offence_code
from services.police_api.database import AuditEntry, PoliceSession
from services.police_api.reports.idempotency import purge_expired
from services.police_api.routing.vocabulary import PoliceRank
from services.police_api.retention.service import POLICE_RETENTION
from services.police_api.settings import AUDIENCE, PoliceSettings
from shared.cli import add_common_commands, mint_development_token, run_common_command
from shared.clock import Clock
from shared.db import create_engine
from shared.logging import configure_logging
from shared.problems import Problem
from shared.retention.job import Line, run_retention
from shared.tenancy import ALL_TENANTS, set_tenant

SERVICE = "police_api"
OFFICER_ROLES = [role.value for role in PoliceRole if role is not PoliceRole.school_client]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="police-api", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    add_common_commands(commands, default_port=8002)
    register = commands.add_parser("register-school", help="register a school as a client; prints its secret once")
    register.add_argument("--client-id", required=True)
    register.add_argument("--school-urn", required=True)
    register.add_argument("--force-code", required=True)
    register.add_argument("--secret", help="use this secret instead of generating one (development set-up)")
    offence = commands.add_parser(
        "add-offence-code", help="add a Home Office offence code to the national reference table every force records against"
    )
    offence.add_argument("--code", required=True, help="the Home Office classification, e.g. 86/2")
    offence.add_argument("--title", required=True)
    offence.add_argument("--statute", required=True)
    offence.add_argument("--added-by", required=True, help="who adds it (kept on the row)")
    mint = commands.add_parser("mint-token", help="development only: sign an officer token with the development key")
    mint.add_argument("--role", required=True, choices=OFFICER_ROLES)
    mint.add_argument("--force-code", required=True)
    mint.add_argument("--sub", default="dev-officer")
    mint.add_argument("--rank", choices=[rank.value for rank in PoliceRank], help="the officer's rank claim")
    mint.add_argument("--hours", type=int, default=8)
    commands.add_parser("purge-idempotency", help="delete Idempotency-Key records past their retention")
    retention = commands.add_parser("retention", help="the MoPI retention schedule (docs/retention.md)")
    retention_commands = retention.add_subparsers(dest="retention_command", required=True)
    run = retention_commands.add_parser("run", help="anonymise every incident's records that have fallen due and are not under a legal hold")
    run.add_argument("--dry-run", action="store_true", help="list what would be done (record type, id, reference, due date, action); change nothing")
    run.add_argument("--force-code", help="only this force's records (default: every force's)")
    return parser


def main(argv: list[str] | None = None, clock: Clock | None = None) -> None:
    """`clock`: the time the retention job acts at; tests pass a moved clock, never the CLI user."""
    args = build_parser().parse_args(argv)
    settings = PoliceSettings()

    if run_common_command(
        args, service=SERVICE, settings=settings, app_factory="services.police_api.app:create_app", audit_model=AuditEntry
    ):
        return
    if args.command == "register-school":
        try:
            secret = asyncio.run(_register(settings, args))
        except Problem as problem:
            raise SystemExit(f"not registered: {problem.detail}") from None
        print(json.dumps({"client_id": args.client_id, "client_secret": secret, "school_urn": args.school_urn}))
    elif args.command == "add-offence-code":
        try:
            entry = OffenceCodeIn(code=args.code, title=args.title, statute=args.statute)
            asyncio.run(_add_offence_code(settings, entry, args.added_by))
        except ValidationError as error:
            raise SystemExit(f"not added: {'; '.join(str(e['loc'][0]) + ': ' + e['msg'] for e in error.errors())}") from None
        except Problem as problem:
            raise SystemExit(f"not added: {problem.detail}") from None
        print(json.dumps(entry.model_dump() | {"added_by": args.added_by}))
    elif args.command == "mint-token":
        print(
            mint_development_token(
                settings,
                key_name="dev-police-idp",
                issuer=settings.idp_issuer,
                audience=AUDIENCE,
                subject=args.sub,
                claims={"role": args.role, "force_code": args.force_code} | ({"rank": args.rank} if args.rank else {}),
                hours=args.hours,
            )
        )
    elif args.command == "purge-idempotency":
        print(json.dumps({"purged": asyncio.run(_purge(settings))}))
    elif args.command == "retention":
        for line in asyncio.run(retention_run(settings, dry_run=args.dry_run, force_code=args.force_code, clock=clock or Clock())):
            print(json.dumps(line.as_json(), sort_keys=True))


async def retention_run(settings: PoliceSettings, *, dry_run: bool, force_code: str | None, clock: Clock) -> list[Line]:
    configure_logging(SERVICE, settings.log_level)
    settings.assert_fit_for_environment()
    engine = create_engine(settings.database_url, pool_size=2)
    try:
        sessionmaker = async_sessionmaker(engine, expire_on_commit=False, sync_session_class=PoliceSession)
        return await run_retention(POLICE_RETENTION, sessionmaker, clock, dry_run=dry_run, tenant=force_code)
    finally:
        await engine.dispose()


async def _register(settings: PoliceSettings, args: argparse.Namespace) -> str:
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        async with async_sessionmaker(engine, sync_session_class=PoliceSession)() as session:
            set_tenant(session, ALL_TENANTS)
            secret = await register_school_client(
                session,
                client_id=args.client_id,
                school_urn=args.school_urn,
                force_code=args.force_code,
                now=Clock().now(),
                secret=args.secret,
            )
            await session.commit()
            return secret
    finally:
        await engine.dispose()


async def _add_offence_code(settings: PoliceSettings, entry: OffenceCodeIn, added_by: str) -> None:
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        async with async_sessionmaker(engine, sync_session_class=PoliceSession)() as session:
            set_tenant(session, ALL_TENANTS)
            await add_offence_code(session, **entry.model_dump(), added_by=added_by, now=Clock().now())
            await session.commit()
    finally:
        await engine.dispose()


async def _purge(settings: PoliceSettings) -> int:
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        async with async_sessionmaker(engine, sync_session_class=PoliceSession)() as session:
            set_tenant(session, ALL_TENANTS)
            purged = await purge_expired(session, Clock().now())
            await session.commit()
            return purged
    finally:
        await engine.dispose()


if __name__ == "__main__":
    main()
