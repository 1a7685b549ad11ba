"""The data contract every extractor reads and writes: a document's lines, and the items found in them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from .. import __version__

EXTRACTOR_VERSION = __version__

KINDS = ("document", "task", "milestone", "indicator", "finding", "outcome", "time_limit")
GENRES = ("plan", "oversight", "law", "other")
KINDS_BY_GENRE = {
    "plan": ("task", "milestone", "indicator", "time_limit"),
    "oversight": ("finding", "outcome", "time_limit"),
    "law": ("time_limit",),
    "other": (),
}


@dataclass
class Span:
    """Where an item was read: 1-based inclusive file lines, and the exact quote inside them."""

    line_start: int
    line_end: int
    quote: str


@dataclass
class Item:
    """One extracted record other than the document itself; `fields` holds the kind's own fields."""

    kind: str
    span: Span
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class Doc:
    """One document found in a file: its lines (with their file line numbers) and what was read from them.

    `lines[i]` is file line `first_line + i`. Extractors only ever append to `items`.
    """

    file: str
    index: int
    first_line: int
    lines: list[str]
    title: str = ""
    date: str | None = None
    genre: str = "other"
    items: list[Item] = field(default_factory=list)
    cache: dict[str, Any] = field(default_factory=dict, repr=False)  # derived views shared by extractors

    @property
    def line_start(self) -> int:
        for i, line in enumerate(self.lines):
            if line.strip():
                return self.first_line + i
        return self.first_line

    @property
    def line_end(self) -> int:
        for i in range(len(self.lines) - 1, -1, -1):
            if self.lines[i].strip():
                return self.first_line + i
        return self.first_line

    def line(self, number: int) -> str:
        """The text of file line `number`."""
        return self.lines[number - self.first_line]

    def text_hash(self) -> str:
        return hashlib.sha256("\n".join(self.lines).encode("utf-8")).hexdigest()


def record_id(doc_hash: str, kind: str, span: Span, occurrence: int = 0) -> str:
    """A stable id: the same document text, kind, span and quote give the same id in every run.

    `occurrence` tells apart items of one kind read from the very same quote (two targets in one clause).
    """
    key = f"{EXTRACTOR_VERSION}\x00{doc_hash}\x00{kind}\x00{span.line_start}\x00{span.line_end}\x00{span.quote}\x00{occurrence}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


def document_records(doc: Doc) -> list[dict[str, Any]]:
    """The spec's JSON records for a document and its items, in output order."""
    doc_hash = doc.text_hash()
    head = {
        "kind": "document",
        "id": record_id(doc_hash, "document", Span(doc.line_start, doc.line_end, doc.title)),
        "file": doc.file,
        "doc": doc.index,
        "line_start": doc.line_start,
        "line_end": doc.line_end,
        "title": doc.title,
        "date": doc.date,
        "genre": doc.genre,
        "extractor_version": EXTRACTOR_VERSION,
    }
    out = [head]
    seen: dict[tuple, int] = {}
    for item in sorted(doc.items, key=lambda it: (it.span.line_start, KINDS.index(it.kind), it.span.line_end)):
        key = (item.kind, item.span.line_start, item.span.line_end, item.span.quote)
        seen[key] = seen.get(key, -1) + 1
        rec = {
            "kind": item.kind,
            "id": record_id(doc_hash, item.kind, item.span, seen[key]),
            "file": doc.file,
            "doc": doc.index,
            "line_start": item.span.line_start,
            "line_end": item.span.line_end,
            "quote": item.span.quote,
            "date": doc.date,
            "extractor_version": EXTRACTOR_VERSION,
        }
        rec.update(item.fields)
        out.append(rec)
    return out

