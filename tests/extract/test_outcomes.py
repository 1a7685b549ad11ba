"""Outcomes: enforcement tallies of inspection and audit reports, one per figure, with their scope."""

from __future__ import annotations

import pytest

from duban.extract.model import Doc
from duban.extract.outcomes import extract_outcomes

TALLY = (
    "  As of May 31, 2023, 1,874 cases reported by the masses transferred by the inspection team have been basically "
    "settled, with 1,120 enterprises ordered to rectify, 305 cases filed for punishment, fines of 15.42 million yuan, "
    "9 cases filed for investigation, 14 people detained, 86 people interviewed and 402 people held accountable."
)
NARROWED = (
    "  Among them, the Reclamation Bureau completed 211 cases, ordered 95 enterprises to rectify, put 23 cases on "
    "file for punishment, detained two people, interviewed five people and held 37 people accountable."
)


def run(*lines: str, title: str = "", first_line: int = 1) -> Doc:
    doc = Doc(file="t.txt", index=1, first_line=first_line, lines=list(lines), genre="oversight", title=title)
    extract_outcomes(doc)
    return doc


def tallies(*lines: str, title: str = "") -> list[tuple[str, float, str]]:
    return [(it.fields["measure"], it.fields["value"], it.fields["scope"]) for it in run(*lines, title=title).items]


def test_every_figure_of_a_tally_sentence():
    assert tallies(TALLY) == [
        ("cases_settled", 1874, ""),
        ("ordered_to_rectify", 1120, ""),
        ("filed_for_penalty", 305, ""),
        ("fines_yuan", 15420000, ""),
        ("criminal_cases", 9, ""),
        ("detained", 14, ""),
        ("interviewed", 86, ""),
        ("held_accountable", 402, ""),
    ]


def test_among_them_narrows_the_scope_with_verb_first_figures_and_spelled_numbers():
    assert tallies(TALLY, "", NARROWED)[8:] == [
        ("cases_settled", 211, "the Reclamation Bureau"),
        ("ordered_to_rectify", 95, "the Reclamation Bureau"),
        ("filed_for_penalty", 23, "the Reclamation Bureau"),
        ("detained", 2, "the Reclamation Bureau"),
        ("interviewed", 5, "the Reclamation Bureau"),
        ("held_accountable", 37, "the Reclamation Bureau"),
    ]


def test_a_named_subject_after_the_totals_narrows_the_scope():
    found = tallies(TALLY, "The Reclamation Bureau ordered 95 enterprises to rectify.")
    assert found[-1] == ("ordered_to_rectify", 95, "The Reclamation Bureau")


def test_the_reports_own_subject_does_not_narrow():
    found = tallies(TALLY, "Donghai City ordered 95 enterprises to rectify.", title="Inspection feedback to Donghai City")
    assert found[-1] == ("ordered_to_rectify", 95, "")


def test_a_place_opening_the_sentence_narrows_the_scope():
    found = tallies("In the Binhe Development Zone, 31 enterprises were ordered to rectify and 4 people were detained.")
    assert found == [("ordered_to_rectify", 31, "the Binhe Development Zone"), ("detained", 4, "the Binhe Development Zone")]


def test_transferred_cases_without_settling_are_transferred():
    assert tallies("During the inspection, the team transferred 1,076 cases reported by the masses to the county.") == [
        ("cases_transferred", 1076, "")
    ]


def test_transferred_cases_settled_later_in_the_clause_are_settled():
    assert tallies("The team transferred 640 cases reported by the public, which have all been concluded.") == [
        ("cases_settled", 640, "")
    ]


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("The city imposed fines of 3.5 million yuan.", ("fines_yuan", 3500000)),
        ("Polluters were fined 820,000 yuan in total.", ("fines_yuan", 820000)),
        ("716 cases were filed for punishment.", ("filed_for_penalty", 716)),
        ("13 cases were filed for investigation.", ("criminal_cases", 13)),
        ("Police opened 6 criminal cases.", ("criminal_cases", 6)),
        ("Seven people were administratively detained.", ("detained", 7)),
        ("The county talked with 44 officials.", ("interviewed", 44)),
        ("A total of 2,130 people were held accountable.", ("held_accountable", 2130)),
        ("The county ordered 41 school canteens and suppliers to rectify.", ("ordered_to_rectify", 41)),
    ],
)
def test_measure_phrasings(sentence, expected):
    assert [(m, v) for m, v, _ in tallies(sentence)] == [expected]


def test_figures_that_are_not_enforcement_tallies():
    assert tallies(
        "There are 19 steel casting enterprises in the park, 11 of which have no environmental procedures.",
        "3 cases have not been settled so far.",
        "The county received 1,386 letters and calls from the masses.",
        "5 units collected fees of 583,000 yuan after the charge had been cancelled.",
        "The county built 25 sewage plants and closed 40 small workshops.",
        "The team visited 2 counties and 9 townships, and heard reports from 14 departments.",
        "Responsibilities shall be clarified one by one and those at fault held accountable.",
        "Offenders were detained for 15 days.",
        "The concentration of fine particles in 3 counties rose by 12% and 4 landfills are full.",
    ) == []


def test_quote_is_the_clause_and_lines_are_exact():
    doc = run("Feedback on the inspection", "", "The office settled 42 cases", "reported by the public; 6 people were detained.", first_line=100)
    settled, detained = doc.items
    assert (settled.span.line_start, settled.span.line_end) == (102, 103)
    assert settled.span.quote == "The office settled 42 cases\nreported by the public"
    assert (detained.span.line_start, detained.span.line_end, detained.span.quote) == (103, 103, "6 people were detained")
    for item in doc.items:
        assert item.span.quote in "\n".join(doc.lines)


def test_a_figure_of_them_counts_what_the_paragraph_counted_before():
    assert tallies("The team transferred 530 cases to the county. By June 1, 498 of them had been settled.") == [
        ("cases_transferred", 530, ""),
        ("cases_settled", 498, ""),
    ]


def test_a_subset_named_by_place_takes_the_measure_before_it():
    assert tallies("Luoshan City held 41 people accountable, including 6 people in the Beiwan Port Area, and"
                   " interviewed 20 cadres.") == [
        ("held_accountable", 41, ""),
        ("held_accountable", 6, "the Beiwan Port Area"),
        ("interviewed", 20, ""),
    ]
    assert tallies("The county held 12 people accountable, including 3 section chiefs.") == [
        ("held_accountable", 12, "")
    ]


def test_a_fine_played_down_in_a_problem_statement_is_no_tally():
    assert tallies("Dongli Dyeing Co., Ltd. discharged untreated dye water for years but was fined only 30,000 yuan.") == []


@pytest.mark.parametrize(
    "sentence",
    [
        "By May 1, the team had transferred 730 cases reported by the masses to Lintao City, of which 655 had been settled.",
        "The team transferred 730 petitions to the county, among which 655 have been basically settled.",
        "The team transferred 730 cases reported by the public to the county; of these, 655 were concluded.",
    ],
)
def test_a_bare_figure_of_which_counts_part_of_the_cases_before_it(sentence):
    assert tallies(sentence) == [("cases_transferred", 730, ""), ("cases_settled", 655, "")]


def test_the_inspectors_own_talks_are_no_accountability_interviews():
    assert tallies("The inspection team talked with 52 cadres and visited 7 counties during its stay.") == []
    assert tallies("The county discipline commission talked with 52 cadres and held 9 people accountable.") == [
        ("interviewed", 52, ""),
        ("held_accountable", 9, ""),
    ]
