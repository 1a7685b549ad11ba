"""Genre of a document (plan, oversight, law, other), from its title and the shape of its body."""

from __future__ import annotations

import re
from collections import Counter
from itertools import islice
from typing import Iterator, NamedTuple


from .caseless import CaselessPattern, lowered
from .starts import StartFinder

_LAW_TITLE = CaselessPattern(r"\b(?:regulations?|rules|provisions|law|measures\s+for|procedures?|code|statutes?|interim\s+measures)\b")
_WHITE_PAPER = CaselessPattern(r"\bwhite\s+paper\b|白皮书")
_PLAN_TITLE = CaselessPattern(
    r"\b(?:plan|programme|program|action|implementation|opinions?|key\s+points|pilot|tasks?|measures|"
    r"notice\s+(?:of|on)\b.*\b(?:printing|issuing|distributing)|work\s+arrangements?|scheme|roadmap)\b"
)
# A title headed by a plan ("X County Rectification Plan for the Problems Fed Back by the Inspection Group") names a plan
# whatever it is about: its head is the words before its first preposition or bracket.
_TITLE_HEAD_END = CaselessPattern(r"\s(?:for|on|of|about|regarding|concerning|to|in)\s|[(（:：]")
_PLAN_HEAD = CaselessPattern(r"\b(?:plans?|programmes?|programs?|schemes?)$")
_OVERSIGHT_TITLE = CaselessPattern(
    r"\b(?:inspect\w*|audit\w*|supervis\w*\s+(?:group|team|feedback)|investigat\w*|feedback|rectif\w*|accountab\w*|"
    r"problems?|violations?)\b"
)
# Phrases that mark each genre's body, in lower case, found in one pass: no word inside a phrase of one genre starts
# a phrase of the other, so none overlap. Each is made of letters, \s+, \w+, \d, "x?" and "(?:…|…)" (see _spellings).
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


class _BodyPatterns(NamedTuple):
    """The patterns of a body's shape, for text in lower case.

    Each is led by the character before what it looks for, a non-word character where a phrase starts (not \\b) and
    a line break where a line starts (not ^), and runs on the sample behind an added line break. The matches are the
    same ones, since no match ends in the character that leads the next.
    """

    phrase: re.Pattern[str]
    articles: re.Pattern[str]
    numbered: re.Pattern[str]

    @classmethod
    def compile(cls, flags: int) -> _BodyPatterns:
        return cls(
            re.compile(rf"\W(?:(?P<oversight>{'|'.join(_OVERSIGHT_PHRASES)})|(?P<plan>{'|'.join(_PLAN_PHRASES)}))\b", flags),
            re.compile(r"\n\s*(?:article\s+\d+|第[一二三四五六七八九十百]+条)", flags),
            re.compile(r"\n\s*[(（](?:\d{1,2}|[a-z]+(?:-[a-z]+)?)[)）]\s*\S", flags),
        )


# The body is read as if lower-cased. IGNORECASE matching of the text itself finds the same matches without the cost of
# lower-casing it, unless it holds one of these: "İ" lower-cases to two characters, IGNORECASE matches "ı" and "ſ" to
# "i" and "s" where lower-casing keeps them, and "K" (Kelvin) lower-cases to the "k" the byte scan below does not see.
CASE_EXCEPTIONS = "\u0130\u0131\u017f\u212a"
_ON_LOWERED = _BodyPatterns.compile(0)
_ON_ANY_CASE = _BodyPatterns.compile(re.I)

# The first UTF-8 byte of each character \s matches; the second set leaves out the space.
_WHITE_SPACE_BYTE = rb"[\t-\r\x1c-\x20\xc2\xe1\xe2\xe3]"
_WHITE_SPACE_BUT_SPACE_BYTE = rb"[\t-\r\x1c-\x1f\xc2\xe1\xe2\xe3]"


def _spellings(phrase: str) -> list[str]:
    r"""The strings `phrase` matches up to its first \d or \w, its \s+ read as one space."""
    head = re.split(r"\\[dw]", phrase)[0].replace(r"\s+", " ")
    option = re.search(r"\(\?:([^()]*)\)(\?)?|(\w)\?", head)
    if option is None:
        return [head]
    choices = [option[3], ""] if option[3] else option[1].split("|") + [""] * bool(option[2])
    return [spelling for choice in choices for spelling in _spellings(head[: option.start()] + choice + head[option.end() :])]


def _start_patterns() -> dict[bytes, int]:
    """Byte patterns, each of one length, matched wherever a phrase can start: the phrase with each \\s+ one space,
    or up to a first \\s+ that is not one space."""
    patterns: dict[bytes, int] = {}
    for phrase in _OVERSIGHT_PHRASES + _PLAN_PHRASES:
        for spelling in _spellings(phrase):
            patterns[spelling.encode()] = len(spelling)
            for gap in (i for i, char in enumerate(spelling) if char == " "):
                patterns[spelling[:gap].encode() + _WHITE_SPACE_BUT_SPACE_BYTE] = gap + 1
                patterns[spelling[: gap + 1].encode() + _WHITE_SPACE_BYTE] = gap + 2
    return patterns


# Where a phrase can start, for a multi-pattern engine that scans the whole sample at once (sre would try the phrase
# alternation at every non-word character, several times slower); each start found is then checked with sre. The
# patterns have no repeats and each matches one length, so the engine runs fast and a match's end tells its start.
_PHRASE_STARTS = StartFinder(_start_patterns().items())

GENRE_SAMPLE_CHARS = 60_000  # a document's genre shows in its first pages; reading all of a long plan adds nothing


def classify_genre(title: str, lines: list[str]) -> str:
    """`plan`, `oversight`, `law` or `other`, per the spec's genre table."""
    from .split import looks_like_title

    opening = [line.replace("\u00a0", " ").strip() for line in islice((l for l in lines if l.strip()), 5)]
    head = " ".join([title] + [line for line in opening if not line.endswith(".") and looks_like_title(line)])
    head_lowered = lowered(head)
    led = "\n" + "\n".join(lines)[:GENRE_SAMPLE_CHARS]  # the character that leads each body pattern, for a match at the very start
    patterns = _ON_ANY_CASE
    if any(char in led for char in CASE_EXCEPTIONS):
        led, patterns = led.lower(), _ON_LOWERED
    articles = _count_up_to(8, patterns.articles.finditer(led))  # the tests below ask no more
    if articles >= 8 or articles >= 2 and (_LAW_TITLE.search_lowered(head, head_lowered) or re.match(r"^\W*measures\b", title, re.I)):
        return "law"
    data = led.encode("utf-8", "surrogatepass")
    plan_title = bool(_PLAN_TITLE.search_lowered(head, head_lowered)) and not _WHITE_PAPER.search_lowered(head, head_lowered)
    phrases = _phrase_counts(led, data, patterns.phrase)
    words = max(1, data.count(b" ") + 1) if phrases else 1  # (no phrase: the counts are 0 whatever the word count)
    oversight_title = bool(_OVERSIGHT_TITLE.search(title))
    oversight = phrases["oversight"] / words * 1000 + (3 if oversight_title else 0)
    plan = phrases["plan"] / words * 1000 + (3 if plan_title else 0)
    if _count_up_to(3, patterns.numbered.finditer(led)) == 3:
        plan += 1
    # without the title's word, a genre needs more than one phrase of it: in a short news story a single "by the end
    # of 2026" weighs as much as a plan's dozens of phrases in a long one
    if oversight >= 4.5 and oversight > plan and (oversight_title or phrases["oversight"] > 1) and not _plan_headed(title):
        return "oversight"
    if plan >= 4 and (plan_title or plan >= 8 and phrases["plan"] > 1):
        return "plan"
    return "other"


def _plan_headed(title: str) -> bool:
    head_end = _TITLE_HEAD_END.search(title)
    return bool(_PLAN_HEAD.search(title[: head_end.start() if head_end else len(title)].rstrip()))


def _count_up_to(most: int, matches: Iterator[re.Match[str]]) -> int:
    """How many matches there are, counting no further than `most`."""
    return sum(1 for _ in islice(matches, most))


def _phrase_counts(led: str, data: bytes, phrase: re.Pattern[str]) -> Counter[str]:
    """How many times `phrase.finditer(led)` finds a phrase of each genre, `data` being `led` in UTF-8."""
    counts: Counter[str] = Counter()
    ascii_only = len(data) == len(led)
    byte = char = end = 0  # a byte offset and the character offset it stands for; where the last match ended
    for start in _PHRASE_STARTS.starts(data):  # each at an ASCII letter, so at a character boundary
        if ascii_only:
            char = start
        else:
            char += len(data[byte:start].decode("utf-8", "surrogatepass"))
            byte = start
        # a match is led by the character before its phrase; it is the one finditer finds unless inside the last
        if char > end and (m := phrase.match(led, char - 1)):
            counts[m.lastgroup] += 1
            end = m.end()
    return counts
