"""Third parties in a subject access export (UK GDPR Art. 15(4); DPA 2018 Sch. 2 para. 16 at the school,
s. 45(4)(e) at the police), for both services.

The right of access "shall not adversely affect the rights and freedoms of others". An incident of shared
images names other children: who sent, who received, who is pictured. Telling the subject those names
would disclose another child's involvement in a sexual-imagery incident, which that child has not agreed
to and which could expose them to harm; a school has no reasonable ground to disclose it without their
consent. So other people appear only as their kind and roles (or link role at the police), and their names are taken out of every
free text the export carries. Pure: no database, no FastAPI.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

ANOTHER_PERSON = "[another person]"


def names_to_redact(others: Iterable[str | None], subject_names: Iterable[str | None]) -> list[str]:
    """Other people's names, longest first (a family name before a shorter given name inside it), never
    one the subject shares: the subject's own name is theirs to see, even where another child has it too."""
    own = {name.casefold() for name in subject_names if name}
    found = {name.strip() for name in others if name and len(name.strip()) >= 2 and name.strip().casefold() not in own}
    return sorted(found, key=lambda name: (-len(name), name))


def redact(text: str | None, names: list[str]) -> str | None:
    """`text` with each name, as a whole word and in any case, replaced by "[another person]"."""
    if not text or not names:
        return text
    pattern = re.compile(r"(?<!\w)(" + "|".join(re.escape(name) for name in names) + r")(?!\w)", re.IGNORECASE)
    return pattern.sub(ANOTHER_PERSON, text)
