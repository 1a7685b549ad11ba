"""The splitter's native module: words agree with the two sre patterns that define them, the cosine with its formula."""

import math
import random
import re
from collections import Counter
from itertools import chain

import pytest
from hypothesis import given, settings, strategies as st

from duban.corpus._topics import content_words, cosine, line_frequencies

# The definition the C code implements (duban/corpus/_topics.c): stems where words start, then CJK pairs.
_LATIN_STEM = re.compile(r"\b[a-z]{3,6}")
_CJK_PAIR = re.compile(r"[\u4e00-\u9fff]{2}")


def reference_words(line: str) -> list[str]:
    low = line.lower()
    return _LATIN_STEM.findall(low) + _CJK_PAIR.findall(low)


def reference_frequencies(lines: list[str]) -> Counter:
    return Counter(chain.from_iterable(set(reference_words(line)) for line in lines))


# Characters at every edge the rules have: case, word characters before a letter, the CJK range's ends, and
# characters whose lower case is ASCII (Kelvin sign) or longer than they are (dotted capital I).
EDGES = "aAzZbcdefgxyQ019_ -.,'’“”\t\u00e9\u00c9\u0130\u212a\u03a3\u0307\u4dff\u4e00\u4e01\u9fff\ua000\uff21\u00a0\u0660"
edge_text = st.text(alphabet=EDGES, max_size=40)


def test_words_of_plain_lines():
    assert content_words("The Ministry of Finance shall report") == ["the", "minist", "financ", "shall", "report"]
    assert content_words("中华人民共和国 plan") == ["plan", "中华", "人民", "共和"]
    assert content_words("x_abc 2abc abc2 éabc -abc") == ["abc", "abc"]
    assert content_words("") == []


@pytest.mark.parametrize(
    "line, words",
    [
        ("The Water Plan, 2024: rivers_and lakes", ["the", "water", "plan", "rivers", "lakes"]),
        ("Café’s “green” plan: x2abc Éabc ſabc", ["caf", "green", "plan"]),  # a word goes on past é, É, ſ
        ("治理河湖 and 水质", ["and", "治理", "河湖", "水质"]),
    ],
)
def test_content_words_start_where_a_unicode_word_starts(line, words):
    assert content_words(line) == words


@settings(max_examples=3000, derandomize=True)
@given(edge_text)
def test_words_agree_with_the_patterns(line):
    assert content_words(line) == reference_words(line)


@settings(max_examples=500, derandomize=True)
@given(st.lists(edge_text, max_size=12))
def test_line_frequencies_agree_with_the_patterns(lines):
    assert line_frequencies(lines) == reference_frequencies(lines)


def test_frequencies_count_a_line_once_and_grow_past_the_first_table():
    rng = random.Random(7)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(6)) for _ in range(5000)]
    lines = [" ".join(rng.choice(words) for _ in range(30)) for _ in range(2000)] + ["abc abc abc"]
    assert line_frequencies(lines) == reference_frequencies(lines)
    assert line_frequencies(lines)["abc"] == 1


def test_any_unicode_line_agrees():
    rng = random.Random(11)
    for _ in range(300):
        line = "".join(chr(rng.randrange(0x20, 0xA000)) if rng.random() < 0.3 else rng.choice(EDGES) for _ in range(60))
        assert content_words(line) == reference_words(line)


def test_lines_must_be_text():
    with pytest.raises(TypeError, match="must be str"):
        line_frequencies(["abc", b"abc"])
    with pytest.raises(TypeError):
        content_words(3)


def test_every_character_before_inside_and_after_a_word_agrees():
    # Each character's lower case (one character, two, or an ASCII letter) and word-ness, in every place it can be.
    for code in range(0x110000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        c = chr(code)
        line = f"{c}abc ab{c}cdefgh {c}{c}xyz_{c}klm 中{c}文字"
        assert content_words(line) == reference_words(line), hex(code)


def reference_cosine(a: list[str], b: list[str], frequencies: dict[str, int], lines: int) -> float:
    """Cosine of the tf-idf vectors of two word lists, idf log((1 + lines) / lines holding the word), summed in order."""
    if not a or not b:
        return 0.0
    weights = []
    for words in (a, b):
        counts = Counter(words)  # in the order words first occur
        weights.append({w: n * math.log((1 + lines) / frequencies[w]) for w, n in counts.items()})
    wa, wb = weights
    norm_a = norm_b = dot = 0.0
    for v in wa.values():
        norm_a += v * v
    for v in wb.values():
        norm_b += v * v
    norm = math.sqrt(norm_a * norm_b)
    for w, v in wa.items():
        if w in wb:
            dot += v * wb[w]
    return dot / norm if norm else 0.0


def test_cosine_is_the_formula_to_the_last_bit():
    rng = random.Random(5)
    vocabulary = [f"w{i:03d}" for i in range(400)]
    for _ in range(300):
        lines = rng.randrange(1, 500)
        frequencies = {w: rng.randrange(1, lines + 1) for w in vocabulary}
        a = [rng.choice(vocabulary[: rng.randrange(1, 400)]) for _ in range(rng.randrange(0, 160))]
        b = [rng.choice(vocabulary[rng.randrange(0, 399) :]) for _ in range(rng.randrange(0, 160))]
        assert cosine(a, b, frequencies, lines) == reference_cosine(a, b, frequencies, lines)


def test_cosine_of_windows_with_words_in_common_or_not():
    frequencies = {"river": 2, "water": 3, "plan": 10, "tax": 1}
    assert cosine(["river", "water"], ["river", "water"], frequencies, 10) == pytest.approx(1.0)
    assert cosine(["river", "water"], ["tax"], frequencies, 10) == 0.0
    assert cosine([], ["tax"], frequencies, 10) == 0.0
    assert cosine(["plan"], ["plan"], frequencies, 9) == 0.0  # a word in every line weighs nothing
    with pytest.raises(KeyError):
        cosine(["river"], ["unknown"], frequencies, 10)
    with pytest.raises(TypeError):
        cosine(("river",), ["river"], frequencies, 10)
