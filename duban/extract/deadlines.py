"""Deadline phrases ("before the end of 2022", "in the first half of 2023") normalised to the last day they allow."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from typing import Iterator, NamedTuple

from ..corpus.caseless import CaselessPattern, OnOriginal, lowered, mentions_lowered
from .clauses import is_word_char
from .model import Doc
from .paragraphs import Paragraph

MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
MONTHS["sept"] = 9
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_QUARTERS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "last": 4}
_QUARTER = "|".join(_QUARTERS)
_FIVE_YEAR_PLAN_END = {12: 2015, 13: 2020, 14: 2025, 15: 2030, 16: 2035}
_ORDINAL_PLAN = {
    "twelfth": 12, "thirteenth": 13, "fourteenth": 14, "fifteenth": 15, "sixteenth": 16,
    "12th": 12, "13th": 13, "14th": 14, "15th": 15, "16th": 16,
}

# A quarter, a month or a day of a year, or the year alone: "the first quarter of 2026", "June 30, 2026", "2026".
_PERIOD = (
    rf"(?:(?:the\s+)?(?P<q>{_QUARTER})\s+quarter\s+of\s+|{_MONTH}(?:\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?)?(?:\s+of)?,?\s+)?"
    rf"{_YEAR}"
)

_BY = r"(?:(?:no\s+later\s+than|not\s+later\s+than|before|by|until|till|prior\s+to|up\s+to)\s+(?:the\s+)?)"
_END = r"(?:end|close)\s+of\s+(?:the\s+year\s+)?"

_MONTH_WORDS = frozenset(m.lower() for m in calendar.month_abbr if m)  # each month name holds its abbreviation
_AFTER_MONTH = (*MONTHS, ".", ",")  # what ends a month name as written: "March", "Mar.", "March,"


class _Pattern(NamedTuple):
    """A deadline pattern and cheap tests that its every match passes: it is only run on clauses passing them."""

    kind: str
    pattern: CaselessPattern
    words: frozenset[str] = frozenset()  # when given: every match holds one of these words (lower-case)
    before_year: tuple[str, ...] = ()  # when given: every match ends with a year after whitespace after one of these


# Ordered: the first pattern that matches at a position wins, so longer phrases come first.
_PATTERNS = [
    _Pattern("quarter", CaselessPattern(rf"\b(?:{_BY}|in\s+(?:the\s+)?)(?:{_END})?(?:the\s+)?(?P<q>{_QUARTER})\s+quarter\s+of\s+{_YEAR}"),
             words=frozenset({"quarter"})),
    _Pattern("half", CaselessPattern(rf"\b(?:{_BY}(?:{_END})?|in\s+(?:the\s+)?|during\s+(?:the\s+)?)?(?P<h>first|second|latter|last)\s+half\s+(?:of\s+(?:the\s+year\s+)?)?{_YEAR}"),
             words=frozenset({"half"})),
    _Pattern("mid", CaselessPattern(rf"\b{_BY}(?:the\s+)?(?:mid-|middle\s+of\s+){_YEAR}"), words=frozenset({"mid"})),
    _Pattern("day", CaselessPattern(rf"\b(?P<by>{_BY})?(?:{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR}|(?P<day2>\d{{1,2}})\s+{_MONTH.replace('month', 'month2')}\s+(?P<year2>(?:19|20)\d{{2}}))"),
             words=_MONTH_WORDS, before_year=(*_AFTER_MONTH, *"0123456789", "st", "nd", "rd", "th")),
    _Pattern("month_end", CaselessPattern(rf"\b{_BY}{_END}{_MONTH}(?:\s+of)?,?\s+{_YEAR}"),
             words=_MONTH_WORDS, before_year=(*_AFTER_MONTH, "of")),
    _Pattern("month", CaselessPattern(rf"\b(?P<prep>before|by|until|in|prior\s+to)\s+{_MONTH},?\s+{_YEAR}"),
             words=_MONTH_WORDS, before_year=_AFTER_MONTH),
    _Pattern("year_end", CaselessPattern(rf"\b{_BY}(?:{_END}|year-end\s+(?:of\s+)?){_YEAR}"),
             before_year=("of", "year", "end")),  # "end of 2025", "end of the year 2025", "year-end 2025"
    _Pattern("plan_end", CaselessPattern(rf"\b{_BY}(?:{_END})?(?:the\s+)?(?P<ord>{'|'.join(_ORDINAL_PLAN)})\s+five-year\s+plan"),
             words=frozenset({"five-year"})),
    _Pattern("year", CaselessPattern(rf"\b(?P<prep>before|by|prior\s+to|no\s+later\s+than|not\s+later\s+than)\s+(?:the\s+year\s+)?{_YEAR}\b(?!\s*[-–~]\s*\d)"),
             before_year=("before", "by", "to", "than", "year")),
    # "At the end of 2026, …" sets a goal as "by the end of" does; written with single spaces, as the cheap test needs.
    _Pattern("at_end", CaselessPattern(rf"\bat the (?:end|close) of (?:the year )?{_PERIOD}"),
             words=frozenset({"at the "})),
    # A labelled line of a rectification item names its deadline without a preposition: "Time limit: end of May 2026".
    _Pattern("labelled", CaselessPattern(
        rf"\b(?:(?:(?:rectification|completion)\s+)?(?:time\s+limit|deadline)|completion\s+(?:time|date))[:：]\s*"
        rf"(?P<when>(?:the\s+)?(?:end\s+of\s+)?{_PERIOD})\b(?![-–~])"),
             words=frozenset({":", "："})),  # rarer in a clause than any word of the label
    _Pattern("in_year", CaselessPattern(rf"\b(?P<prep>in|during|within)\s+(?:the\s+year\s+)?{_YEAR}\b(?!\s*[-–~]\s*(?:19|20)?\d\d)(?!\s+and\s+(?:19|20)\d\d)"),
             before_year=("in", "during", "year")),  # "within" ends with "in"
]
# In lower-cased text, these patterns are found faster without their leading \b, which is checked after a match: the
# regex engine only tries a pattern opening with letters where it finds one of them. (Not so for "quarter", "half"
# and "day", whose first words are optional or many.)
_WITHOUT_LEADING_BOUNDARY = {
    p.kind: re.compile(p.pattern.pattern.removeprefix(r"\b"))
    for p in _PATTERNS
    if p.kind not in ("quarter", "half", "day")
}


@dataclass(frozen=True)
class Deadline:
    due: str  # ISO date
    text: str  # the phrase as written
    start: int
    end: int
    goal_year_only: bool  # "in 2023": a deadline only when the clause states a goal


def _iso(year: int, month: int, day: int | None = None) -> str | None:
    if not 1 <= month <= 12:
        return None
    last = calendar.mdays[month] + (month == 2 and calendar.isleap(year))  # monthrange's count, without its weekday
    day = last if day is None else day
    if not 1 <= day <= last:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _due(kind: str, m: re.Match[str]) -> str | None:
    group = m.group  # the groups needed, by name: groupdict would read every group
    if kind == "quarter":
        return _iso(int(group("year")), 3 * _QUARTERS[group("q").lower()])
    if kind == "half":
        return _iso(int(group("year")), 6 if group("h").lower() == "first" else 12)
    if kind == "mid":
        return _iso(int(group("year")), 6)
    if kind == "day":
        if group("month"):
            return _iso(int(group("year")), MONTHS[group("month").lower()], int(group("day")))
        return _iso(int(group("year2")), MONTHS[group("month2").lower()], int(group("day2")))
    if kind == "month_end":
        return _iso(int(group("year")), MONTHS[group("month").lower()])
    if kind == "month":
        year, month = int(group("year")), MONTHS[group("month").lower()]
        if group("prep").lower() in ("before", "prior to"):  # the month itself excluded
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        return _iso(year, month)
    if kind == "year_end":
        return _iso(int(group("year")), 12)
    if kind == "plan_end":
        return _iso(_FIVE_YEAR_PLAN_END[_ORDINAL_PLAN[group("ord").lower()]], 12)
    if kind == "year":
        year = int(group("year"))
        if group("prep").lower() in ("before", "prior to"):  # "before 2025": 2025 itself excluded
            year -= 1
        return _iso(year, 12)
    if kind == "in_year":
        return _iso(int(group("year")), 12)
    if kind in ("at_end", "labelled"):  # the end of the _PERIOD named
        year, quarter, month, day = int(group("year")), group("q"), group("month"), group("day")
        if quarter:
            return _iso(year, 3 * _QUARTERS[quarter.lower()])
        return _iso(year, MONTHS[month.lower()] if month else 12, int(day) if day else None)
    return None


_YEAR_DIGITS = re.compile(r"(?:19|20)\d\d")


def _names_year(text: str, low: str | None) -> bool:
    """Cheap test: every pattern names a year or a five-year plan. `low` is `caseless.lowered(text)`."""
    # Substring tests run faster than the pattern's scan: a year's digits begin with "19" or "20". A single character is
    # found faster still (most text holds neither "1" nor "2").
    has_year = ("2" in text and "20" in text or "1" in text and "19" in text) and _YEAR_DIGITS.search(text) is not None
    return has_year or low is None or "five-year" in low


def clause_deadlines(doc: Doc, para: Paragraph) -> list[tuple[Deadline, ...]] | None:
    """The deadlines in each of `para.clauses()`, read in its text without unit brackets; None when it names no year.

    Found once per document (milestones and indicators read the same clauses), kept with the document's other views.
    """
    by_paragraph = doc.cache.setdefault("clause_deadlines", {})
    if para.first_line not in by_paragraph:
        by_paragraph[para.first_line] = _clause_deadlines(para)
    return by_paragraph[para.first_line]


def _clause_deadlines(para: Paragraph) -> list[tuple[Deadline, ...]] | None:
    if not _names_year(para.text, para.lowered()):
        return None  # nor does any of its clauses
    text, low = para.without_unit_brackets(), para.lowered_without_unit_brackets()
    return [
        find_deadlines_lowered(text[start:end], low[start:end] if low is not None else None)
        for start, end in para.clauses()
    ]


def find_deadlines(text: str) -> tuple[Deadline, ...]:
    """Every absolute deadline phrase in `text`, left to right, without overlaps."""
    return find_deadlines_lowered(text, lowered(text))


def find_deadlines_lowered(text: str, low: str | None) -> tuple[Deadline, ...]:
    """`find_deadlines` when the caller already has `lowered(text)` (a paragraph's, sliced to a clause)."""
    if not _names_year(text, low):
        return ()
    found: list[Deadline] = []
    taken: list[tuple[int, int]] = []
    if low is not None:
        ends = (_end_before_space(low, m.start()) for m in _YEAR_DIGITS.finditer(low))
        before_years = [end for end in ends if end is not None]
    for kind, pattern, words, before_year in _PATTERNS:
        if low is not None and (
            before_year and not _ends_before_a_year(low, before_year, before_years)
            or words and not mentions_lowered(low, words)
        ):
            continue
        for m in _matches(kind, pattern, text, low):
            start, end = m.start("when" if kind == "labelled" else 0), m.end()  # a label is not part of the phrase
            if _overlaps(start, end, taken):
                continue
            if kind == "day" and not m.group("by"):
                # A bare date ("on March 3, 2023") is an event, not a deadline, unless it closes a period.
                continue
            due = _due(kind, m)
            if due is None:
                continue
            phrase = text[start:end].strip()
            found.append(Deadline(due, phrase, start, start + len(phrase), kind == "in_year"))
            taken.append((start, end))
    return tuple(sorted(found, key=lambda d: d.start))


def _matches(kind: str, pattern: CaselessPattern, text: str, low: str | None) -> Iterator[re.Match[str] | OnOriginal]:
    """`pattern.finditer_lowered(text, low)`, through `_WITHOUT_LEADING_BOUNDARY` where it has the pattern."""
    unbounded = _WITHOUT_LEADING_BOUNDARY.get(kind) if low is not None else None
    if unbounded is None:
        yield from pattern.finditer_lowered(text, low)
        return
    pos = 0
    while (m := unbounded.search(low, pos)) is not None:
        start = m.start()
        if start and is_word_char(low[start - 1]):  # no \b there: every match opens with a letter
            pos = start + 1  # the next match \b allows may open inside this one
        else:
            yield OnOriginal(m, text)
            pos = m.end()


def _overlaps(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    """Whether [start, end) overlaps one of the spans `taken`."""
    for s, e in taken:  # a plain loop: faster than any() over a generator for the one or two spans of a clause
        if start < e and s < end:
            return True
    return False


def _ends_before_a_year(low: str, endings: tuple[str, ...], before_years: list[int]) -> bool:
    """Whether the text before one of the years ends with one of `endings`."""
    for end in before_years:  # a plain loop: faster than any() over a generator for the year or two of a clause
        if low.endswith(endings, 0, end):
            return True
    return False


def _end_before_space(text: str, at: int) -> int | None:
    """Where the text before the whitespace ending at `at` ends; None when no whitespace ends there.

    A year that follows whitespace is found by `_YEAR_DIGITS.finditer`: no earlier four digits can overlap it.
    """
    end = at
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end if end < at else None
