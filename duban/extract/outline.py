"""The numbered outline of a plan: its items, their headings and bodies, and the units each task is assigned."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..corpus.caseless import CaselessPattern, lowered, mentions, mentions_lowered
from .clauses import is_word_char, matches_opening_with
from .model import Doc
from .numbers import SPELLED_NUMBER, ordinal_value, spelled_value

_ORDINAL_WORDS = r"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth"
_CARDINAL_WORDS = r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
MARKER = re.compile(
    r"^\s*(?:"
    rf"(?P<paren>[(（]\s*(?:\d{{1,3}}|{SPELLED_NUMBER}|[A-Za-z]|[IVXivx]{{1,5}}|[一二三四五六七八九十]{{1,3}})\s*[)）])"
    r"|(?P<dot>\d{1,3}[.．、](?!\d))"
    r"|(?P<roman>[IVX]{1,5}[.．、])"
    rf"|(?P<word>(?:{_ORDINAL_WORDS}|{_CARDINAL_WORDS})(?=\s*[,，、]))"
    r"|(?P<chapter>chapter\s+(?:\d+|[IVXLC]+|[a-z]+)\b)"
    r"|(?P<circle>[①-⑳])"
    r")\s*[,，、]?\s*",
    re.I,
)
# Items that state ideology, principles, goals or background, or define things: not tasks.
NOT_A_TASK = re.compile(
    r"^(?:the\s+)?(?:guiding\s+(?:ideology|thought)|(?:basic|working|main|general)\s+principles?|principles?\b"
    r"|(?:overall|main|general|work(?:ing)?|development|specific|phased|expected|main\s+expected)\s+(?:objectives?|goals?|targets?|results?)"
    r"|objectives?\b|goals?\b|expected\s+results?|pilot\s+units?|[\w-]++(?:\s++[\w-]++)?\s++(?:objectives|goals)\.?$"
    r"|(?:uphold|adhere\s+to|insist\s+on|strengthen)\s+(?:the\s+)?(?:overall\s+|centralized\s+and\s+unified\s+)?leadership\s+of\s+the\s+(?:party|cpc)"
    r"|(?:the\s+)?(?:foundation|background|status\s+quo|current\s+situation|situation\s+and|significance|overall\s+deployment)"
    r"|definitions?|scope\s+of\s+application|composition|general\s+requirements?)",
    re.I,
)
# A heading that only labels its section ("Safeguard measures"): not a task, though what it heads may be.
SECTION_LABEL = re.compile(
    r"^(?:safeguard|guarantee|supporting|security)\s+(?:measures|mechanisms?)\.?$|^safeguards?\.?$"
    r"|^(?:work(?:ing)?|implementation|relevant|other)\s+requirements\.?$",
    re.I,
)
UNITS_HEADING = re.compile(r"^(?:pilot|responsible|lead(?:ing)?|implementing|participating)\s+(?:units?|departments?)\.?$", re.I)
# Every match of UNITS_HEADING opens with one of these (IGNORECASE folds "İ" and "ı" to "i", no other character).
_UNITS_HEADING_OPENINGS = "pPrRlLiI\u0130\u0131"
# The body grows by whole runs up to the next closing bracket (a lazy .+? would try each character): the first closing
# bracket that ends the bracket is found all the same. The body may end with whitespace (split_units drops it).
UNITS_BRACKET = re.compile(
    r"[\[【(（]\s*(?:responsible|lead(?:ing)?|implementing)\s+(?:units?|departments?|unit\s*\(s\))\s*[:：]\s*"
    r"(?P<body>(?:[^\]】)）]++|[\]】)）])+?)[\]】)）](?=[\s.;。；]*(?:$|[\[【(（]))",
    re.I | re.M | re.S,
)
UNITS_BRACKET_CUES = ("responsible", "lead", "implementing")  # a bracket names one of these
UNITS_BRACKET_OPENINGS = "[【(（"  # a bracket opens with one of these
# The label of a statement of units: "Lead unit:", "Cooperating units:", "Responsible department:", "Co-organizers:".
_UNITS_LABEL = (
    r"(?:(?:(?:main|chief|lead(?:ing)?)\s+)?responsible|lead(?:ing)?|co-?operating|coordinating|assisting|supporting"
    r"|participating|implementing|undertaking|competent|pilot)\s+(?:units?|departments?|unit\s*\(s\)|department\s*\(s\))"
    r"|co-?organi[sz]ers?(?:\s*\(s\))?|(?:牵头|配合|责任|协办|承办|主管)(?:单位|部门)"
)
# A statement of an item's units opens its line or follows a sentence: "Lead unit: X; Cooperating units: Y, Z". It
# runs to the line's end (split_units drops a sentence after the units). Its label is looked for before each colon, in
# the characters a label can span: the regex engine would otherwise test every position of the text.
_LABEL_BEFORE_COLON = re.compile(rf"(?:^|(?<=[.。;；]))[ \t]*(?:{_UNITS_LABEL})[ \t]*\Z", re.I | re.M)
_LABEL_SPAN = 48  # more characters than a label with its surrounding blanks spans: the longest label has 34
_LEAD_LABELS = ("lead", "main", "chief", "牵头")  # how the label of the lead unit opens
# Each label of a statement (or of statements on successive lines): at a line's start or after the previous units.
_LABEL_IN_STATEMENT = re.compile(rf"(?:^|(?<=[;；.。]))[ \t]*(?P<label>{_UNITS_LABEL})\s*[:：]", re.I | re.M)


_ENDS_ITEM = re.compile(
    r"^(?:attachments?|annex(?:es)?|appendix|附件|附表)\b|^(?:table|schedule|column)\s*\d"
    r"|^[A-Z][a-z]+\s+\d{1,2},\s*\d{4}$|^\d{4}[-年./]\d{1,2}[-月./]\d{1,2}日?$",
    re.I,
)
_NOTE = re.compile(r"^\s*(?:notes?|remarks?|description|explanation|填表说明|注)\s*[:：]", re.I)
_DECIMAL = re.compile(r"\d+\.\d")
# The mark comes first so that the regex engine skips to the next one; the look-behinds then tell which it is.
_SENTENCE_END = re.compile(r"[.。;；:：](?:(?<=[.。])(?=\s|$|[A-Z\"“])|(?=\s|$))")


@dataclass
class OutlineItem:
    """A numbered line of a plan and the unnumbered paragraphs that follow it."""

    marker: str  # "(four)", "1.", "Two"
    style: str  # paren, dot, roman, word, chapter, circle
    line: int  # file line of the heading
    last_line: int  # last non-blank line before the next numbered line
    heading: str  # text after the marker
    title: str  # heading up to its first full stop
    rest: str  # text after the title, on the heading line and in following paragraphs
    units: list[str] = field(default_factory=list)  # a task's units
    is_task: bool = False
    paragraph_end: int = 0  # last line of the item's first paragraph where a blank line ends it, else 0


def number_as_written(match: re.Match[str]) -> str:
    text = match.group().strip().rstrip(",，、").strip()
    return text


def outline(doc: Doc) -> list[OutlineItem]:
    """The document's numbered items in order, with task status and units resolved; cached on the document."""
    cached = doc.cache.get("outline")
    if cached is None:
        cached = doc.cache["outline"] = _build(doc)
    return cached


def _build(doc: Doc) -> list[OutlineItem]:
    items: list[OutlineItem] = []
    bodies: list[list[str]] = []  # each item's rest, line by line: joined once at the end
    first_paragraph_sizes: list[int] = []  # how many lines of each body belong to the item's first paragraph
    in_first_paragraph = False
    in_note = False
    closed = False  # an attachment heading, table caption or signature date ends the item above it
    for number, raw in enumerate(doc.lines, doc.first_line):
        line = raw.replace("\u00a0", " ").strip()
        if not line:
            if in_first_paragraph:  # the item's first paragraph ends here
                items[-1].paragraph_end = items[-1].last_line
                first_paragraph_sizes[-1] = len(bodies[-1])
            in_note = in_first_paragraph = False
            continue
        if (":" in line or "：" in line) and _NOTE.match(line):  # a note's label ends with a colon
            in_note = True
        m = MARKER.match(line)
        if m and not in_note and not (m.group("dot") and _DECIMAL.match(line)):
            heading = line[m.end():].strip()
            title, rest = _split_title(heading)
            items.append(OutlineItem(number_as_written(m), m.lastgroup, number, number, heading, title, rest))
            bodies.append([rest] if rest else [])
            first_paragraph_sizes.append(0)
            closed, in_first_paragraph = False, True
        elif _ENDS_ITEM.match(line):
            closed = True
        elif items and not in_note and not closed:
            items[-1].last_line = number
            bodies[-1].append(line)
    for k, item in enumerate(items):
        if item.paragraph_end and item.last_line != item.paragraph_end and _ends_a_run_of_paragraphs(items, k):
            item.last_line = item.paragraph_end  # what follows it closes the list, as its own paragraphs
            del bodies[k][first_paragraph_sizes[k] :]
    for item, body in zip(items, bodies):
        item.rest = "\n".join(body)
    _resolve(items)
    return items


def _ends_a_run_of_paragraphs(items: list[OutlineItem], k: int) -> bool:
    """Whether item k, a whole item on its heading's paragraph, is the last of a list whose items are each one such
    paragraph: "(four) Encourage X. Support Y." after "(three) …", before a closing paragraph about the whole."""
    item = items[k]
    if k == 0 or k + 1 < len(items) and items[k + 1].style == item.style:
        return False
    previous = items[k - 1]
    return (
        previous.style == item.style
        and previous.paragraph_end in (0, previous.last_line)  # one paragraph
        and _has_body_on_heading(previous)
        and _has_body_on_heading(item)
    )


def _has_body_on_heading(item: OutlineItem) -> bool:
    """Whether text follows the title on the heading line: the heading opens with the title and its full stop."""
    return bool(item.heading[len(item.title) :].lstrip(" .。;；:："))


def _split_title(heading: str) -> tuple[str, str]:
    m = _SENTENCE_END.search(heading)
    if not m:
        return heading.strip(), ""
    return heading[: m.start()].strip(), heading[m.end() :].strip()


SECTION_STYLES = ("word", "roman", "chapter")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}


def marker_value(marker: str) -> int | None:
    """The ordinal a marker stands for: "(four)" 4, "(A)" 1, "III." 3, "Second" 2."""
    core = re.sub(r"[()（）.．、,，\s]", " ", marker).strip().lower()
    if core.isdecimal():
        return int(core)
    if len(core) == 1 and "①" <= core <= "⑳":
        return ord(core) - ord("①") + 1
    if core in _ROMAN:
        return _ROMAN[core]
    if len(core) == 1 and core.isalpha():
        return ord(core) - ord("a") + 1
    return spelled_value(core) or ordinal_value(core) or (
        "一二三四五六七八九十".index(core) + 1 if len(core) == 1 and core in "一二三四五六七八九十" else None
    )


def _opens_sublist(items: list[OutlineItem], k: int) -> bool:
    """Whether a heading-only item k is a container: numbered sub-items follow it."""
    if k + 1 >= len(items):
        return False
    item, nxt = items[k], items[k + 1]
    if item.style in SECTION_STYLES:
        return nxt.style not in SECTION_STYLES
    if nxt.style == item.style:
        return False
    value = marker_value(nxt.marker)
    return value == 1 or value is not None and _numbering_runs_on_under(items, k, nxt.style, value)


def _numbering_runs_on_under(items: list[OutlineItem], k: int, sub_style: str, value: int) -> bool:
    """Whether sub-items numbered on to `value` ran under item k's previous sibling: "(ii)" over "3." and "4.", then
    "(iii)" over "5.", the sub-items numbered on across the headings."""
    own_style = items[k].style
    j = k - 1
    while j >= 0 and items[j].style not in (own_style, sub_style):
        j -= 1
    if j < 0 or items[j].style != sub_style or marker_value(items[j].marker) != value - 1:
        return False
    return any(items[i].style == own_style for i in range(j))


def _resolve(items: list[OutlineItem]) -> None:
    """Decide which items are tasks, and give each task its units: its own statement, else the nearest enclosing one."""
    # The items that enclose the current one, outermost first (a root stands for the document): each one's style and
    # the units it states over what it heads.
    enclosing: list[tuple[str, list[str]]] = [("", [])]
    excluded_style: str | None = None  # items under a goals/principles/background heading are not tasks either
    for k, item in enumerate(items):
        _close_scopes(enclosing, item.style)
        if excluded_style and (item.style == excluded_style or item.style in SECTION_STYLES and not item.rest):
            excluded_style = None
        # Title and heading open with the heading's first character: most headings fail this cheap test.
        if item.heading[:1] in _UNITS_HEADING_OPENINGS and (
            UNITS_HEADING.match(item.title) or UNITS_HEADING.match(item.heading.rstrip("."))
        ):
            # A "Pilot units." item names the units of the items around it, to the end of the item that encloses them.
            enclosing[-1] = (enclosing[-1][0], split_units(item.rest.split("\n")[0]) if item.rest else [])
            continue
        if NOT_A_TASK.match(item.title):
            excluded_style = excluded_style or item.style
        may_be_task = not (excluded_style or item.style == "chapter" or SECTION_LABEL.match(item.title))
        stated = _decide_task(items, k) if may_be_task else None
        enclosing.append((item.style, stated or []))
        if item.is_task:
            item.units = stated if stated is not None else _inherited_units(enclosing)


def _decide_task(items: list[OutlineItem], k: int) -> list[str] | None:
    """Mark whether item k is a task, and return the units it states for itself and its sub-items (None when none).

    An item with a body that is no task heads no item its units would concern: they are not read."""
    item = items[k]
    body = _without_unit_statements(item.rest)
    if body:
        # A body that ends by announcing the sub-items ("The details are as follows:") only leads into them.
        item.is_task = _says_what_to_do(body) and not (body.endswith((":", "：")) and _opens_sublist(items, k))
        return stated_units(item.title + "\n" + item.rest) if item.is_task else None
    # A heading alone, or with the units of what it heads.
    stated = stated_units(item.title + "\n" + item.rest)
    item.is_task = not _opens_sublist(items, k) and (stated is not None or _reads_as_action(item))
    return stated


def _inherited_units(enclosing: list[tuple[str, list[str]]]) -> list[str]:
    """The units the nearest enclosing statement names over the last item of `enclosing`."""
    for depth in range(len(enclosing) - 2, -1, -1):
        if enclosing[depth][1]:
            return list(enclosing[depth][1])
    return []


def _close_scopes(enclosing: list[tuple[str, list[str]]], style: str) -> None:
    """Close the items that an item of `style` ends: a sibling and what it heads, or, for a section, what no section
    encloses."""
    if enclosing[-1][0] == style:  # most often: a sibling of the item before
        enclosing.pop()
        return
    for depth in range(1, len(enclosing) - 1):
        if enclosing[depth][0] == style:
            del enclosing[depth:]
            return
    if style in SECTION_STYLES:
        depth = 1
        while depth < len(enclosing) and enclosing[depth][0] in SECTION_STYLES:
            depth += 1
        del enclosing[depth:]


def _reads_as_action(item: OutlineItem) -> bool:
    """A heading-only item is a task when it is a whole sentence, not a short caption over sub-items."""
    words = len(item.title.split())
    if item.style in SECTION_STYLES:
        return words >= 8
    return words >= 15 or words >= 6 and item.heading.rstrip().endswith((".", "。"))


def _may_hold_bracket(text: str) -> bool:
    """Cheap test: a units bracket names its units after a colon."""
    return ":" in text or "：" in text


_SIX_HAN = re.compile(r"[\u4e00-\u9fff]{6}")


def _says_what_to_do(body: str) -> bool:
    """Whether an item's body (its text after the heading, without unit statements) is more than a table caption."""
    body = body.strip(" .。;；\n")
    return len(body.split(maxsplit=3)) >= 4 or _SIX_HAN.search(body) is not None


# "(The Ministry of X and the Y Commission will take the lead, and the Z will be responsible …)"
RESPONSIBILITY_NOTE = re.compile(
    r"[(（](?P<body>(?:[^()（）]|[(（][^()（）]*[)）])*?\b(?:take|takes|taking)\s+the\s+lead\b(?:[^()（）]|[(（][^()（）]*[)）])*"
    r"|(?:[^()（）]|[(（][^()（）]*[)）])*?\b(?:shall|will|should)\s+be\s+responsible\b(?:[^()（）]|[(（][^()（）]*[)）])*)[)）]",
    re.I,
)
_RESPONSIBILITY_VERBS = re.compile(
    r"\b(?:(?:shall|will|should|to)\s+)?(?:(?:takes?|taking)\s+the\s+lead|(?:be|are|is)\s+responsible|be\s+in\s+charge)\b"
    r"(?:\s+(?:for\s+implementation|according\s+to\s+(?:the\s+|their\s+)?division\s+of\s+(?:responsibilities|labou?r)))?",
    re.I,
)


def stated_units(text: str) -> list[str] | None:
    """Units an item states: a "[Responsible units: …]" bracket, else a "Lead unit: …" line, else a "(… will take
    the lead …)" note; None when it states none."""
    # The last bracket, else the statements on their own, else the last note, names the units.
    last = None
    if _may_hold_bracket(text):
        for last in matches_opening_with(UNITS_BRACKET, text, UNITS_BRACKET_OPENINGS):
            pass
        if last is not None:
            body = last.group("body")  # after the bracket's label: another label follows a colon
            return labelled_units(last.group()[1:-1]) if ":" in body or "：" in body else split_units(body)
        statements = _units_statements(text)
        if statements:  # together: "Responsible department: X" and, on the next line, "Co-organizers: Y, Z"
            return labelled_units("\n".join(text[start:end] for start, end in statements))
    if "(" in text or "（" in text:
        low = lowered(text)
        if low is None:
            notes = RESPONSIBILITY_NOTE.finditer(text)
        elif _says_who_leads(low):
            notes = matches_opening_with(_NOTE_BRACKETS, low, "(（", lambda at: _opens_note(low, at))
        else:
            notes = ()
        for last in notes:
            pass
        if last is not None:
            body = text[last.start() + 1 : last.end() - 1]  # RESPONSIBILITY_NOTE's body: inside the outer brackets
            return split_units(_RESPONSIBILITY_VERBS.sub(",", body))
    return None


def labelled_units(statement: str) -> list[str]:
    """The units of a statement that opens with a label: "Lead unit: X; Cooperating units: Y, Z" gives [X, Y, Z].

    The units under a "lead" label come first: the lead unit is named first.
    """
    labels = list(_LABEL_IN_STATEMENT.finditer(statement))
    lead: list[str] = []
    others: list[str] = []
    for label, nxt in zip(labels, [*labels[1:], None]):
        units = split_units(statement[label.end() : nxt.start() if nxt else len(statement)])
        (lead if label.group("label").lower().startswith(_LEAD_LABELS) else others).extend(units)
    return lead + others


def _without_unit_statements(rest: str) -> str:
    """An item's text after its heading, without its brackets and lines that state units."""
    if not _may_hold_bracket(rest):
        return rest
    rest = _without_spans(rest, [m.span() for m in matches_opening_with(UNITS_BRACKET, rest, UNITS_BRACKET_OPENINGS)])
    return _without_spans(rest, _units_statements(rest)).strip()


def _without_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` without `spans` (in order, not overlapping)."""
    pieces, pos = [], 0
    for start, end in spans:
        pieces.append(text[pos:start])
        pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


def _units_statements(text: str) -> list[tuple[int, int]]:
    """The spans of the statements of units in `text`: from a label to the end of its line, one per line at most."""
    spans: list[tuple[int, int]] = []
    for colon in _colons(text):
        if spans and colon < spans[-1][1]:
            continue  # a further label of the statement: "…; Cooperating units: …"
        label = _LABEL_BEFORE_COLON.search(text, max(0, colon - _LABEL_SPAN), colon)
        if label is not None:
            end = text.find("\n", colon)
            spans.append((label.start(), end if end >= 0 else len(text)))
    return spans


def _colons(text: str) -> list[int]:
    """The positions of the colons in `text`, in order."""
    found = []
    for colon in ":：":
        at = text.find(colon)
        while at >= 0:
            found.append(at)
            at = text.find(colon, at + 1)
    return sorted(found)


# The brackets a note spans (asides one level deep): RESPONSIBILITY_NOTE's shape, without what it says. Its parse is
# unique, so a note that opens somewhere spans exactly these brackets.
_NOTE_BRACKETS = re.compile(r"[(（][^()（）]*(?:[(（][^()（）]*[)）][^()（）]*)*[)）]")
# What a note says, in lower-cased text; the word boundaries are checked after a match: a pattern that opens with
# letters is only tried where the regex engine finds one of them.
_WHO_LEADS = re.compile(r"(?:take|takes|taking)\s+the\s+lead|(?:shall|will|should)\s+be\s+responsible")


def _says_who_leads(low: str) -> bool:
    """Cheap test on lower-cased text: a note says "take(s)/taking the lead" or "be responsible"."""
    return "tak" in low and "lead" in low or "responsible" in low


def _opens_note(low: str, at: int) -> bool:
    """Whether RESPONSIBILITY_NOTE matches lower-cased text at `at`: brackets that say who leads outside their asides."""
    brackets = _NOTE_BRACKETS.match(low, at)
    if brackets is None:
        return False
    body, end = at + 1, brackets.end() - 1
    for says in _WHO_LEADS.finditer(low, body, end):
        start, stop = says.span()
        if (
            not is_word_char(low[start - 1])  # the opening bracket at the earliest
            and not is_word_char(low[stop])  # the closing bracket at the latest
            and _depth(low, body, start) == 0
        ):
            return True
    return False


def _depth(low: str, start: int, end: int) -> int:
    """How many asides are open at `end`, counting from `start` (outside any)."""
    return low.count("(", start, end) + low.count("（", start, end) - low.count(")", start, end) - low.count("）", start, end)


_HEAD_NOUNS = (
    "department", "departments", "bureau", "bureaus", "office", "offices", "commission", "commissions", "committee",
    "committees", "center", "centre", "centers", "government", "governments", "administration", "agency", "agencies",
    "corps", "unit", "units", "(units)", "group", "company", "limited", "court", "procuratorate", "association",
    "federation", "bank", "institute", "university", "headquarters", "council", "ministry", "ministries", "station",
    "league", "branch", "authority", "authorities", "team", "region", "regions",
    *(f"co.{comma}{space}ltd{stop}" for comma in ("", ",", "\x00") for space in ("", " ") for stop in ("", ".")),
)  # lower-case, as a unit's name may end: whitespace is collapsed to single spaces
_HEAD_NOUN = re.compile(rf"(?:{'|'.join(map(re.escape, _HEAD_NOUNS))})\)?$", re.I)  # where lower-casing is not exact


def _ends_with_head_noun(text: str) -> bool:
    """Whether `text` (whitespace collapsed) ends with a head noun, or one in brackets ("Bureau)")."""
    text = text.rstrip(".")
    low = lowered(text)
    if low is None:
        return _HEAD_NOUN.search(text) is not None
    return low.endswith(_HEAD_NOUNS) or low.endswith(")") and low[:-1].endswith(_HEAD_NOUNS)


_LEAD_NOTE = CaselessPattern(r"\b(?:lead(?:ing)?\s+unit|the\s+same\s+below|listed\s+first|first\s+(?:is|one)|in\s+charge\s+of\s+the\s+lead)\b")
_LEAD_NOTE_CUES = ("lead", "same", "first")  # every match holds one


# The stop comes first so that the regex engine skips to it; the look-behinds then check what precedes it.
_NOTE_AFTER_LIST = re.compile(r"[.。](?<!\bCo.)(?<!\bLtd.)\s+(?=[A-Z(（])")
# The spaces around a separator stay with the parts, which are stripped: a pattern opening with a character class is
# only tried where the regex engine finds one of its characters.
_SEPARATOR = re.compile(r"[,，、;；]")
_LIST_SEPARATOR = re.compile(_SEPARATOR.pattern + r"(?![^(（]*[)）])")  # not inside brackets
_LEADING_JOIN = re.compile(r"^(?:and|as\s+well\s+as|with)\s+", re.I)
_LEADING_THE = re.compile(r"^the\s+", re.I)


def _without_leading(pattern: re.Pattern[str], openings: str, text: str) -> str:
    """`pattern.sub("", text)` for a pattern anchored at the start whose every match opens with one of `openings`.

    Most parts open with none of them: the cheap test spares the regex call. (IGNORECASE folds no other character to
    "a", "t" or "w".)
    """
    return pattern.sub("", text) if text[:1] in openings else text


def split_units(text: str) -> list[str]:
    """Split a list of units as a reader would: at commas and enumeration marks, and at "and" between two whole units."""
    text = " ".join(text.split())  # whitespace (the no-break space too) collapsed to single spaces
    # A note after the list ("Before the comma is the lead unit, the same below") is not a unit.
    note = _NOTE_AFTER_LIST.search(text)
    if note is not None:
        text = text[: note.start()]
    if mentions(text, ("ltd.",)):
        text = _COMPANY_SUFFIX.sub(lambda m: m.group().replace(",", "\x00"), text)
    # Without a closing bracket no separator is inside brackets: the look-ahead that scans for one can be left out.
    parts = (_LIST_SEPARATOR if ")" in text or "）" in text else _SEPARATOR).split(text)
    units: list[str] = []
    lead = 0  # the index of the unit marked "(lead)"; the first one when none is
    may_mark_lead = (")" in text or "）" in text) and mentions(text, _LEAD_MARKER_CUES)
    for part in parts:
        part = _without_leading(_LEADING_JOIN, "aAwW", part.strip(" 。"))
        marker = _LEAD_MARKER.search(part) if may_mark_lead and part.endswith((")", "）")) else None
        if marker is not None:
            part = part[: marker.start()]
        part = _without_leading(_LEADING_THE, "tT", part).replace("..", ".")
        # Only a comma (or its stand-in) can make the part end with "Co., Ltd.", whose full stop stays.
        if not (("\x00" in part or "," in part) and _COMPANY_SUFFIX.search(part + " ")):
            part = part.rstrip(".")
        low = lowered(part)
        if not part or mentions_lowered(low, _LEAD_NOTE_CUES) and _LEAD_NOTE.search_lowered(part, low):
            continue
        if units and len(part.split()) <= 4 and not _names_a_unit(part, low):
            units[-1] = f"{units[-1]}, {part}"  # "Bureau of Culture, Radio, Television and Tourism" is one unit
        else:
            units.extend(_without_leading(_LEADING_THE, "tT", u).replace("\x00", ",") for u in _split_on_and(part))
        if marker is not None:
            lead = len(units) - 1
    if lead:
        units.insert(0, units.pop(lead))
    return units


# A marker after the lead unit's name: "County Water Bureau (lead)".
_LEAD_MARKER = re.compile(r"\s*[(（]\s*(?:lead(?:ing)?(?:\s+(?:unit|department))?|牵头(?:单位)?)\s*[)）]$", re.I)
_LEAD_MARKER_CUES = ("lead", "牵头")  # every marker holds one


_UNIT_WORD = CaselessPattern(
    r"\b(?:department|bureau|office|commission|committee|cent(?:er|re)|government|administration|agenc|corps|units?|"
    r"group|company|co\.|court|procuratorate|association|federation|bank|institut|universit|headquarters|council|"
    r"ministr|station|league|branch|authorit|team|region|localit|cit(?:y|ies)|count(?:y|ies)|prefecture|province|"
    r"district|state|town|village|enterprise|school|hospital|platform|people|party|army|police|customs|fund)"
)
_HAN_UNIT_WORD = re.compile(r"[局委办室厅部院府处站队所会司]")  # a Chinese unit's head character: "农业农村局"


def _names_a_unit(part: str, low: str | None) -> bool:
    """Whether a part of a list holds a word that names a unit; `low` is `caseless.lowered(part)`."""
    if _UNIT_WORD.search_lowered(part, low) is not None:
        return True
    return not part.isascii() and _HAN_UNIT_WORD.search(part) is not None


_COMPANY_SUFFIX = re.compile(r"\bCo\.[,\x00]\s*Ltd\.(?=[\s,.;]|$)", re.I)


_COLLECTIVE_NOUNS = frozenset({"units", "departments", "institutions", "organizations", "organisations"})


def _split_on_and(part: str) -> list[str]:
    """Split at "and" between two whole units; `part` has its whitespace collapsed to single spaces."""
    if " and " not in part:
        return [part]
    pieces = part.split(" and ")
    out = [pieces[0]]
    for piece in pieces[1:]:
        # "departments and units (in each region)" names one collective, not two units
        collective = piece.partition(" ")[0].lower() in _COLLECTIVE_NOUNS
        if not collective and _ends_with_head_noun(out[-1]) and _ends_with_head_noun(piece):
            out.append(piece)
        else:
            out[-1] += " and " + piece
    return out
