"""The extraction pipeline: read a file, split it into documents, and run each kind's extractor in order."""

from __future__ import annotations

from typing import Callable, Iterator

from ..corpus.formats import open_source
from ..corpus.split import split_segments
from .document import describe_document
from .model import KINDS_BY_GENRE, Doc

Component = Callable[[Doc], None]


def _components() -> list[tuple[str, Component]]:
    """Each kind's extractor, in the order they run (milestones before the tasks that take their due dates)."""
    from . import findings, indicators, milestones, outcomes, tasks, time_limits

    return [
        ("milestone", milestones.extract_milestones),
        ("task", tasks.extract_tasks),
        ("indicator", indicators.extract_indicators),
        ("finding", findings.extract_findings),
        ("outcome", outcomes.extract_outcomes),
        ("time_limit", time_limits.extract_time_limits),
    ]


def run_pipeline(doc: Doc, kinds: set[str] | None = None) -> Doc:
    """Describe a document and read from it the kinds its genre allows."""
    describe_document(doc)
    allowed = KINDS_BY_GENRE[doc.genre]
    for kind, component in _components():
        if kind in allowed and (kinds is None or kind in kinds or kind == "milestone" and "task" in kinds):
            component(doc)
    if kinds is not None:
        doc.items = [item for item in doc.items if item.kind in kinds]
    return doc


def extract_file(path: str, kinds: set[str] | None = None, on_lines: Callable[[int], None] | None = None) -> Iterator[Doc]:
    """The documents of one file with their items, streamed one document at a time.

    `on_lines` is told roughly how many bytes each document consumed, for a progress bar.
    """
    source = open_source(path)
    for index, segment in enumerate(split_segments(source.lines()), 1):
        if on_lines is not None:
            on_lines(sum(len(line) + 1 for line in segment.lines))
        yield run_pipeline(Doc(file=path, index=index, first_line=segment.first_line, lines=segment.lines), kinds)
