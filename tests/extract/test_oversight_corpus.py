"""Facts of the shared corpus's oversight and law documents, checked by hand against the files, read at run time.

Each document is cut out of its file by line range, so these tests do not depend on the document splitter.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from duban.extract.findings import extract_findings
from duban.extract.model import Doc
from duban.extract.outcomes import extract_outcomes
from duban.extract.time_limits import extract_time_limits

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
FILE_000 = CORPUS / "000_4eb58766b4202dd1.txt"
FILE_001 = CORPUS / "001_75b1cbe0efa3536a.txt"

pytestmark = pytest.mark.skipif(not (FILE_000.exists() and FILE_001.exists()), reason="../shared/corpus is not beside the checkout")


def cut(path: Path, first: int, last: int, genre: str) -> Doc:
    lines = path.read_text(encoding="utf-8").split("\n")[first - 1 : last]
    doc = Doc(file=path.name, index=1, first_line=first, lines=lines, genre=genre)
    doc.title = lines[0].strip()
    return doc


@pytest.fixture(scope="module")
def xinjiang() -> Doc:
    doc = cut(FILE_001, 319, 359, "oversight")
    extract_findings(doc)
    extract_outcomes(doc)
    extract_time_limits(doc)
    return doc


@pytest.fixture(scope="module")
def shaanxi_audit() -> Doc:
    doc = cut(FILE_000, 267, 309, "oversight")
    extract_findings(doc)
    extract_outcomes(doc)
    extract_time_limits(doc)
    return doc


def items(doc: Doc, kind: str):
    return [it for it in doc.items if it.kind == kind]


def test_xinjiang_enforcement_tallies(xinjiang):
    tallies = [(it.span.line_start, it.fields["measure"], it.fields["value"], it.fields["scope"]) for it in items(xinjiang, "outcome")]
    assert tallies == [
        (331, "cases_settled", 2905, ""),
        (331, "ordered_to_rectify", 2182, ""),
        (331, "filed_for_penalty", 548, ""),
        (331, "fines_yuan", 68_200_000, ""),
        (331, "criminal_cases", 1, ""),
        (331, "detained", 25, ""),
        (331, "interviewed", 163, ""),
        (331, "held_accountable", 1613, ""),
        (331, "cases_settled", 583, "the Corps"),
        (331, "ordered_to_rectify", 457, "the Corps"),
        (331, "filed_for_penalty", 79, "the Corps"),
        (331, "detained", 1, "the Corps"),
        (331, "interviewed", 10, "the Corps"),
        (331, "held_accountable", 628, "the Corps"),
    ]


def test_xinjiang_rectification_time_limit(xinjiang):
    assert [(it.span.line_start, it.fields["value"], it.fields["unit"]) for it in items(xinjiang, "time_limit")] == [
        (357, 30, "working_days")
    ]


def test_xinjiang_findings_lie_in_the_problem_paragraphs(xinjiang):
    lines = {it.span.line_start for it in items(xinjiang, "finding")}
    assert lines == {337, 339, 341, 343, 345, 347, 349, 351, 353}  # not the lead, the achievements, the demands


def test_xinjiang_findings_name_places_and_units(xinjiang):
    findings = items(xinjiang, "finding")
    parties = [p for it in findings for p in it.fields["parties"]]
    for name in ("Development and Reform Commission of the Autonomous Region", "Lake Erik", "Karamay City",
                 "Hedong Veolia", "Forestry Bureau", "Korla City", "changji city"):
        assert name in parties
    assert not any(it.span.line_start == 335 for it in findings)  # "some localities and departments" is vague
    for it in findings:
        assert it.span.quote in "\n".join(xinjiang.lines)


def test_audit_findings_one_per_problem_clause(shaanxi_audit):
    on_277 = [it for it in items(shaanxi_audit, "finding") if it.span.line_start == 277]
    assert [it.fields["parties"] for it in on_277] == [["8 colleges and universities"], ["3 cities and counties"], ["1 county"]]
    assert [it.fields["amounts_yuan"] for it in on_277] == [[13_865_600.0], [], [65_000_000.0]]


def test_audit_findings_money_amounts(shaanxi_audit):
    amounts = {(it.span.line_start, tuple(it.fields["amounts_yuan"])) for it in items(shaanxi_audit, "finding")}
    assert (273, (257_140_000.0, 200_000_000.0, 57_140_000.0)) in amounts
    assert (281, (1_771_800.0, 1_000_000.0, 2_973_300.0)) in amounts
    assert (295, (5_798_100.0, 10_000.0)) in amounts
    assert (301, (11_987_800.0,)) in amounts
    assert (305, (687_000_000.0,)) in amounts


def test_audit_findings_counts_per_line(shaanxi_audit):
    per_line = {}
    for it in items(shaanxi_audit, "finding"):
        per_line[it.span.line_start] = per_line.get(it.span.line_start, 0) + 1
    assert per_line[279] == 5  # the clause on the result of a finding names no party
    assert per_line[303] == 5 and per_line[305] == 7 and per_line[307] == 4
    assert 267 not in per_line and 269 not in per_line  # title and introduction


def test_audit_counted_objects_give_way_to_the_place(shaanxi_audit):
    parties = {it.span.quote.split()[0] + " " + it.span.quote.split()[1]: it.fields["parties"] for it in items(shaanxi_audit, "finding")}
    assert parties["34 housing"] == ["5 districts"]
    assert parties["7 projects"] == ["7 projects"]


def test_audit_report_has_no_enforcement_tallies_or_time_limits(shaanxi_audit):
    assert items(shaanxi_audit, "outcome") == [] and items(shaanxi_audit, "time_limit") == []


def test_regulation_time_limits():
    doc = cut(FILE_000, 1, 219, "law")
    extract_time_limits(doc)
    # The publicity period and the probation period; not the terms, experience, training cycle or illness condition.
    assert [(it.span.line_start, it.fields["value"], it.fields["unit"]) for it in doc.items] == [
        (103, 5, "working_days"),
        (105, 1, "years"),
    ]
