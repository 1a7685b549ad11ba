"""The ledger's rules, as functions that take the actor, run in a transaction and raise a LedgerError when refused."""
