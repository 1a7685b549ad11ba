"""Sentence and clause boundaries inside a line, as character spans, tolerant of machine-translation punctuation."""

from __future__ import annotations

import re

_ABBREVIATIONS = {
    "no", "nos", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    "mr", "mrs", "ms", "dr", "prof", "st", "co", "ltd", "inc", "vs", "etc", "art", "fig", "approx", "e.g", "i.e",
}

# A sentence ends at . ! ? 。！？ (not inside a number like 3.2 or after "No."), optionally followed by a quote.
_SENTENCE_END = re.compile(r"(?<!\d)[.!?](?![\d.])[\"”’)]?|[。！？][”’]?|(?<=\d)\.(?=\s|$)")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences in `text`, each trimmed of surrounding whitespace."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        end = m.end()
        if text[m.start()] == "." and _word_before(text, m.start()) in _ABBREVIATIONS:
            continue
        nxt = text[end : end + 2]
        if nxt and not (nxt[0].isspace() or nxt[0].isupper() or nxt[0] in "“\"(（[【—-" or not nxt[0].isascii()):
            continue  # "e.g.x" or "1.5a": not a boundary
        _append(spans, text, start, end)
        start = end
    _append(spans, text, start, len(text))
    return spans


def _word_before(text: str, dot: int) -> str:
    """The word a full stop closes, lower-cased: "No" in "No. 5"."""
    begin = dot
    while begin > 0 and (text[begin - 1].isalpha() or text[begin - 1] == "."):
        begin -= 1
    return text[begin:dot].lower().rstrip(".")


def clause_spans(text: str) -> list[tuple[int, int]]:
    """Sentences further cut at semicolons: the genre's unit of one commitment or one finding."""
    out = []
    for s, e in sentence_spans(text):
        sub = s
        for m in re.finditer(r"[;；]", text[s:e]):
            _append(out, text, sub, s + m.end())
            sub = s + m.end()
        _append(out, text, sub, e)
    return out


def _append(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start and re.search(r"\w", text[start:end]):
        spans.append((start, end))


def strip_trailing_punct(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim a clause's closing ; , . so a quote reads as the clause itself."""
    while end > start and text[end - 1] in ";；,，.。 ":
        end -= 1
    return start, end
