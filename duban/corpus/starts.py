"""Where patterns can start, found in one pass of a multi-pattern engine (hyperscan) over a text's UTF-8 bytes.

sre tries an alternation of many words at every position; hyperscan scans for all of them at once. The callers give
patterns that each match one length (so a match's end tells its start) and check each start found with their own sre
pattern, so what they find is what sre alone would find.

Compiling the databases is most of the cost of starting duban, so each one is kept, serialised, in a cache directory
(like Python's own .pyc files) under a key made of its patterns and hyperscan's version; a database that does not
load (another CPU, a damaged file) is compiled again, and a cache that cannot be written is not an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from typing import Iterable

import hyperscan

_FLAGS = hyperscan.HS_FLAG_CASELESS


class StartFinder:
    """Byte patterns, each of one length, matched without regard to ASCII case; `starts` gives where they begin."""

    def __init__(self, patterns: Iterable[tuple[bytes, int]]):
        patterns = list(patterns)
        self._lengths = tuple(length for _, length in patterns)
        self._database = _database([pattern for pattern, _ in patterns])
        self._scratch = hyperscan.Scratch(self._database)  # never scanned with: each scan clones it (allocating is slower)

    def starts(self, data: bytes) -> list[int]:
        """The byte offsets where a pattern matches in `data`, in order, each once."""
        found: set[int] = set()
        lengths = self._lengths
        self._database.scan(
            data, match_event_handler=lambda pattern, _start, end, _flags, _context: found.add(end - lengths[pattern]),
            scratch=self._scratch.clone(),
        )
        return sorted(found)


def cache_dir() -> Path:
    """DUBAN_CACHE_DIR, else duban/ in the user's cache directory (XDG_CACHE_HOME, else ~/.cache)."""
    if os.environ.get("DUBAN_CACHE_DIR"):
        return Path(os.environ["DUBAN_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "duban"


def _database(expressions: list[bytes]) -> hyperscan.Database:
    key = hashlib.sha256(b"\0".join([hyperscan.__version__.encode(), str(_FLAGS).encode(), *expressions]))
    path = cache_dir() / f"hyperscan-{key.hexdigest()[:32]}.db"
    try:
        return hyperscan.loadb(path.read_bytes(), hyperscan.HS_MODE_BLOCK)
    except (OSError, hyperscan.error):
        pass  # not cached yet, or cached for another machine or damaged: compiled below
    database = hyperscan.Database()
    database.compile(expressions=expressions, flags=_FLAGS)
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(hyperscan.dumpb(database))
        os.replace(partial, path)  # whole or not at all, whatever other processes do
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
    return database
