"""Splitting a file into documents: crawler noise between articles is dropped, boundaries found by title and topic shift."""

from __future__ import annotations

import re
from itertools import compress
from dataclasses import dataclass
from typing import Iterable, Iterator

from ._topics import content_words, cosine, line_frequencies  # words: stems (first six letters), CJK pairs
from .caseless import CaselessPattern

# A web page's own tools, as a crawler keeps their labels: "【Font size: Large Medium Small】", "Print | Close".
_PAGE_TOOL = (
    r"(?:font(?:\s+size)?|print(?:\s+this\s+(?:page|article))?|close(?:\s+(?:this\s+)?(?:window|page))?|share(?:\s+to)?"
    r"|(?:add\s+to\s+)?favou?rites|collect|bookmark|back\s+to\s+top|字号|打印(?:本页)?|关闭(?:窗口)?|收藏|分享到?)"
)
_TOOL_BUTTON = rf"[【\[]\s*{_PAGE_TOOL}[^】\]]{{0,40}}[】\]]"
_PAGE_LINK = r"(?:previous|prev|next|older|newer)(?:\s+(?:posts?|articles?|entries|entry|one|piece|item|story|news|page))?"
# The header of a list of links to other pages, perhaps with its first link: the headlines under it belong to no
# document either.
_LINKS = (
    r"(?:(?:related|recommended|further|extended|more|latest|recent|popular|hot)\s+(?:reading|posts|articles?|news|links|stories)"
    r"|you\s+may\s+also\s+like|相关(?:阅读|文章|链接|新闻)|推荐阅读|延伸阅读)"
)
_LINKS_LINE = rf"(?:{_LINKS}|[【\[]\s*{_LINKS}\s*[】\]])(?:\s*[:：].*)?"
_LINKS_HEADER = re.compile(rf"^\s*+{_LINKS_LINE}\s*$", re.I)
# The line under an article's title that tells when and where it was published: "Release time: … Source: …".
_ARTICLE_META = re.compile(
    r"(?:released?\s+(?:time|date|on)|publish(?:ed)?(?:\s+(?:time|date|on))?|date|source|author|views|发布时间|来源)\s*[:：]",
    re.I,
)
# Lines a crawler leaves between articles, or a web page around one; each one closes the document before it. Only
# whole-line shapes, so that a body line starting with the same word ("Next, the city will", "Copyright
# protection") is never one. No alternative starts with an optional part and \s*+ gives back no space, so each is
# tried at one place only: a line's first character after its indent.
_NOISE = re.compile(
    r"^\s*+(?:"
    r"通过\s*admin|by\s+admin|posted\s+(?:on\s+.{1,40}?\s+)?by\s+admin|作者[:：]?\s*admin"
    r"|this\s+entry\s+was\s+posted\s+in\b.*|post\s+navigation"
    r"|标签归档.*|tag\s+archives?\b.*|category\s+archives?\b.*|分类目录归档.*|(?:tags?|tagged|标签)\s*[:：].*"
    r"|ad\s?\d{1,2}|advertisement|广告\d*"
    # page navigation: "Previous: <title>", "Next article: <title>", "« Older posts"
    rf"|{_PAGE_LINK}\s*(?:[:：].*|[»›])?|[«‹]\s*{_PAGE_LINK}|last\s+(?:post|article|one|piece)\s*[:：].*"
    r"|上一篇[:：].*|下一篇[:：].*"
    # a site's header and footer: a breadcrumb, a copyright line
    r"|(?:home(?:\s*page)?|首页)\s*[>›»＞→].*|(?:(?:current|your)\s+(?:location|position)|you\s+are\s+here)\s*[:：].*"
    r"|(?:当前位置|您的位置)\s*[:：].*|(?:copyright\s*(?:©|\(c\)|[:：]|(?:19|20)\d\d)|©|版权所有).*"
    rf"|{_TOOL_BUTTON}(?:\s*{_TOOL_BUTTON})*|{_PAGE_TOOL}\s*[:：]?(?:\s*[|｜/·•]\s*{_PAGE_TOOL}\s*[:：]?)*"
    r"|font\s+size\s*[:：].{0,40}|share\s+(?:to|this)\s*[:：].{0,60}"
    rf"|{_LINKS_LINE}"
    r")\s*$",
    re.I,
)
# Numbered headings inside a document: never the title of a new one.
ENUMERATED = re.compile(
    r"^\s*(?:[(（][^)）]{1,12}[)）]|\d{1,3}(?:\.\d+)*[.、．]\s|\d{1,3}\s*[)）]|[IVXLC]{1,6}[.、．]"
    r"|(?:chapter|article|section|part|question|q)\s*[\dIVXLC一二三四五六七八九十]+"
    r"|(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)(?:ly)?\s*[,，、]"
    r"|(?:one|two|three|four|five|six|seven|eight|nine|ten)\s*[,，、]"
    r"|the\s+(?:first|second|third|fourth|fifth|sixth)\s+is\b"
    r"|[一二三四五六七八九十]+[、．.]|[①-⑳●○■□◆◇△▲•·\-—–*#]|\[)",
    re.I,
)
_LEDE = re.compile(
    r"^\W{0,3}(?:"
    r"(?:[A-Z][\w.]*\s){0,4}(?:News\s+Agency|News|Daily|Client|Network|Net|Online|Times|Post|Press|Radio|Television|TV)\b[^.]{0,80}?(?:\d|[A-Z][a-z]+\s+\d)"
    r"|[A-Z]{3,}[,，]?\s+[A-Z][a-z]{2,}\.?\s+\d{1,2}\b|(?:Xinhua|CCTV|Reuters|AP)\b"
    r"|At\s+(?:a|the)\s+(?:press|news)\s+conference\b|According\s+to\b|Recently\b|Today\b|This\s+(?:morning|afternoon)\b|Reference\s+message"
    r"|(?:On|In|Since)\s+(?:[A-Z][a-z]+\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]+)"
    r")"
)
_DATELINE_OR_SIGNATURE = re.compile(
    r"^\s*(?:[A-Z][a-z]+\s+\d{1,2}(?:st|nd|rd|th)?,\s*\d{4}|\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\(?\s*[A-Z][a-z]+\s+\d{4}\s*\)?)\s*$"
)
_TITLE_WORDS = CaselessPattern(
    r"\b(?:notice|opinions?|regulations?|rules|measures|plan|programme|program|report|circular|announcement|"
    r"white\s+paper|decision|provisions|feedback|implementation|law)\b"
)
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
# Reported speech: a quotation, or "X said:". The searches below run only on a line holding their punctuation.
_QUOTE_OPENING = ("\"", "“", "‘", "'")
_QUOTE_CLOSING = tuple(p + q for p in ".!?。" for q in "\"”’")
_SAID = re.compile(r"\b(?:said|says|asked|told)\b\s*[:：,，]", re.I)
_SAID_PUNCTUATION = (":", "：", ",", "，")
# Contact details, captions and credits: never a document's title.
_CONTACT = re.compile(r"\b(?:tel|telephone|fax|e-?mail|address|postcode|zip\s+code|website)\s*[:：]", re.I)
_CAPTION_OR_CREDIT = re.compile(
    r"\s*(?:(?:table|figure|fig\.|column|chart)\s*\d|(?:translated\s+from|reprinted\s+from|originally\s+published)\b)", re.I
)
_DOCUMENT_END = re.compile(
    r"^\s*(?:[(（].{0,40}(?:reporter|editor|correspondent|source|xinhua|cctv|央视|新华|记者|来源).{0,40}[)）]"
    r"|[\[【(（]?\s*(?:author|authors|source|editor(?:\s+in\s+charge)?|responsible\s+editor|information\s+source|来源|作者|责任编辑|编辑)"
    r"\s*(?:[:：]|[\]】)）]).*)\s*$",
    re.I,
)

BOUNDARY_THRESHOLD = 1.2
COHESION_WINDOW = 150  # content words looked at on each side of a candidate boundary
# A runaway run (no separator for a long stretch) is cut at a blank line once it holds this many lines or characters,
# and at any line once it holds twice as many characters (a dump with no blank line at all), so memory stays flat.
MAX_DOCUMENT_LINES = 20_000
MAX_RUN_CHARS = 1 << 23


@dataclass
class Segment:
    """A run of a file's lines that holds one document: `first_line` is the file line of `lines[0]`."""

    first_line: int
    lines: list[str]


def is_noise(line: str) -> bool:
    return bool(_NOISE.match(line))


def split_segments(lines: Iterable[str]) -> Iterator[Segment]:
    """Group a file's lines into documents, streaming: only one run between separators is held at a time."""
    chunk: list[str] = []
    first, size = 1, 0
    links: list[str] | None = None  # under a "Related reading:" header: the lines since its last headline
    noise, max_lines, max_chars = _NOISE.match, MAX_DOCUMENT_LINES, MAX_RUN_CHARS
    for number, line in enumerate(lines, 1):
        if line and noise(line):  # (half the lines are empty, never noise)
            yield from _split_chunk(first, chunk)
            chunk, first, size = [], number + 1, 0
            links = [] if _LINKS_HEADER.match(line) else None
            continue
        if links is not None:
            text = line.strip()
            if not text:
                if links:
                    links.append(line)
                continue
            if _is_headline(text) and not _ARTICLE_META.match(text):
                links = [line]
                continue
            # an article's text or its release line has ended the list: the headline just before it is its title
            chunk, first, links = links, number - len(links), None
        chunk.append(line)
        size += len(line)
        if (size >= max_chars or len(chunk) >= max_lines) and (not line.strip() or size >= 2 * max_chars):
            yield from _split_chunk(first, chunk)
            chunk, first, size = [], number + 1, 0
    yield from _split_chunk(first, chunk)


def _is_headline(text: str) -> bool:
    """A stripped line shaped like the headline of a link: short, and not a sentence or a clause."""
    return len(text) <= 150 and not text.endswith((".", "。", ",", ";", ":", "，", "；", "：", "、"))


def _split_chunk(first_line: int, lines: list[str]) -> Iterator[Segment]:
    stripped = list(map(str.strip, lines))
    nonblank = list(compress(range(len(stripped)), stripped))
    if not nonblank or len(nonblank) == 1 and _is_headline(stripped[nonblank[0]]):
        return  # a lone heading between separators is a site's name or a section's label, not a document
    topics = _Topics(lines, nonblank)
    starts = [0]
    for k in range(1, len(nonblank) - 1):  # the last line of a run never opens a document
        if _title_shaped(stripped[nonblank[k]]) and _is_boundary(lines, stripped, nonblank, topics, k, starts[-1]):
            starts.append(k)
    for a, b in zip(starts, starts[1:] + [len(nonblank)]):
        lo, hi = nonblank[a], nonblank[b - 1]
        yield Segment(first_line + lo, lines[lo : hi + 1])


class _Topics:
    """The content words of a run's non-blank lines and how many lines hold each, read once a candidate needs them.

    Every line is counted for the idf, but only the lines in a window are split into words.
    """

    def __init__(self, lines: list[str], nonblank: list[int]):
        self._lines, self._nonblank = lines, nonblank
        self._words: list[list[str] | None] = []
        self._frequencies: dict[str, int] | None = None

    def add_shift(self, score: float, k: int, current_start: int) -> float:
        """`score` plus the evidence of a topic shift at non-blank line k: low tf-idf cosine between the sides.

        The idf of a word is log((1 + lines) / lines holding it), over the non-blank lines of the run being split.
        """
        if self._frequencies is None:
            self._words = [None] * len(self._nonblank)
            self._frequencies = line_frequencies(list(map(self._lines.__getitem__, self._nonblank)))
        before = self._window(k - 1, max(current_start, k - 60) - 1, -1)
        after = self._window(k, min(len(self._words), k + 60), 1)
        if len(before) < 25 or len(after) < 25:
            score -= 0.5  # too little text on one side to judge a topic shift
        return score + (0.1 - cosine(before, after, self._frequencies, len(self._nonblank))) * 10

    def _window(self, start: int, stop: int, step: int) -> list[str]:
        """Up to COHESION_WINDOW words from non-blank line `start` towards `stop`, nearest lines first."""
        words, out = self._words, []
        for k in range(start, stop, step):
            if words[k] is None:
                words[k] = content_words(self._lines[self._nonblank[k]])
            out.extend(words[k])
            if len(out) >= COHESION_WINDOW:
                return out[:COHESION_WINDOW]
        return out


_ATTACHMENT_HEADINGS = ("attachment", "attachments", "annex", "appendix")
_ATTACHMENT_CHARS = max(map(len, _ATTACHMENT_HEADINGS))
MOST_TOPIC_SHIFT = (0.1 - 0.0) * 10  # what add_shift adds at most: a cosine of 0
TITLE_WORDS_SCORE = 0.4


def _is_boundary(
    lines: list[str], stripped: list[str], nonblank: list[int], topics: _Topics, k: int, current_start: int
) -> bool:
    """Whether non-blank line k, title-shaped, opens a new document (current_start < k < the run's last non-blank line).

    `stripped` holds the lines stripped. The tests run cheapest first; the topic shift, the costliest, only where it
    can still decide.
    """
    text = stripped[nonblank[k]]
    prev = stripped[nonblank[k - 1]]
    if prev.endswith((":", "：")):
        return False  # the value of a "Source:" or "Attachment:" line
    # (no colon to strip from prev then; lower-casing never shortens a line, so only a short one can be a heading)
    if _DATELINE_OR_SIGNATURE.match(prev) or len(prev) <= _ATTACHMENT_CHARS and prev.lower() in _ATTACHMENT_HEADINGS:
        return False  # an attachment after a signed notice belongs to the notice
    if k - 1 == current_start and looks_like_title(prev):
        return False  # the second line of a title
    evidence = _opening_evidence(lines, stripped, nonblank, k, prev)
    period = text.endswith((".", "。"))
    if _shape_score(evidence, True, period) + MOST_TOPIC_SHIFT < BOUNDARY_THRESHOLD:
        return False  # not a boundary even with title words and a complete change of topic
    score = _shape_score(evidence, bool(_TITLE_WORDS.search(text)), period)
    if score + MOST_TOPIC_SHIFT < BOUNDARY_THRESHOLD or not _unlike_body_text(text):
        return False
    return topics.add_shift(score, k, current_start) >= BOUNDARY_THRESHOLD


def _opening_evidence(lines: list[str], stripped: list[str], nonblank: list[int], k: int, prev: str) -> float:
    """Evidence that non-blank line k opens a document from the lines around it: a credit before, a lede after."""
    score = 0.0
    if _DOCUMENT_END.match(prev):
        score += 1.0
    nxt = lines[nonblank[k + 1]]
    if _LEDE.match(stripped[nonblank[k + 1]]):
        score += 1.5
    if nxt.startswith("\u00a0") or "\u00a0" in "".join(lines[nonblank[k] + 1 : nonblank[k + 1]]):
        score += 1.7  # blog editors open a post's body with a non-breaking space
    elif nxt.startswith("  ") and not lines[nonblank[k]].startswith(" "):
        score += 0.8
    return score


def _shape_score(evidence: float, title_words: bool, period: bool) -> float:
    """The evidence from around a title-like line, with its wording: title words count for it, a full stop against."""
    score = evidence + TITLE_WORDS_SCORE if title_words else evidence
    return score - 0.3 if period else score


def looks_like_title(text: str) -> bool:
    """A stripped line shaped like a document title: short, unnumbered, not a clause that continues."""
    return _title_shaped(text) and _unlike_body_text(text)


def _title_shaped(text: str) -> bool:
    """The cheap tests of looks_like_title, which most lines fail."""
    return 6 <= len(text) <= 220 and not text[0].islower() and not text.endswith((",", ";", ":", "，", "；", "：", "、"))


def _unlike_body_text(text: str) -> bool:
    """The costly tests of looks_like_title: not numbered, a credit, speech, contact details or a Chinese sentence."""
    if len(text) > 80 and len(text.split()) > 40:  # 41 words take at least 81 characters
        return False
    if ENUMERATED.match(text) or _DOCUMENT_END.match(text) or _CAPTION_OR_CREDIT.match(text):
        return False
    if text.startswith(_QUOTE_OPENING) or text.endswith(_QUOTE_CLOSING):
        return False
    if any(p in text for p in _SAID_PUNCTUATION) and _SAID.search(text):
        return False
    if (":" in text or "：" in text) and _CONTACT.search(text):
        return False
    cjk = 0 if text.isascii() else len(_CJK_CHAR.findall(text))
    return not (cjk > len(text) / 3 and (len(text) > 60 or re.search(r"[，,。]", text)))
