"""How the person index finds an encrypted UPN again: its keyed hash (shared/encryption.py).

A module of its own so that any part of the police service can look a person up by UPN (the PPU queue's
filter) without importing the person service, which imports theirs.
"""
from __future__ import annotations

from services.police_api.database import Base
from shared.encryption import KeyRing, data_keys


def upn_key(upn: str | None, ring: KeyRing | None = None) -> str | None:
    """The UPN as the index looks it up: a keyed hash, the UPN itself being encrypted. `ring`: the
    service's own unless given (the migration that computed the first hashes)."""
    return (ring or data_keys(Base.metadata)).keyed_hash("person.upn", upn) if upn else None
