"""Domain errors the ledger's services raise; views, the API and the CLI turn them into messages."""


class LedgerError(Exception):
    """A rule of the ledger refused an action; the message says which rule, for the person who tried."""


class NotAllowed(LedgerError):
    """The actor may not do this to this item."""


class InvalidState(LedgerError):
    """The item is not in a state where this action applies."""


class HistoryTampered(LedgerError):
    """The hash chain of the history does not verify."""
