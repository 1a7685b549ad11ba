"""Sentence and clause boundaries inside a line, as character spans, tolerant of machine-translation punctuation."""

from __future__ import annotations

import re
from typing import Callable, Iterator

_ABBREVIATIONS = {
    "no", "nos", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "mr", "mrs", "ms", "dr", "prof", "st", "co", "ltd", "inc", "vs", "etc", "art", "fig", "approx", "e.g", "i.e",
}

# A sentence ends at . ! ? 。！？ (not inside a number like 3.2 or after "No."), optionally followed by a quote, where
# what follows can begin a sentence: a space, a capital, an opening quote or bracket, a dash, a non-ASCII character
# or the end ("e.g.x" and "1.5a" are no boundaries). The pattern opens with the mark itself so that the regex engine
# skips to the next mark without trying every position; the quote is possessive: "."x" does not end at the full stop.
_SENTENCE_END = re.compile(
    r"[.!?。！？]"
    r"(?:(?<=[.!?])(?<!\d.)(?![\d.])[\"”’)]?+"  # not after or before a digit, nor before another full stop
    r"|(?<=[。！？])[”’]?+"
    r"|(?<=\d\.)(?=\s|$))"  # "by 2025." ends a sentence
    r"(?=\s|[A-Z\"(\[\-]|[^\x00-\x7f]|\Z)"
)
_SEMICOLON = re.compile(r"[;；]")
_ASCII_WORD_END = re.compile(r"[A-Za-z.]+\Z")
_WORD_CHAR = re.compile(r"\w")
_MARKS = ".!?。！？"  # every sentence end opens with one of these
# What the text before a full stop may end with where the stop closes an abbreviation, by last character.
_ABBREVIATION_ENDINGS = {
    last: tuple(ending for ending in (*_ABBREVIATIONS, ".") if ending[-1] == last)
    for last in {ending[-1] for ending in (*_ABBREVIATIONS, ".")}
}


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences in `text`, each trimmed of surrounding whitespace."""
    spans, start = [], 0
    for m in matches_opening_with(_SENTENCE_END, text, _MARKS):
        mark = m.start()
        if text[mark] == "." and _closes_abbreviation(text, mark):
            continue
        end = m.end()  # after a mark or a quote: no space to trim there
        while start < end and text[start].isspace():
            start += 1
        if start < end and (text[start].isalnum() or _WORD_CHAR.search(text, start, end)):  # isalnum: a word character
            spans.append((start, end))
        start = end
    _append(spans, text, start, len(text))
    return spans


def matches_opening_with(
    pattern: re.Pattern[str], text: str, openings: str, may_open: Callable[[int], bool] | None = None
) -> Iterator[re.Match[str]]:
    r"""`pattern.finditer(text)` for a pattern whose every match opens with one of the characters `openings`.

    The pattern is only tried where `str.find` (C speed) meets an opening, and passes `may_open(position)` when
    given (a cheap test every match there passes): the regex engine would test every position for the character
    class. Look-behinds and \b still see the text before that position.
    """
    openings = [opening for opening in openings if opening in text]
    if len(openings) == 1:  # the common case (most text holds one of them at most): one str.find per step
        opening = openings[0]
        at = text.find(opening)
        while at >= 0:
            m = pattern.match(text, at) if may_open is None or may_open(at) else None
            if m is None:
                at = text.find(opening, at + 1)
            else:
                yield m
                at = text.find(opening, m.end())
        return
    pos, size = 0, len(text)
    while openings:
        at = size
        for opening in openings:
            found = text.find(opening, pos, at)
            if found >= 0:
                at = found
        if at == size:
            return
        m = pattern.match(text, at) if may_open is None or may_open(at) else None
        if m is None:
            pos = at + 1
        else:
            yield m
            pos = m.end()


def is_word_char(char: str) -> bool:
    """Whether `char` is one that \\w matches."""
    return char.isalnum() or char == "_"


def _closes_abbreviation(text: str, dot: int) -> bool:
    """Whether the full stop at `dot` closes an abbreviation ("No. 5")."""
    # Cheap test first: lower-cased, the word before the stop ends the six characters before it, and an abbreviation
    # has at most six characters (the stops after it aside).
    # Only the endings with its last character are tried: endswith over all of them costs more than the lookup.
    before = text[max(0, dot - 6) : dot].lower()
    endings = _ABBREVIATION_ENDINGS.get(before[-1:])
    if endings is None or not before.endswith(endings):
        return False
    return _word_before(text, dot) in _ABBREVIATIONS


def _word_before(text: str, dot: int) -> str:
    """The word a full stop closes, lower-cased: "No" in "No. 5"."""
    m = _ASCII_WORD_END.search(text, max(0, dot - 9), dot)  # most words are ASCII: read them in one step
    begin = m.start() if m else dot
    while begin > 0 and (text[begin - 1].isalpha() or text[begin - 1] == "."):
        begin -= 1
    return text[begin:dot].lower().rstrip(".")


def clause_spans(text: str, sentences: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """Sentences further cut at semicolons: the genre's unit of one commitment or one finding.

    `sentences` are the text's sentence spans when the caller already has them.
    """
    if sentences is None:
        sentences = sentence_spans(text)
    if ";" not in text and "；" not in text:
        return list(sentences)
    out: list[tuple[int, int]] = []
    for s, e in sentences:
        if text.find(";", s, e) < 0 and text.find("；", s, e) < 0:
            out.append((s, e))  # a sentence span is trimmed and holds a word already
            continue
        sub = s
        for m in _SEMICOLON.finditer(text, s, e):
            _append(out, text, sub, m.end())
            sub = m.end()
        _append(out, text, sub, e)
    return out


def _append(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start and _WORD_CHAR.search(text, start, end):
        spans.append((start, end))


def strip_trailing_punct(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim a clause's closing ; , . so a quote reads as the clause itself."""
    while end > start and text[end - 1] in ";；,，.。 ":
        end -= 1
    return start, end
