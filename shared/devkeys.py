"""Development key pairs, created under the git-ignored var/keys on first `make run` (never committed).

Each development identity provider gets its private key and its key set (`<name>.jwks.json`, the public
key with its thumbprint as kid), which the services read as `…_IDP_JWKS_FILE`; `mint-token` signs with
the private key and puts the same kid in the token. To rotate by hand, add a key to the set, sign with it,
then take the old key out: the services follow the file without a restart.
"""
from __future__ import annotations

import os
from pathlib import Path

from shared.encryption import ensure_key_ring_file
from shared.jwks import write_jwks_file
from shared.settings import DEV_VAR_DIR
from shared.tokens import generate_private_key_pem

KEYS_DIR = DEV_VAR_DIR / "keys"
DEV_KEY_PAIRS = ("dev-school-idp", "dev-police-idp")
DEV_SIGNING_KEYS = ("school-api-signing", "police-api-signing")
DEV_DATA_KEY_RINGS = ("school-api-data-keys", "police-api-data-keys")


def ensure_private_key(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(generate_private_key_pem())
    return path.read_bytes()


def ensure_dev_keys() -> None:
    for name in DEV_KEY_PAIRS:
        private = ensure_private_key(KEYS_DIR / f"{name}.pem")
        key_set = KEYS_DIR / f"{name}.jwks.json"
        if not key_set.exists():
            write_jwks_file(key_set, [private])
    for name in DEV_SIGNING_KEYS:
        ensure_private_key(KEYS_DIR / f"{name}.pem")
    for name in DEV_DATA_KEY_RINGS:
        ensure_key_ring_file(KEYS_DIR / f"{name}.json")


def dev_private_key(name: str) -> str:
    return (KEYS_DIR / f"{name}.pem").read_text()
