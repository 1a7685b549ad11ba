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
            deadlines = [d for d in found if _is_commitment(d, text[start:end], doc_year)]
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


def _is_commitment(deadline: Deadline, clause: str, doc_year: int | None) -> bool:
    year = int(deadline.due[:4])
    if doc_year is not None and year < doc_year:
        return False  # a past date in a plan reports what was done
    if deadline.goal_year_only:
        # "In 2023, the platform …" and "Bring X into the platform in 2023." state a goal year; "the Key Tasks of the
        # city in 2025" names a document (a title ends with no full stop, an aside with its bracket).
        opens_clause = re.fullmatch(r"\W*(?:and|by|from|then)?\s*", clause[: deadline.start], re.I) is not None
        if opens_clause or clause[deadline.end :].lstrip().startswith((",", "，")):
            return not (doc_year is None and _PAST.search(clause))
        # A year that ends a sentence is a goal year only where the sentence does not report the past.
        return _ENDS_SENTENCE.fullmatch(clause[deadline.end :].lstrip()) is not None and not _PAST.search(clause)
    return True


def _split_series(text: str, start: int, end: int, deadlines: list[Deadline]) -> list[tuple[int, int]]:
    """Cut a clause holding several dates at the last comma before each later date."""
    bounds = [start]
    for prev, nxt in zip(deadlines, deadlines[1:]):
        lo, hi = start + prev.end, start + nxt.start
        cut = max(text.rfind(",", lo, hi), text.rfind("，", lo, hi))
        if cut == -1:
            cut = text.rfind(" and ", lo, hi)
        bounds.append(cut + 1 if cut != -1 else hi)
    bounds.append(end)
    return list(zip(bounds, bounds[1:]))


def _units_by_line(doc: Doc) -> dict[int, list[str]]:
    """The units of the task that encloses each line."""
    out: dict[int, list[str]] = {}
    for item in outline(doc):
        if item.is_task:
            for line in range(item.line, item.last_line + 1):
                out[line] = item.units
    return out

