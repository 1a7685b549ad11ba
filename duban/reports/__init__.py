"""Reports on the ledger's items, written to files an office prints or passes on (XLSX, …)."""
