"""Paragraphs of a document: lines re-joined where a visual line wraps, with a map back to file lines."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from ..corpus.caseless import lowered, mentions_lowered
from .clauses import clause_spans, matches_opening_with, sentence_spans
from .model import Doc, Span
from .outline import UNITS_BRACKET, UNITS_BRACKET_CUES, UNITS_BRACKET_OPENINGS

_ENDS_OPEN = re.compile(r"[\w,，、(（\-–]$")


def _ends_open(text: str) -> bool:
    """Whether the text stops mid-phrase; only its last two characters are looked at, where $ can match."""
    return _ENDS_OPEN.search(text, max(0, len(text) - 2)) is not None
_CONTINUES = re.compile(r"^[a-z(（\d,，]")


@dataclass
class Paragraph:
    """Text of one paragraph; `starts[i]` is the offset in `text` where file line `first_line + i` begins."""

    text: str
    first_line: int
    starts: list[int]
    _sentences: list[tuple[int, int]] | None = field(default=None, repr=False, compare=False)
    _clauses: list[tuple[int, int]] | None = field(default=None, repr=False, compare=False)
    _without_units: str | None = field(default=None, repr=False, compare=False)
    _lowered: str | None | bool = field(default=False, repr=False, compare=False)
    _lowered_without_units: str | None | bool = field(default=False, repr=False, compare=False)

    @property
    def last_line(self) -> int:
        return self.first_line + len(self.starts) - 1

    def line_of(self, offset: int) -> int:
        return self.first_line + bisect.bisect_right(self.starts, offset) - 1

    def span(self, start: int, end: int) -> Span:
        """The provenance of text[start:end]: its file lines and its exact quote."""
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        return Span(self.line_of(start), self.line_of(max(start, end - 1)), self.text[start:end])

    def lowered(self) -> str | None:
        """`caseless.lowered(text)`, computed once: slice it to a clause for the `*_lowered` pattern methods."""
        if self._lowered is False:
            self._lowered = lowered(self.text)
        return self._lowered

    def without_unit_brackets(self) -> str:
        """The text with its "[Responsible units: …]" brackets blanked out, offsets unchanged; computed once."""
        if self._without_units is None:
            self._blank_unit_brackets()
        return self._without_units

    def lowered_without_unit_brackets(self) -> str | None:
        """`caseless.lowered(self.without_unit_brackets())`, computed once."""
        if self._lowered_without_units is False:
            self._blank_unit_brackets()
        return self._lowered_without_units

    def _blank_unit_brackets(self) -> None:
        text, low = self.text, self.lowered()
        # Every bracket names its units after a colon.
        if (":" in text or "：" in text) and mentions_lowered(low, UNITS_BRACKET_CUES):
            brackets = [m.span() for m in matches_opening_with(UNITS_BRACKET, text, UNITS_BRACKET_OPENINGS)]
        else:
            brackets = []
        if not brackets:
            self._without_units, self._lowered_without_units = text, low
            return
        self._without_units = _blank(text, brackets)
        # Blanking commutes with exact lower-casing: it maps each character on its own, but for a final sigma, which
        # sees the bracket characters that open and close the brackets as it sees spaces. Where lower-casing is not
        # exact, the brackets may have held the characters that made it so.
        self._lowered_without_units = _blank(low, brackets) if low is not None else lowered(self._without_units)

    def sentences(self) -> list[tuple[int, int]]:
        """Sentence spans of the paragraph, computed once."""
        if self._sentences is None:
            self._sentences = sentence_spans(self.text)
        return self._sentences

    def clauses(self) -> list[tuple[int, int]]:
        """Clause spans of the paragraph, computed once (every extractor walks the same clauses)."""
        if self._clauses is None:
            self._clauses = clause_spans(self.text, self.sentences())
        return self._clauses


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with each of `spans` (in order, not overlapping) replaced by as many spaces."""
    pieces, pos = [], 0
    for start, end in spans:
        pieces += (text[pos:start], " " * (end - start))
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


def paragraphs(doc: Doc) -> list[Paragraph]:
    """The document's paragraphs, cached on the document (every extractor reads the same ones)."""
    cached = doc.cache.get("paragraphs")
    if cached is None:
        cached = doc.cache["paragraphs"] = list(_build(doc))
    return cached


def _build(doc: Doc):
    current: Paragraph | None = None  # the paragraph the previous line belongs to (None after a blank line)
    for number, raw in enumerate(doc.lines, doc.first_line):
        line = raw.rstrip()
        if not line:
            if current:
                yield current
            current = None
            continue
        if current and _ends_open(current.text) and _CONTINUES.match(line.lstrip()):
            current.starts.append(len(current.text) + 1)
            current.text += "\n" + line
            continue
        if current:
            yield current
        current = Paragraph(line, number, [0])
    if current:
        yield current
