"""Autogenerate the next Alembic revision of one service from its models.

    python -m scripts.new_migration school_api "add devices"

It upgrades a throw-away SQLite database to the current head and compares the models with it,
so the new revision holds exactly what the models added. Read it before committing.
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command

from shared.migrations import alembic_config, upgrade

SERVICES = ("school_api", "police_api")


def main() -> None:
    if len(sys.argv) != 3 or sys.argv[1] not in SERVICES:
        sys.exit(__doc__)
    service, message = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'autogenerate.sqlite3'}"
        upgrade(service, url)
        command.revision(alembic_config(service, url), message=message, autogenerate=True)


if __name__ == "__main__":
    main()
