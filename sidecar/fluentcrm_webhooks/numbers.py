"""Whole numbers written as text by clients: ids in paths, query parameters, ids inside events. Pure."""

from __future__ import annotations


def ascii_whole_number(text: str, max_digits: int) -> int | None:
    """The number when `text` is 1 to `max_digits` ASCII digits, else None.

    ASCII only: str.isdigit() also takes '²', fullwidth and Arabic-Indic digits, which int() reads
    or refuses in ways no client means; int() alone would also take " 7", "1_0" and "+7". Bounded
    before conversion, so a thousand-digit number costs nothing.
    """
    if not (text.isascii() and text.isdigit()) or len(text) > max_digits:
        return None
    return int(text)
