"""Issuers' key sets (JWKS, RFC 7517): where a token's `kid` finds the public key that checks it.

An identity provider rotates its signing key by publishing the new key beside the old one, signing with
the new one, and withdrawing the old one once its tokens have expired. A verifier that reads the set
again while it runs follows a rotation without a restart. Three sources:

- `StaticKeySet`: keys this process holds itself (the police service's own signing key).
- `JwksFile`: a JWKS document on disk (development and tests). It is stat-ed on every lookup and read
  again when it changed (modification time, size or inode), so a key added or withdrawn takes effect on
  the next request; a file caught half-written is ignored until it parses, the last good set serving.
- `JwksUrl`: the issuer's published JWKS (production), fetched with httpx and kept for `cache_seconds`.
  An unknown `kid` fetches the set again, at most once per `min_refresh_seconds` whatever the number of
  unknown kids (a flood of forged kids must not become a flood of requests to the issuer). While the
  issuer cannot be reached the last fetched set keeps serving; before any fetch succeeded, a lookup
  raises `KeySetUnavailable` (answered 503, not 401: the token may well be good).

Only ES256 keys on P-256 with a `kid` are taken from a document; any other entry is skipped.
The `kid` this project's own signers put in their tokens is the key's RFC 7638 thumbprint, so a kid
names one key material and changes when the key does.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Protocol

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jose import jwk
from jose.backends.base import Key

log = logging.getLogger("jwks")

ALGORITHM = "ES256"
# An issuer's key set is a few keys; anything near this size is not one.
MAX_DOCUMENT_BYTES = 256 * 1024


class KeySetUnavailable(Exception):
    """No key set could be loaded yet, so no token of this issuer can be checked."""


class KeySource(Protocol):
    async def find(self, kid: str) -> Key | None:
        """The key named `kid`, or None when the issuer's current set has no such key."""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _ec_public_key(pem: str | bytes) -> ec.EllipticCurvePublicKey:
    data = pem.encode() if isinstance(pem, str) else pem
    key: Any
    if b"PRIVATE KEY" in data:
        key = serialization.load_pem_private_key(data, password=None).public_key()
    else:
        key = serialization.load_pem_public_key(data)
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ValueError("an ES256 key must be an EC key on P-256")
    return key


def _coordinates(key: ec.EllipticCurvePublicKey) -> tuple[str, str]:
    numbers = key.public_numbers()
    return _b64url(numbers.x.to_bytes(32, "big")), _b64url(numbers.y.to_bytes(32, "big"))


def key_id(pem: str | bytes) -> str:
    """The RFC 7638 JWK thumbprint (SHA-256) of an ES256 key, given its private or public PEM."""
    x, y = _coordinates(_ec_public_key(pem))
    canonical = json.dumps({"crv": "P-256", "kty": "EC", "x": x, "y": y}, separators=(",", ":"), sort_keys=True)
    return _b64url(hashlib.sha256(canonical.encode()).digest())


def public_jwk(pem: str | bytes) -> dict[str, str]:
    """The public JWK of an ES256 key (private or public PEM), its kid the thumbprint."""
    x, y = _coordinates(_ec_public_key(pem))
    return {"kty": "EC", "crv": "P-256", "x": x, "y": y, "kid": key_id(pem), "use": "sig", "alg": ALGORITHM}


def jwks_document(pems: Iterable[str | bytes]) -> dict[str, list[dict[str, str]]]:
    return {"keys": [public_jwk(pem) for pem in pems]}


def write_jwks_file(path: Path, pems: Iterable[str | bytes]) -> None:
    """Replace the file in one rename, so a reader sees the old set or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps(jwks_document(pems), indent=2) + "\n")
    partial.replace(path)


def parse_jwks(document: Any) -> dict[str, Key]:
    """kid -> verification key for every usable ES256 entry; raises ValueError if this is no JWKS at all."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("a JWKS is an object with a `keys` array")
    keys: dict[str, Key] = {}
    for entry in document["keys"]:
        parsed = _parse_entry(entry)
        if parsed is not None:
            keys[parsed[0]] = parsed[1]
    return keys


def _parse_entry(entry: Any) -> tuple[str, Key] | None:
    if not isinstance(entry, dict):
        return None
    kid = entry.get("kid")
    if not isinstance(kid, str) or not kid or len(kid) > 200:
        return None
    if entry.get("kty") != "EC" or entry.get("crv") != "P-256" or "d" in entry:
        return None  # "d" is private key material: never trusted from a published set
    if entry.get("use", "sig") != "sig" or entry.get("alg", ALGORITHM) != ALGORITHM:
        return None
    try:
        x = int.from_bytes(_b64url_decode(entry["x"]), "big")
        y = int.from_bytes(_b64url_decode(entry["y"]), "big")
        # Building the key checks that the point lies on the curve.
        public = ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    except (KeyError, TypeError, ValueError):
        return None
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return kid, jwk.construct(pem.decode(), ALGORITHM)


class StaticKeySet:
    """Keys held by this process, named by their thumbprints."""

    def __init__(self, pems: Iterable[str | bytes]) -> None:
        pems = list(pems)
        self.document = jwks_document(pems)
        self._keys = parse_jwks(self.document)

    async def find(self, kid: str) -> Key | None:
        return self._keys.get(kid)


class JwksFile:
    """A JWKS document on disk, read again whenever it changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen: tuple[int, int, int] | None = None
        self._keys: dict[str, Key] = {}
        self._reload_if_changed()
        if self._seen is None:
            raise ValueError(f"the key set file {path} is not a JWKS document")

    def _reload_if_changed(self) -> None:
        try:
            stat = os.stat(self.path)
        except OSError:
            log.warning("key set file unreadable; keeping the last good set")
            return
        seen = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        if seen == self._seen:
            return
        try:
            self._keys = parse_jwks(json.loads(self.path.read_bytes()))
        except (OSError, ValueError):
            # Not remembered as seen: the next lookup tries again, by when the writer has finished.
            log.warning("key set file does not parse; keeping the last good set")
            return
        self._seen = seen
        log.info("key set loaded", extra={"fields": {"source": "file", "keys": len(self._keys)}})

    async def find(self, kid: str) -> Key | None:
        self._reload_if_changed()
        return self._keys.get(kid)


class JwksUrl:
    """The issuer's published JWKS, cached for `cache_seconds`, fetched again on an unknown kid (rate-limited)."""

    def __init__(
        self,
        url: str,
        http: httpx.AsyncClient,
        *,
        cache_seconds: float,
        min_refresh_seconds: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.http = http
        self.cache_seconds = cache_seconds
        self.min_refresh_seconds = min_refresh_seconds
        self.monotonic = monotonic
        self.fetches = 0
        self._keys: dict[str, Key] | None = None
        self._fetched_at = 0.0
        self._attempted_at: float | None = None
        self._lock = asyncio.Lock()

    async def find(self, kid: str) -> Key | None:
        if self._keys is None or self.monotonic() - self._fetched_at >= self.cache_seconds:
            await self._refresh()
        elif kid not in self._keys:
            await self._refresh()
        if self._keys is None:
            raise KeySetUnavailable("the issuer's key set could not be fetched")
        return self._keys.get(kid)

    async def prime(self) -> None:
        """Fetch once at start-up so that the first request does not wait; a failure only logs."""
        await self._refresh()

    async def _refresh(self) -> None:
        async with self._lock:
            # Whoever waited on the lock finds the fetch just made by the holder, and does not fetch again.
            now = self.monotonic()
            if self._attempted_at is not None and now - self._attempted_at < self.min_refresh_seconds:
                return
            self._attempted_at = now
            self.fetches += 1
            try:
                response = await self.http.get(self.url, headers={"Accept": "application/json"})
                response.raise_for_status()
                if len(response.content) > MAX_DOCUMENT_BYTES:
                    raise ValueError("key set document too large")
                keys = parse_jwks(response.json())
            except (httpx.HTTPError, ValueError) as exc:
                log.warning(
                    "key set fetch failed; keeping the last good set",
                    extra={"fields": {"source": "url", "error": type(exc).__name__, "have_keys": self._keys is not None}},
                )
                return
            self._keys = keys
            self._fetched_at = self.monotonic()
            log.info("key set loaded", extra={"fields": {"source": "url", "keys": len(keys)}})


# The issuer answers a key set request from a cache; if it takes longer than this it is down.
FETCH_TIMEOUT = httpx.Timeout(5.0)


def open_issuer_keys(
    *, file: Path, url: str | None, cache_seconds: float, min_refresh_seconds: float
) -> tuple[KeySource, httpx.AsyncClient | None]:
    """The identity provider's key source from settings: its URL when one is set, else its file.
    The caller closes the returned HTTP client (None for a file) when it stops."""
    if url is None:
        return JwksFile(file), None
    http = httpx.AsyncClient(timeout=FETCH_TIMEOUT, follow_redirects=False)
    return JwksUrl(url, http, cache_seconds=cache_seconds, min_refresh_seconds=min_refresh_seconds), http


async def prime(source: KeySource) -> None:
    """Load a fetched key set before the first request needs it (a file was loaded when opened)."""
    if isinstance(source, JwksUrl):
        await source.prime()
