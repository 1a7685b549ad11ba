"""Findings: problem clauses naming a party at fault, with their parties and money amounts."""

from __future__ import annotations

import re

import pytest
from collections import Counter

from duban.extract import numbers
from duban.extract.findings import (
    MAX_CLAUSE_CHARS,
    _COUNTED,
    _LOWER_PLACE,
    _WORD,
    _by_first_letter,
    _stems_before_place,
    _word_count,
    extract_findings,
)
from duban.extract.model import Doc

FEEDBACK = [
    "The Third Provincial Environmental Inspection Group gives feedback to Nanshan City",  # 1
    "",
    "  The inspection group held that Nanshan City has made progress in ecological protection in recent years.",  # 3
    "",
    "  Nanshan City closed 31 quarries built in violation of planning, and Fengxi County demolished illegal docks.",  # 5
    "",
    "  The inspection group pointed out that Nanshan City still lags behind the requirements. The main problems are:",  # 7
    "",
    "  First, the implementation of responsibility is not in place. Some localities and departments still neglect"
    " protection. The Nanshan Municipal Water Affairs Bureau failed to supervise the upgrading of 4 sewage plants;"
    " Fengxi County illegally approved 3 hotels in the core area of the Baihe Nature Reserve.",  # 9
    "",
    "  Second, water pollution is prominent. Many enterprises discharge waste water at night. Qiaotou Lake in"
    " Lindong County is a provincial key lake. However, its treatment project is seriously behind schedule, and the"
    " lake's water quality fell to Grade V. 12 enterprises in the Dongqiao Industrial Park discharged sewage"
    " without treatment, and linjiang county has not built a sludge disposal plant.",  # 11
    "",
    "  The inspection group requested that Nanshan City should formulate a rectification plan, investigate the illegal"
    " docks of Fengxi County, and submit the plan within 30 working days.",  # 13
]

AUDIT = [
    "Audit results of the 2022 provincial budget execution",  # 1
    "",
    "I. Problems found in the audit",  # 3
    "",
    "Budget execution was not standardized. First, part of the transfer payments was issued late. In December 2022,"
    " the Provincial Department of Finance issued 86.5 million yuan of transfer payments to cities.",  # 5
    "",
    "6 hospitals and clinics exceeded the budget by 12.3456 million yuan; 27 housing projects in 4 districts have"
    " not been approved; 7 projects did not follow bidding procedures; 1 county diverted 2,450,000 yuan of relief"
    " funds and 3 million yuan of housing funds.",  # 7
    "",
    "II. Audit suggestions",  # 9
    "",
    "Strengthen budget management; 4 counties that have not rectified problems shall be held accountable.",  # 11
]


def run(lines: list[str], title: str | None = None, first_line: int = 1) -> Doc:
    doc = Doc(file="t.txt", index=1, first_line=first_line, lines=list(lines), genre="oversight")
    doc.title = lines[0] if title is None else title
    extract_findings(doc)
    return doc


def found(doc: Doc) -> list[tuple[int, list[str], list[float]]]:
    return [(it.span.line_start, it.fields["parties"], it.fields["amounts_yuan"]) for it in doc.items]


def test_inspection_feedback_findings_and_their_parties():
    doc = run(FEEDBACK)
    assert found(doc) == [
        (9, ["Nanshan Municipal Water Affairs Bureau"], []),
        (9, ["Fengxi County"], []),  # the reserve only says where the hotels lie
        (11, ["Qiaotou Lake"], []),
        (11, ["12 enterprises", "Dongqiao Industrial Park", "linjiang county"], []),
    ]


def test_only_the_problem_section_is_read():
    quotes = [it.span.quote for it in run(FEEDBACK).items]
    assert not any("closed 31 quarries" in q or "demolished" in q for q in quotes)  # achievements
    assert not any("requested" in q for q in quotes)  # demands


def test_vague_subjects_and_general_verdicts_are_not_findings():
    quotes = " | ".join(it.span.quote for it in run(FEEDBACK).items)
    for text in ("Some localities and departments", "Many enterprises", "water pollution is prominent",
                 "pointed out", "is not in place"):
        assert text not in quotes


def test_a_clause_running_on_past_max_clause_chars_is_no_finding():
    finding = "Fengxi County failed to close 3 quarries"
    padding = " along the old river road" * (MAX_CLAUSE_CHARS // 25 + 1)
    assert found(run(["Main problems", "", finding + padding[: MAX_CLAUSE_CHARS - len(finding) - 1] + "."], title=""))  # the stop counts
    assert not found(run(["Main problems", "", finding + padding + "."], title=""))


def test_a_clause_pointing_back_takes_the_party_named_before_it():
    doc = run(FEEDBACK)
    [lake] = [it for it in doc.items if it.span.quote.startswith("However")]
    assert lake.fields["parties"] == ["Qiaotou Lake"]  # "the lake's": the party of that kind, not the county
    doc = run(["Main problems", "", "Xishan County is a pilot county. However, progress of the pilot is slow."], title="")
    assert found(doc) == [(3, ["Xishan County"], [])]


def test_names_that_only_receive_leave_the_clause_to_the_place_before():
    doc = run(["Main problems", "", "Yuhe County has no sewage plant. Its waste water flows into Yuhe River untreated."], title="")
    assert found(doc) == [(3, ["Yuhe County"], []), (3, ["Yuhe County"], [])]


def test_audit_findings_with_counted_parties_and_amounts():
    assert found(run(AUDIT)) == [
        (5, ["Provincial Department of Finance"], [86500000.0]),
        (7, ["6 hospitals and clinics"], [12345600.0]),
        (7, ["4 districts"], []),
        (7, ["7 projects"], []),
        (7, ["1 county"], [2450000.0, 3000000.0]),
    ]


def test_a_case_under_a_problem_heading_needs_no_failure_word_of_its_own():
    doc = run(AUDIT)
    assert any(it.span.quote.startswith("In December 2022, the Provincial Department of Finance") for it in doc.items)
    assert not any(it.span.quote.startswith("First,") for it in doc.items)


def test_suggestions_section_is_not_read():
    assert all(it.span.line_start < 9 for it in run(AUDIT).items)


def test_units_written_in_lower_case_and_names_that_only_receive():
    doc = run(
        [
            "The main problems are as follows.",
            "Water, forestry and other departments approved 6 resorts in the core area of a wetland park. The county"
            " government failed to stop the discharge of sewage into Qingshui River.",
        ],
        title="",
    )
    assert found(doc) == [(2, ["Water, forestry and other departments"], []), (2, ["county government"], [])]


def test_enforcement_already_taken_is_not_a_finding():
    doc = run(["Problems found in the inspection:", "Baiyun County interviewed 5 officials and recovered 1.2 million yuan."], title="")
    assert doc.items == []


def test_report_without_problem_heading_is_read_whole_with_failure_words_only():
    doc = run(
        [
            "County audit bulletin",
            "",
            "Heping Township did not pay 1.2 million yuan of subsidies in time; Xiguan Town increased spending on"
            " office buildings by 8%.",
        ]
    )
    assert found(doc) == [(3, ["Heping Township"], [1200000.0])]


def test_some_areas_of_the_inspected_region_is_vague():
    doc = run(
        [
            "Inspection feedback to Jinhe Province",
            "",
            "The main problems are as follows.",
            "",
            "The sewage plants in some areas of Jinhe Province are not in place; Dazhuang County did not treat sludge.",
        ]
    )
    assert found(doc) == [(5, ["Dazhuang County"], [])]


def test_provenance_is_the_clause_on_exact_lines():
    doc = run(["Problems found in the audit:", "3 colleges exceeded budgets by 1.5 million yuan; 2 schools", "did not file"
               " procurement plans."], title="", first_line=20)
    first, second = doc.items
    assert (first.span.line_start, first.span.line_end) == (21, 21)
    assert first.span.quote == "3 colleges exceeded budgets by 1.5 million yuan"
    assert (second.span.line_start, second.span.line_end) == (21, 22)
    assert second.span.quote == "2 schools\ndid not file procurement plans"
    for item in doc.items:
        assert item.span.quote in "\n".join(doc.lines)


def test_places_in_the_predicate_only_say_where_something_lies_or_goes():
    doc = run(
        [
            "Main problems",
            "",
            "3 townships did not protect the wetlands along the Qinghe River. Dongfang Paper Co., Ltd. illegally shipped 200 tons"
            " of sludge to a farm in Xiping County for disposal; 4 factories in Beiling County received slag from Nanhu"
            " City without permits. Of the 5 million yuan spent on the Qinghe River dredging project by Hongshan District,"
            " 2 million yuan was not used for dredging. Wulin Lake in Taiping County is a key lake, but its water"
            " quality deteriorated. There are 6 chemical enterprises in the Dongfeng Industrial Park, and 4 of them have no permits.",
        ],
        title="",
    )
    assert [parties for _, parties, _ in found(doc)] == [
        ["3 townships"],
        ["Dongfang Paper Co., Ltd."],
        ["4 factories", "Beiling County"],
        ["Hongshan District"],
        ["Wulin Lake", "Taiping County"],  # in the subject: where the lake lies is named with it
        ["6 chemical enterprises", "Dongfeng Industrial Park"],  # "there are … in": the place of the failure
    ]


def test_the_scale_a_problem_involves_is_no_party():
    doc = run(["Main problems", "", "The Xiguan Market Bureau did not inspect canteen suppliers, involving 3 catering"
               " companies with contracts of 1.2 million yuan."], title="")
    assert found(doc) == [(3, ["Xiguan Market Bureau"], [1200000.0])]


def test_lower_case_units_before_counted_places_and_possessive_modifiers():
    doc = run(["Main problems", "", "1.5 million yuan was paid irregularly by social security agencies in 4 counties;"
               " 3 herdsmen's associations in Mabei Town repeatedly received subsidies; some medical institutions in 2 cities"
               " illegally overcharged patients."], title="")
    assert [parties for _, parties, _ in found(doc)] == [
        ["social security agencies", "4 counties"],
        ["3 herdsmen's associations", "Mabei Town"],
        ["2 cities"],  # "some medical institutions" is vague
    ]


def test_urban_points_back_at_the_city():
    doc = run(["Main problems", "", "Heshan City built 12 coal-fired boilers illegally. The urban sewage pipe network is"
               " not perfect."], title="")
    assert found(doc) == [(3, ["Heshan City"], []), (3, ["Heshan City"], [])]


# The speed-ups below must find exactly what the plain patterns they replace would.


def test_alternatives_by_first_letter_match_as_the_plain_alternation():
    alternatives = (r"not\b", r"no\b", r"nor\b", r"lack\w*", r"late\b", r"(?:in|into)\s+core\b")
    grouped = re.compile(r"\b" + _by_first_letter(alternatives))
    plain = re.compile(r"\b(?:" + "|".join(alternatives) + ")")
    for text in ("nor is it late", "no, not now", "lacking", "put into core areas", "in core", "knot", "none"):
        assert [m.span() for m in grouped.finditer(text)] == [m.span() for m in plain.finditer(text)]
    try:
        _by_first_letter((r"(?:in|into)\s+core\b", r"not\b"))
    except ValueError:
        pass
    else:
        raise AssertionError("an alternative not starting with a letter must come last")


def test_every_spelled_number_can_count_parties():
    for word in [*numbers._UNITS, *numbers._TENS]:
        for spelled in (word, word.capitalize(), word.upper()):
            assert _COUNTED.match(f"{spelled} cities"), spelled


def test_lexicon_scans_find_what_the_plain_patterns_find():
    texts = [
        "changji city and fukang  city; x-changji city, Changji city, 5abc county, abc county county",
        "'bohu\ncounty' -bohu- bohu's bohu-county éabc city abc cityscape ab city abcd\n\ndistrict",
    ]
    for text in texts:
        stems = [m.group("stem") for m in _LOWER_PLACE.finditer(text)]
        assert _stems_before_place(text) == stems
        words = Counter(_WORD.findall(text))
        for word in {*stems, "bohu", "changji", "city"}:
            assert _word_count(text, word) == words[word], word


def test_a_possessive_name_is_the_party_without_its_s():
    doc = run(["Main problems", "", "Baihe County's completion rate of rectification tasks was only 60%."], title="")
    assert found(doc) == [(3, ["Baihe County"], [])]


def test_enforcement_tallies_and_demands_are_not_findings():
    doc = run(
        [
            "Feedback of the inspection to Donglin County",
            "",
            "Since the feedback, Donglin County has interviewed 15 cadres and held 6 people accountable for the illegal"
            " quarries. For problems not yet rectified, Xishan Town shall submit a report within 30 days.",
            "",
            "Two furnaces of the Hexing Steel Company should be closed as required, but they are still operating illegally;"
            " Baiyang Chemical Co., Ltd. falsified monitoring data but was fined only 20,000 yuan; the 2 million yuan"
            " that should be used for flood control was diverted by Xishan Town.",
        ]
    )
    assert found(doc) == [
        (5, ["Hexing Steel Company"], []),
        (5, ["Baiyang Chemical Co., Ltd."], [20000.0]),
        (5, ["Xishan Town"], [2000000.0]),
    ]


@pytest.mark.parametrize("heading", ["III. Audit rectification", "III. Audit handling and rectification"])
def test_the_audit_rectification_heading_ends_the_problems(heading):
    doc = run(
        [
            "Audit report of Qinghe City",
            "",
            "Qinghe Municipal Transport Bureau did not collect 3 million yuan of fees.",
            "",
            heading,
            "",
            "For the problems found, the Qinghe Municipal Audit Bureau issued audit decisions to the bureau.",
            "By June 2024, the Qinghe Municipal Transport Bureau had rectified the problems by recovering 2.1 million yuan.",
        ]
    )
    assert found(doc) == [(3, ["Qinghe Municipal Transport Bureau"], [3000000.0])]


def test_the_authority_whose_word_was_not_followed_is_not_at_fault():
    doc = run(["Main problems", "", "The decisions of the Provincial Party Committee have not been implemented in place."
               " Lianhe County built 3 factories without the approval of the county government."], title="")
    assert found(doc) == [(3, ["Lianhe County", "3 factories"], [])]


def test_units_named_through_the_inspected_institution():
    doc = run(
        [
            "Main problems",
            "",
            "The corporation's Xinan branch reimbursed 52,000 yuan of banquet fees illegally; the headquarters of the"
            " corporation approved 3 loans without collective decision; 4 grain depots under the corporation in Hexi County"
            " reported false stocks; the Institute of Marine Survey of the corporation illegally charged fees; the"
            " corporation's subsidiary Baihua Trading Co., Ltd. sold grain below the price without approval; 6 units"
            " including the Lanshan Municipal Water Affairs Bureau left funds idle.",
        ],
        title="",
    )
    assert [parties for _, parties, _ in found(doc)] == [
        ["the corporation's Xinan branch"],
        ["the headquarters of the corporation"],
        ["4 grain depots under the corporation", "Hexi County"],
        ["Institute of Marine Survey of the corporation"],
        ["Baihua Trading Co., Ltd."],
        ["6 units including the Lanshan Municipal Water Affairs Bureau"],
    ]


def test_a_name_ending_the_subject_holds_the_funds_or_only_describes_them():
    doc = run(["Main problems", "", "The subsidy of 3 million yuan allocated by the province to Pingtan District in 2024"
               " has not been used; the deposit paid by the Yixin Construction Company was returned by the Pingtan Finance"
               " Bureau before the acceptance was completed."], title="")
    assert found(doc) == [(3, ["Pingtan District"], [3000000.0]), (3, ["Pingtan Finance Bureau"], [])]


def test_failure_cues_owing_forging_idling_and_underpricing():
    doc = run(["County audit bulletin", "", "Xiaba Town owed 300 workers wages of 2.1 million yuan; Dongpo Hospital claimed"
               " subsidies on the basis of forged records; the Xinhe Water Company has been idling for a year; Beishan"
               " Trading Company leased shops at rents below the market level; Hexi Town retained relief funds."])
    assert [parties for _, parties, _ in found(doc)] == [
        ["Xiaba Town"], ["Dongpo Hospital"], ["Xinhe Water Company"], ["Beishan Trading Company"], ["Hexi Town"]
    ]


def test_a_partitive_count_names_those_at_fault_and_qualifiers_of_things_are_no_parties():
    doc = run(["Main problems", "", "Lanxi County built 40 sewage plants; 9 of the 40 plants in the county are idling,"
               " with an average influent COD concentration of 50 mg/L."], title="")
    assert found(doc) == [(3, ["9 of the 40 plants"], [])]


def test_cases_under_a_heading_run_on_after_semicolons():
    doc = run(["City audit report", "", "2. Misuse of special funds. The Hexi Water Bureau diverted 1 million yuan of flood"
               " funds; the Hexi Sports Bureau spent 200,000 yuan of fitness funds on banquets. Hexi Park opened in May."])
    assert found(doc) == [(3, ["Hexi Water Bureau"], [1000000.0]), (3, ["Hexi Sports Bureau"], [200000.0])]


def test_a_subject_names_the_facility_its_place_qualifies():
    doc = run(["Main problems", "", "The Nanhe Industrial Park sewage treatment plant has been overloaded for years, and"
               " its sludge is dumped at the Nanhe Industrial Park waste yard."], title="")
    assert found(doc) == [(3, ["Nanhe Industrial Park sewage treatment plant"], [])]


def test_an_abstract_noun_opening_a_heading_is_no_party():
    doc = run(["Main problems", "", "1. Supervision is weak. Dongshan is a pilot area, but its supervision is weak."], title="")
    assert found(doc) == [(3, ["Dongshan"], [])]


def test_counted_objects_with_their_owner_stand_for_themselves():
    doc = run(["Main problems", "", "Hexi County built 2 roads illegally; 3 projects of the Lanxin Trading Company started"
               " before the approval of the land use."], title="")
    assert found(doc) == [(3, ["Hexi County"], []), (3, ["3 projects of the Lanxin Trading Company"], [])]


def test_an_overloaded_facility_is_a_failure():
    doc = run(["Main problems", "", "The sludge treatment line of Qiaotou Sewage Plant has been overloaded since 2021."], title="")
    assert found(doc) == [(3, ["Qiaotou Sewage Plant"], [])]


def test_waste_water_discharged_directly_is_a_failure():
    doc = run(["Main problems", "", "Heshan Dye Works discharged its rinsing water directly into a ditch.",
               "Xiliu Village let its pig farms directly discharge manure."], title="")
    assert found(doc) == [(3, ["Heshan Dye Works"], []), (4, ["Xiliu Village"], [])]
