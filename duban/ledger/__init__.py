"""The supervision ledger: organisations, items and their workflow, enforced by services, with a hash-chained history."""
