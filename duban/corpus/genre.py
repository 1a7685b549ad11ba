"""Genre of a document (plan, oversight, law, other), from its title and the shape of its body."""

from __future__ import annotations

import re

_LAW_TITLE = re.compile(r"\b(?:regulations?|rules|provisions|law|measures\s+for|procedures?|code|statutes?|interim\s+measures)\b", re.I)
_WHITE_PAPER = re.compile(r"\bwhite\s+paper\b|白皮书", re.I)
_ARTICLE = re.compile(r"^\s*(?:article\s+\d+|第[一二三四五六七八九十百]+条)", re.I)
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
_OVERSIGHT_BODY = re.compile(
    r"\b(?:inspect(?:ion|or|ors)?\s+(?:group|team)|inspector\s+group|audit(?:ed|ing)?|investigation\s+(?:team|group|found)|"
    r"fed\s+back|gave\s+feedback|feedback\s+(?:meeting|to)|found\s+that|pointed\s+out\s+that|rectification|"
    r"did\s+not|failed\s+to|not\s+in\s+place|violat\w+|held\s+accountable|interviewed|fined?)\b",
    re.I,
)
_PLAN_BODY = re.compile(
    r"\b(?:responsible\s+units?|lead(?:ing)?\s+units?|by\s+the\s+end\s+of\s+20\d\d|before\s+the\s+end\s+of\s+20\d\d|"
    r"by\s+20\d\d|we\s+will|shall\s+be\s+responsible|pilot\s+units?|main\s+tasks?|key\s+tasks?|safeguard\s+measures|"
    r"guiding\s+ideology|overall\s+objectives?|development\s+goals?|work\s+objectives?)\b",
    re.I,
)


GENRE_SAMPLE_LINES = 400  # a document's genre shows in its first pages; reading all of a long plan adds nothing


def classify_genre(title: str, lines: list[str]) -> str:
    """`plan`, `oversight`, `law` or `other`, per the spec's genre table."""
    from .split import looks_like_title

    opening = [line.replace("\u00a0", " ").strip() for line in lines if line.strip()][:5]
    head = " ".join([title] + [line for line in opening if looks_like_title(line) and not line.endswith(".")])
    body = "\n".join(lines[:GENRE_SAMPLE_LINES])
    articles = sum(1 for line in lines if _ARTICLE.match(line))
    if articles >= 8 or articles >= 2 and (_LAW_TITLE.search(head) or re.match(r"^\W*measures\b", title, re.I)):
        return "law"
    words = max(1, len(body.split()))
    plan_title = bool(_PLAN_TITLE.search(head)) and not _WHITE_PAPER.search(head)
    oversight = len(_OVERSIGHT_BODY.findall(body)) / words * 1000 + (3 if _OVERSIGHT_TITLE.search(title) else 0)
    plan = len(_PLAN_BODY.findall(body)) / words * 1000 + (3 if plan_title else 0)
    numbered = sum(1 for line in lines if re.match(r"^\s*[(（](?:\d{1,2}|[a-z]+(?:-[a-z]+)?)[)）]\s*\S", line, re.I))
    if numbered >= 3:
        plan += 1
    if oversight >= 4.5 and oversight > plan:
        return "oversight"
    if plan >= 4 and (plan_title or plan >= 8):
        return "plan"
    return "other"
