"""The document record: its title, its date and its genre."""

from __future__ import annotations

import re
from itertools import islice

from ..corpus.genre import classify_genre
from .deadlines import MONTHS
from .model import Doc

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_FULL_DATE = re.compile(
    rf"\b(?:(?P<month>{_MONTH})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)"
    rf"|(?P<day2>\d{{1,2}})\s+(?P<month2>{_MONTH})\.?,?\s+(?P<year2>(?:19|20)\d\d)"
    r"|(?P<y3>(?:19|20)\d\d)[-/.年](?P<m3>\d{1,2})[-/.月](?P<d3>\d{1,2})日?)\b",
    re.I,
)
_DATE_LINE = re.compile(rf"^\W*(?:{_FULL_DATE.pattern})\W*$", re.I)
_YEAR = re.compile(r"(?:19|20)\d\d")  # in every full date: where it is missing, the slower date search is skipped
_FEEDBACK = re.compile(r"\b(?:fed\s+back|gave\s+feedback|feedback\s+(?:meeting|to)|reported\s+back|announced|released|issued)\b", re.I)


def parse_date(match: re.Match[str]) -> str | None:
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
        for verb in _FEEDBACK.finditer(line):
            end = verb.end()
            m = _YEAR.search(line, end, end + 250) and _FULL_DATE.search(line, end, end + 250)
            if m and "." not in line[end : m.start()].replace("No.", "") and (date := parse_date(m)):
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
    nonblank = (re.sub(r"\s+", " ", line.replace("\u00a0", " ")).strip() for line in islice((l for l in lines if l.strip()), 3))
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
