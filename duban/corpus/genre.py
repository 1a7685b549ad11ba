"""Genre of a document (plan, oversight, law, other), from its title and the shape of its body."""

from __future__ import annotations

import re
from collections import Counter
from itertools import islice

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
    r"inspect(?:ion|or|ors)?\s+(?:group|team)|inspector\s+group|audit(?:ed|ing)?|investigation\s+(?:team|group|found)|"
    r"fed\s+back|gave\s+feedback|feedback\s+(?:meeting|to)|found\s+that|pointed\s+out\s+that|rectification|"
    r"did\s+not|failed\s+to|not\s+in\s+place|violat\w+|held\s+accountable|interviewed|fined?"
)
_PLAN_PHRASES = (
    r"responsible\s+units?|lead(?:ing)?\s+units?|by\s+the\s+end\s+of\s+20\d\d|before\s+the\s+end\s+of\s+20\d\d|"
    r"by\s+20\d\d|we\s+will|shall\s+be\s+responsible|pilot\s+units?|main\s+tasks?|key\s+tasks?|safeguard\s+measures|"
    r"guiding\s+ideology|overall\s+objectives?|development\s+goals?|work\s+objectives?"
)
# Each sample pattern is led by the character before what it looks for, a non-word character where a phrase starts
# (not \b) and a line break where a line starts (not ^), and runs on the sample behind an added line break: the regex
# engine then jumps from candidate to candidate instead of trying every position. The matches are the same ones,
# since no match ends in the character that leads the next.
_BODY_PHRASE = re.compile(rf"\W(?:(?P<oversight>{_OVERSIGHT_PHRASES})|(?P<plan>{_PLAN_PHRASES}))\b")
_NUMBERED = re.compile(r"\n\s*[(（](?:\d{1,2}|[a-z]+(?:-[a-z]+)?)[)）]\s*\S")
_ARTICLES = re.compile(r"\n\s*(?:article\s+\d+|第[一二三四五六七八九十百]+条)")

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
    words = max(1, sample.count(" ") + 1)
    plan_title = bool(_PLAN_TITLE.search(head)) and not _WHITE_PAPER.search(head)
    phrases = Counter(m.lastgroup for m in _BODY_PHRASE.finditer(led))
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
