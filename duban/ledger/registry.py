"""The table of `duban ledger` command handlers, kept free of Django so the parser can be built without it."""

from __future__ import annotations

import argparse
from collections.abc import Callable

COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {}


def command(name: str):
    """Register a handler under a command name; handlers import Django-backed modules inside their body."""

    def register(function: Callable[[argparse.Namespace], int]):
        COMMANDS[name] = function
        return function

    return register
