"""The document record: its title, its date and its genre."""

from __future__ import annotations

import re
from itertools import islice

from ..corpus.genre import classify_genre
from ..corpus.caseless import CaselessPattern, OnOriginal, lowered, mentions_lowered
from .deadlines import MONTHS
from .model import Doc

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_FULL_DATE = CaselessPattern(
    rf"\b(?:(?P<month>{_MONTH})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)"
    rf"|(?P<day2>\d{{1,2}})\s+(?P<month2>{_MONTH})\.?,?\s+(?P<year2>(?:19|20)\d\d)"
    r"|(?P<y3>(?:19|20)\d\d)[-/.年](?P<m3>\d{1,2})[-/.月](?P<d3>\d{1,2})日?)\b"
)
_DATE_LINE = re.compile(rf"^\W*(?:{_FULL_DATE.pattern})\W*$", re.I)
_YEAR = re.compile(r"(?:19|20)\d\d")  # in every full date: where it is missing, the slower date search is skipped
_FEEDBACK = CaselessPattern(r"\b(?:fed\s+back|gave\s+feedback|feedback\s+(?:meeting|to)|reported\s+back|announced|released|issued)\b")
_FEEDBACK_CUES = ("fed", "feedback", "reported", "announced", "released", "issued")  # every match holds one


def parse_date(match: re.Match[str] | OnOriginal) -> str | None:
    g = match.groupdict()
    try:
        if g.get("month"):
            y, m, d = int(g["year"]), MONTHS[g["month"].lower()], int(g["day"])
        elif g.get("month2"):
            y, m, d = int(g["year2"]), MONTHS[g["month2"].lower()], int(g["day2"])
        else:
            y, m, d = int(g["y3"]), int(g["m3"]), int(g["d3"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (1 <= m <= 12 and 1 <= d <= 31):
        return None
    import calendar

    if d > calendar.monthrange(y, m)[1]:
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"


def document_date(doc: Doc) -> str | None:
    """The date the document bears: a signature date line, else a dated feedback or dateline near the top."""
    for line in doc.lines:
        if len(line) > 60 or "19" not in line and "20" not in line:  # a date line is short, and its year says 19.. or 20..
            continue
        m = _DATE_LINE.match(line.strip())
        if m and (date := parse_date(_FULL_DATE.search(line))):
            return date
    nonblank = list(islice((line for line in doc.lines if line.strip()), 12))
    for line in nonblank:
        if "19" not in line and "20" not in line or not _YEAR.search(line):
            continue
        low = lowered(line)
        if not mentions_lowered(low, _FEEDBACK_CUES):
            continue
        for verb in _FEEDBACK.finditer_lowered(line, low):
            # the date is looked for in the 250 characters after the verb; no date starts right after it (a verb ends
            # a word, a date starts one), so cutting the line there changes nothing \b sees where a date can start
            end = verb.end()
            stop = end + 250
            m = _YEAR.search(line, end, stop) and _FULL_DATE.search_lowered(line[end:stop], low and low[end:stop])
            if m and "." not in line[end : end + m.start()].replace("No.", "") and (date := parse_date(m)):
                return date
    for line in nonblank[:4]:
        head = line[:300]
        m = _YEAR.search(head) and _FULL_DATE.search(head)
        if m and (date := parse_date(m)):
            return date
    return None


_OPEN_END_WORDS = ("on", "of", "for", "and", "the", "to", "in", "about", "regarding", "concerning", "issuing", "printing", "distributing")
_OPEN_END = re.compile(rf"\b(?:{'|'.join(_OPEN_END_WORDS)})$", re.I)
_OPEN_END_CHARS = max(map(len, _OPEN_END_WORDS))  # an open end starts no earlier than this far from the end


def document_title(lines: list[str]) -> str:
    """The first non-blank line, joined with the lines it runs on into when it ends mid-phrase ("… Government on")."""
    nonblank = (" ".join(line.split()) for line in islice((l for l in lines if l.strip()), 3))  # white space runs as one space
    title = next(nonblank, "")
    for nxt in nonblank:
        if not _OPEN_END.search(title, max(0, len(title) - _OPEN_END_CHARS)) or len(title) + len(nxt) > 300:
            break
        title = f"{title} {nxt}"
    return title


def describe_document(doc: Doc) -> None:
    """Fill in the document's title, date and genre."""
    doc.title = document_title(doc.lines)
    doc.date = document_date(doc)
    doc.genre = classify_genre(doc.title, doc.lines)
