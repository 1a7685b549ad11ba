"""Time limits: procedural periods relative to an event, and the durations that are not time limits."""

from __future__ import annotations

import pytest

from duban.extract.model import Doc
from duban.extract.time_limits import extract_time_limits


def limits(*lines: str, genre: str = "law", first_line: int = 1) -> list[tuple[float, str]]:
    return [(it.fields["value"], it.fields["unit"]) for it in run(*lines, genre=genre, first_line=first_line).items]


def run(*lines: str, genre: str = "law", first_line: int = 1) -> Doc:
    doc = Doc(file="t.txt", index=1, first_line=first_line, lines=list(lines), genre=genre)
    extract_time_limits(doc)
    return doc


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("The county office shall reply within 30 working days.", [(30, "working_days")]),
        ("The notice period shall be not less than 5 working days.", [(5, "working_days")]),
        ("A decision shall be made within 15 working days from the date of acceptance.", [(15, "working_days")]),
        ("A newly hired inspector serves a probation period of one year.", [(1, "years")]),
        ("The trial period is generally 6 months.", [(6, "months")]),
        ("The applicant may ask for a review within three months.", [(3, "months")]),
        ("The unit concerned shall submit a written reply within 10 days.", [(10, "days")]),
        ("The results shall be made public within a month.", [(1, "months")]),
        ("The extension shall not exceed twenty working days.", [(20, "working_days")]),
        ("Materials shall be filed 7 days before the hearing.", [(7, "days")]),
        ("Complaints are answered within thirty (30) days of receipt.", [(30, "days")]),
    ],
)
def test_procedural_time_limits(sentence, expected):
    assert limits(sentence) == expected


def test_range_takes_the_upper_bound():
    assert limits("Review is completed within 3 to 5 working days.") == [(5, "working_days")]
    assert limits("Review is completed within 3-5 working days.") == [(5, "working_days")]


def test_replaced_limit_gives_only_the_new_one():
    assert limits("The approval time was cut from 20 working days to 8 working days.", genre="plan") == [(8, "working_days")]


def test_several_limits_in_one_clause():
    assert limits("Apply for review within 15 days, and the review body decides within 2 months.") == [(15, "days"), (2, "months")]


@pytest.mark.parametrize(
    "sentence",
    [
        "Each term is generally 3 to 5 years.",
        "The consecutive tenure in one post is generally not more than 10 years.",
        "Volunteers aged 16-26 may apply.",
        "Applicants over 60 years old are exempt.",
        "Supervisors shall be not less than 25 years old at the time of employment.",
        "Candidates shall have at least 5 years of work experience.",
        "In the past ten years, the county has built 40 schools.",
        "The river has been polluted for more than three years.",
        "Those unable to work for more than one year due to illness shall be removed.",
        "Training shall cover all staff every 5 years.",
        "Complete the renovation of the plant by the end of 2025.",
        "The project was completed in 18 months.",
    ],
)
def test_not_time_limits(sentence):
    assert limits(sentence) == []


def test_provenance_is_the_clause_on_its_file_lines():
    doc = run(
        "Article 12 Opinions shall be heard first.",
        "",
        "The office shall answer within 20 days from the date of receipt; longer cases need approval.",
        first_line=41,
    )
    [item] = doc.items
    assert (item.span.line_start, item.span.line_end) == (43, 43)
    assert item.span.quote == "The office shall answer within 20 days from the date of receipt"
    assert item.span.quote in "\n".join(doc.lines)


def test_clause_wrapped_over_two_lines():
    doc = run("The applicant shall be informed of the result", "within 5 working days after the review ends.", first_line=7)
    [item] = doc.items
    assert (item.span.line_start, item.span.line_end) == (7, 8)
    assert item.span.quote in "\n".join(doc.lines)


def test_unit_words_are_found_in_any_paragraph_of_the_document():
    doc = run(
        "Rules on “open” government — général.",
        "",
        "No period here.",
        "",
        "Replies are sent WITHIN 10 DAYS of receipt.",
        "",
        "Ünits reply within 2 months; the office answers within 5 working days.",
    )
    assert [(it.span.line_start, it.fields["value"], it.fields["unit"]) for it in doc.items] == [
        (5, 10, "days"), (7, 2, "months"), (7, 5, "working_days"),
    ]
