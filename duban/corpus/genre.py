"""Genre of a document (plan, oversight, law, other), from its title and the shape of its body."""

from __future__ import annotations

import re
from collections import Counter
from itertools import islice

import hyperscan

_LAW_TITLE = re.compile(r"\b(?:regulations?|rules|provisions|law|measures\s+for|procedures?|code|statutes?|interim\s+measures)\b", re.I)
_WHITE_PAPER = re.compile(r"\bwhite\s+paper\b|白皮书", re.I)
_PLAN_TITLE = re.compile(
    r"\b(?:plan|programme|program|action|implementation|opinions?|key\s+points|pilot|tasks?|measures|"
    r"notice\s+(?:of|on)\b.*\b(?:printing|issuing|distributing)|work\s+arrangements?|scheme|roadmap)\b",
    re.I,
)
_OVERSIGHT_TITLE = re.compile(
    r"\b(?:inspect\w*|audit\w*|supervis\w*\s+(?:group|team|feedback)|investigat\w*|feedback|rectif\w*|accountab\w*|"
    r"problems?|violations?)\b",
    re.I,
)
# Phrases that mark each genre's body, matched against lower-cased text (no IGNORECASE: several times faster on
# long bodies) in one pass: no word inside a phrase of one genre starts a phrase of the other, so none overlap.
_OVERSIGHT_PHRASES = (
    r"inspect(?:ion|or|ors)?\s+(?:group|team)", r"inspector\s+group", r"audit(?:ed|ing)?",
    r"investigation\s+(?:team|group|found)", r"fed\s+back", r"gave\s+feedback", r"feedback\s+(?:meeting|to)",
    r"found\s+that", r"pointed\s+out\s+that", r"rectification", r"did\s+not", r"failed\s+to", r"not\s+in\s+place",
    r"violat\w+", r"held\s+accountable", r"interviewed", r"fined?",
)
_PLAN_PHRASES = (
    r"responsible\s+units?", r"lead(?:ing)?\s+units?", r"by\s+the\s+end\s+of\s+20\d\d", r"before\s+the\s+end\s+of\s+20\d\d",
    r"by\s+20\d\d", r"we\s+will", r"shall\s+be\s+responsible", r"pilot\s+units?", r"main\s+tasks?", r"key\s+tasks?",
    r"safeguard\s+measures", r"guiding\s+ideology", r"overall\s+objectives?", r"development\s+goals?", r"work\s+objectives?",
)
# Each sample pattern is led by the character before what it looks for, a non-word character where a phrase starts
# (not \b) and a line break where a line starts (not ^), and runs on the sample behind an added line break. The
# matches are the same ones, since no match ends in the character that leads the next.
_BODY_PHRASE = re.compile(
    rf"\W(?:(?P<oversight>{'|'.join(_OVERSIGHT_PHRASES)})|(?P<plan>{'|'.join(_PLAN_PHRASES)}))\b"
)
_NUMBERED = re.compile(r"\n\s*[(（](?:\d{1,2}|[a-z]+(?:-[a-z]+)?)[)）]\s*\S")
_ARTICLES = re.compile(r"\n\s*(?:article\s+\d+|第[一二三四五六七八九十百]+条)")


def _phrase_start(phrase: str) -> bytes:
    r"""A byte pattern for the UTF-8 text that matches where `phrase` does: the phrase up to its first \d or \w, with
    \s standing for any byte but an ASCII letter, digit or "_" (every byte of a white-space character is such)."""
    return re.split(r"\\[dw]", phrase)[0].replace(r"\s", "[^a-z0-9_]").encode()


# Where a body phrase can start, for a multi-pattern engine that scans the whole sample at once (sre would try the
# phrase alternation at every non-word character, several times slower); each start found is then checked with sre.
_PHRASE_STARTS = hyperscan.Database()
_PHRASE_STARTS.compile(
    expressions=[_phrase_start(phrase) for phrase in _OVERSIGHT_PHRASES + _PLAN_PHRASES],
    flags=hyperscan.HS_FLAG_SOM_LEFTMOST,
)

GENRE_SAMPLE_CHARS = 60_000  # a document's genre shows in its first pages; reading all of a long plan adds nothing


def classify_genre(title: str, lines: list[str]) -> str:
    """`plan`, `oversight`, `law` or `other`, per the spec's genre table."""
    from .split import looks_like_title

    opening = [line.replace("\u00a0", " ").strip() for line in islice((l for l in lines if l.strip()), 5)]
    head = " ".join([title] + [line for line in opening if not line.endswith(".") and looks_like_title(line)])
    sample = "\n".join(lines)[:GENRE_SAMPLE_CHARS].lower()
    led = "\n" + sample  # the character that leads each sample pattern, for a match at the very start
    articles = len(_ARTICLES.findall(led))
    if articles >= 8 or articles >= 2 and (_LAW_TITLE.search(head) or re.match(r"^\W*measures\b", title, re.I)):
        return "law"
    data = led.encode("utf-8", "surrogatepass")
    words = max(1, data.count(b" ") + 1)
    plan_title = bool(_PLAN_TITLE.search(head)) and not _WHITE_PAPER.search(head)
    phrases = _phrase_counts(led, data)
    oversight = phrases["oversight"] / words * 1000 + (3 if _OVERSIGHT_TITLE.search(title) else 0)
    plan = phrases["plan"] / words * 1000 + (3 if plan_title else 0)
    numbered = len(_NUMBERED.findall(led))
    if numbered >= 3:
        plan += 1
    if oversight >= 4.5 and oversight > plan:
        return "oversight"
    if plan >= 4 and (plan_title or plan >= 8):
        return "plan"
    return "other"


def _phrase_counts(led: str, data: bytes) -> Counter[str]:
    """How many times `_BODY_PHRASE.finditer(led)` finds a phrase of each genre, `data` being `led` in UTF-8."""
    starts: set[int] = set()  # byte offsets where a phrase can start
    _PHRASE_STARTS.scan(
        data, match_event_handler=lambda _id, start, _end, _flags, _context: starts.add(start),
        scratch=hyperscan.Scratch(_PHRASE_STARTS),
    )
    counts: Counter[str] = Counter()
    byte = char = end = 0  # a byte offset and the character offset it stands for; where the last match ended
    for start in sorted(starts):  # each at an ASCII letter, so at a character boundary
        char += len(data[byte:start].decode("utf-8", "surrogatepass"))
        byte = start
        # a match is led by the character before its phrase; it is the one finditer finds unless inside the last
        if char > end and (m := _BODY_PHRASE.match(led, char - 1)):
            counts[m.lastgroup] += 1
            end = m.end()
    return counts
