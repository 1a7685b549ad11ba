"""Time limits: procedural periods relative to an event ("within 30 working days", "a probation period of one year")."""

from __future__ import annotations

import bisect
import re
from functools import partial
from itertools import accumulate, repeat
from operator import add


from .clauses import strip_trailing_punct
from ..corpus.caseless import CaselessPattern, mentions_lowered
from ..corpus.starts import StartFinder
from .model import Doc, Item
from .numbers import NUMBER, parse_number
from .paragraphs import Paragraph, paragraphs

_UNIT = r"(?P<unit>working[\s-]+days?|work(?:ing)?days?|(?:natural\s+|calendar\s+)?days?|months?|years?)\b"
# "5", "one", "3 to 5", "3-5"; "a"/"an" only where a frame word stands before it ("within a month").
_VALUE = rf"(?:{NUMBER}\s*(?:to|-|–|~|or)\s*)?(?P<value>{NUMBER}|an?(?=\s))"
_FRAME = (
    r"(?:within|not\s+(?:be\s+)?(?:less|more|longer|later)\s+than|no\s+(?:less|more|longer|later)\s+than"
    r"|(?:shall\s+|may\s+|must\s+)?not\s+exceed(?:ing)?|at\s+least|up\s+to|extended\s+by|a\s+maximum\s+of|valid\s+for)"
)
_PERIOD = (
    r"(?:probation(?:ary)?|trial|publicity|public\s+notice|objection|rectification|validity|review|appeal|"
    r"cooling[\s-]+off|transition(?:al)?|notice|reply|response|processing)\s+period"
    r"(?:\s+(?:is|of|shall\s+be|will\s+be|lasts|for|shall\s+last))+"
    r"(?:\s+(?:generally|usually|normally|in\s+principle|at\s+least))?"
)
_TIME_LIMIT = CaselessPattern(
    rf"\b(?:(?P<frame>{_FRAME}|{_PERIOD})\s+(?:the\s+)?)?{_VALUE}\s*(?:\(\s*\d+\s*\)\s*)?{_UNIT}",
)
# After the unit: what makes a bare "15 days" relative to an event, or marks a description rather than a limit.
_EVENT_AFTER = re.compile(
    r"\s*(?:(?:from|after|following|before|prior\s+to|upon)\s+(?:the|its|their|each|receiv\w*|accept\w*|submi\w*|complet\w*)\b"
    r"|of\s+(?:the\s+)?(?:date|day|receipt|receiv\w*|accept\w*|notif\w*|issu\w*|submi\w*)\b)",
    re.I,
)
# "compressed from 20 working days to 10 working days": the first figure is the old limit.
_FROM = re.compile(r"\bfrom\s+$", re.I)
_REPLACED = re.compile(r"\s+to\s+(?:within\s+)?\S+\s*(?:working\s+)?(?:days?|months?|years?)\b", re.I)
# Ages, experience, cycles and elapsed durations: "60 years old", "every 5 years", "for more than three years".
_NOT_A_LIMIT_AFTER = re.compile(r"\s*(?:old|of\s+age|of\s+(?:\w+\s+){0,2}experience|ago|in\s+a\s+row)\b", re.I)
_NOT_A_LIMIT_BEFORE = re.compile(
    r"\b(?:the|every|each|per|past|last|previous|recent|over|more\s+than|about|nearly|almost|for)\s+$",
    re.I,
)
# Clauses about terms of office and ages hold durations that are not time limits ("each term is generally 3 to 5 years").
_TERM_OR_AGE = CaselessPattern(
    r"\b(?:terms?\s+of\s+office|(?:each|per|every|one|the|a)\s+term\b|tenure|aged|ages?\s+(?:of|limit)|years?\s+old)\b",
)
_TERM_OR_AGE_CUES = ("term", "tenure", "age", "old")

_UNIT_WORD = CaselessPattern(r"days?\b|months?\b|years?\b|workdays?\b")  # cheap test before the full pattern


_UNIT_CUES = StartFinder((cue, len(cue)) for cue in (b"day", b"month", b"year"))  # every unit word holds one
_utf8 = partial(str.encode, encoding="utf-8", errors="surrogatepass")


def _may_name_unit(low: str | None) -> bool:
    """`mentions_lowered` of the unit cues, spelt out: it is asked of every clause."""
    return low is None or "day" in low or "month" in low or "year" in low


def _paragraphs_with_unit_cue(paras: list[Paragraph]) -> list[Paragraph]:
    """The paragraphs holding a unit cue in any case, found in one scan of the whole document's UTF-8.

    No other paragraph can match `_UNIT_WORD`, even with IGNORECASE: no letter of a cue has a non-ASCII case partner,
    so a match is an ASCII cue in some case, which the engine's ASCII-caseless scan finds. Sparing the per-paragraph
    substring tests (and lower-casing paragraphs no other extractor read) is the point.
    """
    texts = [para.text for para in paras]
    joined = "\n".join(texts)
    starts = _UNIT_CUES.starts(joined.encode("utf-8", "surrogatepass"))
    if not starts:
        return []
    sizes = map(len, texts if joined.isascii() else map(_utf8, texts))
    bounds = list(accumulate(map(add, sizes, repeat(1))))  # where each paragraph's bytes end, its "\n" included
    found = sorted({bisect.bisect_right(bounds, start) for start in starts})  # a cue holds no "\n"
    return [paras[index] for index in found]


def _last_unit_end(text: str, low: str | None) -> int:
    """Where the text's last unit word ends; 0 when it has none."""
    end = 0
    for m in _UNIT_WORD.finditer_lowered(text, low):
        end = m.end()
    return end


def _about_term_or_age(text: str, low: str | None) -> bool:
    return mentions_lowered(low, _TERM_OR_AGE_CUES) and _TERM_OR_AGE.search_lowered(text, low) is not None


_UNITS = (("working", "working_days"), ("work", "working_days"), ("day", "days"), ("month", "months"), ("year", "years"))


def extract_time_limits(doc: Doc) -> None:
    """Append a time limit for each procedural period; a clause with several periods gives one per period."""
    for para in _paragraphs_with_unit_cue(paragraphs(doc)):
        low = para.lowered()
        if _UNIT_WORD.search_lowered(para.text, low) is None:
            continue
        for start, end in para.clauses():
            clause = para.text[start:end]
            clause_low = low[start:end] if low is not None else None
            if not _may_name_unit(clause_low) or _about_term_or_age(clause, clause_low):
                continue
            # Every limit ends with a unit word, and the "\b" after the last one holds at the cut as in the clause:
            # the text after it is not read.
            reach = _last_unit_end(clause, clause_low)
            if not reach:
                continue
            limits = _TIME_LIMIT.finditer_lowered(clause[:reach], clause_low[:reach] if clause_low is not None else None)
            found = [limit for m in limits if (limit := _limit(clause, m))]
            if not found:
                continue
            span = para.span(*strip_trailing_punct(para.text, start, end))
            for value, unit in found:
                doc.items.append(Item("time_limit", span, {"value": value, "unit": unit}))


def _limit(clause: str, m: re.Match[str]) -> tuple[float, str] | None:
    """(value, unit) when the match is a procedural time limit, else None."""
    unit = _unit(m.group("unit"))
    framed = bool(m.group("frame"))
    if not framed and unit != "working_days" and not _EVENT_AFTER.match(clause, m.end()):
        return None
    if _NOT_A_LIMIT_AFTER.match(clause, m.end()) or not framed and _NOT_A_LIMIT_BEFORE.search(clause, 0, m.start()):
        return None
    if _FROM.search(clause, 0, m.start()) and _REPLACED.match(clause, m.end()):
        return None
    word = m.group("value").lower()
    if word in ("a", "an"):
        return (1.0, unit) if framed else None
    value = parse_number(word)
    if value is None:
        return None
    return value, unit


def _unit(word: str) -> str:
    word = word.lower()
    return next(unit for prefix, unit in _UNITS if prefix in word)
