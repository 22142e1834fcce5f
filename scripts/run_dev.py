"""`make run`: development keys, migrations, the development school client, both services.

Starts the school API on 127.0.0.1:8001 and the police API on 127.0.0.1:8002 (SQLite under var/),
prints a banner once both are ready (addresses, docs, how to mint a token, how to stop), and stops
both on Ctrl-C.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from shared.db import is_sqlite
from shared.devkeys import ensure_dev_keys
from shared.migrations import upgrade
from shared.settings import DEV_VAR_DIR

DEV_SCHOOL_URN = "100001"
DEV_FORCE_CODE = "52"
DEV_CLIENT_ID = f"school-{DEV_SCHOOL_URN}"
CLIENTS_FILE = DEV_VAR_DIR / "police-clients.json"
VENV_BIN = os.path.dirname(sys.executable)


def _stop_on_sigterm(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)  # a terminated `make run` stops both services too
    DEV_VAR_DIR.mkdir(exist_ok=True)
    ensure_dev_keys()
    from services.police_api.settings import PoliceSettings
    from services.school_api.settings import SchoolSettings

    for service, settings in (("school_api", SchoolSettings()), ("police_api", PoliceSettings())):
        forget_checkpoints_of_a_new_database(settings)
        upgrade(service, settings.database_url)
    register_dev_school()
    processes = [
        subprocess.Popen([os.path.join(VENV_BIN, "school-api"), "serve", "--port", "8001"]),
        subprocess.Popen([os.path.join(VENV_BIN, "police-api"), "serve", "--port", "8002"]),
    ]
    try:
        wait_ready("http://127.0.0.1:8001/readyz")
        wait_ready("http://127.0.0.1:8002/readyz")
        print(WALKTHROUGH, flush=True)
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def forget_checkpoints_of_a_new_database(settings: Any) -> None:
    """A development database deleted to start afresh takes its audit checkpoints with it: kept, they would
    say (rightly) that its chains were emptied, and no new checkpoint would ever be signed."""
    database = Path(settings.database_url.removeprefix("sqlite+aiosqlite:///"))
    if is_sqlite(settings.database_url) and not database.exists():
        shutil.rmtree(settings.audit_checkpoint_dir, ignore_errors=True)


def register_dev_school() -> None:
    clients = json.loads(CLIENTS_FILE.read_text()) if CLIENTS_FILE.exists() else {}
    if DEV_SCHOOL_URN in clients:
        return
    result = subprocess.run(
        [
            os.path.join(VENV_BIN, "police-api"), "register-school", "--client-id", DEV_CLIENT_ID,
            "--school-urn", DEV_SCHOOL_URN, "--force-code", DEV_FORCE_CODE,
        ],
        check=True, capture_output=True, text=True,
    )
    registered = json.loads(result.stdout)
    clients[DEV_SCHOOL_URN] = {"client_id": registered["client_id"], "client_secret": registered["client_secret"]}
    CLIENTS_FILE.write_text(json.dumps(clients, indent=2))
    CLIENTS_FILE.chmod(0o600)


def wait_ready(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not become ready in {timeout:.0f}s")


RULE = "=" * 78
WALKTHROUGH = f"""
{RULE}
  Both services are ready. Ctrl-C here stops both.

  school API   http://127.0.0.1:8001     docs  http://127.0.0.1:8001/docs
               development school URN {DEV_SCHOOL_URN}, a registered client of force {DEV_FORCE_CODE}
  police API   http://127.0.0.1:8002     docs  http://127.0.0.1:8002/docs

  Consoles in a browser (development sign-in: choose a role, keep the URN or force code shown):
    school console  http://127.0.0.1:8001/console   sign in as the DSL with school URN {DEV_SCHOOL_URN}
    police console  http://127.0.0.1:8002/console   sign in as an officer with force code {DEV_FORCE_CODE}

  Tokens (development identity providers, valid 8 hours), in another terminal:
    DSL=$(.venv/bin/school-api mint-token --role dsl --school-urn {DEV_SCHOOL_URN})
    OFFICER=$(.venv/bin/police-api mint-token --role supervisor --force-code {DEV_FORCE_CODE})
  Other roles: school-api mint-token --help, police-api mint-token --help.

  A first call:
    curl -s http://127.0.0.1:8001/incidents -H "Authorization: Bearer $DSL"

  Every list answers {{"items": [...], "next_cursor": ...}}; pass next_cursor back as ?cursor=.
  One whole case, printed step by step: make demo (runs on its own throw-away services).
  Log lines below are readable in development; production logs one JSON object a line.
{RULE}
"""


if __name__ == "__main__":
    main()
