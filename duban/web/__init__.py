"""The web layer: pages for each role, the REST API and public disclosure, all calling the ledger's services."""
