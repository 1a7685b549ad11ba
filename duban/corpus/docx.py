"""DOCX reader: the body of a Word document in order, paragraphs as lines and tables flattened to one cell per line.

List numbers that Word generates ("(3)", "一、") are not in a paragraph's text; they are rebuilt here
from the numbering definitions, since numbered tasks are what duban looks for.
"""

from __future__ import annotations

import re
from typing import Iterator

from .errors import InputError

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


_P, _TBL, _TR, _TC, _R, _SDT, _SDT_CONTENT, _CUSTOM_XML = (
    _w("p"), _w("tbl"), _w("tr"), _w("tc"), _w("r"), _w("sdt"), _w("sdtContent"), _w("customXml"))
_VAL = _w("val")
# Containers whose content is part of the surrounding flow: content controls, custom XML, tracked insertions,
# smart tags, simple fields, hyperlinks, and the chosen branch of markup-compatibility blocks.
_TRANSPARENT = {_SDT, _SDT_CONTENT, _CUSTOM_XML, _w("ins"), _w("smartTag"), _w("fldSimple"), _w("hyperlink"),
                _w("moveTo"), f"{{{MC}}}AlternateContent", f"{{{MC}}}Choice"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def docx_text(path: str) -> str:
    """The text of a DOCX body: one line per paragraph (and per line break), one line per table cell."""
    try:
        import docx

        document = docx.Document(path)
        numbering = _Numbering(document)
        lines = list(_block_lines(document.element.body, numbering))
    except InputError:
        raise
    except Exception as e:  # a damaged package fails in zipfile, lxml or python-docx, each in its own way
        reason = " ".join(str(e).split()) or type(e).__name__
        raise InputError(path, f"is a damaged DOCX file ({reason[:160]})") from None
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    if not lines:
        raise InputError(path, "is a DOCX document with no text")
    return "\n".join(lines)


def _block_lines(container, numbering: "_Numbering") -> Iterator[str]:
    """Lines of the paragraphs and tables directly in a body, cell, or content control, in document order."""
    for child in container:
        if child.tag == _P:
            yield from _paragraph_text(child, numbering).split("\n")
        elif child.tag == _TBL:
            yield from _table_lines(child, numbering)
        elif child.tag in _TRANSPARENT:
            yield from _block_lines(child, numbering)


def _table_lines(tbl, numbering: "_Numbering") -> Iterator[str]:
    """A table flattened: each cell's text on its own line, row by row; empty (and vertically merged) cells skipped."""
    for cell in _descendants_in(tbl, _TC, stop={_TBL}):
        text_parts: list[str] = []
        nested: list[str] = []
        for child in _flow(cell):
            if child.tag == _P:
                text_parts.append(_paragraph_text(child, numbering))
            elif child.tag == _TBL:
                nested.extend(_table_lines(child, numbering))
        text = " ".join(" ".join(text_parts).split())
        if text:
            yield text
        yield from nested


def _flow(container) -> Iterator:
    """Paragraphs and tables of a container, looking through content controls and the like."""
    for child in container:
        if child.tag in (_P, _TBL):
            yield child
        elif child.tag in _TRANSPARENT:
            yield from _flow(child)


def _descendants_in(element, tag: str, stop: set[str]) -> Iterator:
    """Descendants with a tag, not looking inside elements with a tag in stop (nested tables)."""
    for child in element:
        if child.tag == tag:
            yield child
        elif child.tag not in stop:
            yield from _descendants_in(child, tag, stop)


def _paragraph_text(p, numbering: "_Numbering") -> str:
    text = "".join(_run_text(r) for r in _runs(p))
    text = _CONTROL.sub("", text)
    label = numbering.label(p)  # an empty numbered paragraph still takes a number, as Word shows it
    return f"{label}{text}" if label and text.strip() else text


def _runs(element) -> Iterator:
    """Runs of a paragraph, in order, including those in hyperlinks, fields, content controls and insertions
    (deleted text is in w:del and is left out; text boxes and drawings are not followed)."""
    for child in element:
        if child.tag == _R:
            yield child
        elif child.tag in _TRANSPARENT:
            yield from _runs(child)


def _run_text(r) -> str:
    out = []
    for child in r:
        tag = child.tag
        if tag == _w("t"):
            out.append(child.text or "")
        elif tag in (_w("tab"), _w("ptab")):
            out.append("\t")
        elif tag in (_w("br"), _w("cr")):
            out.append("\n")
        elif tag == _w("noBreakHyphen"):
            out.append("-")
        elif tag in _TRANSPARENT:
            out.append(_run_text(child))
    return "".join(out)


class _Numbering:
    """Word's automatic list numbers: counters per list, formatted as each level's lvlText says."""

    def __init__(self, document):
        self.levels: dict[str, dict[int, dict]] = {}  # abstractNumId -> ilvl -> level definition
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}  # numId -> (abstractNumId, start overrides)
        self.style_num: dict[str, tuple[str, int]] = {}  # paragraph style id -> (numId, ilvl)
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[str] = set()
        self._read_definitions(document)
        self._read_styles(document)

    def _read_definitions(self, document) -> None:
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        for abstract in root.iterchildren(_w("abstractNum")):
            levels = {}
            for lvl in abstract.iterchildren(_w("lvl")):
                levels[_int(lvl.get(_w("ilvl")), 0)] = _level(lvl)
            self.levels[abstract.get(_w("abstractNumId"))] = levels
        for num in root.iterchildren(_w("num")):
            ref = num.find(_w("abstractNumId"))
            if ref is None:
                continue
            overrides = {}
            for override in num.iterchildren(_w("lvlOverride")):
                start = override.find(_w("startOverride"))
                if start is not None:
                    overrides[_int(override.get(_w("ilvl")), 0)] = _int(start.get(_VAL), 1)
            self.nums[num.get(_w("numId"))] = (ref.get(_VAL), overrides)

    def _read_styles(self, document) -> None:
        try:
            styles = document.styles.element
        except Exception:
            return
        by_id = {s.get(_w("styleId")): s for s in styles.iterchildren(_w("style"))}
        for style_id in by_id:
            seen, current = set(), by_id.get(style_id)
            while current is not None and current.get(_w("styleId")) not in seen:
                seen.add(current.get(_w("styleId")))
                num_pr = current.find(f"{_w('pPr')}/{_w('numPr')}")
                if num_pr is not None:
                    num_id = num_pr.find(_w("numId"))
                    ilvl = num_pr.find(_w("ilvl"))
                    if num_id is not None:
                        self.style_num[style_id] = (num_id.get(_VAL), _int(ilvl.get(_VAL) if ilvl is not None else None, 0))
                    break
                based = current.find(_w("basedOn"))
                current = by_id.get(based.get(_VAL)) if based is not None else None

    def label(self, p) -> str:
        """The number Word shows before this paragraph ("(3) ", "一、"), advancing the list's counters."""
        num_id, ilvl = self._num_pr(p)
        if num_id is None or num_id == "0" or num_id not in self.nums:
            return ""
        abstract_id, overrides = self.nums[num_id]
        levels = self.levels.get(abstract_id, {})
        level = levels.get(ilvl)
        if level is None:
            return ""
        counters = self.counters.setdefault(abstract_id, {})
        if num_id not in self.started:  # a list restarted by "restart numbering" starts over
            self.started.add(num_id)
            for lvl, start in overrides.items():
                counters[lvl] = start - 1
                for deeper in [k for k in counters if k > lvl]:
                    del counters[deeper]
        counters[ilvl] = counters.get(ilvl, level["start"] - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if level["format"] in ("bullet", "none"):
            return ""

        def number(match: re.Match) -> str:
            lvl = int(match.group(1)) - 1
            definition = levels.get(lvl, {"start": 1, "format": "decimal"})
            value = counters.get(lvl, definition["start"])
            fmt = "decimal" if level["legal"] and lvl < ilvl else definition["format"]
            return _format_number(value, fmt)

        text = re.sub(r"%([1-9])", number, level["text"])
        if not text.strip():
            return ""
        return text + level["suffix"]

    def _num_pr(self, p) -> tuple[str | None, int]:
        num_pr = p.find(f"{_w('pPr')}/{_w('numPr')}")
        if num_pr is not None:
            num_id = num_pr.find(_w("numId"))
            ilvl = num_pr.find(_w("ilvl"))
            if num_id is not None:
                return num_id.get(_VAL), _int(ilvl.get(_VAL) if ilvl is not None else None, 0)
        style = p.find(f"{_w('pPr')}/{_w('pStyle')}")
        if style is not None and style.get(_VAL) in self.style_num:
            return self.style_num[style.get(_VAL)]
        return None, 0


def _level(lvl) -> dict:
    def val(tag: str, default: str | None) -> str | None:
        element = lvl.find(_w(tag))
        return element.get(_VAL, default) if element is not None else default

    suffix = {"tab": " ", "space": " ", "nothing": ""}.get(val("suff", "tab") or "tab", " ")
    text = val("lvlText", "") or ""
    if re.search(r"[\u3000-\u303f\uff00-\uffef]$", text):
        suffix = ""  # "一、" and "（一）" need no space after them
    return {
        "start": _int(val("start", "1"), 1),
        "format": val("numFmt", "decimal") or "decimal",
        "text": text,
        "suffix": suffix,
        "legal": lvl.find(_w("isLgl")) is not None,
    }


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


_CN_DIGITS = "零一二三四五六七八九"


def _chinese(n: int) -> str:
    if n <= 0 or n >= 100000:
        return str(n)
    units = ["", "十", "百", "千", "万"]
    digits = [int(d) for d in str(n)]
    out, zero = [], False
    for i, d in enumerate(digits):
        unit = units[len(digits) - 1 - i]
        if d == 0:
            zero = True
            continue
        if zero and out:
            out.append("零")
        zero = False
        out.append(_CN_DIGITS[d] + unit)
    text = "".join(out)
    return text[1:] if text.startswith("一十") else text  # 十一, not 一十一


def _roman(n: int) -> str:
    if n <= 0 or n >= 4000:
        return str(n)
    out = []
    for value, numeral in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out.append(numeral)
            n -= value
    return "".join(out)


def _letters(n: int) -> str:
    if n <= 0:
        return str(n)
    letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[(n - 1) % 26]
    return letter * ((n - 1) // 26 + 1)  # Word's A..Z, AA..ZZ


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "japaneseCounting",
               "taiwaneseCounting", "taiwaneseCountingThousand", "ideographDigital"):
        return _chinese(n)
    if fmt == "ideographTraditional" and 1 <= n <= 10:
        return "甲乙丙丁戊己庚辛壬癸"[n - 1]
    if fmt == "ideographZodiac" and 1 <= n <= 12:
        return "子丑寅卯辰巳午未申酉戌亥"[n - 1]
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperLetter":
        return _letters(n)
    if fmt == "lowerLetter":
        return _letters(n).lower()
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt == "decimalEnclosedParen" and 1 <= n <= 20:
        return chr(0x2474 + n - 1)
    if fmt == "decimalEnclosedFullstop" and 1 <= n <= 20:
        return chr(0x2488 + n - 1)
    if fmt == "decimalFullWidth":
        return "".join(chr(0xFF10 + int(d)) for d in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)
