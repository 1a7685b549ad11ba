"""Tasks, milestones and their units, read from an invented plan through the pipeline."""

from __future__ import annotations

import pytest

from duban.corpus.caseless import lowered
from duban.extract.clauses import _SENTENCE_END, matches_opening_with, sentence_spans
from duban.extract.milestones import extract_milestones
from duban.extract.model import Doc
from duban.extract.outline import (
    _NOTE_BRACKETS, RESPONSIBILITY_NOTE, UNITS_BRACKET, UNITS_BRACKET_OPENINGS, _opens_note, stated_units,
)
from duban.extract.paragraphs import paragraphs
from duban.extract.pipeline import run_pipeline
from duban.extract.tasks import extract_tasks

# An invented plan in the genre's machine-translated English: Qinghe Province and its units do not exist.
PLAN = """Notice of the Qinghe Provincial People's Government on Printing and Distributing the Three-year Action Plan for Upgrading Government Services (2025-2027)

Qinghe Zhengfa [2025] No. 4

People's governments of all cities (prefectures) and all departments directly under the provincial government:

The Three-year Action Plan for Upgrading Government Services (2025-2027) is hereby issued to you, please earnestly implement it.

Qinghe Provincial People's Government

March 3, 2025

Three-year Action Plan for Upgrading Government Services (2025-2027)

First, the guiding ideology

Guided by the important thoughts on serving the people, we will deepen the reform of government services and improve the sense of gain of enterprises and the masses.

Second, the overall objectives

By the end of 2025, the provincial integrated service platform will be fully connected; by the end of 2027, a convenient and efficient government service system will be basically formed.

Third, key tasks

(one) Optimize the service catalogue. Before the end of 2025, establish a unified catalogue of administrative service items; by the end of 2026, realize dynamic management of the catalogue. [Responsible units: Lanshan Provincial General Office, Department of Justice, Provincial Big Data Center. Before the comma is the lead unit, the same below]

(2) Promote cross-regional handling of matters. More than 100 high-frequency matters will be handled across provinces by the end of 2025, more than 200 high-frequency matters by the end of 2026. [Responsible units: Provincial Government Affairs Service Center, Department of Culture and Tourism, provincial departments (units) and municipal people's governments]

(four) Strengthen the construction of service centres. By the end of 2023, 50 county-level service centres had been built. Continue to improve the service facilities of township convenience centres and standardize their operation. (The Development and Reform Commission and the Emergency Management Ministry will take the lead, and the Department of Finance will be responsible according to the division of responsibilities)

(twelve) Improve the evaluation system. Improve the good and bad review system for government services and publish evaluation results regularly on the portal.

(13) Deepen reform of key links

1. Simplify the approval of engineering construction projects. Reduce the number of approval links and complete the revision of the approval flow chart before June 30, 2025.

2. Promote electronic licences in all fields. Expand the application scenarios of electronic licences in transportation, medical care and education across the province.

Fourth, pilot work

(1) Pilot units.

Qinghe City People's Government, Department of Commerce

(2) Carry out pilot integrated services for enterprises. Explore a one-stop service model for the whole life cycle of enterprises in the pilot areas before October 2025.

(3) Summarize the pilot experience. Form replicable experience and promote it across the province in the first half of 2026.

Fifth, safeguard measures

(1) Strengthen organizational leadership. All localities should establish a working mechanism for coordinated promotion and clarify the division of responsibilities.

Note: 1. The matters listed in the catalogue shall be filled in according to the unified standard of the province.
2. Departments shall fill in the handling time limit in working days.
"""

LINES = PLAN.split("\n")
FIRST_LINE = 101  # the document sits inside a larger file: line numbers are file lines


def _line_no(prefix: str) -> int:
    return next(FIRST_LINE + i for i, line in enumerate(LINES) if line.startswith(prefix))


@pytest.fixture(scope="module")
def doc() -> Doc:
    return run_pipeline(Doc(file="plan.txt", index=1, first_line=FIRST_LINE, lines=list(LINES)))


@pytest.fixture(scope="module")
def tasks(doc):
    return [it for it in doc.items if it.kind == "task"]


@pytest.fixture(scope="module")
def milestones(doc):
    return [it for it in doc.items if it.kind == "milestone"]


def _task(tasks, title_start):
    found = [t for t in tasks if t.fields["title"].startswith(title_start)]
    assert len(found) == 1, [t.fields for t in tasks]
    return found[0]


def test_document_is_a_plan(doc):
    assert doc.genre == "plan"
    assert doc.date == "2025-03-03"


def test_task_numbers_and_titles_as_written(tasks):
    assert [(t.fields["number"], t.fields["title"]) for t in tasks] == [
        ("(one)", "Optimize the service catalogue"),
        ("(2)", "Promote cross-regional handling of matters"),
        ("(four)", "Strengthen the construction of service centres"),
        ("(twelve)", "Improve the evaluation system"),
        ("1.", "Simplify the approval of engineering construction projects"),
        ("2.", "Promote electronic licences in all fields"),
        ("(2)", "Carry out pilot integrated services for enterprises"),
        ("(3)", "Summarize the pilot experience"),
        ("(1)", "Strengthen organizational leadership"),
    ]


def test_non_tasks_are_left_out(tasks):
    titles = [t.fields["title"] for t in tasks]
    for not_task in ("the guiding ideology", "the overall objectives", "key tasks", "Deepen reform of key links",
                     "Pilot units", "pilot work"):
        assert not_task not in titles
    assert not any(t.span.quote.startswith("Note") or "fill in" in t.fields["title"] for t in tasks)


def test_heading_with_only_sub_items_gives_its_sub_items(tasks):
    numbers = {t.fields["number"] for t in tasks}
    assert "(13)" not in numbers
    assert _task(tasks, "Simplify the approval").span.line_start == _line_no("1. Simplify")
    assert _task(tasks, "Promote electronic licences").span.line_start == _line_no("2. Promote")


def test_bracket_units_lead_first_and_note_dropped(tasks):
    assert _task(tasks, "Optimize the service catalogue").fields["units"] == [
        "Lanshan Provincial General Office", "Department of Justice", "Provincial Big Data Center",
    ]


def test_bracket_units_split_as_a_reader_would(tasks):
    assert _task(tasks, "Promote cross-regional").fields["units"] == [
        "Provincial Government Affairs Service Center",
        "Department of Culture and Tourism",
        "provincial departments (units)",
        "municipal people's governments",
    ]


def test_responsibility_note_gives_units_count_and_lead(tasks):
    units = _task(tasks, "Strengthen the construction").fields["units"]
    assert len(units) == 3
    assert units[0] == "Development and Reform Commission"
    assert units[2] == "Department of Finance"


def test_responsibility_note_units_without_article(tasks):
    assert _task(tasks, "Strengthen the construction").fields["units"] == [
        "Development and Reform Commission", "Emergency Management Ministry", "Department of Finance",
    ]


def test_task_without_units_has_empty_list(tasks):
    assert _task(tasks, "Improve the evaluation system").fields["units"] == []
    assert _task(tasks, "Simplify the approval").fields["units"] == []


def test_pilot_units_heading_inherited_until_next_section(tasks):
    pilot = ["Qinghe City People's Government", "Department of Commerce"]
    assert _task(tasks, "Carry out pilot").fields["units"] == pilot
    assert _task(tasks, "Summarize the pilot").fields["units"] == pilot
    assert _task(tasks, "Strengthen organizational leadership").fields["units"] == []


def test_task_due_is_latest_milestone_or_none(tasks):
    dues = {t.fields["title"]: t.fields["due"] for t in tasks}
    assert dues["Optimize the service catalogue"] == "2026-12-31"
    assert dues["Promote cross-regional handling of matters"] == "2026-12-31"
    assert dues["Strengthen the construction of service centres"] is None
    assert dues["Improve the evaluation system"] is None
    assert dues["Simplify the approval of engineering construction projects"] == "2025-06-30"
    assert dues["Carry out pilot integrated services for enterprises"] == "2025-09-30"
    assert dues["Summarize the pilot experience"] == "2026-06-30"


def test_two_dated_clauses_give_two_milestones_with_task_units(milestones):
    line = _line_no("(one)")
    ms = [m for m in milestones if m.span.line_start == line]
    assert [(m.fields["due"], m.fields["due_text"]) for m in ms] == [
        ("2025-12-31", "Before the end of 2025"), ("2026-12-31", "by the end of 2026"),
    ]
    assert ms[0].span.quote == "Before the end of 2025, establish a unified catalogue of administrative service items"
    assert ms[1].span.quote == "by the end of 2026, realize dynamic management of the catalogue"
    for m in ms:
        assert m.fields["units"] == [
            "Lanshan Provincial General Office", "Department of Justice", "Provincial Big Data Center",
        ]


def test_comma_series_gives_two_milestones(milestones):
    line = _line_no("(2) Promote")
    ms = [m for m in milestones if m.span.line_start == line]
    assert [m.fields["due"] for m in ms] == ["2025-12-31", "2026-12-31"]
    assert "more than 100" in ms[0].span.quote.lower() and "200" not in ms[0].span.quote
    assert "more than 200" in ms[1].span.quote.lower() and "100" not in ms[1].span.quote


def test_past_year_in_plan_is_no_milestone(milestones):
    assert not any("2023" in m.span.quote for m in milestones)
    assert not [m for m in milestones if m.span.line_start == _line_no("(four)")]


def test_goals_item_clauses_are_milestones_without_units(milestones):
    line = _line_no("By the end of 2025, the provincial")
    ms = [m for m in milestones if m.span.line_start == line]
    assert [m.fields["due"] for m in ms] == ["2025-12-31", "2027-12-31"]
    assert all(m.fields["units"] == [] for m in ms)


def test_every_item_quote_lies_in_its_lines(doc):
    assert doc.items
    for it in doc.items:
        assert FIRST_LINE <= it.span.line_start <= it.span.line_end
        text = "\n".join(doc.line(n) for n in range(it.span.line_start, it.span.line_end + 1))
        assert it.span.quote and it.span.quote in text, (it.kind, it.span)


def test_milestones_then_tasks_directly():
    doc = Doc(file="plan.txt", index=1, first_line=1, lines=list(LINES), genre="plan", date="2025-03-03")
    extract_milestones(doc)
    extract_tasks(doc)
    tasks = [it for it in doc.items if it.kind == "task"]
    assert len(tasks) == 9
    assert tasks[0].fields["due"] == "2026-12-31"
    assert tasks[0].span.line_start == LINES.index(next(l for l in LINES if l.startswith("(one)"))) + 1


def test_heading_over_circled_sub_items_gives_its_sub_items():
    lines = [
        "(1) Improve the supervision mechanism",
        "① Establish a list of key supervision matters and publish it to the public before the end of 2025.",
        "② Carry out random inspections of the listed matters and report the results every quarter.",
    ]
    doc = Doc(file="plan.txt", index=1, first_line=1, lines=lines, genre="plan", date="2025-03-03")
    extract_milestones(doc)
    extract_tasks(doc)
    assert [t.fields["number"] for t in doc.items if t.kind == "task"] == ["①", "②"]


@pytest.mark.parametrize("pattern, openings", [
    (UNITS_BRACKET, UNITS_BRACKET_OPENINGS), (RESPONSIBILITY_NOTE, "(（"), (_SENTENCE_END, ".!?。！？"),
])
def test_matches_opening_with_gives_what_finditer_gives(pattern, openings):
    texts = [
        "Do it. [Responsible units: A, B] (The Office will take the lead (see 3.2).) Then (1) stop!",
        "(Review (the Office will take the lead)) and (Department X will be responsible) 【lead unit: C】",
        "No. 5 e.g. this one (unclosed [Leading unit: D] ... done? Yes。好！",
        "",
    ]
    for text in texts:
        assert [m.span() for m in matches_opening_with(pattern, text, openings)] == [
            m.span() for m in pattern.finditer(text)
        ]


def test_note_inside_an_aside_gives_its_units():
    text = "Improve the service (see the catalogue (the Office and the Bureau will take the lead)) by 2025."
    assert stated_units(text) == ["Office", "Bureau"]


def test_note_in_any_case_and_whitespace_gives_its_units():
    text = "Improve the service (see 3.1). (The Tax Office SHALL BE\nResponsible (as before))"
    assert stated_units(text) == ["Tax Office, (as before)"]


@pytest.mark.parametrize("line", [
    "Publish it by 2025. [Responsible units: İstanbul Office] Then report.",
    "ΟΔΟΣ[Responsible units: Office]Σ by 2025.",
    "Publish it by 2025 (no units).",
])
def test_lowered_text_without_unit_brackets_is_the_blanked_text_lowered(line):
    (para,) = paragraphs(Doc(file="plan.txt", index=1, first_line=1, lines=[line]))
    assert para.lowered_without_unit_brackets() == lowered(para.without_unit_brackets())


def test_sentences_end_after_no_abbreviation():
    text = "See Art. 5 and No.. 6, approx. 7 items, e.g. forms; Dr. Li reviews it. Mr. Wang. A final note."
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "See Art. 5 and No.. 6, approx. 7 items, e.g. forms; Dr. Li reviews it.", "Mr. Wang.", "A final note.",
    ]


def test_responsibility_notes_in_lowered_text_are_those_the_pattern_finds():
    texts = [
        "Do it (The Office will take the lead (see 3.2).) and (Review (the Office will take the lead)) then",
        "(Retake the lead) (x will be responsibleness) (the Bureau takes the lead_) (A Bureau will Be  Responsible)",
        "(unclosed (the Office will take the lead) (deep (deeper (the Bureau will take the lead))))",
        "（The Office taking the lead）(shall be responsible",
    ]
    for text in texts:
        low = text.lower()
        assert [m.span() for m in matches_opening_with(_NOTE_BRACKETS, low, "(（", lambda at: _opens_note(low, at))] == [
            m.span() for m in RESPONSIBILITY_NOTE.finditer(text)
        ]


def dated_milestones(lines: list[str]) -> list[tuple[str, str]]:
    """The (quote, due) of the milestones of a plan dated 2026-01-05 made of `lines`."""
    doc = Doc(file="plan.txt", index=1, first_line=1, lines=lines, genre="plan", date="2026-01-05")
    extract_milestones(doc)
    return [(it.span.quote, it.fields["due"]) for it in doc.items]


def test_goal_year_ending_a_sentence_is_a_milestone_but_not_in_a_title_an_aside_or_a_report():
    lines = [
        "Liuhe County Plan for Rural Roads",
        "",
        "(1) Harden the roads. Connect all villages to the county road network in 2027. (The base year is 2025, "
        "the target is the figure to be reached in 2028)",
        "",
        "(2) Road Maintenance Work of Liuhe County in 2027",
        "",
        "(3) Repair the bridges. The old bridge was closed for repairs in 2026.",
    ]
    assert dated_milestones(lines) == [
        ("Connect all villages to the county road network in 2027", "2027-12-31"),
    ]


def test_goal_years_joined_by_and_are_a_series_whose_parts_leave_out_the_and():
    lines = [
        "(1) Renovate schools. Complete the renovation of 50 schools in 2026 and 80 schools in 2027.",
        "",
        "(2) Open parks. Open 5 parks by the end of 2026, and 8 parks by the end of 2027.",
    ]
    assert dated_milestones(lines) == [
        ("Complete the renovation of 50 schools in 2026", "2026-12-31"),
        ("80 schools in 2027", "2027-12-31"),
        ("Open 5 parks by the end of 2026", "2026-12-31"),
        ("8 parks by the end of 2027", "2027-12-31"),
    ]
