"""More `duban ledger` commands, one module per area: `add_parsers(command, item)` builds their parsers (no Django
at import time) and `@registry.command(name)` registers their handlers."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def modules() -> list[ModuleType]:
    """Every command module of this package, in name order."""
    return [importlib.import_module(f"{__name__}.{info.name}") for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name)]
