"""duban: read public commitments into a supervision ledger and follow them to verified completion."""

__version__ = "0.1.0"
