"""Free text people write into the ledger (reasons, notes, reports, descriptions): trimmed, and bounded in length."""

from __future__ import annotations

from ..errors import LedgerError

MAX_TEXT = 20_000  # characters: pages of text; pages and the API accept no more, and neither does the ledger


def written(text: str | None, what: str, *, required: bool = False) -> str:
    """`text` trimmed; refused when it is required and empty, or longer than MAX_TEXT characters."""
    text = (text or "").strip()
    if required and not text:
        raise LedgerError(f"{what} is required")
    if len(text) > MAX_TEXT:
        raise LedgerError(f"{what} is too long: {len(text):,} characters, at most {MAX_TEXT:,}")
    return text
