"""Where patterns can start, found in one pass of a multi-pattern engine (hyperscan) over a text's UTF-8 bytes.

sre tries an alternation of many words at every position; hyperscan scans for all of them at once. The callers give
patterns that each match one length (so a match's end tells its start) and check each start found with their own sre
pattern, so what they find is what sre alone would find.
"""

from __future__ import annotations

from typing import Iterable

import hyperscan


class StartFinder:
    """Byte patterns, each of one length, matched without regard to ASCII case; `starts` gives where they begin."""

    def __init__(self, patterns: Iterable[tuple[bytes, int]]):
        patterns = list(patterns)
        self._lengths = tuple(length for _, length in patterns)
        self._database = hyperscan.Database()
        self._database.compile(expressions=[pattern for pattern, _ in patterns], flags=hyperscan.HS_FLAG_CASELESS)
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
