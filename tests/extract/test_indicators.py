"""Indicators from a flattened indicator table and from a plan's sentences (invented fixture texts)."""

from __future__ import annotations

import pytest

from duban.extract.indicators import extract_indicators
from duban.extract.milestones import extract_milestones
from duban.extract.model import Doc

GOALS = """Implementation Plan for Digital Government Construction in Qinghe Province

Second, the main objectives

By 2027, the digital government system will be basically completed and the efficiency of government services will be significantly improved.
"""

TABLE = """
Table 1 Main indicators of digital government construction

serial number

Indicator name

Base value

Target value

one

Online handling rate of government services (%)

75

95

2

Number of provincial data sharing interfaces (piece)

1,200

3,000

three

Number of cross-department integrated service scenarios (piece)

two

five

10

Investment in digital infrastructure (100 million yuan)

12.5

30
"""

TASKS = """
Third, key tasks

(1) Expand online services. More than 200 high-frequency matters will be handled online across the province by the end of 2025.

(2) Improve the handling rate. The online handling rate of enterprise-related matters will reach 90% by 2026.
"""


def _run(text: str) -> Doc:
    doc = Doc(file="plan.txt", index=1, first_line=1, lines=text.split("\n"), genre="plan", date="2025-01-10")
    extract_milestones(doc)
    extract_indicators(doc)
    return doc


def _indicators(doc: Doc):
    return [it for it in doc.items if it.kind == "indicator"]


@pytest.fixture(scope="module")
def doc() -> Doc:
    return _run(GOALS + TABLE + TASKS)


@pytest.fixture(scope="module")
def table_rows(doc):
    first_task_line = 1 + (GOALS + TABLE).count("\n")
    return [it for it in _indicators(doc) if it.span.line_start < first_task_line]


def test_one_indicator_per_table_row(table_rows):
    assert [(r.fields["name"], r.fields["unit"]) for r in table_rows] == [
        ("Online handling rate of government services", "%"),
        ("Number of provincial data sharing interfaces", "piece"),
        ("Number of cross-department integrated service scenarios", "piece"),
        ("Investment in digital infrastructure", "100 million yuan"),
    ]


def test_table_baselines_and_targets(table_rows):
    assert [(r.fields["baseline"]["value"], r.fields["target"]["value"]) for r in table_rows] == [
        (75, 95), (1200, 3000), (2, 5), (12.5, 30),
    ]
    assert all(r.fields["comparator"] == "=" for r in table_rows)


def test_row_numbers_are_never_values(table_rows):
    for r in table_rows:
        values = {r.fields["baseline"]["value"], r.fields["target"]["value"]}
        # row numbers one, 2, three, 10 must not have been read as values
        assert not values & {1, 10} or r.fields["name"].startswith("Number of cross")
    assert table_rows[3].fields["baseline"]["value"] == 12.5


def test_spelled_cells_are_numbers(table_rows):
    row = table_rows[2]
    assert row.fields["baseline"]["value"] == 2
    assert row.fields["target"]["value"] == 5


def test_table_target_year_from_preceding_goal(table_rows):
    assert {r.fields["target"]["year"] for r in table_rows} == {2027}


def test_table_row_provenance(doc, table_rows):
    for r in table_rows:
        text = "\n".join(doc.line(n) for n in range(r.span.line_start, r.span.line_end + 1))
        assert r.span.quote in text
        assert r.fields["name"] in r.span.quote


def test_table_without_goal_year_has_null_year():
    doc = _run("Work Plan for Digital Government Construction in Qinghe Province\n" + TABLE)
    rows = _indicators(doc)
    assert len(rows) == 4
    assert all(r.fields["target"]["year"] is None for r in rows)


def test_text_target_count_with_more_than(doc):
    found = [it for it in _indicators(doc) if "high-frequency matters" in it.span.quote]
    assert len(found) == 1
    f = found[0].fields
    assert f["target"] == {"value": 200, "year": 2025}
    assert f["comparator"] == ">="
    assert f["baseline"] is None
    assert "high-frequency matters" in f["name"]


def test_text_target_percentage(doc):
    found = [it for it in _indicators(doc) if "90%" in it.span.quote]
    assert len(found) == 1
    f = found[0].fields
    assert f["target"] == {"value": 90, "year": 2026}
    assert f["unit"] == "%"
    assert f["comparator"] == "="
    assert "online handling rate" in f["name"]


def test_every_indicator_quote_lies_in_its_lines(doc):
    for it in _indicators(doc):
        text = "\n".join(doc.line(n) for n in range(it.span.line_start, it.span.line_end + 1))
        assert it.span.quote and it.span.quote in text


def test_prose_without_figures_gives_no_indicator():
    doc = _run("Action Plan for Qinghe Province\n\n(1) Improve the service system. Improve the evaluation mechanism of government services by the end of 2025.\n")
    assert _indicators(doc) == []


def test_items_of_a_quoted_kind_and_figures_in_a_series():
    doc = _run("Action Plan for Qinghe Province\n\n(1) Simplify approval. Realize more than 30 items of \"instant approval\""
               " and more than 40 items of \"no-visit handling\" by the end of 2026; By the end of 2027, more than 60"
               " items will be \"approved online\" and more than 20 items will be \"paperless\".\n")
    assert [(i.fields["name"], i.fields["unit"], i.fields["target"]["value"], i.fields["target"]["year"])
            for i in _indicators(doc)] == [
        ("instant approval", "items", 30, 2026), ("no-visit handling", "items", 40, 2026),
        ("approved online", "items", 60, 2027), ("paperless", "items", 20, 2027),
    ]


def test_types_of_is_the_unit_of_a_count():
    doc = _run("Action Plan for Qinghe Province\n\n(1) Share licences. By the end of 2026, more than 150 types of"
               " electronic certificates will be shared across departments.\n")
    [ind] = _indicators(doc)
    assert (ind.fields["name"], ind.fields["unit"], ind.fields["target"]["value"]) == ("electronic certificates", "types", 150)


def test_a_lower_case_remark_in_a_table_name_is_not_part_of_the_measure():
    table = ("Table 1 Main indicators\n\nserial number\n\nIndicator name\n\nBase value\n\nTarget value\n\none\n\n"
             "Number of towns rated as model (demonstration) towns (piece)\n\n12\n\n20\n\n2\n\n"
             "Share of (R&D) spending in GDP (%)\n\n1.5\n\n2.5\n")
    rows = _indicators(_run("Work Plan for Qinghe Province\n" + table))
    assert [(r.fields["name"], r.fields["unit"]) for r in rows] == [
        ("Number of towns rated as model towns", "piece"), ("Share of (R&D) spending in GDP", "%"),
    ]


def test_a_spelled_target_after_the_last_digit_is_read():
    doc = _run("Action Plan for Qinghe Province\n\n(1) Expand services. By the end of 2025, the online handling rate will"
               " reach 90%, and no less than twelve service halls will be built.\n")
    assert [(i.fields["name"], i.fields["target"]["value"], i.fields["comparator"]) for i in _indicators(doc)] == [
        ("online handling rate", 90, "="), ("service halls", 12, ">="),
    ]


def test_a_plain_count_is_a_target_only_in_a_dated_clause():
    doc = _run("Action Plan for Qinghe Province\n\n(1) Build halls. We will build 12 service halls by the end of 2025."
               " We will build 15 service halls.\n")
    assert [(i.fields["name"], i.fields["target"]["value"]) for i in _indicators(doc)] == [("service halls", 12)]


def _fields(doc: Doc, *keys: str):
    return [tuple(i.fields["target"][k[7:]] if k.startswith("target.") else i.fields[k] for k in keys)
            for i in _indicators(doc)]


def test_counts_after_a_deadline_and_comma_and_counts_joined_by_and():
    doc = _run("Action Plan for Qinghe Province\n\n(1) Equip the halls. By the end of 2026, 40 smart kiosks and 15 mobile"
               " service vans will be deployed in the counties.\n")
    assert _fields(doc, "name", "target.value", "target.year") == [("smart kiosks", 40, 2026), ("mobile service vans", 15, 2026)]


def test_a_number_in_a_list_after_a_comma_is_no_count():
    doc = _run("Action Plan for Qinghe Province\n\n(1) Revise rules. Revise Articles 3, 12 measures and the annex by the end"
               " of 2026.\n")
    assert _indicators(doc) == []


def test_a_spelled_count_is_a_target_when_its_deadline_follows_it():
    doc = _run("Action Plan for Qinghe Province\n\n(1) Open late. Open the evening window service in seven districts"
               " before the end of 2025; link the two provinces and their archives, and finish the review by the end of 2026.\n")
    assert _fields(doc, "name", "target.value", "target.year") == [("districts with evening window service", 7, 2025)]


def test_a_count_is_named_with_the_phrase_it_depends_on():
    doc = _run("Action Plan for Qinghe Province\n\n(1) Keep records. Complete the digital archives of 30 old factories"
               " by the end of 2026.\n")
    assert _fields(doc, "name", "unit", "target.value") == [("old factories with digital archives", "", 30)]


def test_a_figure_joined_to_letters_or_a_unit_inside_a_word_is_no_count():
    doc = _run("Action Plan for Qinghe Province\n\n(1) Connect towns. By the end of 2025, 5G coverage will reach all towns;"
               " 8 municipal parks will be rebuilt by the end of 2026.\n")
    assert _fields(doc, "name", "unit", "target.value") == [("municipal parks", "", 8)]


def test_a_goals_section_states_goals_without_a_goal_word_or_year():
    results = ("After two years, there are more than 60 freight routes linking the port with inland hubs, and the domestic"
               " transfer and overseas transfer shares of the hub account for 30% and 45% respectively.\n")
    doc = _run("Action Plan for Qinghe Port\n\n(3) Expected results.\n\n" + results + "\nFourth, safeguards\n\n" + results)
    assert _fields(doc, "name", "unit", "target.value", "target.year", "comparator") == [
        ("freight routes linking the port with inland hubs", "", 60, None, ">="),
        ("domestic transfer shares", "%", 30, None, "="),
        ("overseas transfer shares of the hub", "%", 45, None, "="),
    ]


def test_items_given_by_examples_are_of_the_kind_named_before():
    doc = _run("Action Plan for Qinghe Province\n\n(1) Go mobile. Before the end of 2026, we will issue a catalogue of"
               " cross-region services, and offer more than 80 items such as tax filing and pension checks.\n")
    assert _fields(doc, "name", "unit", "target.value") == [("cross-region services", "items", 80)]


def test_a_series_keeps_the_name_of_its_first_figure():
    doc = _run("Action Plan for Qinghe Province\n\n(1) Read more. Open more than 30 reading rooms in the county by the end"
               " of 2025, more than 50 reading rooms by the end of 2026.\n")
    assert _fields(doc, "name", "target.value", "target.year") == [
        ("reading rooms in the county", 30, 2025), ("reading rooms in the county", 50, 2026),
    ]


def test_a_quoted_word_ending_a_name_keeps_its_quote_marks():
    doc = _run("Action Plan for Qinghe Province\n\n(1) Merge services. By the end of 2025, 12 key \"one visit\" and"
               " 6 model \"one visit\" will be launched.\n")
    assert _fields(doc, "name", "target.value") == [('key "one visit"', 12), ('model "one visit"', 6)]


@pytest.mark.parametrize("clause", [
    "the rate will reach no more than 5% and not  less\n than 12,000 items, over 3 halls",
    "controlled within 9 days, morethan five, more than twelve cities and 2025 targets",
    "not" + " " * 45 + "less than 7 stations; x≥ 4 and abovex 8 kiosks " + "long words " * 12 + "at least 30",
    "no figure here at all",
    "more than 12 kiosks, at least 30 new halls with" + " long words" * 10 + "; over 4 km",  # no "and": no cut
    "Moreover 5 halls, More Than 6 kiosks, the total 7 and the amount ≥8, under\t 9 and 10 >= 11",
    "and by 2027 the number of halls will exceed 450 and by 2028 over 2030 kiosks",  # a year's tail holds a target
])
def test_the_search_from_each_figure_finds_what_a_full_scan_finds(clause):
    from duban.corpus.caseless import lowered
    from duban.extract.indicators import _figure_targets

    def found(matches):
        return [(m.span(), m.span("cmp"), m.span("num"), m.span("tail")) for m in matches]
    # without lower-cased text, the pattern is searched for from every position
    assert found(_figure_targets(clause, lowered(clause))) == found(_figure_targets(clause, None))


def test_a_figure_given_respectively_without_a_subject_has_no_name():
    doc = _run("Action Plan for Qinghe Province\n\n20% respectively by 2025, the goal.\n")
    assert _indicators(doc) == []


def test_a_deadline_opening_a_part_of_the_clause_gives_the_year_of_the_targets_after_it():
    doc = _run("Action Plan for Qinghe Province\n\n(1) Build stops. By the end of 2026, the county will have no fewer than"
               " 70 bus shelters, and by the end of 2027 more than 90 bus shelters will have solar lights.\n")
    assert _fields(doc, "target.value", "target.year") == [(70, 2026), (90, 2027)]


@pytest.mark.parametrize("sentence, name", [
    # the modal ends the subject, not a verb inside it
    ("By the end of 2026, the share of farms whose manure is recycled will reach 85%.", "share of farms whose manure is recycled"),
    # a list's tail continues the subject its commas cut
    ("By 2027, the rate of towns whose sewage is collected, treated and reused will reach 70%.",
     "rate of towns whose sewage is collected, treated and reused"),
    # an opening phrase is not the head of a list
    ("By 2027, in the course of reform, water and power coverage will reach 99%.", "water and power coverage"),
    # the subject follows a deadline that opens its part of the clause
    ("Open 12 reading rooms by the end of 2026, and by the end of 2027 the number of reading rooms will exceed 45.",
     "number of reading rooms"),
    # a verbless phrase: the gerund and the verb before the figure are not the measure
    ("Finish the new line by the end of 2026, raising the daily output of the mill to 800 tons.", "daily output of the mill"),
])
def test_the_measure_named_before_a_figure(sentence, name):
    doc = _run("Action Plan for Qinghe Province\n\n(1) Do the work. " + sentence + "\n")
    assert _fields(doc, "name")[-1] == (name,)


@pytest.mark.parametrize("sentence, comparator", [
    ("The approval rate of the hotline shall be not lower than 95%.", ">="),
    ("The vacancy rate of the new flats shall be not higher than 8%.", "<="),
    ("The waiting time share of the clinics shall not exceed 15%.", "<="),
    ("By the end of 2026, the reuse rate of grey water will reach 30% or above.", ">="),
    ("Build 20 or more pump stations by the end of 2026.", ">="),
])
def test_comparators_before_and_after_the_figure(sentence, comparator):
    doc = _run("Action Plan for Qinghe Province\n\n(1) Do the work. " + sentence + "\n")
    assert _fields(doc, "comparator") == [(comparator,)]


def test_a_threshold_that_picks_the_things_a_commitment_covers_is_no_target():
    doc = _run("Action Plan for Qinghe Province\n\n(1) Watch the plants. Bring all mills with an output of 50 tons or more"
               " onto the monitoring platform in 2026, and all farms with 300 cattle and above by 2027.\n")
    assert _indicators(doc) == []


def test_and_above_inside_a_noun_phrase_is_a_grade_not_a_bound():
    doc = _run("Action Plan for Qinghe Province\n\n(1) Link the clinics. By the end of 2026, 60% of county-level and above"
               " clinics will share records, and 40 grade-two and above clinics will open night wards.\n")
    assert _fields(doc, "target.value", "comparator") == [(60, "="), (40, "=")]


def test_a_rate_denominator_is_no_target_and_leaves_the_rate_whole():
    doc = _run("Action Plan for Qinghe Province\n\n(1) Add beds. Add 800 care beds by the end of 2027, raising the number"
               " of care beds per 1,000 elderly people to 42.5.\n")
    assert _fields(doc, "name", "target.value") == [
        ("care beds", 800), ("number of care beds per 1,000 elderly people", 42.5),
    ]


def test_a_unit_measures_what_follows_its_of():
    doc = _run("Action Plan for Qinghe Province\n\n(1) Pave. Pave 75 kilometres of mountain trails by the end of 2026.\n")
    assert _fields(doc, "name", "unit", "target.value") == [("mountain trails", "kilometres", 75)]


def test_a_figure_in_the_tail_of_one_that_is_no_target_is_read():
    doc = _run("Action Plan for Qinghe Province\n\n(1) Inspect. The inspection rate of mills with 200 workers or more"
               " shall reach 100% by 2026.\n")
    assert _fields(doc, "name", "target.value") == [("inspection rate of mills with 200 workers or more", 100)]


@pytest.mark.parametrize("sentence", [
    "In 2026, the county ranked 12th among the \"Top 50 Green Counties\" of the province.",
    "By 2027, we will strive for a leap from 0 to 1 in seed breeding.",
    "We will strive for a leap from 0 to 1 in seed breeding.",
])
def test_a_ranking_and_a_range_are_no_targets(sentence):
    assert _indicators(_run("Action Plan for Qinghe Province\n\n(1) Lead. " + sentence + "\n")) == []


@pytest.mark.parametrize("sentence, baseline, target", [
    ("By 2028, the share of electric buses will increase from 35.5% in 2025 to 80%.",
     {"value": 35.5, "year": 2025}, {"value": 80, "year": 2028}),
    ("By the end of 2027, the number of ferry piers will be increased from 14 to 22.",
     {"value": 14, "year": None}, {"value": 22, "year": 2027}),
])
def test_a_change_from_a_starting_value_gives_the_baseline(sentence, baseline, target):
    doc = _run("Action Plan for Qinghe Province\n\n(1) Move people. " + sentence + "\n")
    assert [(i.fields["baseline"], i.fields["target"]) for i in _indicators(doc)] == [(baseline, target)]


def test_a_figure_dated_before_the_plan_was_issued_is_where_it_starts_not_a_target():
    doc = _run("Action Plan for Qinghe Province\n\n(1) Heat. By the end of 2024, the clean heating rate reached 72%;"
               " by the end of 2026, the clean heating rate will reach 90%.\n")  # the plan is dated 2025-01-10
    assert _fields(doc, "target.value", "target.year") == [(90, 2026)]


def test_a_measurement_unit_and_the_object_of_an_imperative_verb():
    doc = _run("Action Plan for Qinghe Province\n\n(1) Clean the air. Close the old kilns before the end of 2026, and keep"
               " the PM2.5 concentration not higher than 28 micrograms per cubic metre in 2027.\n")
    assert _fields(doc, "name", "unit", "target.value", "comparator") == [
        ("PM2.5 concentration", "micrograms per cubic metre", 28, "<="),
    ]


def test_an_undated_target_in_a_goals_section_takes_the_year_its_goals_state():
    doc = _run("Action Plan for Qinghe Port\n\nII. Main objectives\n\nBy 2028, the port will be a regional hub;"
               " the share of rail freight will be raised to 35%.\n\nThe number of berths will reach 40.\n\n"
               "III. Key tasks\n\n(1) Serve. The satisfaction rate of shippers shall be not lower than 90%.\n")
    assert _fields(doc, "target.value", "target.year") == [(35, 2028), (40, 2028), (90, None)]


def test_half_year_deadline_is_not_part_of_a_count_name():
    from duban.extract.indicators import _noun_phrase

    assert _noun_phrase("ferry piers in the second half of 2026 with upgrades") == "ferry piers"
