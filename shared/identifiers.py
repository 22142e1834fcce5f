"""Identifiers from DOMAIN.md section 4: UPN (with its check letter), URN, force codes."""
from __future__ import annotations

import re

_UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
# Letters in positions 2-13 (only the last, for a temporary UPN) count by their index in the table.
_UPN_LETTER_VALUES = {letter: index for index, letter in enumerate(_UPN_CHECK_LETTERS)}
_UPN_SHAPE = re.compile(r"^[A-HJ-NP-RT-Z]\d{11}[0-9A-HJ-NP-RT-Z]$")
URN_PATTERN = r"^\d{6}$"

# The 43 territorial forces of England and Wales and their two-digit codes (Home Office list).
FORCES: dict[str, str] = {
    "01": "Metropolitan Police Service", "03": "Cumbria Constabulary", "04": "Lancashire Constabulary",
    "05": "Merseyside Police", "06": "Greater Manchester Police", "07": "Cheshire Constabulary",
    "10": "Northumbria Police", "11": "Durham Constabulary", "12": "North Yorkshire Police",
    "13": "West Yorkshire Police", "14": "South Yorkshire Police", "16": "Humberside Police",
    "17": "Cleveland Police", "20": "West Midlands Police", "21": "Staffordshire Police",
    "22": "West Mercia Police", "23": "Warwickshire Police", "30": "Derbyshire Constabulary",
    "31": "Nottinghamshire Police", "32": "Lincolnshire Police", "33": "Leicestershire Police",
    "34": "Northamptonshire Police", "35": "Cambridgeshire Constabulary", "36": "Norfolk Constabulary",
    "37": "Suffolk Constabulary", "40": "Bedfordshire Police", "41": "Hertfordshire Constabulary",
    "42": "Essex Police", "43": "Thames Valley Police", "44": "Hampshire and Isle of Wight Constabulary",
    "45": "Surrey Police", "46": "Kent Police", "47": "Sussex Police", "48": "City of London Police",
    "50": "Devon and Cornwall Police", "52": "Avon and Somerset Constabulary", "53": "Gloucestershire Constabulary",
    "54": "Wiltshire Police", "55": "Dorset Police", "60": "North Wales Police", "61": "Gwent Police",
    "62": "South Wales Police", "63": "Dyfed-Powys Police",
}


def upn_check_letter(upn_body: str) -> str:
    """The check letter for characters 2-13 of a UPN: sum of value x position (2..13), mod 23."""
    if len(upn_body) != 12:
        raise ValueError("a UPN body is 12 characters")
    total = 0
    for position, char in enumerate(upn_body, start=2):
        value = int(char) if char.isdigit() else _UPN_LETTER_VALUES[char]
        total += value * position
    return _UPN_CHECK_LETTERS[total % 23]


def is_valid_upn(upn: str) -> bool:
    if not _UPN_SHAPE.match(upn):
        return False
    return upn_check_letter(upn[1:]) == upn[0]


def is_force_code(code: str) -> bool:
    return code in FORCES


def checked_upn(upn: str) -> str:
    """A pydantic validator: the UPN's shape and its check letter (a mistyped UPN must not match another child)."""
    if not is_valid_upn(upn):
        raise ValueError("not a valid UPN: its check letter does not match")
    return upn
