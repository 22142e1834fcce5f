"""The police service's published signing key set (JWKS, RFC 7517)."""
from __future__ import annotations

from pydantic import BaseModel


class PublicJwk(BaseModel):
    kty: str
    crv: str
    x: str
    y: str
    kid: str
    use: str
    alg: str


class KeySet(BaseModel):
    keys: list[PublicJwk]
