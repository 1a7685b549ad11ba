"""Indicator tables flattened one cell per line, in the layouts plans use (invented fixture texts)."""

from __future__ import annotations

import pytest

from duban.extract.indicator_tables import table_indicators
from duban.extract.milestones import extract_milestones
from duban.extract.model import Doc


def _rows(text: str, title: str = "Work Plan for Building a Sports City in Qinghe (2027-2029)"):
    doc = Doc(file="plan.txt", index=1, first_line=1, lines=(title + "\n\n" + text).split("\n"), genre="plan")
    extract_milestones(doc)
    return doc, table_indicators(doc)


def _fields(items):
    return [(i.fields["name"], i.fields["unit"], i.fields["baseline"], i.fields["target"], i.fields["comparator"])
            for i in items]


UNIT_COLUMN_TABLE = """Table 2 Main indicators of the sports city

Serial number
Indicator
Unit
Baseline value (2026)
Target value (2029)
1
Share of residents exercising regularly
%
38.5
≥45
two
Number of public fitness trails
piece
14
twenty
3
Obesity rate of pupils
%
19.1
≤17
4
Stadiums open free of charge
venue
—
12

Note: "≥" and "≤" mark binding indicators.
"""


def test_a_header_gives_the_columns_and_their_years():
    _, rows = _rows(UNIT_COLUMN_TABLE)
    assert _fields(rows) == [
        ("Share of residents exercising regularly", "%", {"value": 38.5, "year": 2026}, {"value": 45, "year": 2029}, ">="),
        ("Number of public fitness trails", "piece", {"value": 14, "year": 2026}, {"value": 20, "year": 2029}, "="),
        ("Obesity rate of pupils", "%", {"value": 19.1, "year": 2026}, {"value": 17, "year": 2029}, "<="),
        ("Stadiums open free of charge", "venue", None, {"value": 12, "year": 2029}, "="),
    ]


def test_a_unit_spelled_as_a_magnitude_is_the_units_cell_not_a_value():
    table = UNIT_COLUMN_TABLE.replace("Number of public fitness trails\npiece", "Length of fitness trails\nTen thousand")
    table = table.replace("Stadiums open free of charge\nvenue", "Sports club members\nTen thousand households")
    _, rows = _rows(table)
    assert [(name, unit) for name, unit, *_ in _fields(rows)] == [
        ("Share of residents exercising regularly", "%"),
        ("Length of fitness trails", "Ten thousand"),
        ("Obesity rate of pupils", "%"),
        ("Sports club members", "Ten thousand households"),
    ]


def test_a_header_table_row_runs_from_its_number_to_its_target():
    doc, rows = _rows(UNIT_COLUMN_TABLE)
    first_row = UNIT_COLUMN_TABLE.split("\n").index("1") + 3  # the title and a blank line come first
    assert (rows[0].span.line_start, rows[0].span.line_end) == (first_row, first_row + 4)
    assert rows[0].fields["name"] in rows[0].span.quote


YEAR_COLUMN_TABLE = """Main indicators of sports development during the period

Category
Indicator
Unit
2026
2029
Attribute
Participation
Residents exercising regularly
%
38.5
more than 45%
Expected
Sports clubs per 10,000 people
club
1.2
2
Binding
Facilities
1
Sports floor space per person
square metre
2.4
[3]
Expected
2
Community fitness centres
—
Partly covered
Fully covered
Expected
3
Public swimming pools
pool
9
15
Expected
The city will carry out the following work to reach these targets.
"""


def test_year_columns_a_category_over_several_rows_and_an_attribute_column():
    _, rows = _rows(YEAR_COLUMN_TABLE)
    assert [(name, unit, baseline["value"], target["value"], target["year"], cmp)
            for name, unit, baseline, target, cmp in _fields(rows)] == [
        ("Residents exercising regularly", "%", 38.5, 45, 2029, ">="),
        ("Sports clubs per 10,000 people", "club", 1.2, 2, 2029, "="),
        ("Sports floor space per person", "square metre", 2.4, 3, 2029, "="),
        ("Public swimming pools", "pool", 9, 15, 2029, "="),  # after a row whose target is words
    ]
    assert {r.fields["baseline"]["year"] for r in rows} == {2026}


def test_a_category_cell_is_not_part_of_its_first_row():
    _, rows = _rows(YEAR_COLUMN_TABLE)
    assert "Participation" not in rows[0].span.quote and "Facilities" not in rows[2].span.quote


def test_a_target_column_without_a_year_takes_the_plan_goal_year_and_units_in_brackets():
    text = ("By 2029, the sports city will be basically built.\n\nTable 1 Targets\n\nIndicator name\n\nCurrent value\n\n"
            "Target value\n\nFitness instructors per 1,000 people (person)\n\n2.1\n\n3.5\n\nSchool pitches (piece)\n\n40\n\n"
            "55 or above\n")
    _, rows = _rows(text, title="Work Plan for Building a Sports City in Qinghe")
    assert _fields(rows) == [
        ("Fitness instructors per 1,000 people", "person", {"value": 2.1, "year": None}, {"value": 3.5, "year": 2029}, "="),
        ("School pitches", "piece", {"value": 40, "year": None}, {"value": 55, "year": 2029}, ">="),
    ]


def test_prose_after_a_header_table_is_not_read_as_rows():
    text = ("Serial number\nIndicator\n2026\n2029\n1\nShare of green buildings (%)\n30\n60\n"
            "2. Improve the venues. Build 5 venues by the end of 2028.\nShort line\n7\n9\n")
    _, rows = _rows(text)
    assert [r.fields["name"] for r in rows] == ["Share of green buildings"]


def test_header_words_in_prose_make_no_table():
    text = ("Indicator\n\nThe indicator system will be improved.\n\nUnit\n\nEach unit shall report 2029 data.\n"
            "Target\n1\n2\n")
    assert _rows(text)[1] == []


@pytest.mark.parametrize("caption", ["Table 3 Targets of sports consumption", "Main expected indicators of sports consumption"])
def test_a_table_without_a_header_is_read_by_its_rows(caption):
    text = ("By 2029, the targets will be met.\n\n" + caption + "\n\none\n\nShare of sports consumption (%)\n\n"
            "1.5\n\n2.5\n\n2\n\nSports venues (piece)\n\nthree\n\nseven\n")
    _, rows = _rows(text, title="Work Plan for Building a Sports City in Qinghe")
    assert [(r.fields["name"], r.fields["baseline"]["value"], r.fields["target"]["value"]) for r in rows] == [
        ("Share of sports consumption", 1.5, 2.5), ("Sports venues", 3, 7),
    ]


def test_a_note_ends_the_table():
    text = "Serial number\nIndicator\n2026\n2029\n1\nShare of green buildings (%)\n30\n60\nNote: 2029 figures are planned\n5\n6\n"
    assert [r.fields["name"] for r in _rows(text)[1]] == ["Share of green buildings"]


def test_header_words_of_other_layouts_and_section_rows():
    text = ("Table 4 Indicators\nNo.\nProject\nUnit\nBase year value (2026)\nValue in 2028\nExpected target for 2029\n"
            "Average annual growth [cumulative]\nIndicator attribute\n(I) Mass sports\n1\nSports events held\nitem\n120\n150\n"
            "about 180\n[14]\nExpected\n(II) Sports industry\n2\nSports industry output\n100 million yuan\n85\n100\n"
            "120 or above\n7.1\nExpected\n")
    _, rows = _rows(text)
    assert [(r.fields["name"], r.fields["unit"], r.fields["baseline"], r.fields["target"], r.fields["comparator"])
            for r in rows] == [
        ("Sports events held", "item", {"value": 120, "year": 2026}, {"value": 180, "year": 2029}, "="),
        ("Sports industry output", "100 million yuan", {"value": 85, "year": 2026}, {"value": 120, "year": 2029}, ">="),
    ]


def test_a_year_before_a_header_is_not_one_of_its_columns():
    text = "Opened in\n2026\nSerial number\nIndicator\n2026\n2029\n1\nShare of green buildings (%)\n30\n60\n"
    assert [(r.fields["baseline"]["value"], r.fields["target"]["value"]) for r in _rows(text)[1]] == [(30, 60)]
