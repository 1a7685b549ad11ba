"""How a ledger refusal reads over HTTP, for pages and API alike: not allowed 403, wrong state 409, else 400."""

from __future__ import annotations

from duban.ledger.errors import InvalidState, LedgerError, NotAllowed


def refusal_status(error: LedgerError) -> int:
    if isinstance(error, NotAllowed):
        return 403
    if isinstance(error, InvalidState):
        return 409
    return 400
