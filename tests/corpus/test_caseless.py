"""Caseless matching: the same matches as IGNORECASE, groups read from the original text."""

from __future__ import annotations

import re

import pytest

from duban.corpus.caseless import CaselessPattern, lowered, mentions

PATTERN = r"\b(?P<prep>before|by)\s+(?P<year>20\d\d)\b|\bresponsible\s+units?\b"
TEXTS = [
    "Complete it BEFORE 2025 and By 2026.",
    "The Responsible Units: the city bureau.",
    "İstanbul by 2024",  # lower-cases to a longer string: IGNORECASE is used instead
    "reſponsible unit by 2023",  # "ſ" matches "s" under IGNORECASE only
    "no year here",
    "“Before 2030”, the units",
]


@pytest.mark.parametrize("text", TEXTS)
def test_same_matches_as_ignorecase(text):
    reference = [(m.span(), m.group("prep"), m.group("year")) for m in re.finditer(PATTERN, text, re.I)]
    caseless = [(m.span(), m.group("prep"), m.group("year")) for m in CaselessPattern(PATTERN).finditer(text)]
    assert caseless == reference
    assert bool(CaselessPattern(PATTERN).search(text)) == bool(reference)


def test_groups_keep_their_case():
    m = CaselessPattern(PATTERN).search("Complete it BEFORE 2025.")
    assert m.group() == "BEFORE 2025" and m.groupdict() == {"prep": "BEFORE", "year": "2025"}


def test_pattern_must_be_lower_case():
    with pytest.raises(ValueError):
        CaselessPattern(r"RMB\s*\d+")
    CaselessPattern(r"(?P<num>\d+)\S*\s+yuan")  # escapes and group names are not literals


def test_lowered_and_mentions():
    assert lowered("ABC “x”") == "abc “x”"
    assert lowered("İ") is None and lowered("ſ") is None
    assert mentions("Working DAYS", ("day",)) and not mentions("weeks", ("day",))
    assert mentions("ſomething", ("days",))  # cannot be ruled out cheaply
