"""Numbers as the genre writes them: spelled ("five", "(twelve)"), grouped ("1,767,300"), scaled ("2.18 billion yuan")."""

from __future__ import annotations

import re

from ..corpus.caseless import CaselessPattern, lowered, mentions_lowered

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12,
}
_SCALES = {"hundred": 100, "thousand": 1_000}


def _spelled_head() -> str:
    """A tens word with an optional unit ("forty-eight"), else a unit word (the longest first), as one group with the
    words of each first letter gathered under it: at a letter the regex engine then tries that letter's words only, in
    the same order as the plain alternation (tens before units), so every match is the same, found several times faster.
    """
    digits = "|".join(k for k in _UNITS if _UNITS[k] and _UNITS[k] < 10)
    tens: dict[str, list[str]] = {}
    units: dict[str, list[str]] = {}
    for word in _TENS:
        tens.setdefault(word[0], []).append(word[1:])
    for word in sorted(_UNITS, key=len, reverse=True):
        units.setdefault(word[0], []).append(word[1:])
    groups = []
    for letter in dict.fromkeys([*tens, *units]):
        alternatives = [f"(?:{'|'.join(tens[letter])})(?:[- ](?:{digits}))?"] if letter in tens else []
        groups.append(f"{letter}(?:{'|'.join(alternatives + units.get(letter, []))})")
    return f"(?:{'|'.join(groups)})"


SPELLED_NUMBER = (
    _spelled_head()
    + r"(?:\s+(?:hundred|thousand)(?:\s+(?:and\s+)?(?:" + "|".join(_TENS) + "|" + "|".join(_UNITS) + r"))?)?"
)
SPELLED_WORDS = (*_UNITS, *_TENS)  # every spelled number starts with one of them
SPELLED_RE = re.compile(rf"\b{SPELLED_NUMBER}\b", re.I)

# A decimal number as printed: "1,767,300", "13.5", "3,2"-style errors excluded.
DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
NUMBER = rf"(?:{DIGITS}|{SPELLED_NUMBER})"


def spelled_value(word: str) -> int | None:
    """The value of a spelled cardinal ("forty-eight" is 48, "one hundred and five" is 105), else None."""
    total, current = 0, 0
    tokens = re.split(r"[\s-]+", word.strip().lower())
    if not tokens or tokens == [""]:
        return None
    for tok in tokens:
        if tok == "and":
            continue
        if tok in _UNITS:
            current += _UNITS[tok]
        elif tok in _TENS:
            current += _TENS[tok]
        elif tok in _SCALES:
            current = max(current, 1) * _SCALES[tok]
            if _SCALES[tok] >= 1000:
                total, current = total + current, 0
        else:
            return None
    return total + current


def ordinal_value(word: str) -> int | None:
    return _ORDINALS.get(word.strip().lower())


def parse_number(text: str) -> float | None:
    """A number written in digits (grouped or decimal) or spelled out, ignoring brackets; else None."""
    s = text.strip().strip("()（）[]").strip()
    if not s:
        return None
    if re.fullmatch(r"[+-]?(?:" + DIGITS + ")", s):
        return float(s.replace(",", ""))
    value = spelled_value(s)
    return float(value) if value is not None else None


_SCALE_WORDS = [
    (r"hundred\s+million", 1e8),
    (r"100\s+million", 1e8),
    (r"ten\s+thousand", 1e4),
    (r"10,?000", 1e4),
    (r"trillion", 1e12),
    (r"billion", 1e9),
    (r"million", 1e6),
    (r"thousand", 1e3),
    (r"wan", 1e4),
    (r"yi", 1e8),
]
_SCALE_RE = "|".join(p for p, _ in _SCALE_WORDS)

# "RMB 5 million", "13.8656 million yuan", "¥300". Every match starts with a digit or a currency's first letter: the
# lookahead lets the regex engine give up at any other position at once.
MONEY_RE = CaselessPattern(
    rf"(?=[\drc¥])(?:(?:(?:rmb|cny|¥)\s*)?(?P<num>{DIGITS})\s*(?P<scale>(?:{_SCALE_RE})\s*)?(?:yuan|rmb)\b"
    rf"|(?:rmb|cny|¥)\s*(?P<num2>{DIGITS})\s*(?P<scale2>(?:{_SCALE_RE})\b)?)",
)


def _scale_factor(scale: str | None) -> float:
    if not scale:
        return 1.0
    s = scale.strip().lower()
    for pattern, factor in _SCALE_WORDS:
        if re.fullmatch(pattern, s):
            return factor
    return 1.0


_DIGIT = re.compile(r"\d")
_CURRENCY_CUES = ("yuan", "rmb", "cny", "¥")  # every MONEY_RE match holds one


def money_amounts(text: str) -> list[tuple[float, int, int]]:
    """Every money amount in yuan with its character span: "13.8656 million yuan" is 13865600."""
    found = []
    if not _DIGIT.search(text):  # every amount has digits: a fast scan spares the case-insensitive pattern
        return found
    low = lowered(text)
    if not mentions_lowered(low, _CURRENCY_CUES):
        return found
    for m in MONEY_RE.finditer_lowered(text, low):
        num = m.group("num") or m.group("num2")
        scale = m.group("scale") or m.group("scale2")
        value = float(num.replace(",", "")) * _scale_factor(scale)
        found.append((round(value, 2), m.start(), m.end()))
    return found


def scaled_number(num: str, scale: str | None) -> float:
    """A figure with its scale word: ("2.18", "billion") is 2.18e9."""
    base = parse_number(num)
    if base is None:
        raise ValueError(num)
    return round(base * _scale_factor(scale), 6)


SCALE_RE = _SCALE_RE
