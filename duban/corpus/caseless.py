"""Case-insensitive matching made cheap: substring cues before costly patterns, and patterns run on lower-cased text."""

from __future__ import annotations

import re
from typing import Iterable, Iterator


def mentions(text: str, words: tuple[str, ...]) -> bool:
    """Whether the lower-cased text holds one of `words`, lower-case substrings of which every match holds one.

    A plain substring test runs at C speed; an IGNORECASE pattern without a literal prefix is tried at every position.
    Text that lower-casing does not fold as IGNORECASE would ("ſ", "İ") always passes.
    """
    return mentions_lowered(lowered(text), words)


def mentions_lowered(low: str | None, words: Iterable[str]) -> bool:
    """`mentions` on text already lower-cased by `lowered` (None where lower-casing is not exact: always passes)."""
    if low is None:
        return True
    for word in words:  # a plain loop: twice as fast as any() over a generator for the few words of a cue
        if word in low:
            return True
    return False


def lowered(text: str) -> str | None:
    """`text` lower-cased, when that keeps every offset and matching it equals IGNORECASE matching of `text`; else None."""
    low = text.lower()
    if text.isascii():
        return low
    # "İ" lower-cases to two characters; "ı" and "ſ" are matched to "i" and "s" by IGNORECASE but stay as they are.
    if len(low) != len(text) or "ı" in text or "ſ" in text:
        return None
    return low


class CaselessPattern:
    """A pattern matched without regard to case: on the lower-cased text, where that is exact, else with IGNORECASE.

    Without IGNORECASE the regex engine checks literals directly (several times faster). Matches are read back from
    the original text, so groups keep their case.
    """

    def __init__(self, pattern: str, flags: int = 0):
        if re.search(r"(?<!\\)(?<!\(\?)[A-Z]", pattern):  # escapes (\S) and named groups (?P<…>) aside
            raise ValueError(f"a caseless pattern is written in lower case: {pattern[:60]}")
        self.pattern, self._flags = pattern, flags
        self._lower = re.compile(pattern, flags)
        self._ignorecase: re.Pattern[str] | None = None  # compiled when first needed: rare text only

    def _with_ignorecase(self) -> re.Pattern[str]:
        if self._ignorecase is None:
            self._ignorecase = re.compile(self.pattern, self._flags | re.I)
        return self._ignorecase

    def finditer(self, text: str) -> Iterator[re.Match[str] | OnOriginal]:
        return self.finditer_lowered(text, lowered(text))

    def finditer_lowered(self, text: str, low: str | None) -> Iterator[re.Match[str] | OnOriginal]:
        """`finditer` when the caller already has `lowered(text)` (a paragraph's, sliced to a clause)."""
        if low is None:
            yield from self._with_ignorecase().finditer(text)
            return
        for m in self._lower.finditer(low):
            yield OnOriginal(m, text)

    def search(self, text: str) -> re.Match[str] | OnOriginal | None:
        return self.search_lowered(text, lowered(text))

    def search_lowered(self, text: str, low: str | None) -> re.Match[str] | OnOriginal | None:
        """`search` when the caller already has `lowered(text)` (a paragraph's, sliced to a clause)."""
        if low is None:
            return self._with_ignorecase().search(text)
        m = self._lower.search(low)
        return OnOriginal(m, text) if m else None


class OnOriginal:
    """A match found in lower-cased text, read from the original text (offsets are the same)."""

    __slots__ = ("_match", "_text")

    def __init__(self, match: re.Match[str], text: str):
        self._match, self._text = match, text

    def group(self, group: int | str = 0) -> str | None:
        start, end = self._match.span(group)
        return None if start < 0 else self._text[start:end]

    def groupdict(self) -> dict[str, str | None]:
        return {name: self.group(name) for name in self._match.re.groupindex}

    def start(self, group: int | str = 0) -> int:
        return self._match.start(group)

    def end(self, group: int | str = 0) -> int:
        return self._match.end(group)

    def span(self, group: int | str = 0) -> tuple[int, int]:
        return self._match.span(group)
