"""Django app configuration for the ledger."""

from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "duban.ledger"
    label = "ledger"
    verbose_name = "Supervision ledger"
