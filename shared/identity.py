"""Who is calling: a typed subject handed to services instead of raw token claims."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    subject: str
    role: str
    # The organisation whose records the caller may touch: a school URN or a police force code.
    tenant: str
    # Set only for the school service acting as a police client: the school it speaks for.
    school_urn: str | None = None
    # A police officer's rank, from the force identity provider's `rank` claim (police staff hold none).
    rank: str | None = None

    @property
    def audit_label(self) -> str:
        return f"{self.role}:{self.subject}"


ANONYMOUS = Actor(subject="anonymous", role="anonymous", tenant="")
