"""Plan structure in layouts other than bracketed units: labelled unit lines, units stated over sub-items, headings
that lead into their sub-items, rectification items, closing paragraphs. Every name here is invented."""

from __future__ import annotations

import pytest

from duban.extract.model import Doc
from duban.extract.outline import labelled_units, outline, split_units, stated_units
from duban.extract.pipeline import run_pipeline

PLAN = """Yunbei City Work Plan for Improving Community Sports Facilities (2026-2028)

April 2, 2026

I. Work objectives

By the end of 2027, every street will have a fitness square.

II. Key tasks

(i) Build facilities

1. Build fitness trails. Build 30 kilometres of fitness trails along the Yun River by the end of 2026.
Lead unit: Municipal Sports Bureau; Cooperating units: Municipal Water Bureau, Municipal Finance Bureau, district governments

2. Open school playgrounds. Open the playgrounds of 40 schools to residents after school hours.
Lead department: Municipal Education Bureau; Cooperating unit: Municipal Sports Bureau

(ii) Run events

3. Hold a city games. Hold the first community games of the city in the second half of 2027.
Responsible units: Municipal Sports Bureau, Municipal Culture Bureau (lead), Yunbei Sports Association
Responsible city leader: Gao Feng, vice mayor

(iii) Pilot smart gyms

Pilot units: Dongli District People's Government, Xishan Street Office.

4. Install smart equipment. Each pilot unit shall install smart fitness equipment in 5 parks before October 2027.

5. Train instructors. Each pilot unit shall train no fewer than 50 social sports instructors every year.

III. Safeguard measures

(i) Strengthen funding. Include the funds in the annual budget and settle the subsidies every quarter.
"""

RECTIFICATION = """Hexi County Rectification Plan for the Problems Found in the Special Inspection

May 6, 2026

I. Rectification goals

Before the end of 2026, most problems will be rectified; by the end of 2027, all of them will pass acceptance.

II. Rectification tasks

The problems are rectified one by one. The specific arrangements are as follows:

1. The landfill of Shangpo Town leaks leachate into the nearby ditch.
Responsible county leader: Lu Qing, deputy county magistrate
Responsible units: County Urban Management Bureau (lead), Hexi Ecology and Environment Sub-bureau
Rectification time limit: before the end of April 2027
Rectification measures: finish the anti-seepage works before the end of November 2026; monitor the ditch every month.

2. The noise complaints about the Xinfa workshop were not answered.
Responsible units: Hexi Ecology and Environment Sub-bureau
Rectification time limit: before 2027
Rectification measures: reply to the complainants and check the workshop again.
"""


def _doc(text: str, genre: str | None = None) -> Doc:
    doc = Doc(file="plan.txt", index=1, first_line=1, lines=text.split("\n"))
    if genre is None:
        return run_pipeline(doc)
    from duban.extract import milestones, tasks

    doc.genre, doc.date = genre, "2026-05-06"
    milestones.extract_milestones(doc)
    tasks.extract_tasks(doc)
    return doc


@pytest.fixture(scope="module")
def plan() -> Doc:
    return _doc(PLAN)


@pytest.fixture(scope="module")
def rectification() -> Doc:
    return _doc(RECTIFICATION, genre="plan")


def _tasks(doc: Doc) -> dict[str, dict]:
    return {it.fields["number"] + " " + it.fields["title"]: it.fields for it in doc.items if it.kind == "task"}


def _milestones(doc: Doc) -> list[tuple[str, str, list[str]]]:
    return [(it.span.quote, it.fields["due"], it.fields["units"]) for it in doc.items if it.kind == "milestone"]


def test_plan_tasks_are_the_action_items(plan):
    assert plan.genre == "plan"
    assert list(_tasks(plan)) == [
        "1. Build fitness trails", "2. Open school playgrounds", "3. Hold a city games", "4. Install smart equipment",
        "5. Train instructors", "(i) Strengthen funding",
    ]


def test_lead_and_cooperating_unit_lines_give_the_units_lead_first(plan):
    tasks = _tasks(plan)
    assert tasks["1. Build fitness trails"]["units"] == [
        "Municipal Sports Bureau", "Municipal Water Bureau", "Municipal Finance Bureau", "district governments",
    ]
    assert tasks["2. Open school playgrounds"]["units"] == ["Municipal Education Bureau", "Municipal Sports Bureau"]


def test_lead_marker_is_dropped_and_its_unit_comes_first_and_a_person_is_no_unit(plan):
    assert _tasks(plan)["3. Hold a city games"]["units"] == [
        "Municipal Culture Bureau", "Municipal Sports Bureau", "Yunbei Sports Association",
    ]


def test_units_stated_under_a_heading_go_to_its_sub_items_numbered_on(plan):
    tasks = _tasks(plan)
    pilot = ["Dongli District People's Government", "Xishan Street Office"]
    assert tasks["4. Install smart equipment"]["units"] == pilot
    assert tasks["5. Train instructors"]["units"] == pilot
    assert tasks["(i) Strengthen funding"]["units"] == []
    assert not any(number.startswith("(iii)") for number in tasks)


def test_milestones_carry_the_labelled_units(plan):
    by_due = {due: units for _, due, units in _milestones(plan)}
    assert by_due["2026-12-31"][0] == "Municipal Sports Bureau"
    assert by_due["2027-09-30"] == ["Dongli District People's Government", "Xishan Street Office"]
    assert by_due["2027-12-31"] == ["Municipal Culture Bureau", "Municipal Sports Bureau", "Yunbei Sports Association"]


def test_short_objectives_heading_and_lead_in_heading_are_no_tasks(rectification):
    titles = [fields["title"] for fields in _tasks(rectification).values()]
    assert titles == [
        "The landfill of Shangpo Town leaks leachate into the nearby ditch",
        "The noise complaints about the Xinfa workshop were not answered",
    ]


def test_rectification_item_units_and_dated_lines(rectification):
    first, second = _tasks(rectification).values()
    assert first["units"] == ["County Urban Management Bureau", "Hexi Ecology and Environment Sub-bureau"]
    assert first["due"] == "2027-04-30"
    assert second["units"] == ["Hexi Ecology and Environment Sub-bureau"]
    assert second["due"] == "2026-12-31"
    quotes = {quote: due for quote, due, _ in _milestones(rectification)}
    assert quotes["Rectification time limit: before the end of April 2027"] == "2027-04-30"
    assert quotes["Rectification measures: finish the anti-seepage works before the end of November 2026"] == "2026-11-30"
    assert quotes["Rectification time limit: before 2027"] == "2026-12-31"


@pytest.mark.parametrize("statement, units", [
    ("Cooperating units: Water Bureau; Lead unit: Sports Bureau", ["Sports Bureau", "Water Bureau"]),
    ("Co-organizers: Youth League Committee, Women's Federation", ["Youth League Committee", "Women's Federation"]),
    ("牵头单位：县水利局；配合单位：县财政局、各乡镇人民政府", ["县水利局", "县财政局", "各乡镇人民政府"]),
])
def test_labelled_statements(statement, units):
    assert labelled_units(statement) == units


def test_bracket_with_lead_and_cooperating_labels():
    text = "Repair the bridges by 2027. [Lead unit: Traffic Bureau; cooperating units: Finance Bureau, town governments]"
    assert stated_units(text) == ["Traffic Bureau", "Finance Bureau", "town governments"]


def test_units_line_needs_a_unit_label():
    assert stated_units("Repair the bridges.\nResponsible person: Wang Li, director") is None


@pytest.mark.parametrize("text, units", [
    ("Provincial Sports Bureau; People's governments of all counties", ["Provincial Sports Bureau", "People's governments of all counties"]),
    ("Harbour Office, Tide Bureau (leading)", ["Tide Bureau", "Harbour Office"]),
    ("Bureau of Culture, Radio (lead)", ["Bureau of Culture, Radio"]),
    ("县水利局, 县财政局", ["县水利局", "县财政局"]),
])
def test_split_units(text, units):
    assert split_units(text) == units


def test_closing_paragraph_after_a_list_of_one_paragraph_items_is_not_the_last_item():
    doc = _doc(
        "Notice on Spring Tree Planting\n\n"
        "(one) Plant trees. Plant 5,000 trees along the canal by the end of 2026.\n\n"
        "(two) Protect seedlings. Water the seedlings every week.\n\n"
        "All towns shall report their planting plans to the county before June 30, 2026.\n",
        genre="plan",
    )
    items = outline(doc)
    assert [(item.marker, item.line, item.last_line) for item in items] == [("(one)", 3, 3), ("(two)", 5, 5)]
    assert _tasks(doc)["(two) Protect seedlings"]["due"] is None
    assert ("All towns shall report their planting plans to the county before June 30, 2026", "2026-06-30", []) in (
        _milestones(doc)
    )


def test_item_whose_body_is_its_own_paragraph_keeps_it():
    doc = _doc(
        "Plan for Green Schools\n\n"
        "(1) Plant school gardens. Each school shall plant a garden.\n\n"
        "(2) Energy saving\n\n"
        "Replace all school lamps with energy-saving lamps by the end of 2027.\n",
        genre="plan",
    )
    assert [(item.marker, item.last_line) for item in outline(doc)] == [("(1)", 3), ("(2)", 7)]


def test_heading_with_only_units_is_a_task_unless_sub_items_follow():
    doc = _doc(
        "Plan for Clean Rivers\n\n"
        "(1) Dredge the canals. [Responsible units: Water Bureau]\n\n"
        "(2) Restore the wetlands. [Responsible units: Forestry Bureau, Lake Office]\n\n"
        "1. Replant the reed beds along the north shore of the lake.\n\n"
        "2. Remove the fish ponds. [Responsible units: Fisheries Station]\n",
        genre="plan",
    )
    tasks = _tasks(doc)
    assert list(tasks) == ["(1) Dredge the canals", "1. Replant the reed beds along the north shore of the lake",
                           "2. Remove the fish ponds"]
    assert tasks["(1) Dredge the canals"]["units"] == ["Water Bureau"]
    assert tasks["1. Replant the reed beds along the north shore of the lake"]["units"] == ["Forestry Bureau", "Lake Office"]
    assert tasks["2. Remove the fish ponds"]["units"] == ["Fisheries Station"]


def test_a_task_states_the_units_of_its_sub_items():
    doc = _doc(
        "Plan for Safe Markets\n\n"
        "(1) Check the markets. Check every market twice a year. (Responsible units: Market Bureau)\n\n"
        "1. Check the scales of every stall in the wholesale markets.\n\n"
        "(2) Publish the results. Publish the results of each check on the city portal.\n",
        genre="plan",
    )
    tasks = _tasks(doc)
    assert tasks["1. Check the scales of every stall in the wholesale markets"]["units"] == ["Market Bureau"]
    assert tasks["(2) Publish the results"]["units"] == []


def test_units_stated_after_a_sentence_on_the_item_line():
    text = "Seal the old well. Responsible unit: Town Water Station. Rectification time limit: end of May 2026."
    assert stated_units(text) == ["Town Water Station"]
    doc = _doc(f"Rectification Plan of Nanfeng Town\n\n1. {text}\n", genre="plan")
    (task,) = _tasks(doc).values()
    assert (task["units"], task["due"]) == (["Town Water Station"], "2026-05-31")


def test_units_statements_on_successive_lines_are_read_together():
    text = "Renovate the pipelines.\nResponsible department: Housing Bureau\nCo-organizers: Water Company, Gas Company"
    assert stated_units(text) == ["Housing Bureau", "Water Company", "Gas Company"]


@pytest.mark.parametrize("statement, units", [
    ("Lead responsible unit: Town Office\nCooperating units: Village Committee", ["Town Office", "Village Committee"]),
    ("Cooperating units: Village Committee\nMain responsible unit: Town Office", ["Town Office", "Village Committee"]),
])
def test_qualified_lead_labels(statement, units):
    assert stated_units("Clear the ditch.\n" + statement) == units


@pytest.mark.parametrize("text, units", [
    ("Lanxi Grain Bureau and all regions", ["Lanxi Grain Bureau", "all regions"]),
    ("Lanxi Grain Bureau, other relevant departments and units and each region",
     ["Lanxi Grain Bureau", "other relevant departments and units", "each region"]),
    ("Relevant departments and units in each region", ["Relevant departments and units in each region"]),
])
def test_and_between_units_but_not_inside_a_collective(text, units):
    assert split_units(text) == units


def test_note_whose_units_are_responsible_gives_only_the_units():
    text = "Pave the roads. (The Road Office takes the lead, and the Bridge Bureau and all regions are responsible)"
    assert stated_units(text) == ["Road Office", "Bridge Bureau", "all regions"]


def test_requirements_section_is_no_task():
    doc = _doc(
        "Plan for Safe Drinking Water\n\n"
        "I. Key tasks\n\n(1) Build water plants. Build 3 water plants by the end of 2026.\n\n"
        "II. Work requirements\n\nAll towns shall report their progress to the county every month.\n",
        genre="plan",
    )
    assert list(_tasks(doc)) == ["(1) Build water plants"]


def test_last_item_keeps_its_second_paragraph_when_its_siblings_have_two():
    doc = _doc(
        "Notice on Spring Tree Planting\n\n"
        "(one) Plant trees. Plant 5,000 trees along the canal.\n\nWater them every week.\n\n"
        "(two) Protect seedlings. Fence the nurseries.\n\nRepair the fences by the end of 2026.\n",
        genre="plan",
    )
    assert [(item.marker, item.last_line) for item in outline(doc)] == [("(one)", 5), ("(two)", 9)]
    assert _tasks(doc)["(two) Protect seedlings"]["due"] == "2026-12-31"
