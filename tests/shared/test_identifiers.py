from __future__ import annotations

import pytest

from shared.identifiers import FORCES, is_valid_upn, upn_check_letter

# Touches no database: run on the SQLite pass only (docs/testing.md).
pytestmark = pytest.mark.backend_independent


@pytest.mark.parametrize("upn", ["B801200005001", "P207000016049"])
def test_published_valid_upns_pass_their_check_letter(upn: str) -> None:
    assert is_valid_upn(upn)


@pytest.mark.parametrize(
    "upn, why",
    [
        ("A801200005001", "wrong check letter"),
        ("Q207000016049", "the vendor example with a summing error"),
        ("B80120000500", "12 characters"),
        ("I801200005001", "I is never a check letter"),
        ("b801200005001", "lower case"),
    ],
)
def test_invalid_upns_are_refused(upn: str, why: str) -> None:
    assert not is_valid_upn(upn), why


def test_temporary_upn_ending_in_a_letter_counts_the_letter_by_its_table_value() -> None:
    body = "80120000500A"
    assert is_valid_upn(upn_check_letter(body) + body)


def test_there_are_43_territorial_forces_with_two_digit_codes() -> None:
    assert len(FORCES) == 43
    assert all(len(code) == 2 and code.isdigit() for code in FORCES)
    assert FORCES["01"] == "Metropolitan Police Service" and FORCES["62"] == "South Wales Police"
