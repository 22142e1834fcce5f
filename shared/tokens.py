"""JSON Web Tokens: the only module that imports python-jose.

Why so strict: python-jose 3.5.0 does not require `exp`, `iat`, `iss`, `aud` or `sub` unless
asked, accepts a token with no `aud` even when `audience=` is given, and accepts an HS256
token "signed" with the DER or PEM bytes of an ES256 public key if HS256 is allowed.
So every issuer is trusted for exactly one algorithm (ES256), every `require_*` option is on,
the presence of `aud` is checked again by hand, and the header algorithm is compared
before the signature is even looked at.

Every token must name its signing key in the header's `kid`, and that key must be in its issuer's
current key set (`shared.jwks`): a token with no kid, or a kid the set does not hold, is refused
(`UnknownKey`), so a withdrawn key stops opening the services as soon as the set no longer lists it.

A client sends the same access token with every request for its lifetime, so each verifier keeps
the claims of the tokens it has fully verified (bounded, least recently used first out), keyed by
the whole token string, signature included, and checks expiry again on every use. Envoy's
jwt_authn filter does the same (`jwt_cache_config`). A token that differs in one byte is a miss
and goes through every check above. A hit asks the issuer's key set again for the token's kid: a token
whose key was withdrawn is refused even from the cache, and one whose kid now names other key material
is verified again in full.
"""
from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from jose import jwt
from jose.backends.base import Key
from jose.exceptions import JOSEError

from shared.jwks import KeySource, key_id

ALGORITHM = "ES256"
TOKEN_USE_ACCESS = "access"
_REQUIRED_CLAIMS = ("exp", "iat", "iss", "aud", "sub", "token_use")


class InvalidToken(Exception):
    """The token cannot be trusted. The message is for logs only and names no claim values."""


class UnknownKey(InvalidToken):
    """The token names no kid, or a kid its issuer's current key set does not hold."""


def generate_private_key_pem() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def public_key_pem_from_private(private_pem: bytes) -> bytes:
    key = serialization.load_pem_private_key(private_pem, password=None)
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@dataclass(frozen=True)
class TrustedIssuer:
    issuer: str
    keys: KeySource
    algorithm: str = ALGORITHM

    def __post_init__(self) -> None:
        if self.algorithm != ALGORITHM:
            raise ValueError("only ES256 issuers are supported")


@dataclass(frozen=True)
class TokenIssuer:
    """Signs access tokens with one ES256 private key."""

    issuer: str
    private_key_pem: str
    # The key's thumbprint unless given: the kid a verifier finds in the issuer's key set.
    key_id: str = ""

    def __post_init__(self) -> None:
        if not self.key_id:
            object.__setattr__(self, "key_id", key_id(self.private_key_pem))

    def issue(
        self,
        *,
        subject: str,
        audience: str,
        now: datetime,
        lifetime: timedelta,
        claims: dict[str, Any] | None = None,
    ) -> str:
        payload: dict[str, Any] = dict(claims or {})
        payload.update(
            iss=self.issuer,
            sub=subject,
            aud=audience,
            iat=int(now.timestamp()),
            nbf=int(now.timestamp()),
            exp=int((now + lifetime).timestamp()),
            jti=str(uuid.uuid4()),
            token_use=TOKEN_USE_ACCESS,
        )
        return jwt.encode(payload, self.private_key_pem, algorithm=ALGORITHM, headers={"kid": self.key_id})

    def sign_document(self, document: dict[str, Any]) -> str:
        """A compact JWS over a document (audit checkpoints); no token claims are added."""
        return jwt.encode(document, self.private_key_pem, algorithm=ALGORITHM, headers={"kid": self.key_id})


@dataclass
class TokenVerifier:
    """Verifies access tokens for one audience against a fixed set of issuers."""

    audience: str
    issuers: list[TrustedIssuer]
    leeway_seconds: int = 30
    verified_cache_size: int = 4096
    wall_clock: Callable[[], float] = time.time
    _by_issuer: dict[str, TrustedIssuer] = field(init=False, repr=False)
    # token -> (claims, issuer, kid, the key that verified it)
    _verified: OrderedDict[str, tuple[dict[str, Any], TrustedIssuer, str, Key]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_issuer = {trusted.issuer: trusted for trusted in self.issuers}
        self._verified = OrderedDict()

    async def verify(self, token: str) -> dict[str, Any]:
        """The token's claims; raises InvalidToken (UnknownKey for a kid not in the set) or KeySetUnavailable."""
        cached = self._verified.get(token)
        if cached is not None:
            claims, trusted, kid, key = cached
            # The same test jose makes: expired once `exp` is more than the leeway in the past.
            if claims["exp"] < self.wall_clock() - self.leeway_seconds:
                del self._verified[token]
                raise InvalidToken("ExpiredSignatureError")
            current = await trusted.keys.find(kid)
            if current is None:
                del self._verified[token]
                raise UnknownKey("signing key withdrawn from the issuer's key set")
            if current is key:
                self._verified.move_to_end(token)
                return dict(claims)
            del self._verified[token]
        claims, trusted, kid, key = await self._verify_fully(token)
        # jose also accepts a numeric string as `exp`; the cache compares numbers.
        claims["exp"] = int(claims["exp"])
        self._verified[token] = (claims, trusted, kid, key)
        if len(self._verified) > self.verified_cache_size:
            self._verified.popitem(last=False)
        return dict(claims)

    async def _verify_fully(self, token: str) -> tuple[dict[str, Any], TrustedIssuer, str, Key]:
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.get_unverified_claims(token)
        except JOSEError as exc:
            raise InvalidToken("malformed token") from exc
        if not isinstance(unverified, dict):
            raise InvalidToken("claims are not an object")
        trusted = self._by_issuer.get(unverified.get("iss"))  # type: ignore[arg-type]
        if trusted is None:
            raise InvalidToken("untrusted issuer")
        if header.get("alg") != trusted.algorithm:
            raise InvalidToken("algorithm not allowed for issuer")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise UnknownKey("no kid in the token header")
        key = await trusted.keys.find(kid)
        if key is None:
            raise UnknownKey("kid not in the issuer's key set")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[trusted.algorithm],
                audience=self.audience,
                issuer=trusted.issuer,
                options={
                    "verify_signature": True,
                    "verify_aud": True,
                    "verify_iat": True,
                    "verify_exp": True,
                    "verify_nbf": True,
                    "verify_iss": True,
                    "verify_sub": True,
                    "verify_jti": False,
                    "require_aud": True,
                    "require_iat": True,
                    "require_exp": True,
                    "require_iss": True,
                    "require_sub": True,
                    "leeway": self.leeway_seconds,
                },
            )
        except JOSEError as exc:
            raise InvalidToken(type(exc).__name__) from exc
        missing = [name for name in _REQUIRED_CLAIMS if name not in claims]
        if missing:
            raise InvalidToken("missing required claims: " + ",".join(missing))
        # jose accepts a list audience containing ours; a token for both services is refused too.
        if claims["aud"] != self.audience:
            raise InvalidToken("audience mismatch")
        if claims["token_use"] != TOKEN_USE_ACCESS:
            raise InvalidToken("wrong token type")
        if not isinstance(claims["sub"], str) or not claims["sub"]:
            raise InvalidToken("empty subject")
        return claims, trusted, kid, key


def verify_signed_document(signed: str, public_key_pem: str) -> dict[str, Any]:
    try:
        if jwt.get_unverified_header(signed).get("alg") != ALGORITHM:
            raise InvalidToken("algorithm not allowed")
        return jwt.decode(
            signed,
            public_key_pem,
            algorithms=[ALGORITHM],
            options={"verify_aud": False, "verify_exp": False, "verify_iat": False, "verify_sub": False},
        )
    except JOSEError as exc:
        raise InvalidToken(type(exc).__name__) from exc
