"""Outcomes: enforcement tallies an inspection or audit reports, one per figure, with the sub-population they cover."""

from __future__ import annotations

import re

from ..corpus.caseless import CaselessPattern, lowered, mentions_lowered
from ..corpus.starts import StartFinder
from .clauses import strip_trailing_punct
from .model import Doc, Item
from .numbers import NUMBER, money_amounts, parse_number
from .paragraphs import paragraphs

_CASE_NOUN = re.compile(r"\b(?:cases?|complaints?|reports?|clues?|petitions?)\b", re.I)
# A counted figure: "2,905 cases", "five people", "41 school canteens"; not a measurement ("3,600 tons", "15 days").
# "812 of them": the figure counts what the paragraph counted before it.
_COUNT = CaselessPattern(
    rf"(?<![\w.,])(?P<num>{NUMBER})\s+(?:of\s+(?:them|these|those|which)\b|"
    r"(?!(?:tons?|meters?|kilometers?|square|hectares?|mu|percent|yuan|times|years?|"
    r"months?|days?|hours?|batch(?:es)?|kinds?|types?|by|of|and|or|to|in|on|at|for|with|from|is|are|was|were|has|have|"
    r"had|the|a|an)\b)(?P<head>[a-z][\w-]*(?:\s+[a-z][\w-]*){0,2}))",
)
_PARTITIVE = r"(?:of|among)\s+(?:which|them|these|those)"  # "of which", "among them": part of what was counted
# "…, of which 1,190 have been settled": a bare figure that counts part of what the clause counted before it.
_PART_COUNT = re.compile(rf"[\s,，;；]*{_PARTITIVE}\s*[,，]?\s*(?P<num>{NUMBER})\b(?P<head>)", re.I)
# Where one figure's words end and the next one's begin ("2,905" keeps its comma, "of which, 1,190 …" its part).
_SEPARATOR = CaselessPattern(r"(?<!\bwhich)(?<!\bthem)(?<!\bthese)(?<!\bthose),(?!\d{3}\b)|[，;；:：]|\band\b|\bwhile\b|\bincluding\b")
_AND = re.compile(r"and\b", re.I)

_TALLY_VERB = (
    r"(?:has\s+|have\s+|had\s+)?(?:completed|settled|ordered|filed|put|placed|detained|interviewed|held|imposed|fined|"
    r"transferred|handled|concluded|closed|investigated|punished|accepted|received|opened)\b"
)
_NP = rf"(?:the\s+)?[A-Za-z][\w'’-]*(?:\s+(?!{_TALLY_VERB})[\w'’-]+){{0,6}}?"
# Sentence openings that narrow the figures after them to a sub-population (matched at the sentence's start).
_NARROWING = re.compile(
    rf"(?:{_PARTITIVE}|in\s+particular|specifically)\s*[,，:：]?\s*"
    rf"(?P<scope>{_NP})\s+{_TALLY_VERB}",
    re.I,
)
_IN_PLACE = re.compile(r"[Ii]n\s+(?P<scope>(?:the\s+)?[A-Z][\w'’-]*(?:\s+[\w'’-]+){0,5}?)\s*[,，]")
_SUBJECT = re.compile(rf"(?P<scope>{_NP})\s+{_TALLY_VERB}", re.I)
_NOT_A_SCOPE = re.compile(
    r"\d|\b(?:january|february|march|april|may|june|july|august|september|october|november|december|addition|"
    r"particular|terms|total|inspect\w*|audit\w*|supervis\w*|team|group)\b",
    re.I,
)

# The inspectors' or auditors' own talks while at work ("the inspection group talked with 46 cadres") are no
# accountability interviews.
_INSPECTORS = re.compile(r"\b(?:inspect\w*|audit\w*|supervis\w*)\s+(?:group|team)s?\b", re.I)
# A figure denied, or played down as too small: "was fined only 50,000 yuan" is a complaint about leniency, not a tally.
_NEGATED = CaselessPattern(r"\b(?:not|never|failed|yet\s+to|only|merely)\b")
# "…, including 9 people in the Development Zone": part of the figure before it, narrowed to a place.
_SUBSET = re.compile(
    rf"including\s+{NUMBER}\s+(?:[a-z][\w-]*\s+){{1,3}}?(?:in|of|from)\s+(?P<scope>(?:the\s+)?[A-Z][\w'’-]*(?:\s+[\w'’-]+){{0,6}})\s*$"
)
_FINE = re.compile(r"\bfine[sd]?\b|\bpenalt(?:y|ies)\b", re.I)
# Checked in order: the first measure whose words appear among a figure's words names it.
_FILED = r"\b(?:fil(?:e[ds]?|ing)|on\s+file)\b"
_MEASURES: list[tuple[str, re.Pattern[str]]] = [
    ("detained", re.compile(r"\bdetain\w*|\bdetention\b", re.I)),
    ("interviewed", re.compile(r"\binterview\w*|\btalked\s+(?:to|with)\b|\badmonish\w*", re.I)),
    ("held_accountable", re.compile(r"\baccountab\w*|\bheld\s+(?:\w+\s+){0,3}responsible\b", re.I)),
    ("ordered_to_rectify", re.compile(r"\border\w*\b.*\b(?:rectif|correct)\w*|\b(?:rectif|correct)\w*\b.*\border", re.I)),
    ("filed_for_penalty", re.compile(rf"{_FILED}.*\b(?:punish|penalt|sanction)\w*|\b(?:punish|penalt)\w*\b.*{_FILED}", re.I)),
    ("criminal_cases", re.compile(rf"\bcriminal\w*\b|{_FILED}.*\binvestigat\w*|\binvestigat\w*\b.*{_FILED}", re.I)),
    ("cases_settled", re.compile(r"\b(?:settled|completed|concluded|closed|resolved|handled|dealt\s+with)\b", re.I)),
    ("cases_transferred", re.compile(r"\b(?:transferred|handed\s+over|assigned|referred)\b", re.I)),
]
_CASE_MEASURES = {"cases_settled", "cases_transferred"}
# Every pattern of _MEASURES and _FINE matches only where one of these words stands. A figure's measure is read from
# pieces of its clause, so a clause (or paragraph) that holds none of them holds no figure: a cheap test to start with.
_COUNT_CUES = (  # those of the measures of counts
    "detain", "detention", "interview", "talked", "admonish", "accountab", "held", "order", "file", "filing", "criminal",
    "settled", "completed", "concluded", "closed", "resolved", "handled", "dealt", "transferred", "handed", "assigned",
    "referred",
)
_MEASURE_CUES = (*_COUNT_CUES, "fine", "penalt")
_MEASURE_CUE_STARTS = StartFinder((cue.encode(), len(cue)) for cue in _MEASURE_CUES)


def extract_outcomes(doc: Doc) -> None:
    """Append an outcome for each enforcement figure; the quote is the clause holding it, the scope its sentence's."""
    title_words = {w.lower() for w in re.findall(r"\b[A-Z][\w'’-]*", doc.title)}
    for para in paragraphs(doc):
        low = para.lowered()
        if not may_hold_tally(low):
            continue
        sentences = para.sentences()
        for start, end in para.clauses():
            if not may_hold_tally(low[start:end] if low is not None else None):
                continue
            figures = _figures(para.text[start:end], para.text[:start])
            if not figures:
                continue
            sentence_start = next((s for s, e in sentences if s <= start < e), start)
            scope = _scope(para.text, sentence_start, any(it.kind == "outcome" for it in doc.items), title_words)
            span = para.span(*strip_trailing_punct(para.text, start, end))
            for measure, value, subset_scope in figures:
                fields = {"measure": measure, "value": value, "scope": subset_scope or scope}
                doc.items.append(Item("outcome", span, fields))


def _scope(text: str, sentence_start: int, after_totals: bool, title_words: set[str]) -> str:
    """The sub-population a sentence's figures are narrowed to, as written; "" for the report's own subject.

    "Among them, the Corps …" and "In the Development Zone, …" narrow; so does a named subject ("The Corps ordered …")
    once the report's totals have been given, unless it names the report's own subject (a word of its title).
    """
    if m := _NARROWING.match(text, sentence_start) or _IN_PLACE.match(text, sentence_start):
        scope = m.group("scope")
    elif after_totals and (m := _SUBJECT.match(text, sentence_start)) and re.search(r"\b[A-Z]", m.group("scope")[1:]):
        scope = m.group("scope") if not any(w.lower() in title_words for w in m.group("scope").split()) else ""
    else:
        return ""
    return "" if _NOT_A_SCOPE.search(scope) else scope


def may_hold_tally(low: str | None) -> bool:
    """A cheap test on lower-cased text (`caseless.lowered`): whether it can hold an enforcement figure at all."""
    return mentions_lowered(low, _MEASURE_CUES)


def holds_tally(clause: str) -> bool:
    """Whether the clause reports an enforcement figure (for callers that ask of many clauses: one scan for the cues)."""
    return bool(_MEASURE_CUE_STARTS.starts(clause.encode())) and bool(_figures(clause))


def _figures(clause: str, before: str = "") -> list[tuple[str, float, str | None]]:
    """(measure, value, scope) for each enforcement figure in the clause, in reading order; the scope is None but for
    a subset the clause narrows itself ("…, including 9 people in the Development Zone"). `before` is the paragraph's
    text before the clause, where "812 of them" finds what it counts."""
    if not mentions_lowered(lowered(clause), _COUNT_CUES) and not money_amounts(clause):
        return []  # a fine needs its sum ("fine particles" is no fine)
    segments = _segments(clause)
    found = []
    for i, (s, e) in enumerate(segments):
        words = clause[s:e]
        if _NEGATED.search(words):
            continue
        money = money_amounts(words)
        if money and _FINE.search(words):
            found.append((s + money[0][1], "fines_yuan", money[0][0], None))
            continue
        count = _count(words)
        if not count or any(ms <= count.start() < me for _, ms, me in money):
            continue
        value = parse_number(count.group("num"))
        if found and (subset := _SUBSET.match(words)):
            found.append((s + count.start(), found[-1][1], value, subset.group("scope")))
            continue
        head = count.group("head") or _antecedent(f"{before} {clause[:s + count.start()]}")
        measure = _measure(words, head)
        if measure in (None, "cases_transferred") and _measure(_trailing_words(clause, segments, i), head) == "cases_settled":
            measure = "cases_settled"  # "transferred 1,251 cases, which have all been settled"
        if measure == "interviewed" and _INSPECTORS.search(words, 0, count.start()):
            continue
        if measure and value is not None:
            found.append((s + count.start(), measure, value, None))
    return [figure for _, *figure in sorted(found, key=lambda f: f[0])]


def _antecedent(text: str) -> str:
    """The noun the last figure of the text counts ("cases" before "812 of them"); "" when none."""
    heads = [m.group("head") for m in _COUNT.finditer(text) if m.group("head")]
    return heads[-1] if heads else ""


def _segments(clause: str) -> list[tuple[int, int]]:
    """The clause cut at its separators; an "and …" part without a figure stays with the part before it."""
    cuts = [0] + [m.start() for m in _SEPARATOR.finditer(clause)] + [len(clause)]
    segments: list[tuple[int, int]] = []
    for a, b in zip(cuts, cuts[1:]):
        if not clause[a:b].strip(" ,，;；:："):
            continue
        if segments and _AND.match(clause, a) and not _has_figure(clause[a:b]):
            segments[-1] = (segments[-1][0], b)  # "ordered 41 canteens and suppliers to rectify"
        else:
            segments.append((a, b))
    return segments


def _count(words: str) -> re.Match[str] | None:
    """The figure of a segment: a counted one, or the part of an earlier count ("of which 1,190")."""
    return _COUNT.search(words) or _PART_COUNT.match(words)


def _has_figure(text: str) -> bool:
    return bool(_count(text) or money_amounts(text))


def _trailing_words(clause: str, segments: list[tuple[int, int]], i: int) -> str:
    """The words of the figure-less segments after segment i."""
    words = []
    for s, e in segments[i + 1 :]:
        if _has_figure(clause[s:e]):
            break
        words.append(clause[s:e])
    return " ".join(words)


def _measure(words: str, head: str) -> str | None:
    """The measure a figure's words name; settling and transferring only count cases ("2,905 cases … settled")."""
    if not may_hold_tally(lowered(words)):  # most words: spares the patterns
        return None
    for measure, pattern in _MEASURES:
        if pattern.search(words) and (measure not in _CASE_MEASURES or _CASE_NOUN.search(head)):
            return measure
    return None
