"""classify_genre on invented texts of each genre."""

from __future__ import annotations

import random
import re
import string
import sys
from collections import Counter

from duban.corpus.genre import (
    _ON_ANY_CASE,
    _ON_LOWERED,
    _WHITE_SPACE_BUT_SPACE_BYTE,
    _WHITE_SPACE_BYTE,
    CASE_EXCEPTIONS,
    _phrase_counts,
    classify_genre,
)


def _split(text: str) -> tuple[str, list[str]]:
    lines = text.strip("\n").split("\n")
    return lines[0], lines


REGULATION = """Regulations of Qinghe Province on the Management of Rural Roads

Chapter I General Provisions

Article 1 These Regulations are formulated in order to strengthen the management of rural roads and ensure their good technical condition.

Article 2 These Regulations shall apply to the planning, construction, maintenance and management of rural roads within the administrative region of the province.

Article 3 The people's governments at or above the county level shall incorporate the development of rural roads into their national economic and social development plans.

Chapter II Maintenance

Article 4 The county-level competent department of transportation shall be responsible for the maintenance of county roads.

Article 5 Where a rural road is damaged, the maintenance unit shall repair it within 15 days after discovering the damage.

Article 6 Anyone who violates Article 5 shall be ordered to make corrections by the competent department of transportation.
"""

INSPECTION_NEWS = """Provincial ecological inspection team gives feedback to Lanxi City

  Qinghe Daily, Anping, June 12, 2025 (Reporter Zhou Lin) On June 12, the Third Ecological Environmental Protection Inspection Team of Qinghe Province gave feedback to Lanxi City on the inspection.

  The inspection team pointed out that Lanxi City did not attach enough importance to the protection of the ecological environment. The inspection found that 6 sewage treatment plants in Lanxi City failed to operate normally, and the sewage pipe network in the old urban area was not in place.

  The inspection team found that Hengshan Chemical Co., Ltd. illegally discharged wastewater into the Lan River, and the Lanxi Municipal Bureau of Ecology and Environment failed to investigate and deal with it in time.

  During the inspection, 312 cases reported by the masses were transferred to Lanxi City, 28 enterprises were ordered to rectify, fines of 1.26 million yuan were imposed, and 9 people were held accountable.

  The inspection team requested that Lanxi City formulate a rectification plan and submit it to the provincial government within 30 working days.
"""

PLAN_NOTICE = """Notice of the General Office of the Qinghe Provincial People's Government on Printing and Distributing the Three-year Action Plan for Upgrading Government Services (2025-2027)

All municipal people's governments and all departments directly under the provincial government:

The Three-year Action Plan is hereby printed and distributed to you, please earnestly implement it.

First, the guiding ideology

We will deepen the reform of government services and improve the satisfaction of enterprises and the masses.

Second, key tasks

(1) Optimize the service catalogue. Before the end of 2025, establish a unified catalogue of administrative service items. [Responsible units: Lanshan Provincial General Office, Department of Justice]

(2) Promote cross-regional handling. By the end of 2026, more than 200 matters will be handled across provinces. [Responsible units: Provincial Government Affairs Service Center]

(3) Improve the evaluation system. By 2027, the evaluation system for government services will be fully established. [Responsible units: Provincial Big Data Center]

Third, safeguard measures

(1) Strengthen organizational leadership. All localities shall establish a coordination mechanism. [Responsible units: all municipal people's governments]
"""

WHITE_PAPER = """China's Rural Water Supply Development White Paper

Since 2012, the rural water supply has achieved historic progress. The coverage of tap water in rural areas increased from 65% to 90%, and more than 500 million rural residents benefited.

The quality of rural drinking water has been continuously improved. Water quality testing centres have been built in all counties, and water sources have been protected.

Rural water supply projects have been built with the participation of governments at all levels, enterprises and farmers, and a management system combining professional management and mass participation has been formed.

The achievements of rural water supply have laid a solid foundation for rural revitalization and improved the lives of hundreds of millions of farmers.
"""

NEWS = """Qinghe spring sowing progresses smoothly, with 62% of the planned area sown

  Qinghe Daily, Anping, April 2, 2025 (Reporter Li Na) The spring sowing of grain in the province is progressing smoothly. According to the provincial agricultural department, 62% of the planned area of 8.6 million mu has been sown.

  In the plain areas, large machinery is working day and night, and farmers are busy transplanting rice seedlings. In the mountain areas, the villages have organized volunteers to help elderly farmers plough their fields.

  Agricultural experts said that the soil moisture this spring is suitable, and the weather in the next ten days will be favourable for sowing.
"""


def test_regulation_with_articles_is_law():
    assert classify_genre(*_split(REGULATION)) == "law"


def test_inspection_feedback_news_is_oversight():
    assert classify_genre(*_split(INSPECTION_NEWS)) == "oversight"


def test_action_plan_notice_is_plan():
    assert classify_genre(*_split(PLAN_NOTICE)) == "plan"


def test_white_paper_on_achievements_is_other():
    assert classify_genre(*_split(WHITE_PAPER)) == "other"


def test_news_story_is_other():
    assert classify_genre(*_split(NEWS)) == "other"


def test_plan_title_and_numbered_lines_without_a_body_phrase_is_plan():
    lines = ["Water Supply Work Plan", "(1) Pipes are laid", "(2) Tanks are cleaned", "(3) Meters are read"]
    assert classify_genre(lines[0], lines) == "plan"


def test_empty_document_is_other():
    assert classify_genre("", []) == "other"


def test_genre_is_one_of_the_four():
    for text in (REGULATION, INSPECTION_NEWS, PLAN_NOTICE, WHITE_PAPER, NEWS):
        assert classify_genre(*_split(text)) in ("plan", "oversight", "law", "other")


def test_phrase_counts_are_those_of_the_phrase_pattern_on_the_lower_cased_text():
    """The multi-pattern scan plus sre check counts what the phrase pattern finds in the lower-cased text, on the
    awkward cases too: phrases that overlap, white space other than a space, upper case, non-ASCII word characters,
    a lone surrogate; and on random mixes of phrase words, separators and other characters."""
    texts = [
        "\nthe team gave feedback to the city; we will\u00a0act by\u3000the end of 2025.",
        "\nit did\nnot act,\x1cdid not act and failed\u2028to act (we will) “fined” fine define refined",
        "\nviolat’violations violatéd xviolation 中violation shall be responsible  shall \t be\n\nresponsible",
        "\nresponsible units\ud800responsible unit key tasks_key tasks by 20２5 by 2025 By 2025",
        "\nDID NOT Gave Feedback TO, Inspection\u3000Team BY THE END OF 2030 We Will ViolatED",
        "\n",
    ]
    rng = random.Random(7)
    pieces = [
        "did", "not", "by", "the", "end", "of", "2025", "20", "we", "will", "fed", "back", "feedback", "to", "fine",
        "fined", "violat", "inspectors", "team", "Key", "TASKS", "pilot", "units", "é", "中", "_", ",", ".", "\u00a0",
        "\u3000", "\n", "\t", "  ", "\x1c", "\u2029",
    ]
    for _ in range(300):
        texts.append("\n" + "".join(rng.choice(pieces) + rng.choice(("", " ", " ", " ")) for _ in range(40)))
    for led in texts:
        expected = Counter(m.lastgroup for m in _ON_LOWERED.phrase.finditer(led.lower()))
        assert _phrase_counts(led, led.encode("utf-8", "surrogatepass"), _ON_ANY_CASE.phrase) == expected, led


def test_articles_and_numbered_lines_in_any_case():
    lines = ["Measures for X", "", "ARTICLE 1 A.", "Article 2 B.", "  article\u30003 C.", "(A) x", "（ii） y", "(B-C) z"]
    assert classify_genre(lines[0], lines) == "law"
    led = "\n" + "\n".join(lines)
    for name in ("articles", "numbered"):
        assert len(getattr(_ON_ANY_CASE, name).findall(led)) == len(getattr(_ON_LOWERED, name).findall(led.lower())) == 3


def test_text_with_a_case_exception_is_read_lower_cased():
    title, lines = _split(INSPECTION_NEWS.replace("inspection", "inſpection").replace("did not", "DİD not"))
    assert classify_genre(title, lines) == "oversight"


def test_ignorecase_matching_is_lower_case_matching_but_for_the_exceptions():
    """What lets the body patterns run with IGNORECASE on the text instead of on its lower case: every character but
    CASE_EXCEPTIONS lower-cases to one character, in the same classes (\\w, \\s, \\d), equal to a character of
    the patterns only if IGNORECASE matches the two; and the byte scan sees every letter IGNORECASE matches."""
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    assert set(re.findall("[a-z]", every, re.I)) == set(string.ascii_letters + CASE_EXCEPTIONS)
    pattern_chars = set("".join(p.pattern for p in _ON_LOWERED))
    non_letters = "".join(sorted(re.escape(c) for c in pattern_chars if not c.isascii() or not c.isalpha()))
    assert set(re.findall(f"[{non_letters}]", every, re.I)) <= pattern_chars
    for char in every:
        low = char.lower()
        if low == char or char in CASE_EXCEPTIONS:
            continue
        assert len(low) == 1, hex(ord(char))
        assert low not in pattern_chars or "A" <= char <= "Z", hex(ord(char))
        for cls in (r"\w", r"\s", r"\d"):
            assert bool(re.match(cls, char)) == bool(re.match(cls, low)), (cls, hex(ord(char)))


def test_white_space_bytes_lead_every_white_space_character():
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    for char in re.findall(r"\s", every):
        lead = char.encode()[:1]
        assert re.fullmatch(_WHITE_SPACE_BYTE, lead)
        assert bool(re.fullmatch(_WHITE_SPACE_BUT_SPACE_BYTE, lead)) == (char != " ")


def test_spellings_are_what_each_phrase_matches_up_to_a_class():
    from duban.corpus.genre import _OVERSIGHT_PHRASES, _PLAN_PHRASES, _spellings

    assert _spellings(r"inspect(?:ion|ors)?\s+(?:group|team)") == [
        "inspection group", "inspection team", "inspectors group", "inspectors team", "inspect group", "inspect team"
    ]
    assert _spellings(r"by\s+20\d\d") == ["by 20"] and _spellings(r"fined?") == ["fined", "fine"]
    for phrase in _OVERSIGHT_PHRASES + _PLAN_PHRASES:
        for spelling in _spellings(phrase):
            assert re.fullmatch(r"[a-z0-9 ]+", spelling)
            assert re.match(phrase, spelling + "25ing") or re.match(phrase, spelling), (phrase, spelling)


RECTIFICATION_PLAN = """Anping County Rectification Plan for the Problems Fed Back by the Second Provincial Inspection Group

In order to rectify the problems fed back by the inspection group, this plan is formulated.

1. The sewage plant of the county failed to operate normally and the rectification was not in place.
Responsible units: County Housing Bureau
Rectification time limit: before the end of June 2026

2. 3 quarries in Lanxi Town did not carry out ecological restoration and violated the mining rules.
Responsible units: County Natural Resources Bureau
Rectification time limit: before the end of 2026

3. The inspection group found that complaints about noise were handled perfunctorily.
Responsible units: County Ecology and Environment Sub-bureau
Rectification time limit: immediate rectification
"""

SHORT_NEWS_WITH_A_DEADLINE = """Flower festival in Qinghe Old Town draws 80,000 visitors

  Qinghe, April 5, 2025 - The flower festival in Qinghe Old Town received 80,000 visitors over the holiday.

  The organisers said the new riverside garden is expected to open by the end of 2026.
"""

SHORT_NEWS_WITH_A_FAILURE = """Anping football team wins the provincial cup

  Anping, May 3, 2025 - The Anping team beat Lanxi 2-1 in the final, after Lanxi failed to score a penalty.
"""


def test_a_rectification_plan_for_inspection_feedback_is_a_plan():
    assert classify_genre(*_split(RECTIFICATION_PLAN)) == "plan"


def test_a_short_news_story_with_one_deadline_is_other():
    assert classify_genre(*_split(SHORT_NEWS_WITH_A_DEADLINE)) == "other"


def test_a_short_news_story_with_one_failure_is_other():
    assert classify_genre(*_split(SHORT_NEWS_WITH_A_FAILURE)) == "other"


def test_a_plan_head_is_read_before_the_first_preposition():
    from duban.corpus.genre import _plan_headed

    assert _plan_headed("Anping County Rectification Plan for the Problems Fed Back by the Inspection Group")
    assert _plan_headed("Implementation Programme of Lanxi City on Rural Water Supply (2025-2027)")
    assert _plan_headed("Qinghe Work Plan")
    assert not _plan_headed("Report of the Anping County Audit Office on the Implementation of the Water Plan")
    assert not _plan_headed("Inspection Group Finds Flaws in the Rectification Plan of Lanxi County")
    assert not _plan_headed("Planting of trees begins")
