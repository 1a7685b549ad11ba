"""Indicators: quantified targets, from flattened indicator tables and from a plan's own sentences."""

from __future__ import annotations

import re

from ..corpus.caseless import CaselessPattern, mentions_lowered
from .clauses import strip_trailing_punct
from .deadlines import clause_deadlines
from .indicator_tables import table_indicators
from .model import Doc, Item
from .outline import MARKER
from .numbers import DIGITS, SCALE_RE, SPELLED_NUMBER, parse_number, scaled_number
from .paragraphs import paragraphs

_COMPARATORS = [
    (r"more\s+than|over|at\s+least|not\s+less\s+than|no\s+less\s+than|not\s+fewer\s+than|no\s+fewer\s+than|above|"
     r"not\s+lower\s+than|no\s+lower\s+than|not\s+below|exceed(?:ing|s)?|greater\s+than|≥|>=|>", ">="),
    (r"no\s+more\s+than|not\s+more\s+than|not\s+higher\s+than|no\s+higher\s+than|not\s+exceed(?:ing)?|less\s+than|"
     r"lower\s+than|below|within|under|controlled\s+(?:within|below)|≤|<=|<", "<="),
]
_COMPARATOR = "|".join(p for p, _ in _COMPARATORS)
# "more than 200 high-frequency matters", "reach 80%", "no less than 1,500 kilometres of ..."
# The comparator is optional through an empty alternative, not "?": tried at every position of the clause, the group
# then costs the regex engine no repeat.
_TAIL_CHARACTER = r"(?:(?!\s+and\s+(?:more\s+than\s+|over\s+|at\s+least\s+)?\d)[^,;.，；。])"  # a list's next figure ends it
_UNIT_AND_TAIL = (
    r"(?P<unit>%|(?:percent|per\s+cent|yuan|kilometers?|kilometres?|km|(?:square|cubic)\s+(?:meters|metres|kilometers|kilometres)|"
    r"mu|hectares|tons|tonnes|(?:micro|milli)grams\s+per\s+cubic\s+(?:meter|metre)|(?:kilo|mega|giga)watts|items|matters|pieces|"
    r"households|people|persons|types|kinds|categories)\b)?(?P<tail>" + _TAIL_CHARACTER + "{0,80})"
)
_TEXT_TARGET = (  # lower-case: for lower-cased text
    rf"(?:(?P<cmp>{_COMPARATOR})\s+|)(?P<num>{DIGITS}|(?<=than\s)(?:{SPELLED_NUMBER}))\s*(?P<scale>(?:{SCALE_RE})\b)?\s*"
    + _UNIT_AND_TAIL
)
# Each `_SPELLED_COUNT` match starts with one of these (lower-case).
_SPELLED_CUES = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirt", "fift",
                 "twent", "fort")
# How each `_COMPARATOR` alternative ends (">=", "<=" end with "=").
_COMPARATOR_ENDS = ("than", "over", "least", "above", "exceed", "exceeding", "exceeds", "below", "within", "under", "≥",
                    ">", "≤", "<", "=")
_TEXT_TARGET_LOWER = re.compile(_TEXT_TARGET)  # for lower-cased text: searched from where a match can start
_TEXT_TARGET_IGNORECASE = re.compile(_TEXT_TARGET, re.I)  # for text that lower-casing does not keep aligned
# `_TEXT_TARGET_LOWER` for text without "and", where the tail's lookahead never holds: the same matches, a third the cost.
_TEXT_TARGET_UNCUT = re.compile(_TEXT_TARGET.replace(_TAIL_CHARACTER, "[^,;.，；。]"))
# "in six cities before the end of 2025": a spelled count of two or more, not after "than" (`_TEXT_TARGET` reads those).
_SPELLED_COUNT = CaselessPattern(
    rf"(?P<cmp>)(?<![\w-])(?<!than\s)(?P<num>(?!one\b|zero\b){SPELLED_NUMBER})(?P<scale>)\s+(?=[a-z\"“])" + _UNIT_AND_TAIL
)
_SPELLED_COUNT_LOWER = re.compile(_SPELLED_COUNT.pattern)  # for lower-cased text
_TARGET_VERB = re.compile(r"\b(?:reach(?:es|ed)?|achieve[sd]?|exceed(?:s|ed)?|increase[sd]?\s+to|rise[sn]?\s+to|up\s+to|stabiliz\w*\s+at|maintain\w*\s+at|to|at)\s*$", re.I)
# The words a `_TARGET_VERB` match ends with: it ends the (right-stripped) text before a figure, a cheap test first.
_TARGET_VERB_ENDS = ("reach", "reaches", "reached", "achieve", "achieves", "achieved", "exceed", "exceeds", "exceeded", "to", "at")


def extract_indicators(doc: Doc) -> None:
    """Append an indicator per table row and per quantified target in the plan's text."""
    table_lines: set[int] = set()
    for item in table_indicators(doc):
        table_lines.update(range(item.span.line_start, item.span.line_end + 1))
        doc.items.append(item)
    goals_level = None  # the outline level of the "Expected results" or "Development goals" heading we are under
    goals_year = None  # the latest year the goals state so far: that of their undated targets
    for para in paragraphs(doc):
        marker = MARKER.match(para.text) if goals_level is not None or _may_head_goals(para.text) else None
        if marker is not None:
            level = _MARKER_LEVELS[marker.lastgroup]
            if goals_level is not None and level <= goals_level:
                goals_level = None  # the next item of the goals' level or above ends them
            if goals_level is None and _GOALS_HEADING.match(para.text, marker.end()):
                goals_level, goals_year = level, None
                continue
        if para.first_line in table_lines:
            continue
        if goals_level is None:
            _text_indicators(doc, para, False, None)
        else:
            goals_year = _text_indicators(doc, para, True, goals_year)


_MARKER_LEVELS = {"chapter": 0, "word": 1, "roman": 1, "paren": 2, "dot": 3, "circle": 4}  # outline.MARKER's groups
_GOALS_HEADING = re.compile(
    r"(?:the\s+)?(?:(?:overall|main|general|development|specific|expected|main\s+expected)\s+)?"
    r"(?:objectives?|goals?|targets?|results?)\s*[.。:：]?\s*$",
    re.I,
)


_GOALS_WORDS = ("objective", "objectives", "goal", "goals", "target", "targets", "result", "results")


def _may_head_goals(text: str) -> bool:
    """Cheap test: a goals heading ends with one of `_GOALS_WORDS` (where lower-casing its end folds it as `re.I`)."""
    end = text[-14:].rstrip().rstrip(".。:：").rstrip()
    return not end.isascii() or end.lower().endswith(_GOALS_WORDS)


def _comparator(word: str | None) -> str:
    if not word:
        return "="
    for pattern, symbol in _COMPARATORS:
        if re.fullmatch(pattern, word.strip(), re.I):
            return symbol
    return "="


_DIGIT = re.compile(r"\d")
_ASCII_DIGIT = re.compile(r"[0-9]")  # scanned faster than "\d", which only differs from it outside ASCII
_THAN = re.compile(r"than(?<=\sthan)\s")  # "\sthan\s", led by its literal so the regex engine jumps to it


def _has_figure(text: str) -> bool:
    """Cheap test: a target needs digits, or a spelled number after "than"."""
    for digit in "0123456789":  # substring tests run at C speed, many times faster than a pattern's scan
        if digit in text:
            return True
    if not text.isascii() and _DIGIT.search(text) is not None:
        return True  # a digit of another script
    return "than" in text and _THAN.search(text) is not None


_GOAL_WORD = CaselessPattern(r"\b(?:strive|target|goal|will|shall|reach|achieve)")


def _text_indicators(doc: Doc, para, in_goals: bool, goals_year: int | None) -> int | None:
    """A target in a clause that states a goal or a deadline, or in a goals section; the deadline that governs it gives
    its year, else, in a goals section, the latest year they state so far (`goals_year`). Returns that year after the
    paragraph."""
    deadlines_by_clause = clause_deadlines(doc, para)  # what milestones found in the same clauses
    if in_goals and deadlines_by_clause:
        goals_year = max([goals_year or 0] + [int(d.due[:4]) for clause in deadlines_by_clause for d in clause])
    if not _has_figure(para.text):
        return goals_year
    text = para.without_unit_brackets()
    low = para.lowered_without_unit_brackets()
    issued = int(doc.date[:4]) if doc.date else 0
    for i, (start, end) in enumerate(para.clauses()):
        clause = text[start:end]
        if not _has_figure(clause):
            continue
        clause_low = low[start:end] if low is not None else None
        deadlines = deadlines_by_clause[i] if deadlines_by_clause else ()
        # spelled counts are read in dated clauses only, where one names a number over one
        spells = bool(deadlines) and mentions_lowered(clause_low, _SPELLED_CUES)
        targets = _targets(clause, clause_low, spells)
        if not targets:
            continue
        # A count may follow a comma or "and" where these end: "By the end of 2025, 12 halls and 30 stations ..."
        list_heads = {d.end for d in deadlines if not d.goal_year_only}
        states_goal = None
        names: list[str] = []  # of the targets read in the clause
        read_until = 0  # the end of the last target read: a figure in its tail is part of its name
        for m in targets:
            if m.start() < read_until:
                continue
            found = _read_target(clause, clause_low, m, deadlines, list_heads)
            if found is None:
                continue
            name, unit, value, cmp, baseline, needs_date = found
            if states_goal is None:
                states_goal = in_goals or bool(deadlines) or _GOAL_WORD.search_lowered(clause, clause_low) is not None
            if not states_goal or needs_date and not deadlines:
                continue
            year = _year_for(clause, deadlines, m.start()) or goals_year
            if year is not None and year < issued:
                continue  # "By the end of 2025, the rate reached 72%" in a plan of 2026: where it starts, no target
            list_heads.add(m.end())
            read_until = m.end()
            # "100 halls in the province by 2025, 200 halls by 2026": a series repeats its measure's head only
            name = next((earlier for earlier in names if earlier.startswith(name + " ")), name)
            names.append(name)
            s, e = strip_trailing_punct(text, start, end)
            doc.items.append(
                Item("indicator", para.span(s, e), {
                    "name": name, "unit": unit, "baseline": baseline,
                    "target": {"value": value, "year": year}, "comparator": cmp,
                })
            )
    return goals_year


def _targets(clause: str, low: str | None, spelled: bool) -> list[re.Match[str]]:
    """The `_TEXT_TARGET` matches in the clause (`low` is it lower-cased) and, if `spelled`, the `_SPELLED_COUNT` ones,
    in the order of the clause: matches in `low`, or in the clause where `low` is None (`_read_target` reads their
    groups from the clause by offset, for a match in `low` is a match in the clause ignoring case)."""
    found = _figure_targets(clause, low)
    if spelled:
        found.extend(_SPELLED_COUNT.finditer_lowered(clause, None) if low is None else _SPELLED_COUNT_LOWER.finditer(low))
        found.sort(key=lambda m: m.start())
    return found


def _figure_targets(clause: str, low: str | None) -> list[re.Match[str]]:
    """The `_TEXT_TARGET` matches in the clause, each searched for from just before the next figure.

    Every match holds a figure where its number starts: digits, or a spelled number after "than ". Only a comparator
    can precede it ("no more than 5"): whitespace ends each comparator, of at most three words. So no match starts
    before the third word before the next figure, none before the figure unless the word before it ends like a
    comparator, and none after the last figure: the search skips the text between.
    """
    if low is None:  # lower-casing is not exact here: the pattern's own scan, ignoring case, from every position
        found_targets, pos = [], 0
        while (m := _TEXT_TARGET_IGNORECASE.search(clause, pos)) is not None:
            if not _never_a_target(clause, m):
                found_targets.append(m)
            pos = m.end("num")
        return found_targets
    digit = _ASCII_DIGIT if low.isascii() else _DIGIT
    has_than = "than" in low
    target = _TEXT_TARGET_LOWER if "and" in low else _TEXT_TARGET_UNCUT
    found_targets = []  # a list, not a generator: resuming one per match costs more than the list
    pos = 0
    while True:
        found = digit.search(low, pos)
        figure = found.start() if found is not None else len(low)
        if has_than:
            than = low.find("than", max(0, pos - 5))
            while 0 <= than and than + 5 < pos:
                than = low.find("than", than + 1)
            if 0 <= than and than + 5 < figure:
                figure = than + 5
        if figure >= len(low):
            return found_targets
        start = figure
        if figure > pos and low[figure - 1].isspace():
            window = max(pos, figure - 40)
            words = low[window:figure].rsplit(None, 3)
            if not words or words[-1].endswith(_COMPARATOR_ENDS):
                start = window + len(words[0]) if len(words) == 4 else pos
        m = target.search(low, start)
        if m is None:
            return found_targets
        if not _never_a_target(low, m):
            found_targets.append(m)
        pos = m.end("num")


def _never_a_target(text: str, m: re.Match[str]) -> bool:
    """Whether a match's figure is never a target: a year without a unit, a rate's denominator ("per 1,000 people").

    Matches are searched for from the end of the last one's figure, not of its tail: a tail may hold the next target
    ("mills with 100 staff shall reach 100%", "by the end of 2027 the number of … will exceed 450"), which the reader
    skips where it reads the former as a target.
    """
    num_start, num_end = m.span("num")
    # a year: "19" or "20", then two digits, ending the figure (`isdecimal` is what "\d" matches)
    if num_end - num_start >= 4 and text[num_end - 4:num_end - 2] in ("19", "20") and m.start("unit") < 0:
        return text[num_end - 2:num_end].isdecimal()
    return text.endswith(("per ", "Per "), 0, num_start)


def _year_for(clause: str, deadlines, position: int) -> int | None:
    """The year of the deadline that governs the figure at `position` of the clause.

    A deadline closing the figure's own part of the clause ("more than 100 halls by 2025, 200 by 2026") governs it;
    else the last one before it that opens a part of the clause ("By 2025, 100 halls will be built, and by 2026 …";
    not the year of a starting value: "By 2027, the rate will rise from 80% in 2024 to 95%"); else the next one
    after it, else the last.
    """
    if not deadlines:
        return None
    after = next((d for d in deadlines if d.start >= position), None)
    if after is not None and not _PART_BREAK.search(clause, position, after.start):
        return int(after.due[:4])
    before = next((d for d in reversed(deadlines) if d.end <= position and _opens_part(clause, d.start)), None)
    return int((before or after or deadlines[-1]).due[:4])


_PART_BREAK = re.compile(r"[,，;；]")
_PART_OPENING = re.compile(r"(?:^|[,，;；:：]|\band)\s*$", re.I)


def _opens_part(clause: str, start: int) -> bool:
    """Whether a deadline at `start` opens a part of the clause: at its start, or after a comma or "and"."""
    return _PART_OPENING.search(clause, max(0, start - 5), start) is not None


_DURATION = re.compile(r"\s*(?:working\s+|natural\s+|calendar\s+)?(?:days?|weeks?|months?|years?|hours?|minutes?)\b", re.I)
# "20 tons or more", "300 cattle and above": a bound right after the figure or its unit, or after its counted noun
# where it ends the noun phrase ("secondary and above hospitals" is a grade)
_BOUND = r"(?:or|and(?=\s+(?:above|over|below)\b))\s+(?P<bound>more|above|over|less|below|fewer)\b"
_BOUND_AFTER_FIGURE = re.compile(r"(?P<noun>)\s*" + _BOUND, re.I)
_BOUND_AFTER_NOUN = re.compile(
    r"(?P<noun>\s*(?:[a-z][\w-]*\s+){1,3}?)" + _BOUND
    + r"(?=\s*(?:$|[,;.:，；。：)）]|(?:by|before|in|into|on|onto|to|will|shall|should|are|is|be|and|that|which|for|at|"
    r"within|under|from|across|of)\b))",
    re.I,
)
_BOUND_COMPARATORS = {"more": ">=", "above": ">=", "over": ">=", "less": "<=", "below": "<=", "fewer": "<="}
_QUALIFIER_END = re.compile(r"\s(?:of|with)$", re.I)
_REFERENCE_BEFORE = re.compile(r"(?:No\.|Article|Chapter|\()\s*$", re.I)
_ORDINAL_AFTER = re.compile(r"\s*(?:st|nd|rd|th|-)")
_WORD_AFTER = re.compile(r"\s*[\"“]?[A-Za-z]")
_NOT_A_COUNT_BEFORE = re.compile(r"(?:\bthe|\bsuch\s+as|\band|\bor|\bno\.?|\bnumber|\btop|\d\s+to|[,，、])\s*$", re.I)
_NOT_A_COUNT_AFTER = re.compile(r"\s*(?:hotlines?|lines?|telephone|[,，、]\s*\d|to\s+\d)", re.I)  # "0 to 1": a range
_SHARE_OF = re.compile(r"""\s*(?P<quoted>["“][^"”]{1,40}["”])?\s*of\s+(?:the\s+)?(?P<rest>.*)""")
_OF_QUOTED = re.compile(r"""\s*of\s+["“](?P<term>[^"”]{1,60})["”]""")
_LEADING_OF = re.compile(r"^\s*of\s+")
_PREDICATE = re.compile(r"\s*(?:\w+\s+)?(?:will|shall|to|should)?\s*(?:be|are|is)\s+(?P<rest>.*)")


# The noun phrase a count depends on: "the archives of", "the platform in" (from its article, at most 8 words).
_GOVERNING = re.compile(r"\bthe\s+(?P<phrase>(?:(?!the\s)[^\s,;:，；：]+\s+){0,7}?[^\s,;:，；：]+)\s+(?:of|in)$", re.I)
# How a `_GOVERNING` match ends, in right-stripped text: searched in its last 3 characters before the costlier pattern.
_GOVERNING_END = re.compile(r"\s(?:of|in)$", re.I)
_EXAMPLES = re.compile(r"\s*such\s+as\b", re.I)
_KIND_BEFORE = re.compile(r"\bof\s+(?:the\s+)?(?P<kind>[^,;:，；：]+?)\s*[,，]\s*(?:and\s+)?\w+(?:\s+\w+)?$", re.I)
_QUOTE_MARKS = re.compile(r"[\"“”]")
_SHORT_GAP = re.compile(r"(?:\s+[\w’'-]+){1,4}\s+")  # a counted noun between a spelled number and its deadline
_FROM_END = re.compile(r"\bfrom$", re.I)
_TO_AFTER = re.compile(r"(?:\s+in\s+(?:19|20)\d\d)?\s+to\s", re.I)
# A change from a starting value to the figure after it: "will increase from 86.5% in 2024 to", "reduce the number
# of sites from 120 to"
_CHANGE_FROM = re.compile(
    r"\b(?:increas|ris|rais|grow|expand|improv|reduc|decreas|drop|fall|cut|lift|boost)\w*(?:\s+[^\s,;，；]+){0,6}?"
    rf"\s+from\s+(?P<base>{DIGITS})(?:\s*%|\s+(?:percent|[a-z]+))?(?:\s+in\s+(?P<year>(?:19|20)\d\d))?\s+to$",
    re.I,
)
_FIGURE_END = re.compile(r"\d\s*%?\s*$")
_LIST_JOIN = re.compile(r"(?:[,，]\s*and|[,，]|\band)$", re.I)


def _continues_list(before: str, list_heads: set[int]) -> bool:
    """Whether `before` (right-stripped) is a comma, "and" or both after one of `list_heads`."""
    join = _LIST_JOIN.search(before, max(0, len(before) - 6))
    return join is not None and len(before[: join.start()].rstrip()) in list_heads


def _ends_not_a_count(before: str) -> bool:
    """Whether `before` (right-stripped) ends with `_NOT_A_COUNT_BEFORE`, searched only where a match can start: in its
    last 7 characters ("number" after a word boundary), or at the "such" before the spaces of a closing "such  as"."""
    such = len(before[:-2].rstrip()) - 4
    return _NOT_A_COUNT_BEFORE.search(before, max(0, min(len(before) - 7, such))) is not None


def _after_target_verb(before: str, low: str | None) -> bool:
    """Whether `before` (the clause up to a figure, right-stripped) ends with a target verb; `low` is the clause lowered."""
    if low is not None and not low.endswith(_TARGET_VERB_ENDS, 0, len(before)):
        return False
    verb = _TARGET_VERB.search(before)
    # "from 0 to 1", "3 to 5": the "to" of a range
    return verb is not None and not (verb.group().lower() == "to" and _FIGURE_END.search(before, 0, verb.start()))


def _read_target(clause: str, low: str | None, m, deadlines, list_heads: set[int]) -> tuple | None:
    """Name, unit, value, comparator and baseline of a figure that is a target, and whether it is one only if dated;
    else None.

    `low` is `caseless.lowered(clause)`; `m` is one of `_targets`, its groups read from the clause by offset;
    `deadlines` are the clause's; `list_heads` are the clause positions (ends of deadline phrases and of targets) after
    which a comma or "and" may lead to a count.

    A figure is a target with a comparator ("more than"), as a percentage, after a target verb ("reach"), or
    as a plain count of things in a dated commitment ("build 12 facilities by the end of 2025").
    """
    num_start, num_end = m.span("num")
    num = clause[num_start:num_end]
    unit_start, unit_end = m.span("unit")
    unit = clause[unit_start:unit_end].lower() if unit_start >= 0 else ""
    tail = clause[m.start("tail"):m.end("tail")]
    if _DURATION.match(tail):
        return None  # a duration: a time limit, not a target
    if _ORDINAL_AFTER.match(clause, num_end):
        return None
    before = clause[: m.start()].rstrip()
    # "20 tons or more"; a figure with a unit counts no noun after it
    bound = _BOUND_AFTER_FIGURE.match(tail) or (None if unit else _BOUND_AFTER_NOUN.match(tail))
    if bound is not None:
        if _QUALIFIER_END.search(before, max(0, len(before) - 5)):
            return None  # "facilities with a capacity of 20 tons or more": a threshold that picks things, not a target
        tail = bound.group("noun") + tail[bound.end():]
    # `before` is right-stripped, so a reference word ends it: a match starts within its last 7 characters.
    if _REFERENCE_BEFORE.search(before, max(0, len(before) - 7)):
        return None
    cmp = clause[m.start("cmp"):m.end("cmp")]  # empty where no comparator took part: its offsets are -1
    if _FROM_END.search(before, max(0, len(before) - 5)) and _TO_AFTER.match(tail):
        return None  # "increase from 40% to 70%": the starting value, read with the target
    # "the rate will increase from 86.5% in 2024 to 95%": the target, with its baseline
    change = _CHANGE_FROM.search(before, max(0, len(before) - 120)) if before.endswith("to") else None
    baseline = change and {"value": parse_number(change.group("base")), "year": change.group("year") and int(change.group("year"))}
    needs_date = not (cmp or unit.startswith(("%", "percent", "per")) or change or _after_target_verb(before, low))
    if needs_date and not num[0].isdigit() and not (
        _continues_list(before, list_heads) or any(_SHORT_GAP.fullmatch(clause, num_end, d.start) for d in deadlines)
    ):
        return None  # "two provinces": spelled small counts are often descriptive; a target is tied to its deadline
    if needs_date and not (
        "." not in num and _WORD_AFTER.match(tail) is not None
        and not clause[num_end : num_end + 1].isalpha()  # "5G networks": a name, not a count
        and (not _ends_not_a_count(before) or _continues_list(before, list_heads))
        and not _NOT_A_COUNT_AFTER.match(tail)
    ):
        return None
    scale_start, scale_end = m.span("scale")
    scale = clause[scale_start:scale_end] if scale_start >= 0 else None
    try:
        value = scaled_number(num, scale)
    except ValueError:
        return None
    if unit in ("percent", "per cent"):
        unit = "%"
    if unit == "%":
        of = _SHARE_OF.match(tail)
        if of:
            name = _noun_phrase((of.group("quoted") or "") + " " + of.group("rest"))
        else:
            name = _name_before(before, clause, m, deadlines)
    elif quoted := _OF_QUOTED.match(tail):
        name = quoted.group("term")  # "50 items of "one certificate and one compliance"": the quoted kind of item
    else:
        if unit:  # "300 types of electronic licenses", "120 kilometres of roads": the unit measures what follows
            tail = _LEADING_OF.sub("", tail)
        examples = _EXAMPLES.match(tail)
        name = _noun_phrase(tail) if examples is None else ""
        if examples is not None and unit and (kind := _KIND_BEFORE.search(before)) is not None:
            name = _noun_phrase(kind.group("kind"))  # "a list of X …, 100 items such as A, B": the items are X
        elif not name or name.lower() in _COUNT_NOUNS:
            predicate = _PREDICATE.match(tail)
            name = _noun_phrase(predicate.group("rest")) if predicate else name
        elif _GOVERNING_END.search(before, max(0, len(before) - 3)) and (governed := _GOVERNING.search(before)) is not None:
            # "complete the archives of 24 villages": the villages with archives are counted; "the handling of 50
            # matters between A and B": the handling between A and B, counted in matters
            phrase = _QUOTE_MARKS.sub("", governed.group("phrase"))
            name = f"{phrase} {name}" if unit else f"{name} with {phrase}"
        if not name:
            name = _name_before(before, clause, m, deadlines)
    name = _trim_quotes(name)
    if not name or name.lower() in _COUNT_NOUNS:
        return None
    if scale and unit == "yuan":
        unit = f"{scale.strip()} yuan"
        value = float(parse_number(num) or value)
    comparator = _comparator(cmp) if cmp or bound is None else _BOUND_COMPARATORS[bound.group("bound").lower()]
    return name, unit, value, comparator, baseline, needs_date


_QUOTES = "\"“”'"


def _trim_quotes(name: str) -> str:
    """The name without quote marks at its ends, but for one closing a quote begun within: 'key "one thing"'."""
    name = name.strip()
    inner = name.strip(_QUOTES)
    if name.endswith(("\"", "”")) and sum(inner.count(q) for q in "\"“”") % 2:
        return inner + name[-1]
    return inner


_COUNT_NOUNS = {"items", "item", "matters", "matter", "pieces", "times", "will", "be"}
_PHRASE_STOP = CaselessPattern(
    r"\s+(?:will|shall|should|would|can|are|is|was|were|be|been|have|has|had|by|before|after|through|which|that|so|"
    r"to\s+(?:be|achieve|reach|realize)|in\s+(?:the\s+(?:first|second)\s+half\s+of\s+)?(?:19|20)\d\d)\b|[,;.，；。:：(（]"
)


def _noun_phrase(text: str) -> str:
    """The measure named after a figure: words up to the verb or punctuation that ends the phrase, at most 9."""
    text = text.strip()
    stop = _PHRASE_STOP.search(" " + text)
    phrase = (" " + text)[: stop.start()] if stop else " " + text
    words = phrase.split()[:9]
    return " ".join(words).strip()


_SUBJECT_VERB = re.compile(
    r"\s(?:will|shall|should|must|is|are|be|has|have|reach(?:es|ed)?|achieve[sd]?|exceed\w*|rise[sn]?|increase[sd]?|"
    r"decrease[sd]?|reduce[sd]?|drop\w*|stabiliz\w*|maintain\w*|keep\w*|controlled|account(?:s|ed)?\s+for)\b",
    re.I,
)
_SERIES_BEFORE = re.compile(rf"(?:(?:{DIGITS})\s*%?\s*(?:[,，]|and)\s*)+$", re.I)
_SERIES_AFTER = re.compile(rf"(?:\s*(?:[,，]|and)\s*(?:{DIGITS})\s*%?)*\s*[,，]?\s*respectively\b", re.I)
_AND = re.compile(r"\s+and\s+", re.I)


def _name_before(before: str, clause: str, m, deadlines) -> str:
    """The measure named before a figure: the subject of "the online handling rate … will reach 90%".

    Of figures given "respectively" ("the A and B rates reach 20% and 50% respectively") each names its own conjunct.
    """
    if "respectively" in clause:
        later = _SERIES_AFTER.match(clause, m.end("unit") if m.group("unit") else m.end("num"))
        if later is not None:
            earlier = _SERIES_BEFORE.search(before)
            position = len(_FIGURE.findall(earlier.group())) if earlier else 0
            conjuncts = _conjuncts(
                _subject(before[: earlier.start()] if earlier else before), position + 1 + len(_FIGURE.findall(later.group()))
            )
            if conjuncts:
                return conjuncts[position]
    # "and by the end of 2027 the number of points will exceed 450": the subject follows the deadline
    opening = max((d.end for d in deadlines if d.end <= len(before)), default=0)
    return opening and _subject(before[opening:]) or _subject(before)


_FIGURE = re.compile(DIGITS)


def _subject(before: str) -> str:
    """The subject of the last comma-separated part of `before`: its words before the verb, at most 16.

    The verb is the first modal ("will") or else the first verb: "the share of villages whose waste is sorted will
    reach". A list's tail continues the part its commas cut: "the share of villages whose waste is collected,
    transported and disposed will reach".
    """
    starts = [0] + [m.end() for m in _PART_SEPARATOR.finditer(before)]
    last = before[starts[-1]:]
    verb = _MODAL.search(last) or _SUBJECT_VERB.search(last)
    subject = last[: verb.start()] if verb and verb.start() > 0 else _leading_gerund_and_trailing_verb_cut(last)
    if verb and _LEADING_FILLER.fullmatch(subject):  # "and keep the PM2.5 concentration below": the verb's object
        subject = last[verb.end():]
    parts = [before[start:end - 1] for start, end in zip(starts, starts[1:])] + [subject]  # without their commas
    first = len(parts) - 1
    while first > 0 and _LIST_ITEM.fullmatch(parts[first]):
        first -= 1
    if first < len(parts) - 1 and _LIST_HEAD.match(parts[first]):
        subject = before[starts[first]:starts[-1]] + subject
    name = " ".join(subject.split()[-16:]).strip()  # (a deadline phrase always spans words: no single word is one)
    return _LEADING_FILLER.sub("", name, count=1)


def _leading_gerund_and_trailing_verb_cut(phrase: str) -> str:
    """A verbless phrase before a figure without its verbs: "raising the capacity of the plant to" is "the capacity of
    the plant"."""
    target_verb = _TARGET_VERB.search(phrase)
    return _LEADING_GERUND.sub("", phrase[: target_verb.start()] if target_verb else phrase)


_LEADING_FILLER = re.compile(r"^\s*(?:(?:and|the|a|an|in|by|of|to|strive)(?:\s+|$))*", re.I)
_PART_SEPARATOR = re.compile(r"[,，](?!\d)|[;；:：]")  # not the comma of "1,000"
_MODAL = re.compile(r"\s(?:will|shall|should|must)\b", re.I)
_LIST_ITEM = re.compile(r"\s*[\w-]+(?:\s+[\w-]+)?(?:\s+(?:and|or)\s+[\w-]+(?:\s+[\w-]+)?)?\s*")
# The part a list continues: a noun with a modifier that holds the list ("of", "whose …"), ending with a word; not an
# opening phrase ("In the course of reform, A and B will …").
_LIST_HEAD = re.compile(
    r"(?!\s*(?:in|at|by|before|after|during|under|through|for|on|with|to|as|from|since|upon|within|according)\b)"
    r"[^,，]*\b(?:of|whose|which|that|with)\b[^,，]*[a-z]\s*$",
    re.I,
)
_LEADING_GERUND = re.compile(r"^\s*[a-z]+ing\s+(?=(?:the|a|an|its|their)\s)", re.I)


def _conjuncts(subject: str, count: int) -> list[str] | None:
    """`subject` split into `count` conjuncts sharing its head: "the A and B rates" gives "A rates", "B rates".

    Where it holds more joins than needed, those repeating its first word split it ("international passenger and
    international cargo and mail throughput"); None when no split gives `count` parts.
    """
    if not subject:
        return None
    joins = list(_AND.finditer(subject))
    if len(joins) > count - 1:
        first = subject.split(None, 1)[0].lower()
        joins = [j for j in joins if subject[j.end():].lower().startswith(first + " ")]
    if len(joins) != count - 1:
        return None
    bounds = [0] + [x for j in joins for x in (j.start(), j.end())] + [len(subject)]
    parts = [subject[bounds[k]:bounds[k + 1]].strip() for k in range(0, len(bounds), 2)]
    head = parts[-1].split(" of ", 1)[0].split()[-1]  # "throughput" of "cargo and mail throughput of the airport"
    return [p if p.split()[-1] == head or k == len(parts) - 1 else f"{p} {head}" for k, p in enumerate(parts)]
