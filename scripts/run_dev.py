"""`make run`: development keys, migrations, the development school client, both services.

Starts the school API on 127.0.0.1:8001 and the police API on 127.0.0.1:8002 (SQLite under var/),
prints how to get a token and a first call, and stops both on Ctrl-C.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

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

    upgrade("school_api", SchoolSettings().database_url)
    upgrade("police_api", PoliceSettings().database_url)
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


WALKTHROUGH = f"""
Both services are up (Ctrl-C stops both):
  school API  http://127.0.0.1:8001   (docs: /docs)   development school URN {DEV_SCHOOL_URN}
  police API  http://127.0.0.1:8002   (docs: /docs)   development force code {DEV_FORCE_CODE}

The consoles (development sign-in: choose a role, keep the URN or force code shown):
  school console  http://127.0.0.1:8001/console   sign in as the DSL with school URN {DEV_SCHOOL_URN}
  police console  http://127.0.0.1:8002/console   sign in as an officer with force code {DEV_FORCE_CODE}

In another terminal:
  DSL=$(.venv/bin/school-api mint-token --role dsl --school-urn {DEV_SCHOOL_URN})
  curl -s -X POST http://127.0.0.1:8001/incidents -H "Authorization: Bearer $DSL" \\
       -H 'Content-Type: application/json' \\
       -d '{{"disclosed_at": "2026-11-27T09:00:00Z", "disclosure_source": "pupil_about_self", "image_nature": "potentially_illegal"}}'
The README walks on from there: decide to refer, watch the referral be delivered, read the police reference.
"""


if __name__ == "__main__":
    main()
