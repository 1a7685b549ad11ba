"""Milestones: clauses of a plan that commit to something by an absolute date."""

from __future__ import annotations

import re

from .clauses import strip_trailing_punct
from .deadlines import Deadline, clause_deadlines
from .model import Doc, Item
from .outline import outline
from .paragraphs import paragraphs

# Clauses that report the past or name a document rather than commit to something.
_PAST = re.compile(r"\b(?:since|in\s+the\s+past|over\s+the\s+past|last\s+year|previous\s+year|has\s+been|have\s+been|had\s+been|was|were)\b", re.I)
_JOINING_AND = re.compile(r"\s*and\s+", re.I)
_ENDS_SENTENCE = re.compile(r"[.。;；][\"”’]?")  # what follows a clause's last word where the sentence ends there


def extract_milestones(doc: Doc) -> None:
    """Append a milestone for each dated commitment; a clause with several dates gives one per date."""
    doc_year = int(doc.date[:4]) if doc.date else None
    units_by_line = _units_by_line(doc)
    for para in paragraphs(doc):
        found_by_clause = clause_deadlines(doc, para)
        if found_by_clause is None:
            continue
        text = para.without_unit_brackets()
        for (start, end), found in zip(para.clauses(), found_by_clause):
            if not found:
                continue  # most clauses name no deadline
            clause = text[start:end]
            deadlines = [d for d, nxt in zip(found, [*found[1:], None]) if _is_commitment(d, nxt, clause, doc_year)]
            if not deadlines:
                continue
            for (s, e), deadline in zip(_split_series(text, start, end, deadlines), deadlines):
                s, e = strip_trailing_punct(text, s, e)
                span = para.span(s, e)
                doc.items.append(
                    Item("milestone", span, {
                        "due": deadline.due,
                        "due_text": deadline.text,
                        "units": list(units_by_line.get(span.line_start, [])),
                    })
                )


def _is_commitment(deadline: Deadline, nxt: Deadline | None, clause: str, doc_year: int | None) -> bool:
    """Whether a deadline of `clause` (followed there by `nxt`) sets a commitment."""
    year = int(deadline.due[:4])
    if doc_year is not None and year < doc_year:
        return False  # a past date in a plan reports what was done
    if deadline.goal_year_only:
        # "In 2023, the platform …" and "Bring X into the platform in 2023." state a goal year; "the Key Tasks of the
        # city in 2025" names a document (a title ends with no full stop, an aside with its bracket).
        opens_clause = re.fullmatch(r"\W*(?:and|by|from|then)?\s*", clause[: deadline.start], re.I) is not None
        after = clause[deadline.end :].lstrip()
        # "… 50 schools in 2026 and 80 schools in 2027": the first of a series joined by "and".
        joins_series = nxt is not None and _JOINING_AND.match(clause, deadline.end, nxt.start) is not None
        if opens_clause or after.startswith((",", "，")) or joins_series:
            return not (doc_year is None and _PAST.search(clause))
        # A year that ends a sentence is a goal year only where the sentence does not report the past.
        return _ENDS_SENTENCE.fullmatch(after) is not None and not _PAST.search(clause)
    return True


def _split_series(text: str, start: int, end: int, deadlines: list[Deadline]) -> list[tuple[int, int]]:
    """Cut a clause holding several dates at the last comma (else the last "and") before each later date; a part
    after the cut starts after the "and" that joins it."""
    spans, part_start = [], start
    for prev, nxt in zip(deadlines, deadlines[1:]):
        lo, hi = start + prev.end, start + nxt.start
        cut = max(text.rfind(",", lo, hi), text.rfind("，", lo, hi))
        cut = cut + 1 if cut != -1 else text.rfind(" and ", lo, hi)
        if cut == -1:
            cut = hi
        spans.append((part_start, cut))
        joined = _JOINING_AND.match(text, cut, hi)
        part_start = joined.end() if joined else cut
    spans.append((part_start, end))
    return spans


def _units_by_line(doc: Doc) -> dict[int, list[str]]:
    """The units of the task that encloses each line."""
    out: dict[int, list[str]] = {}
    for item in outline(doc):
        if item.is_task:
            for line in range(item.line, item.last_line + 1):
                out[line] = item.units
    return out

