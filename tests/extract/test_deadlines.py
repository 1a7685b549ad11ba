"""find_deadlines: the spec's deadline phrases, normalised to the last day they allow."""

import pytest

from duban.extract.deadlines import _PATTERNS, _matches, clause_deadlines, find_deadlines
from duban.extract.model import Doc
from duban.extract.paragraphs import paragraphs


def _one(text):
    found = find_deadlines(text)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    "text, phrase, due",
    [
        ("Before the end of 2022, complete the revision of the service catalogue.", "Before the end of 2022", "2022-12-31"),
        ("The provincial platform will be connected by the end of 2022.", "by the end of 2022", "2022-12-31"),
        ("By 2025, a modern public cultural service system will be basically established.", "By 2025", "2025-12-31"),
        ("Build 30 county-level logistics centres before 2025.", "before 2025", "2024-12-31"),
        ("Complete the pilot evaluation by the end of June 2023.", "by the end of June 2023", "2023-06-30"),
        ("Submit the implementation plan before June 30, 2023.", "before June 30, 2023", "2023-06-30"),
        ("Issue the work guidelines in the first half of 2023.", "in the first half of 2023", "2023-06-30"),
        ("Finish the acceptance inspection in the second half of 2023.", "in the second half of 2023", "2023-12-31"),
        ("Complete the data survey by the end of the first quarter of 2023.", "by the end of the first quarter of 2023", "2023-03-31"),
        ("Report the rectification list to the provincial office before October 2023.", "before October 2023", "2023-09-30"),
    ],
)
def test_table_phrases(text, phrase, due):
    d = _one(text)
    assert d.due == due
    assert d.text.lower() == phrase.lower()
    assert text[d.start:d.end] == d.text
    assert d.goal_year_only is False


def test_in_year_is_goal_year_only():
    text = "In 2022, the online handling rate of government services will reach 90%."
    d = _one(text)
    assert d.due == "2022-12-31"
    assert d.text == "In 2022"
    assert d.goal_year_only is True


def test_two_phrases_in_one_sentence_left_to_right():
    text = ("Before the end of 2022, establish a unified acceptance platform; "
            "by the end of 2024, realize cross-provincial handling of high-frequency matters.")
    found = find_deadlines(text)
    assert [d.due for d in found] == ["2022-12-31", "2024-12-31"]
    assert [d.text for d in found] == ["Before the end of 2022", "by the end of 2024"]
    assert found[0].start < found[1].start


def test_month_before_january_rolls_back_a_year():
    assert _one("Submit the summary before January 2024.").due == "2023-12-31"


@pytest.mark.parametrize(
    "text",
    [
        "The leading group held its first plenary meeting on March 3, 2023.",
        "During 2021-2025, the province will promote the construction of smart cities.",
        "After 1-2 years of trial operation, the system will be evaluated.",
        "The approval shall be completed within 30 working days from the date of acceptance.",
        "The 2023 annual work conference summarised the experience of the pilot counties.",
        "The meeting at the 2023 fair ended.",
        "Rectification time limit: 2024-2025, in stages.",
        "Rectification time limit: within 30 days.",
        "Release time: March 3, 2026",
    ],
)
def test_negatives_give_no_deadline(text):
    assert find_deadlines(text) == ()


@pytest.mark.parametrize(
    "text, due",
    [
        ("Complete the task by the end of the 14th Five-Year Plan.", "2025-12-31"),
        ("Finish the survey by the end of December 2025.", "2025-12-31"),
        ("Submit the report before 31 December 2025.", "2025-12-31"),
        ("Complete the pilot by the end of the third quarter of 2024.", "2024-09-30"),
        ("Put the system into operation by mid-2025.", "2025-06-30"),
        ("Complete the acceptance no later than 2026.", "2026-12-31"),
        ("Issue the standard by March 2024.", "2024-03-31"),
        ("At the end of 2025, the rate will reach 90%.", "2025-12-31"),
        ("At the end of June 2025, all stations will be online.", "2025-06-30"),
        ("At the end of the third quarter of 2024, finish the pilot.", "2024-09-30"),
    ],
)
def test_other_common_phrases(text, due):
    assert _one(text).due == due


@pytest.mark.parametrize(
    "text, phrase, due",
    [
        # Patterns are only tried where the word before a year allows them: any whitespace, "the year", "year-end".
        ("Complete it by  the end of\n2025.", "by  the end of\n2025", "2025-12-31"),
        ("Within the year 2024, finish the survey.", "Within the year 2024", "2024-12-31"),
        ("Submit no later than\t2025.", "no later than\t2025", "2025-12-31"),
        ("Finish before the year 2026.", "before the year 2026", "2025-12-31"),
        ("Done by the year-end 2024.", "by the year-end 2024", "2024-12-31"),
        ("By mid-2025, finish.", "By mid-2025", "2025-06-30"),
        ("By the end of the 14th Five-Year Plan, build it.", "By the end of the 14th Five-Year Plan", "2025-12-31"),
        ("Report by 3\u00a0March\u00a02024.", "by 3\u00a0March\u00a02024", "2024-03-03"),
    ],
)
def test_phrases_with_any_whitespace_and_case(text, phrase, due):
    d = _one(text)
    assert (d.text, d.due) == (phrase, due)


def test_clause_deadlines_read_once_per_document():
    doc = Doc(file="plan.txt", index=1, first_line=1, lines=[
        "Before the end of 2025, establish a catalogue; publish it in 2026. [Responsible units: Office of 2030]",
        "",
        "Improve the service.",
    ])
    first, second = paragraphs(doc)
    found = clause_deadlines(doc, first)
    # The bracket is a clause of its own, read blanked: "Office of 2030" names no deadline.
    assert [[d.text for d in clause] for clause in found] == [["Before the end of 2025"], ["in 2026"], []]
    assert clause_deadlines(doc, first) is found
    assert clause_deadlines(doc, second) is None


def test_patterns_match_without_their_leading_boundary_as_with_it():
    texts = [
        "standby the end of 2025, and by the end of 2025; abby 2024 or by 2024 in 2023 within 2026",
        "Prior to the year-end of 2024 xin 2025 in March 2025 by mid-2026 by the end of the 14th five-year plan",
        "before June, 2025 until the close of December 2025 during the year 2027 and 2028",
        "at the end of 2025, flat the end of 2025; time limit: 2026 overtime limit: 2026 deadline: end of May 2026",
    ]
    for text in texts:
        low = text.lower()
        for kind, pattern, *_ in _PATTERNS:
            assert [m.span() for m in _matches(kind, pattern, text, low)] == [
                m.span() for m in pattern.finditer_lowered(text, low)
            ], kind


@pytest.mark.parametrize(
    "text, phrase, due",
    [
        ("Rectification time limit: end of May 2026", "end of May 2026", "2026-05-31"),
        ("Time limit: the end of 2026.", "the end of 2026", "2026-12-31"),
        ("Completion deadline: September 15, 2026", "September 15, 2026", "2026-09-15"),
        ("Deadline: March 2027", "March 2027", "2027-03-31"),
        ("Rectification time limit: 2027", "2027", "2027-12-31"),
        ("Completion time: end of October 2026", "end of October 2026", "2026-10-31"),
        ("Rectification time limit: before the end of May 2026", "before the end of May 2026", "2026-05-31"),
    ],
)
def test_labelled_time_limit_line_names_its_deadline_without_a_preposition(text, phrase, due):
    d = _one(text)
    assert (d.text, d.due) == (phrase, due)
    assert text[d.start:d.end] == d.text
