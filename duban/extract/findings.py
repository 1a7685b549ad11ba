"""Findings: problem clauses of inspection and audit reports, with the parties at fault and the money involved."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterator


from ..corpus.caseless import CaselessPattern, lowered, mentions_lowered
from ..corpus.starts import StartFinder
from .clauses import strip_trailing_punct
from .model import Doc, Item
from .numbers import SPELLED_NUMBER, SPELLED_WORDS, money_amounts
from .outcomes import holds_tally
from .paragraphs import Paragraph, paragraphs

_HEADING_NUMBER = r"(?:[IVX]+|\d{1,2}|[一二三四五六七八九十]+)\s*[.、．]\s*"
# Where a report turns to its problems: "The main problems are:", or a short heading "II. Problems found in the audit".
_PROBLEMS_LEAD = CaselessPattern(
    r"\b(?:problems?|issues|shortcomings)\b[^.;:：]{0,80}?(?:\bas\s+follows\b|\bare\s*[:：]|[:：]\s*$)"
    r"|\bfound\s+the\s+following\s+(?:problems?|issues)\b",
)
_PROBLEMS_LEAD_CUES = ("problem", "issues", "shortcomings")  # cheap test: every lead and problems heading holds one
_PROBLEMS_HEADING = re.compile(
    rf"^\W*(?:{_HEADING_NUMBER})?(?:(?:the\s+)?(?:main|major|existing|outstanding)\s+)?(?:problems?|issues)"
    r"(?:\s+(?:found|existing|discovered|identified)\b|\s*$)",
    re.I,
)
# Where it turns to demands, rectification or suggestions.
_PROBLEMS_END = re.compile(
    rf"^\W*(?:{_HEADING_NUMBER})?(?:"
    r"(?:the\s+)?(?:inspect\w*|supervis\w*|audit\w*)(?:\s+\w+){0,3}?\s+"
    r"(?:requested|required|demanded|stressed|emphasi[sz]ed|urged|asked|proposed|suggested|recommended)\b"
    r"|rectification(?:\s+(?:of\s+(?:the\s+)?(?:problems|issues)|status|situation|progress)\b|\s*$)|audit\s+rectification\s*$"
    r"|(?:(?:audit|inspection)\s+)?(?:handling|treatment|disposal)\s+and\s+rectification\s*$"
    r"|(?:audit\s+)?(?:suggestions|recommendations)\s*$)",
    re.I,
)
# A heading that announces a kind of problem ("First, …", "The second is …").
_ORDINAL = re.compile(
    r"^\W*(?:(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)(?:ly)?\s*[,，:：]"
    r"|(?:one|two|three|four|five|six|the\s+(?:first|second|third|fourth|fifth|sixth|last))\s+is\b)",
    re.I,
)


def _by_first_letter(alternatives: tuple[str, ...]) -> str:
    """Word alternatives as one group, those sharing a first letter gathered under it; those starting otherwise last.

    At a word the regex engine then tries the alternatives of its first letter only, not all of them (several times
    faster); at any position the alternatives that can match are tried in the same order, so every match is the same.
    """
    groups: dict[str, list[str]] = {}
    for alt in alternatives:
        letter = alt[0] if alt[0].isalpha() and alt[1:2] not in ("?", "*", "{") else ""
        if groups.get("") and letter:
            raise ValueError(f"alternatives not starting with a letter come last: {alt}")
        groups.setdefault(letter, []).append(alt[len(letter):])
    return "(?:" + "|".join(f"{k}(?:{'|'.join(alts)})" if k else "|".join(alts) for k, alts in groups.items()) + ")"


# Failure, violation or shortfall, in any report.
_FAILURE = CaselessPattern(r"\b" + _by_first_letter((
    r"not\b(?!\s+only\b)", r"no\b(?!\.)", r"nor\b", r"without\b", r"lack(?:s|ed|ing)?\b", r"fail(?:s|ed|ure)?\b",
    r"illegal(?:ly)?\b", r"violat\w*", r"unauthori[sz]ed\b", r"irregular(?:ly|ities)?\b", r"non-?standard\b",
    r"non-?complian\w*", r"improper(?:ly)?\b", r"unreasonabl[ey]\b", r"false(?:ly)?\b", r"fraud\w*", r"exceed\w*",
    r"over-\w+", r"overload\w*", r"beyond\b", r"insufficient(?:ly)?\b", r"inadequate(?:ly)?\b", r"imperfect\b", r"incomplete\b",
    r"inaccurate\b", r"lax\b", r"weak\w*", r"overdue\b", r"delay\w*", r"late\b", r"lag(?:s|ged|ging)?\s+behind\b",
    r"behind\s+schedule\b", r"slow(?:ly)?\b", r"idl(?:e|ing)\b", r"ow(?:e|es|ed)\b", r"forg(?:ed|ery|eries)\b",
    r"below\s+(?:the\s+)?market\b", r"retain\w*", r"unused\b", r"occup(?:ied|ying|y)\b",
    r"before\s+(?:the\s+)?(?:[\w-]+\s+){0,2}?(?:acceptance|approval)\b",  # "returned the deposit before the acceptance"
    r"encroach\w*", r"misappropriat\w*", r"divert\w*", r"embezzl\w*", r"excessive(?:ly)?\b", r"repeated(?:ly)?\b",
    r"understat\w*", r"overstat\w*", r"loss(?:es)?\b", r"risks?\s+of\b", r"damag\w*", r"destro\w*",
    r"serious(?:ly)?\b", r"prominent\b", r"outstanding\b", r"problems?\b", r"deteriorat\w*", r"worse\b",
    r"shortfall\b", r"evad\w*", r"evasion\b", r"neglect\w*", r"absen(?:t|ce)\b", r"abus\w*", r"inaction\b",
    r"chao(?:s|tic)\b", r"abnormal(?:ly)?\b", r"poor\b", r"ineffective\w*", r"inefficien\w*", r"perfunctor\w*",
    r"superficial\w*", r"fake\b", r"sham\b",
    r"un(?:qualified|collected|paid|approved|licensed|treated|finished|implemented|rectified|completed|reported"
    r"|lawful\w*)\b",
    r"conniv\w*", r"acquiesc\w*", r"blind\s+eye\b", r"lenien\w*", r"dereliction\b", r"malpractice\b", r"falsif\w*",
    r"fabricat\w*", r"fictitious\b", r"inflat\w*", r"arrears\b", r"misus\w*", r"crowd(?:ed|ing)?\s+out\b",
    r"squeez\w*", r"overpa\w*", r"underpa\w*", r"withh[eo]ld\w*", r"intercept\w*", r"conceal\w*", r"brib\w*",
    r"dump\w*", r"stalled\b", r"backlog\w*", r"discharg\w*\s+(?:[\w-]+\s+){0,3}?directly\b", r"directly\s+discharg\w*",
    r"(?:in|into|within)\s+(?:the\s+)?(?:[\w-]+\s+){0,5}?"
    r"(?:nature\s+reserves?|core\s+area|protection\s+zone|protected\s+area|red\s+line)\b",
)))
# Changes, degrees and sums of money that state a shortfall only inside a report's problem section.
_SHORTFALL = CaselessPattern(
    r"\b" + _by_first_letter((r"increas\w*", r"decreas\w*", r"declin\w*", r"drop(?:s|ped)?\b", r"reduc\w*", r"still\b",
                              r"only\b", r"low\b"))
)
# Enforcement already taken ("interviewed 12 responsible persons and recovered 1.9 million yuan") is no shortfall.
_REMEDY = CaselessPattern(
    r"\b(?:interviewed|recovered|recouped|returned|rectified|punished|fined|detained|accountable"
    r"|ordered\s+(?:\w+\s+){0,4}?to\s+rectify)\b",
)
_REMEDY_CUES = ("interviewed", "recovered", "recouped", "returned", "rectified", "punished", "fined", "detained",
                "accountable", "ordered")  # cheap test: every remedy holds one
# General verdicts and reported opinions name no specific case.
_VERDICT = CaselessPattern(
    r"\b(?:pointed\s+out|believes?|believed|think|thinks|thought|held|considers?|considered)\s+that\b"
)
# A demand on a party ("the audited units shall submit …") is no problem statement; "should have paid", "should be
# closed, but …" and "the funds that should be used for …" are.
_DEMAND = CaselessPattern(r"(?<!\bthat\s)(?<!\bwhich\s)\b(?:shall|must|should)\b(?!\s+have\b)")
_DEMAND_CUES = ("shall", "must", "should")
_CONTRAST = CaselessPattern(r"\b(?:but|however)\b")
# A clause that points back at the place or unit named before it.
_ANAPHOR_NOUN = re.compile(
    r"\b(?:the|this|that)\s+(?P<noun>city|county|district|prefecture|lake|reservoir|park|zone|company|enterprise|region|"
    r"province|town|township|village|reserve|plant|mine|station|bureau|department|unit)(?:['’]s)?\b"
    r"|\b(?P<urban>urban)\b",  # "the urban sewage pipe network": the city's
    re.I,
)
_ANAPHOR = CaselessPattern(  # one word boundary before the words: the regex engine tries them at word starts only
    rf"^\W*(?:however|but|meanwhile)\b|\b(?:it\b(?!\s+(?:is|was)\b)|(?:its|they|their)\b|{_ANAPHOR_NOUN.pattern})"
)

_PRIMARY = (
    r"cities|city|counties|county|districts?|prefectures?|townships?|towns?|villages?|provinces?|regions?|banners?|"
    r"parks?|zones?|colleges?|universit(?:y|ies)|schools?|hospitals?|clinics?|enterprises?|compan(?:y|ies)|"
    r"entit(?:y|ies)|units?|institutions?|departments?|bureaus?|agenc(?:y|ies)|banks?|funds?|associations?|"
    r"cooperatives?|reserves?|organs?|factor(?:y|ies)|firms?|depots?|restaurants?|farms?"
)
# Counted objects: parties only where no unit or place is named ("7 projects" but "34 projects in 5 districts").
_OBJECTS = (
    r"projects?|equipment|wells?|boilers?|communit(?:y|ies)|people|persons?|groups?|lessees?|households?|items?|"
    r"facilit(?:y|ies)|workshops?|quarr(?:y|ies)|plants?|stations?|mines?"
)
_OBJECT_NOUN = re.compile(rf"^(?:{_OBJECTS})$", re.I)
_FUNCTION = (
    r"the|a|an|of|for|in|on|at|to|by|with|from|and|or|its|their|this|that|these|those|which|who|was|were|is|are|"
    r"be|been|has|have|had|did|do|does|not|no|than|more|less|about|over|under|still|also|only"
)
_MODIFIER = rf"(?!(?:{_FUNCTION})\b)[a-z][\w-]*(?:['’]s\b|(?<=s)['’])?"  # "2 farmers' cooperatives"
# The inspected institution, named by a common noun: "the group's trading company", "the headquarters of the group".
_INSTITUTIONS = ("group", "university", "company", "corporation", "college", "school", "hospital", "bank", "institute",
                 "enterprise", "bureau", "commission")
_INSTITUTION = f"(?:{'|'.join(_INSTITUTIONS)})"
_OF_INSTITUTION = rf"\s+(?:of|under)\s+the\s+{_INSTITUTION}\b"
# Cheap test: every match of _OWNED_UNIT holds a possessive or this (its leading space lets sre skip to each space).
_OF_INSTITUTION_CUE = CaselessPattern(rf" (?:of|under) the {_INSTITUTION}\b")
_SUB_UNIT = (
    r"(?:headquarters|branch(?:es)?|subsidiar(?:y|ies)|compan(?:y|ies)|hospitals?|schools?|colleges?|institutes?|"
    r"departments?|offices?|cent(?:er|re)s?|groups?|teams?|committees?|bureaus?|depots?|plants?|factor(?:y|ies)|"
    r"stations?|farms?|units?)"
)
# "the group's Qiaodong branch" (but in "the group's subsidiary Donghe Logistics Co." the name is the party).
_OWNED_UNIT = re.compile(
    rf"\b[Tt]he\s+{_INSTITUTION}['’]s\s+(?:[\w-]+\s+){{0,2}}?{_SUB_UNIT}\b(?!\s+[A-Z])"
    rf"|\b(?:[Tt]he\s+)?{_SUB_UNIT}{_OF_INSTITUTION}"
)
# "8 colleges and universities", "9 cities, counties and districts", "4 counties (new towns)", "four nature reserves of X",
# "3 grain depots under the group", "7 units including the Municipal Science and Technology Bureau".
# The lookahead (a digit or the first letter of a spelled number, zero … ninety) spares trying every spelled number at
# every word.
_COUNTED = re.compile(
    rf"(?<![\w.,])(?=(?i:[\dzotfsen]))(?P<count>\d{{1,3}}(?:,\d{{3}})+|\d+|(?i:{SPELLED_NUMBER}))\s+"
    r"(?P<partitive>of\s+(?:the|these|those|its|their)\s+(?:\d[\d,]*\s+)?)?"  # "14 of the 37 plants"
    rf"(?:{_MODIFIER}\s+(?:and\s+)?){{0,4}}?(?P<noun>{_PRIMARY}|{_OBJECTS})(?![\w-])(?:\s*\([^)]{{1,20}}\))?"
    rf"(?:(?:\s*,\s*|\s+and\s+(?:their\s+|its\s+)?)(?:{_MODIFIER}\s+){{0,2}}?(?:{_PRIMARY})\b)*"
    rf"(?P<owner>\s+of\s+(?:the\s+)?[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*|{_OF_INSTITUTION}"
    r"|\s+including\s+(?:the\s+)?[A-Z][\w'’-]*(?:\s+(?:and\s+)?[A-Z][\w'’-]*)*)?"
)
# Where a count can start in ASCII text, for a multi-pattern engine that scans a clause at once (sre tries the spelled
# numbers at every word): a digit after a character that is no word character, point or comma, or a spelled number's
# first word after a word boundary. Each pattern matches one length, so a match's end tells the count's start; each
# start found is then checked with sre. A superset of where `_COUNTED` matches, so its matches are the same.
_COUNT_START_PATTERNS = (
    (rb"^\d", 1), (rb"[^A-Za-z0-9_.,]\d", 1), *((rb"\b" + word.encode(), len(word)) for word in SPELLED_WORDS)
)
_COUNT_STARTS = StartFinder(_COUNT_START_PATTERNS)
_YEAR = re.compile(r"(?:19|20)\d\d")
# Every alternative starts with a capital, matched first (the regex engine then skips to the next capital) and checked
# behind: "Co., Ltd.", "Co.", "Ltd.", "No. 5", or any capitalised word.
_CAP = r"(?:[A-Z](?:(?<=C)o\.,?\s*Ltd\.?|(?<=C)o\.|(?<=L)td\.|(?<=N)o\.\s*\d+|[\w'’&-]*(?:\s+[‘'][a-z][\w-]*)?))"
_PLACE_SUFFIX = r"city|county|district|prefecture|town|township|government|company|bureau|park|zone|reservoir|lake"
# "Development and Reform Commission of the Autonomous Region", "Alar Fulida Fiber Co., Ltd.", "Shihezi city".
_NAMED = re.compile(
    rf"{_CAP}(?:(?:\s+(?:of|and|for|of\s+the|and\s+the))?\s+{_CAP})*(?:\s+(?:{_PLACE_SUFFIX})\b)?(?:{_OF_INSTITUTION})?"
)
# Two names joined by "and": "High-tech Zone and Shuimogou District" (but "Development and Reform Commission" is one).
_NAME_JOIN = re.compile(
    r"\b(?:District|Zone|City|County|Company|Bureau|Commission|Government|Department|Park|Lake|Reservoir|Prefecture|"
    r"Corps|Region)(?P<join>\s+and\s+)"
)
# Capitalised words that do not begin a name (and Roman numerals).
_NOT_NAME_WORDS = frozenset(
    "the a an in on at as by for from of to with through since after before during until however but and or while "
     "although though if when where whether even because so then thus therefore not no he she i you we our mr ms mrs "
     "there here some many most several certain this that these those it its they their all each every overall "
     "other such both among including meanwhile moreover furthermore also especially first second third fourth "
     "fifth sixth one two three four five six seven eight nine ten january february march april may june july august "
     "september october november december grade class level article chapter".split()
)
_ROMAN = re.compile(r"[ivx]+")
_NOT_NAME = CaselessPattern(rf"^(?:{'|'.join(sorted(_NOT_NAME_WORDS))}|[ivx]+)$")  # for words lower-casing changes
# A sentence's capitalised first word is a name only when a verb follows it ("Xinjiang is …", not "External financing …").
_NAME_THEN_VERB = re.compile(r"\s+(?:is|are|was|were|has|have|had|did|does|do|failed|fails|still|also)\b")
# ... and when it is no abstract noun ("Supervision is weak"): no place or unit name ends so (pinyin never does).
_ABSTRACT_NOUN = re.compile(r"(?:tion|sion|ment|ness|ance|ence|ity|ism)$")
# A vague subject ("some localities and departments", "many enterprises") names no party.
_VAGUE = re.compile(
    rf"\b(?:some|many|certain|individual|a\s+few|a\s+(?:large\s+)?number\s+of)\s+(?:[\w-]+\s+){{0,2}}?"
    rf"(?:{_PRIMARY}|localities|places|areas|comrades|cadres|officials|leaders)\b",
    re.I,
)
_VAGUE_BEFORE = re.compile(r"\b(?:some|many|certain|individual|several|a\s+few)\s+$", re.I)
_VAGUE_OF = re.compile(
    r"\b(?:some|many|certain|several|individual|a\s+few|a\s+number\s+of)\s+(?:[\w-]+\s+){0,4}?(?:of|in)\s+(?:the\s+)?$", re.I
)
# Units named in lower case: "the municipal government", "land, tourism and other departments".
_LOCAL_UNIT = (
    r"\b(?:municipal|county|district|prefectural|provincial|city|township|town)\s+"
    r"(?:party\s+committee|(?:people['’]s\s+)?government)\b"
)
_UNIT_PHRASE = re.compile(
    _LOCAL_UNIT + r"|\b(?:[A-Za-z][\w-]*,\s+)*[A-Za-z][\w-]*\s+and\s+other\s+(?:relevant\s+)?departments\b", re.I
)
# Cheap tests: a local unit ends in "committee" or "government", the second kind holds "other" and "departments";
# where the second kind cannot match, the first alone finds the same (and is tried at far fewer words).
_LOCAL_UNIT_PHRASE = re.compile(_LOCAL_UNIT, re.I)
_LOCAL_UNIT_CUES = ("government", "committee")
# Names after "into", "to", "for" receive, and are not at fault ("discharged into Laolong River").
_RECIPIENT = re.compile(r"\b(?:into|to|for|towards?)\s+(?:the\s+)?$", re.I)
# A name that ends the subject, before its verb: "the subsidy allocated to Beitang District has not been used" (the
# holder of the funds), "the deposit paid by X was returned by Y" (a payer, who only describes the deposit).
_BY = re.compile(r"\bby\s(?:the\s)?$")
_ENDS_SUBJECT = re.compile(r"(?:\s+in\s+(?:19|20)\d\d)?\s+(?:has|have|had|is|are|was|were)\b")
# The authority whose word was not followed ("the spirit of the provisions of the Central Committee", "without the
# approval of the municipal government") is not at fault.
_AUTHORITY = re.compile(
    r"\b(?:spirit|provisions?|decisions?|deployments?|arrangements?|instructions?|requirements?|guidelines?|directives?|"
    r"policies|approval|consent|permission|authori[sz]ation)\s+of\s+(?:the\s+)?$",
    re.I,
)
# Units written in lower case before the counted places they belong to: "medical insurance institutions in 6 cities".
_UNIT_NOUNS = (
    r"institutions|agencies|departments|bureaus|hospitals|schools|enterprises|companies|units|organs|banks|"
    r"cooperatives|associations|colleges|universities"
)
_LOWER_UNIT = re.compile(
    rf"(?<![\w'’-])(?P<unit>(?:{_MODIFIER}\s+){{1,3}}(?:{_UNIT_NOUNS}))\s+(?:in|of)\s+(?:the\s+)?(?=\d)(?!(?:19|20)\d\d\b)"
)
# Cheap test: a unit noun ends at the "s" before "in"/"of" and the count's digits (the literal first character lets the
# regex engine skip ahead; no such match overlaps another, so finditer finds every one).
_UNIT_BEFORE_COUNT = re.compile(r"s\s+(?:in|of)\s+(?:the\s+)?\d")
_UNIT_NOUN_WORDS = tuple(_UNIT_NOUNS.split("|"))
# A place named in a prepositional phrase of the predicate ("… in Qinling Mountains", "transported … to a brickyard in
# Qingshi City", "within the red line of the Lan River") only says where something lies or goes: it is not a party
# when the clause names one elsewhere. Inside the subject ("Lake Erik in Karamay City is …") or after "there are" it is.
_LOCATIVE = re.compile(
    r"\b(?:in|into|within|to|from|at|on|near|along|around|across|towards?|inside|outside|of)\s+(?:(?:the|a|an)\s+)?"
    r"(?:(?:[a-z][\w'’-]*\s+){0,6}?(?:of|in)\s+(?:the\s+)?)?$"
)
_PLACE_WORD = re.compile(
    r"(?:Rivers?|Mountains?|Basin|Reserve|Lake|Reservoir|Wetland|City|County|Prefecture|District|Town|Township|"
    r"Village|Province|Region|Area|area|city|county|prefecture|district)$"
)
_VERB = (
    r"is|are|was|were|has|have|had|did|does|do|will|shall|would|should|can|could|may|must|[a-z]+ed|paid|kept|built|"
    r"spent|sold|took|made|lost|left|held"
)
# What ends a subject: a finite verb ("Bosten Lake in Bazhou was included …").
_FINITE = re.compile(
    rf"^[^,;:]*?\b(?:{_VERB})\b"
)
_EXISTENTIAL = re.compile(r"(?:^|[,;]\s*|\bthat\s+)there\s+(?:is|are|was|were|has\s+been|have\s+been)\b[^,;]*$", re.I)
# A name that modifies a lower-case noun ("the Lan River treatment project", "the county government service hall",
# "in Beishawo area") names a thing, not a party.
_ATTRIBUTIVE = re.compile(
    rf"\s+(?!(?:{_FUNCTION}|{_VERB}|[a-z]+ly|under|into|within|without|through|since|after|before|still|also|never)\b)[a-z][\w-]*\b"
    r"(?!\s+(?:and|or)\b)"
)
# The lower-case head a name qualifies, when it is a unit or facility: "the Heqiao Industrial Park sewage treatment plant".
_UNIT_TAIL = re.compile(rf"(?:\s+(?!(?:{_FUNCTION}|{_VERB})\b)[a-z][\w-]*(?<!s)){{0,3}}?\s+{_SUB_UNIT}(?![\w'’-])")
# A name inside a noun phrase, between lower-case words ("an average influent COD concentration"), qualifies a thing.
_MODIFIER_WORD = re.compile(rf"(?!(?:{_FUNCTION}|{_VERB})\b)[a-z][\w-]*")
_NOUN_AFTER = re.compile(rf"{_ATTRIBUTIVE.pattern}(?<!s)")
# "…, involving 2 distribution enterprises": the scale of the problem, not the party at fault.
_INVOLVING = re.compile(r"\binvolving\s+(?:(?:the|a|an)\s+)?$", re.I)
_LOWER_PLACE = re.compile(r"\b(?P<stem>[a-z]{3,})\s+(?:city|county|prefecture|district)\b")
_PLACE_WORDS = tuple(re.compile(rf"{word}\b") for word in ("city", "county", "prefecture", "district"))  # literal
_WORD_CHAR = re.compile(r"\w")
_WORD = re.compile(r"\b[\w'’-]+\b")
_LETTER = re.compile(r"[A-Za-z]")
_POSSESSIVE = re.compile(r"['’]s$")


class _Parties:
    """The units a clause names and the objects it counts, found when first asked for (a clause stating no failure is
    only asked when a later clause points back)."""

    __slots__ = ("_clause", "_low", "_lexicon", "_found")

    def __init__(self, clause: str, low: str | None, lexicon: _Lexicon):
        self._clause, self._low, self._lexicon = clause, low, lexicon
        self._found: tuple[list[str], list[str]] | None = None

    def found(self) -> tuple[list[str], list[str]]:
        if self._found is None:
            self._found = _parties(self._clause, self._low, self._lexicon)
        return self._found


@dataclass
class _Context:
    """What a paragraph's clauses pass on: the parties of those read so far, and whether a problem heading just opened."""

    clauses: list[_Parties] = field(default_factory=list)
    heading: bool = False

    def named(self) -> Iterator[list[str]]:
        """The units named so far, the last first."""
        return (units for units, _ in (clause.found() for clause in reversed(self.clauses)) if units)

    @property
    def parties(self) -> list[str]:
        return next(self.named(), [])

    def place_named(self) -> bool:
        """Whether the last parties were named ("Shihezi City") rather than only counted ("5 districts")."""
        return not all(_COUNTED.match(p) for p in self.parties)

    def referent(self, clause: str) -> list[str]:
        """The parties a clause points back at: the last named of its kind for "the city", else the last named."""
        kind = _ANAPHOR_NOUN.search(clause)
        for parties in self.named() if kind else ():
            noun = "city" if kind.group("urban") else kind.group("noun").lower()
            if match := [p for p in parties if noun in p.lower().split()]:
                return match
        return self.parties


def extract_findings(doc: Doc) -> None:
    """Append a finding for each clause that names a party and says how it failed, violated or fell short."""
    sectioned, clauses = _problem_section(doc)
    context, current = _Context(), None
    for para, start, end in clauses:
        if para is not current:
            context, current = _Context(), para
        _read_clause(doc, para, (start, end), context, sectioned)


def _problem_section(doc: Doc) -> tuple[bool, list[tuple[Paragraph, int, int]]]:
    """Whether the report marks out its problems, and the clauses to read for findings.

    A report with no problems heading is read whole after its title; otherwise reading starts after the heading (or
    at a "First, …" heading that states a failure) and stops at demands, rectification or suggestions.
    """
    title = _squash(doc.title)
    spans, intros = [], []
    for para in paragraphs(doc):
        if not _is_title(para.text, title):
            clauses = para.clauses()
            spans += [(para, s, e) for s, e in clauses]
            # Every intro holds a cue, and a clause's cue is in its paragraph too.
            if mentions_lowered(para.lowered(), _PROBLEMS_LEAD_CUES):
                intros += [_problems_intro(para, s, e) for s, e in clauses]
            else:
                intros += [False] * len(clauses)
    sectioned = any(intros) or any(_problem_heading(para.text[s:e]) for para, s, e in spans)
    in_problems, clauses = not sectioned, []
    for (para, start, end), intro in zip(spans, intros):
        clause = para.text[start:end]
        if _PROBLEMS_END.search(clause):
            in_problems = False
        elif intro:
            in_problems = True
        elif in_problems or _problem_heading(clause):
            in_problems = True
            clauses.append((para, start, end))
    return sectioned, clauses


def _lowered_clause(para: Paragraph, start: int, end: int) -> str | None:
    """The clause's slice of the paragraph lowered once, for the caseless patterns."""
    low = para.lowered()
    return low[start:end] if low is not None else None


def _problems_intro(para: Paragraph, start: int, end: int) -> bool:
    clause = para.text[start:end]
    if _PROBLEMS_HEADING.match(clause) and len(clause.split()) <= 12:
        return True
    low = _lowered_clause(para, start, end)
    return mentions_lowered(low, _PROBLEMS_LEAD_CUES) and _PROBLEMS_LEAD.search_lowered(clause, low) is not None


def _squash(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split())


# A clause is read for a finding up to this length: the longest problem statement in our gold sets has ~440
# characters, and reading a name's context costs time in proportion to the clause, so a clause of thousands of
# unpunctuated words would cost the square of its length.
MAX_CLAUSE_CHARS = 2_000


def _is_title(text: str, title: str) -> bool:
    """Whether the text squashed is the (squashed) title; a cheap test first: the title starts with its first word."""
    first = text.split(None, 1)
    return (not first or title.startswith(first[0])) and _squash(text) == title


def _problem_heading(clause: str) -> bool:
    return bool(_ORDINAL.match(clause) and _FAILURE.search(clause))


def _read_clause(doc: Doc, para: Paragraph, span: tuple[int, int], context: _Context, sectioned: bool) -> None:
    """Append the clause as a finding when it names (or points back at) a party and states a failure."""
    start, end = span
    after_heading, context.heading = context.heading, False
    if end - start > MAX_CLAUSE_CHARS:
        return  # no problem statement: text that runs on this long without a stop is a flattened table or garbage
    clause, low = para.text[start:end], _lowered_clause(para, start, end)
    if mentions_lowered(low, ("that",)) and _VERDICT.search_lowered(clause, low):  # every verdict ends in "that"
        return  # a verdict names no case, and no later clause points back at its parties
    found = _Parties(clause, low, _Lexicon.of(doc))
    context.clauses.append(found)
    failing = bool(_FAILURE.search_lowered(clause, low)) or sectioned and _shortfall(clause, low)
    if not (failing or after_heading):
        return
    units, objects = found.found()
    # A heading states a failure and names no party; the cases under it may run on after a semicolon ("1. Misuse of
    # funds. A diverted …; B spent …").
    context.heading = (failing and not units and not objects) or (after_heading and clause.endswith((";", "；")))
    if units:
        parties = units
    elif objects:  # counted objects lie in the place named before them, else stand for themselves
        parties = context.parties if context.place_named() else objects
    elif not _ORDINAL.match(clause) and _ANAPHOR.search_lowered(clause, low) and not _VAGUE.search(clause):
        parties = context.referent(clause)
    else:
        parties = []
    if parties and not _reports_enforcement_or_demands(clause, low):
        span = para.span(*strip_trailing_punct(para.text, start, end))
        amounts = [v for v, _, _ in money_amounts(clause)]
        doc.items.append(Item("finding", span, {"parties": list(parties), "amounts_yuan": amounts}))


def _reports_enforcement_or_demands(clause: str, low: str | None) -> bool:
    """Whether the clause tallies enforcement taken ("ordered 19 units to rectify") or demands action of a party: what
    the inspection did or asks, not what the party did wrong."""
    if holds_tally(clause):
        return True
    if not mentions_lowered(low, _DEMAND_CUES):
        return False
    return bool(_DEMAND.search_lowered(clause, low)) and not _CONTRAST.search_lowered(clause, low)


def _shortfall(clause: str, low: str | None) -> bool:
    """Inside a problem section: a change, a degree or a sum of money, unless enforcement was already taken."""
    remedied = mentions_lowered(low, _REMEDY_CUES) and _REMEDY.search_lowered(clause, low)
    return not remedied and bool(_SHORTFALL.search_lowered(clause, low) or money_amounts(clause))


def _parties(clause: str, low: str | None, lexicon: _Lexicon) -> tuple[list[str], list[str]]:
    """The units and places the clause names, and the objects it counts, each in reading order."""
    counted = [m for m in _counted(clause) if not _YEAR.fullmatch(m.group("count"))]
    taken = [(m.start(), m.end()) for m in counted]
    counted_objects = [_counts_objects(m) for m in counted]
    found = [(m.start(), m.group().strip()) for m, of_objects in zip(counted, counted_objects) if not of_objects]
    if "'s" in clause or "’s" in clause or _OF_INSTITUTION_CUE.search_lowered(clause, low):
        for m in _OWNED_UNIT.finditer(clause):
            if not _overlaps(taken, m.start()):
                found.append((m.start(), "t" + m.group()[1:] if m.group().startswith("The") else m.group()))
                taken.append(m.span())
    for start, name in lexicon.names(clause):
        if not _overlaps(taken, start) and not _vague_subject(clause, start, name, lexicon):
            name += _unit_tail(clause, start, name)
            found.append((start, name))
            taken.append((start, start + len(name)))
    if low is None or "departments" in low and "other" in low:
        unit_phrase = _UNIT_PHRASE
    else:
        unit_phrase = _LOCAL_UNIT_PHRASE if mentions_lowered(low, _LOCAL_UNIT_CUES) else None
    if unit_phrase:
        found += [(m.start(), m.group()) for m in unit_phrase.finditer(clause) if not _overlaps(taken, m.start(), m.end())]
    found = [
        (start, name) for start, name in found
        if not _receives(clause, low, start, name) and not _authority(clause, start) and not _inside_noun(clause, start, name)
    ]
    counted_units = [(m.start(), m.end()) for m in counted]
    for m in _LOWER_UNIT.finditer(clause) if _unit_before_count(clause) else ():
        a, b = m.start("unit"), m.end("unit")
        if _overlaps(counted_units, a, b) or _VAGUE_OF.search(clause, _past_comma(clause, a), a):
            continue
        if not _VAGUE.match(clause, a) and not _VAGUE_BEFORE.search(clause[:a]):
            found.append((a, m.group("unit")))
    kept = [(start, name) for start, name in found if not _mentioned(clause, low, start, name, found)]
    found = kept if kept else found
    objects = [m.group().strip() for m, of_objects in zip(counted, counted_objects) if of_objects]
    return _unique([name for _, name in sorted(found)]), _unique(objects)


def _counts_objects(count: re.Match[str]) -> bool:
    """Whether a count is of objects; "14 of the 37 plants" and "3 projects of the X Company" name those at fault."""
    return not (count.group("partitive") or count.group("owner")) and _OBJECT_NOUN.match(count.group("noun")) is not None


def _counted(clause: str) -> list[re.Match[str]]:
    """`_COUNTED.finditer(clause)`, tried only where a count can start."""
    if not clause.isascii():  # the engine scans bytes: offsets are characters in ASCII text only
        return list(_COUNTED.finditer(clause))
    found, end = [], 0
    for start in _COUNT_STARTS.starts(clause.encode()):  # as finditer: the first match from each start, going on where the last one ended
        if start >= end and (m := _COUNTED.match(clause, start)):
            found.append(m)
            end = m.end()
    return found


def _receives(clause: str, low: str | None, start: int, name: str) -> bool:
    """Whether the name at `start` follows "into", "to", "for" or "toward(s)" and does not end the subject; a cheap test
    first: "to" or "for"."""
    after_comma = _past_comma(clause, start)
    if low is not None and low.find("to", after_comma, start) < 0 and low.find("for", after_comma, start) < 0:
        return False
    return _RECIPIENT.search(clause, after_comma, start) is not None and not _ENDS_SUBJECT.match(clause, start + len(name))


def _authority(clause: str, start: int) -> bool:
    """Whether the name at `start` is the authority of a directive or approval; a cheap test first: "of" before it."""
    if not clause.endswith(("of ", "of the "), 0, start):
        return False
    return _AUTHORITY.search(clause, _past_comma(clause, start), start) is not None


def _unit_tail(clause: str, start: int, name: str) -> str:
    """The unit or facility a subject's name qualifies, as its lower-case words after the name; "" when none."""
    end = start + len(name)
    if end >= len(clause) or clause[end] != " " or not clause[end + 1 : end + 2].islower():  # cheap test
        return ""
    tail = _UNIT_TAIL.match(clause, end)
    return tail.group() if tail and not _LOCATIVE.search(clause, _past_comma(clause, start), start) else ""


def _inside_noun(clause: str, start: int, name: str) -> bool:
    """Whether the name at `start` sits between lower-case words of one noun phrase; a cheap test first: a lower-case
    letter and a space before it."""
    if start < 2 or clause[start - 1] != " " or not clause[start - 2].islower():
        return False
    word_start = clause.rfind(" ", 0, start - 1) + 1
    return bool(_MODIFIER_WORD.fullmatch(clause, word_start, start - 1) and _NOUN_AFTER.match(clause, start + len(name)))


def _unit_before_count(clause: str) -> bool:
    if not _UNIT_BEFORE_COUNT.search(clause):  # most clauses: spares the generator
        return False
    return any(clause.endswith(_UNIT_NOUN_WORDS, 0, m.start() + 1) for m in _UNIT_BEFORE_COUNT.finditer(clause))


def _mentioned(clause: str, low: str | None, start: int, name: str, found: list[tuple[int, str]]) -> bool:
    """Whether a name only says where something lies, goes or comes from, or what a thing belongs to."""
    end = start + len(name)
    after_comma = _past_comma(clause, start)
    if mentions_lowered(low, ("involving",)) and _INVOLVING.search(clause, after_comma, start):
        return True
    if _BY.search(clause, max(0, start - 8), start) and _ENDS_SUBJECT.match(clause, end):  # "by the " is 7 long
        return True
    if not _LOCATIVE.search(clause, after_comma, start):
        return False
    if mentions_lowered(low, ("there",)) and _EXISTENTIAL.search(clause, max(after_comma - 1, 0), start):  # from the comma
        return False
    if _ATTRIBUTIVE.match(clause, end):
        return True
    if not _PLACE_WORD.search(name) or _COUNTED.match(name):
        return False
    # Skip the names listed with it ("in Midong District, High-tech Zone and Shuimogou District are …").
    ends = {s: s + len(n) for s, n in found}
    while m := re.match(r"\s*(?:,\s*(?:and\s+)?|\s+and\s+)", clause[end:]):
        if end + m.end() not in ends:
            break
        end = ends[end + m.end()]
    return not _FINITE.match(clause[end:])


def _past_comma(clause: str, end: int) -> int:
    """Where a match ending at `end` that holds no comma can begin at the earliest (lookbehinds still see the comma):
    the patterns that end where a name begins are searched from there, not from the clause's start."""
    return clause.rfind(",", 0, end) + 1


def _overlaps(spans: list[tuple[int, int]], start: int, end: int | None = None) -> bool:
    end = start + 1 if end is None else end
    return any(s < end and start < e for s, e in spans)


def _unique(names: list[str]) -> list[str]:
    if len(names) < 2:
        return names
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name.lower(), name)
    return list(seen.values())


def _vague_subject(clause: str, start: int, name: str, lexicon: _Lexicon) -> bool:
    """ "some areas of <the inspected region>" is as vague as "some areas"."""
    return lexicon.is_subject(name) and bool(_VAGUE_OF.search(clause, _past_comma(clause, start), start))


def _not_name(word: str) -> bool:
    """Whether the word, in any case, is one of `_NOT_NAME_WORDS` or a Roman numeral."""
    low = lowered(word)
    if low is None:  # lower-casing is not exact ("ſ"): the pattern matches as IGNORECASE would
        return _NOT_NAME.search(word) is not None
    return low in _NOT_NAME_WORDS or _ROMAN.fullmatch(low) is not None


def _stems_before_place(text: str) -> list[str]:
    """The stems of `_LOWER_PLACE.finditer(text)`, found back from the place words (fast scans for a literal) rather
    than tried at every word: the stem is the run of lower-case letters before the spaces before the place word."""
    stems, taken = [], 0
    for place_start, place_end in sorted(m.span() for place in _PLACE_WORDS for m in place.finditer(text)):
        end = place_start
        while end and text[end - 1].isspace():
            end -= 1
        start = end
        while start and "a" <= text[start - 1] <= "z":
            start -= 1
        if end == place_start or end - start < 3 or start < taken or start and _WORD_CHAR.match(text, start - 1):
            continue  # no space before the place word, no stem of three letters, or one taken or starting mid-word
        stems.append(text[start:end])
        taken = place_end
    return stems


def _word_count(text: str, word: str) -> int:
    """How many of `_WORD.findall(text)` are `word` (lower-case letters), found from its occurrences: a run of word
    characters, apostrophes and hyphens is one word, trimmed to its first and last word character."""
    count, at = 0, text.find(word)
    while at >= 0:
        start, end = at, at + len(word)
        while start and text[start - 1] in "'’-":
            start -= 1
        while end < len(text) and text[end] in "'’-":
            end += 1
        if not (start and _WORD_CHAR.match(text, start - 1)) and not _WORD_CHAR.match(text, end):
            count += 1
        at = text.find(word, at + 1)
    return count


def _unjoined(name: re.Match[str]) -> list[tuple[int, int]]:
    """The spans of the names a match of `_NAMED` joins ("High-tech Zone and Shuimogou District")."""
    joins = [j.span("join") for j in _NAME_JOIN.finditer(name.group())]
    starts = [name.start()] + [name.start() + join_end for _, join_end in joins]
    ends = [name.start() + join_start for join_start, _ in joins] + [name.end()]
    return list(zip(starts, ends))


class _Lexicon:
    """Per-document word knowledge: the place names it writes in lower case, and the words of its title."""

    def __init__(self, doc: Doc):
        text = "\n".join(doc.lines)
        before_place = Counter(_stems_before_place(text))
        # "changji city": a lower-case word the document uses only before "city", "county", … is a place name.
        self.place_stems = {w for w, n in before_place.items() if not _not_name(w) and n == _word_count(text, w)}
        self.title_words = {w.lower() for w in _WORD.findall(doc.title) if w[0].isupper()}

    @classmethod
    def of(cls, doc: Doc) -> _Lexicon:
        lexicon = doc.cache.get("findings_lexicon")
        if lexicon is None:
            lexicon = doc.cache["findings_lexicon"] = cls(doc)
        return lexicon

    def is_subject(self, name: str) -> bool:
        return any(w.lower() in self.title_words for w in name.split())

    def names(self, clause: str) -> list[tuple[int, str]]:
        """Proper names of units and places with their offsets: capitalised runs, and lower-cased place names."""
        out = []
        first_letter = _LETTER.search(clause)
        initial = first_letter.start() if first_letter else -1
        for m in _NAMED.finditer(clause):
            if m.start() and clause[m.start() - 1] == "/":
                continue  # a unit of measure: "mg/L"
            for a, b in _unjoined(m) if "and" in m.group() else (m.span(),):  # every join holds an "and"
                if name := self._trim(clause, a, b, a == initial):
                    out.append((b - len(name), _POSSESSIVE.sub("", name)))  # "Fenglin City's rate": the city
        if mentions_lowered(clause, self.place_stems):  # a cheap test on the clause itself: the pattern is case-sensitive
            out += [(m.start(), m.group()) for m in _LOWER_PLACE.finditer(clause) if m.group("stem") in self.place_stems]
        return out

    @staticmethod
    def _trim(clause: str, start: int, end: int, clause_initial: bool) -> str:
        """The name clause[start:end] without leading function words, ordinals and months; "" for a capitalised first
        word."""
        words = clause[start:end].split()
        while words and _not_name(words[0]):
            words.pop(0)
            clause_initial = False
        if not any(w[0].isupper() for w in words):
            return ""
        if clause_initial and len(words) == 1 and (not _NAME_THEN_VERB.match(clause, end) or _ABSTRACT_NOUN.search(words[0])):
            return ""
        return " ".join(words)
