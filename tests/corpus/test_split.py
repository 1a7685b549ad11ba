"""Splitting a crawler's dump into documents: noise lines dropped, boundaries at new titles only (invented texts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from duban.corpus.formats import open_source
from duban.corpus.split import Segment, _opening_evidence, is_noise, split_segments

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _segments(text: str) -> list[Segment]:
    return list(split_segments(text.split("\n")))


def _first_last(seg: Segment) -> tuple[int, int, str, str]:
    """File line numbers and text of a segment's first and last non-blank lines."""
    nonblank = [(seg.first_line + i, line.strip()) for i, line in enumerate(seg.lines) if line.strip()]
    return nonblank[0][0], nonblank[-1][0], nonblank[0][1], nonblank[-1][1]


@pytest.mark.parametrize(
    "line",
    ["通过admin", "  通过admin  ", "通过 admin", "标签归档 青河政务观察网", "Ad1", "Ad2", "ad12", "Tag Archives: water"],
)
def test_noise_lines(line):
    assert is_noise(line)


@pytest.mark.parametrize(
    "line",
    [
        "Previous: Qinghe holds a forum on rural tourism",
        "Next: Lanxi County opens its new library",
        "Next article: Provincial team checks spring irrigation",
        "Previous post: Anping sets up ten new bus routes",
        "Last article: Qinghe flood season briefing",
        "上一篇：青河春耕",
        "« Older posts",
        "Next post »",
        "Newer",
        "Home > News Centre > Local News",
        "Home page » Government Affairs » Notices",
        "首页 > 政务公开",
        "Current location: Home > Inspection Work",
        "You are here: News",
        "Copyright © 2025 Qinghe Provincial Water Resources Department  All rights reserved",
        "Copyright 2025 Anping Daily",
        "© Lanxi County People's Government",
        "【Font size: Large Medium Small】 【Print this page】 【Close window】",
        "[Print] [Close]",
        "【打印本页】【关闭窗口】",
        "Print | Close | Share to:",
        "Print this page | Close window",
        "Print / Close · Share",
        "Back to top",
        "Share to: WeChat Weibo",
        "Font size: A+ A A-",
        "Tags: water supply, Lanxi",
        "标签: 水利 春耕",
        "Related reading:",
        "Related posts",
        "【Related links】",
        "You may also like:",
        "相关阅读",
        "Posted on March 3, 2025 by admin",
        "This entry was posted in Local news. Bookmark the permalink.",
        "Post navigation",
    ],
)
def test_web_page_chrome_is_noise(line):
    assert is_noise(line)


@pytest.mark.parametrize(
    "line",
    [
        "Notice on Printing and Distributing the Work Plan",
        "Admin services will be improved across the province.",
        "Ad hoc working groups shall be set up by the county.",
        "(2) Improve the water supply network",
        "Next, the city will extend the pipe network to the western suburbs.",
        "Next year, 12 more villages will be connected.",
        "Previously, the county had only one water plant.",
        "Source of funds",
        "Source: Qinghe Daily",
        "Release time: 2025-04-02 09:30    Source: Lanxi County Government Office",
        "Copyright protection of local opera recordings will be strengthened.",
        "Home care services cover 80% of the elderly in Anping.",
        "Print media and websites shall publish the list.",
        "Close cooperation with the water bureau is required.",
        "Related departments shall complete the survey before the end of June 2025.",
        "Related reading materials are listed in the attachment.",
        "Share the experience of the pilot counties.",
        "Tags are issued to every registered well.",
        "Latest progress of the rural water supply project",
        "Posted on the notice board of every village, the list was checked by 3,000 people.",
        "",
    ],
)
def test_not_noise(line):
    assert not is_noise(line)


DUMP = """标签归档 青河政务观察网

通过admin

Qinghe spring sowing progresses smoothly

  Qinghe Daily, Anping, April 2, 2025 (Reporter Li Na) The spring sowing of grain in the province is progressing smoothly, and 62% of the planned area has been sown.

  The provincial agricultural department sent 20 technical teams to the countryside.

通过admin

Provincial inspection team gives feedback to Lanxi County

  On April 3, the provincial ecological inspection team gave feedback to Lanxi County. The team found that 4 sewage plants in the county did not operate normally.

Ad1

通过admin

Notice on Carrying out the Special Action for Rural Water Supply

1. Complete the census of water supply projects before the end of June 2025. (Responsible units: county water resources bureaus)

Qinghe Provincial Department of Water Resources
"""


def test_dump_separated_by_admin_lines():
    segs = _segments(DUMP)
    assert len(segs) == 3
    assert [_first_last(s) for s in segs] == [
        (5, 9, "Qinghe spring sowing progresses smoothly",
         "The provincial agricultural department sent 20 technical teams to the countryside."),
        (13, 15, "Provincial inspection team gives feedback to Lanxi County",
         "On April 3, the provincial ecological inspection team gave feedback to Lanxi County. "
         "The team found that 4 sewage plants in the county did not operate normally."),
        (21, 25, "Notice on Carrying out the Special Action for Rural Water Supply",
         "Qinghe Provincial Department of Water Resources"),
    ]


def test_segments_start_and_end_on_non_blank_lines():
    for seg in _segments(DUMP):
        assert seg.lines[0].strip() and seg.lines[-1].strip()


def test_noise_belongs_to_no_document():
    for seg in _segments(DUMP):
        assert not any(is_noise(line) for line in seg.lines)


def test_noise_only_gives_no_document():
    assert _segments("通过admin\n\nAd1\n\n标签归档 青河\n\n") == []


UNSEPARATED = """Qinghe Province holds a conference on the high-quality development of the tea industry

  Qinghe Daily, Anping, March 3, 2025 (Reporter Zhou Lin) On the 3rd, the provincial conference on the high-quality development of the tea industry was held in Anping. The meeting summarized the work of tea gardens, tea processing and tea brands in the past year.

  In 2024, the tea garden area of the province reached 1.2 million mu, and the comprehensive output value of the tea industry exceeded 30 billion yuan. Tea farmers in mountain counties increased their income through green tea, black tea and tea tourism.

  The meeting required all tea producing counties to strengthen the protection of tea brands, improve the quality of tea processing and expand the sales of tea through e-commerce.

New railway bridge over the Lan River opens to traffic

Xinhua News Agency, Beijing, March 3 (Reporter Wang Hui) The new railway bridge over the Lan River was opened to traffic on Monday, shortening the train journey between the two banks from forty minutes to eight minutes.

The bridge is 2.4 kilometres long and carries a double-track railway designed for trains at a speed of 250 kilometres per hour. Engineers used steel trusses to span the deep water of the river channel.

Passengers said the railway bridge makes commuting across the river much more convenient, and freight trains will also use the bridge at night.
"""


def test_unseparated_dump_split_at_title_before_news_lede():
    segs = _segments(UNSEPARATED)
    assert len(segs) == 2
    assert segs[0].first_line == 1
    assert _first_last(segs[0])[1] == 7
    assert segs[1].first_line == 9
    assert segs[1].lines[0] == "New railway bridge over the Lan River opens to traffic"
    assert _first_last(segs[1])[3].startswith("Passengers said")


NUMBERED = """Implementation Opinions of Qinghe Province on Improving Rural Drinking Water Safety

In order to ensure the drinking water safety of rural residents, the following opinions are put forward.

(1) Improve the water supply network

Extend the urban water supply pipe network to rural areas and build centralized water supply projects in townships with conditions.

Chapter III Protection of water sources

Delimit the protection areas of rural drinking water sources and set up boundary signs and warning signs.

Article 5 Water quality testing

County-level water quality testing centres shall test the water quality of rural water supply projects every quarter.

(2) Improve operation and management

Establish a professional management system for rural water supply projects and implement the responsibility for maintenance.
"""


def test_numbered_headings_never_start_a_document():
    segs = _segments(NUMBERED)
    assert len(segs) == 1
    assert _first_last(segs[0])[:2] == (1, 19)


NOTICE = """Notice of the Qinghe Provincial Department of Water Resources on Printing and Distributing the Work Plan for Rural Water Supply

All municipal water resources bureaus:

The Work Plan for Rural Water Supply is hereby printed and distributed to you, please implement it conscientiously.

Qinghe Provincial Department of Water Resources

March 3, 2025

Attachment

Work Plan for Rural Water Supply

Rural water supply is an important part of rural infrastructure. By the end of 2025, the coverage of tap water in rural areas will reach 95%.

(1) Consolidate the results of water supply projects. Carry out a census of rural water supply projects before the end of June 2025.

(2) Improve water quality. Equip water purification and disinfection facilities for centralized water supply projects.
"""


def test_signed_notice_with_attachment_stays_one_document():
    segs = _segments(NOTICE)
    assert len(segs) == 1
    first, last, title, _ = _first_last(segs[0])
    assert (first, last) == (1, 19)
    assert title.startswith("Notice of the Qinghe Provincial Department")


def test_split_is_deterministic():
    a = [(s.first_line, s.lines) for s in _segments(DUMP + UNSEPARATED)]
    b = [(s.first_line, s.lines) for s in _segments(DUMP + UNSEPARATED)]
    assert a == b


def test_example_crawl_dump():
    lines = list(open_source(str(EXAMPLES / "crawl_dump.txt")).lines())
    segs = list(split_segments(lines))
    assert [s.first_line for s in segs] == [5, 17, 31, 51, 63]
    for seg in segs:
        assert not any(is_noise(line) for line in seg.lines)
        assert seg.lines[0].strip() and seg.lines[-1].strip()


def test_a_run_with_no_separator_and_no_blank_line_is_cut_so_memory_stays_flat(monkeypatch):
    from duban.corpus import split

    monkeypatch.setattr(split, "MAX_RUN_CHARS", 2_000)
    line = "The county dredged the river and planted trees along both banks of it this spring."
    held: list[int] = []

    def lines():
        for _ in range(400):  # 33,000 characters with no blank line and no separator
            yield line

    for segment in split_segments(lines()):
        held.append(len(segment.lines))
    assert sum(held) == 400  # every line belongs to a document, none is lost
    assert max(held) * len(line) <= 2 * split.MAX_RUN_CHARS + len(line)


def test_a_long_run_is_cut_at_a_blank_line_once_it_holds_max_run_chars(monkeypatch):
    from duban.corpus import split

    monkeypatch.setattr(split, "MAX_RUN_CHARS", 2_000)
    line = "The county dredged the river and planted trees along both banks of it this spring."
    text = ([line] * 10 + [""]) * 12
    segments = list(split_segments(iter(text)))
    assert [s.lines[-1] for s in segments] == [line] * len(segments)
    assert sum(len([l for l in s.lines if l]) for s in segments) == 120
    assert max(len(s.lines) for s in segments) <= 2_000 // len(line) + 11  # cut at the first blank line past the limit


@pytest.mark.parametrize(("blank", "evidence"), [("\u00a0", 1.7), (" \u00a0 ", 1.7), ("   ", 0.0), ("", 0.0)])
def test_a_non_breaking_space_on_a_blank_line_after_a_title_opens_a_post(blank, evidence):
    lines = ["The last line of a story.", "Water Supply Work Plan", blank, "The county will improve the water supply."]
    stripped = [line.strip() for line in lines]
    nonblank = [i for i, text in enumerate(stripped) if text]
    assert _opening_evidence(lines, stripped, nonblank, 1, stripped[0]) == evidence


WEB_PAGE = """Lanxi County Water Resources Bureau

Home > Water Affairs > Notices

Lanxi County completes the dredging of the Anping Canal

Release time: 2025-05-06 10:20    Source: County Water Resources Bureau

On May 5, the dredging of the Anping Canal was completed, and 120,000 cubic metres of silt were removed.

The county will next repair the sluice gates along the canal.

(Editor: Wu Lan)

【Font size: Large Medium Small】 【Print this page】 【Close window】

Previous: Lanxi County holds a flood control drill

Next: Qinghe sets up a river chief system in all villages

Qinghe sets up a river chief system in all villages

Release time: 2025-05-07 08:00    Source: Qinghe Daily

All 1,024 villages of Qinghe now have a river chief, the provincial water resources department said on Tuesday.

Related reading:

Anping opens a museum of water conservancy

Lanxi dredges its canals before the flood season

Print | Close | Share to:

Copyright © 2025 Lanxi County Water Resources Bureau    Technical support: Lanxi Information Centre
"""


def test_web_page_articles_end_before_the_page_chrome():
    assert [_first_last(s)[:3] for s in _segments(WEB_PAGE)] == [
        (5, 13, "Lanxi County completes the dredging of the Anping Canal"),
        (21, 25, "Qinghe sets up a river chief system in all villages"),
    ]


def test_a_lone_heading_between_separators_is_no_document():
    assert _segments("Qinghe Provincial Water Resources Department\n\nHome > News\n\nAd1\n") == []
    assert len(_segments("Qinghe Daily\n\nAd1\n\nA short notice.\n")) == 1  # a sentence is a document's text


@pytest.mark.parametrize("header", ["Related posts:", "Related reading: Qinghe builds 3 reservoirs", "【Related links】"])
def test_headlines_under_a_related_header_belong_to_no_document(header):
    text = f"{header}\n\nAnping opens a museum\n\nLanxi dredges its canals\n\n通过admin\n"
    assert _segments(text) == []


def test_a_link_list_that_runs_into_an_article_gives_it_its_title():
    text = (
        "The story ends here.\n\nRelated reading:\n\nAnping opens a museum\n\nLanxi dredges its canals\n\n"
        "Qinghe plants trees on the river banks\n\n  Qinghe Daily, April 2, 2025 The province planted 2 million trees.\n"
    )
    segments = _segments(text)
    assert [_first_last(s)[:3] for s in segments] == [
        (1, 1, "The story ends here."), (9, 11, "Qinghe plants trees on the river banks")
    ]
    assert segments[1].first_line == 9 and segments[1].lines[0] == "Qinghe plants trees on the river banks"


def test_a_link_list_ends_at_the_release_line_under_the_next_article_title():
    text = (
        "Related reading:\n\nAnping opens a museum\n\nQinghe plants trees on the river banks\n\n"
        "Release time: 2025-04-02 09:30    Source: Qinghe Daily\n\nThe province planted 2 million trees.\n"
    )
    assert [_first_last(s)[:3] for s in _segments(text)] == [(5, 9, "Qinghe plants trees on the river banks")]
