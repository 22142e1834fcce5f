"""Run the services as real uvicorn processes on free loopback ports (end-to-end and hand-off tests)."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.support import POLICE_IDP, SCHOOL_IDP, Keys, checkpoint_dir

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def police_env(keys: Keys, database_url: str) -> dict[str, str]:
    return {
        "POLICE_API_ENVIRONMENT": "test",
        "POLICE_API_DATABASE_URL": database_url,
        "POLICE_API_IDP_ISSUER": POLICE_IDP,
        "POLICE_API_IDP_JWKS_FILE": str(keys.path("police-idp.jwks.json")),
        "POLICE_API_SIGNING_KEY_FILE": str(keys.path("police-signing.pem")),
        "POLICE_API_AUDIT_CHECKPOINT_DIR": str(checkpoint_dir(keys.folder.parent, database_url)),
        "POLICE_API_DATA_KEYS_FILE": str(keys.path("police-data-keys.json")),
    }


def school_env(keys: Keys, database_url: str, police_url: str, clients_file: Path) -> dict[str, str]:
    return {
        "SCHOOL_API_ENVIRONMENT": "test",
        "SCHOOL_API_DATABASE_URL": database_url,
        "SCHOOL_API_IDP_ISSUER": SCHOOL_IDP,
        "SCHOOL_API_IDP_JWKS_FILE": str(keys.path("school-idp.jwks.json")),
        "SCHOOL_API_SIGNING_KEY_FILE": str(keys.path("school-signing.pem")),
        "SCHOOL_API_AUDIT_CHECKPOINT_DIR": str(checkpoint_dir(keys.folder.parent, database_url)),
        "SCHOOL_API_DATA_KEYS_FILE": str(keys.path("school-data-keys.json")),
        "SCHOOL_API_POLICE_API_URL": police_url,
        "SCHOOL_API_POLICE_CLIENTS_FILE": str(clients_file),
        "SCHOOL_API_RELAY_IDLE_POLL_SECONDS": "0.5",
        "SCHOOL_API_RELAY_BACKOFF_BASE_SECONDS": "0.2",
        "SCHOOL_API_RELAY_BACKOFF_CAP_SECONDS": "2",
        "SCHOOL_API_FEED_WAIT_SECONDS": "5",
    }


def register_school(env: dict[str, str], urn: str, force_code: str, clients_file: Path) -> None:
    """The documented admin command, run as a user would; its secret goes to the school's clients file."""
    result = subprocess.run(
        [str(VENV_BIN / "police-api"), "register-school", "--client-id", f"school-{urn}", "--school-urn", urn,
         "--force-code", force_code],
        env={**os.environ, **env}, check=True, capture_output=True, text=True,
    )
    registered = json.loads(result.stdout)
    clients = json.loads(clients_file.read_text()) if clients_file.exists() else {}
    clients[urn] = {"client_id": registered["client_id"], "client_secret": registered["client_secret"]}
    clients_file.write_text(json.dumps(clients))


# As `serve` runs them (shared/cli.py): a held long poll of the status feed must not hold a stop for its
# whole wait.
GRACEFUL_SHUTDOWN_SECONDS = 5


@dataclass(eq=False)  # a handle on one running process: equal only to itself, so usable as a key
class ServiceProcess:
    """One service under uvicorn; `start`/`stop` may be called repeatedly (the port stays the same)."""

    module: str
    env: dict[str, str]
    log_file: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait: bool = True) -> None:
        log = self.log_file.open("ab")
        self.process = subprocess.Popen(
            [str(VENV_BIN / "python"), "-m", "uvicorn", f"{self.module}:create_app", "--factory",
             "--host", "127.0.0.1", "--port", str(self.port), "--no-access-log", "--log-level", "warning",
             "--timeout-graceful-shutdown", str(GRACEFUL_SHUTDOWN_SECONDS)],
            env={**os.environ, **self.env}, stdout=log, stderr=subprocess.STDOUT,
        )
        if wait:
            self.wait_ready()

    def wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.module} exited with {self.process.returncode}; see {self.log_file}")
            try:
                # A process busy with other requests (the soak at load average 15) answers its probe in seconds.
                if httpx.get(f"{self.url}/readyz", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"{self.module} not ready after {timeout}s; see {self.log_file}")

    def stop(self, kill: bool = False) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        if kill:
            self.process.kill()
        else:
            self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
