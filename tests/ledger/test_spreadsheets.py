"""Spreadsheet import: the column-mapping step, drafts with their row as provenance, every error by row and column
with nothing stored, and a sheet's "completed" that becomes a claim needing verification, never a closure."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from duban import cli
from duban.ledger.choices import ClaimStatus, ItemState
from duban.ledger.errors import InvalidState, LedgerError, NotAllowed
from duban.ledger.models import CompletionClaim, Event, Evidence, Item, SourceDocument, SourceFile
from duban.ledger.services import history
from duban.ledger.services.spreadsheets import (
    SheetError, _Invalid, file_sheet_claim, file_sheet_claims, import_sheet, inspect_sheet, parse_completed, parse_due,
)
from duban.ledger.services.workflow import assign_owner, confirm, verify_claim

ON = date(2025, 3, 3)
HEADERS = ["Number", "Task", "Responsible unit", "Deadline", "Status", "Progress"]
MAPPING = {"number": "Number", "title": "Task", "units": "Responsible unit", "due": "Deadline",
           "completed": "Status", "progress": "Progress"}
DEADLINES = [  # (as written in the cell, the due date read)
    (datetime(2025, 6, 30), date(2025, 6, 30)),
    ("2025-12-31", date(2025, 12, 31)),
    ("2025年9月30日", date(2025, 9, 30)),
    ("by the end of 2026", date(2026, 12, 31)),
    ("2025年底前", date(2025, 12, 31)),
]


def write_xlsx(path: Path, rows: list[list], *, title: str | None = "Qingshi rectification ledger",
               merge: list[str] = ()) -> str:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Ledger"
    if title:
        sheet.append([title])
    for row in rows:
        sheet.append(row)
    for cells in merge:
        sheet.merge_cells(cells)
    workbook.save(path)
    return str(path)


def generated(n: int) -> list[list]:
    """A header and n invented rows: deadlines in each supported form, one or two units, some rows done."""
    rows = [HEADERS]
    for i in range(1, n + 1):
        units = "Qingshi Housing Bureau" if i % 2 else "Qingshi Housing Bureau、Songxi County"
        rows.append([i, f"Rectify the sewage outlets of village {i}", units, DEADLINES[i % len(DEADLINES)][0],
                     "已完成" if i % 10 == 0 else "in progress", f"{i}% done" if i % 3 else None])
    return rows


@pytest.fixture(autouse=True)
def evidence_dir(settings, tmp_path):
    settings.EVIDENCE_DIR = tmp_path / "evidence"


def test_inspect_finds_the_header_row_under_a_title_and_suggests_a_mapping_in_english(tree, tmp_path):
    path = write_xlsx(tmp_path / "ledger.xlsx", generated(3))
    found = inspect_sheet(path)
    assert (found.header_row, found.title, found.sheet, found.data_rows) == (2, "Qingshi rectification ledger", "Ledger", 3)
    assert found.headers == HEADERS
    assert found.suggested == MAPPING
    assert found.map_option() == ("number=Number,title=Task,units=Responsible unit,due=Deadline,completed=Status,"
                                  "progress=Progress")


def test_inspect_suggests_a_mapping_for_chinese_headers(tree, tmp_path):
    headers = ["序号", "存在问题", "整改任务", "责任单位", "完成时限（年月日）", "完成情况", "进展情况", "备注"]
    path = write_xlsx(tmp_path / "台账.xlsx", [headers, [1, "污水直排", "整治排污口", "市住建局", "2025年底前", "进行中", "", ""]])
    assert inspect_sheet(path).suggested == {"number": "序号", "title": "整改任务", "units": "责任单位",
                                             "due": "完成时限（年月日）", "completed": "完成情况", "progress": "进展情况"}


def test_a_title_merged_across_the_columns_is_not_taken_for_the_header_row(tree, tmp_path):
    rows = [["Ledger", None, None], ["Item", "Who", "When"], ["Clean the river", "Songxi County", "2025-12-31"]]
    path = write_xlsx(tmp_path / "l.xlsx", rows, title=None, merge=["A1:C1"])
    found = inspect_sheet(path)
    assert (found.header_row, found.headers, found.title) == (2, ["Item", "Who", "When"], "Ledger")


def test_longer_headers_are_suggested_by_whole_words_only(tree, tmp_path):
    path = write_xlsx(tmp_path / "l.xlsx", [["Notes", "Task", "Final deadline", "Community"], ["a", "b", "2025", "c"]])
    assert inspect_sheet(path).suggested == {"title": "Task", "due": "Final deadline"}


def test_a_generated_sheet_of_200_rows_imports_as_drafts_with_their_rows(tree, tmp_path):
    path = write_xlsx(tmp_path / "ledger.xlsx", generated(200))
    events_before = Event.objects.count()

    result = import_sheet(tree.sup, path, MAPPING, on=ON, supervising_office=tree.office)

    items = list(Item.objects.filter(document=result.document).order_by("id"))
    assert len(items) == len(result.items) == 200 and result.claims == 20
    assert {item.state for item in items} == {ItemState.DRAFT}
    for i, item in enumerate(items, 1):
        row = i + 2  # the title row, the header row, then the items
        assert (item.source_ref, item.line_start, item.line_end) == (f"spreadsheet, row {row}", row, row)
        assert item.number == str(i) and item.title == f"Rectify the sewage outlets of village {i}"
        assert item.unit_names == (["Qingshi Housing Bureau"] if i % 2 else ["Qingshi Housing Bureau", "Songxi County"])
        assert item.due == item.original_due == DEADLINES[i % len(DEADLINES)][1]
        assert item.data["row"]["Task"] == item.title
        assert item.data.get("progress") == (f"{i}% done" if i % 3 else None)
        assert item.lead_owner_id is None
    source = SourceFile.objects.get()
    assert source.sha256 == hashlib.sha256(Path(path).read_bytes()).hexdigest() and source.format == "xlsx"
    document = SourceDocument.objects.get()
    assert document.supervising_office == tree.office and document.title == "Qingshi rectification ledger"
    assert document.text.splitlines()[items[4].line_start - 1].startswith("5\tRectify the sewage outlets of village 5\t")
    imports = Event.objects.filter(action="item.import", actor="sup")
    assert imports.count() == 200 and Event.objects.count() == events_before + 202  # and the file and the sheet
    assert imports.get(item=items[0]).after["source_ref"] == "spreadsheet, row 3"
    assert history.verify_history().ok


def test_a_sheet_with_errors_in_two_rows_and_columns_reports_both_and_imports_nothing(tree, tmp_path):
    rows = generated(40)
    rows[12 - 2][3] = "soon"  # row 12 of the sheet (a title row and the header come first)
    rows[30 - 2][4] = "maybe"
    path = write_xlsx(tmp_path / "ledger.xlsx", rows)
    events_before = Event.objects.count()

    with pytest.raises(SheetError) as refused:
        import_sheet(tree.sup, path, MAPPING, on=ON)

    assert [str(error) for error in refused.value.errors] == [
        "row 12, column 'Deadline': not a date: 'soon'",
        "row 30, column 'Status': not a completion status: 'maybe' (yes, done, 完成, 已完成; or no, in progress, "
        "未完成, 进行中; or empty)",
    ]
    assert "2 errors, nothing imported" in str(refused.value) and "row 30, column 'Status'" in str(refused.value)
    assert not Item.objects.exists() and not SourceFile.objects.exists() and not SourceDocument.objects.exists()
    assert Event.objects.count() == events_before


def test_a_row_without_its_task_is_an_error_and_blank_rows_are_skipped(tree, tmp_path):
    rows = [HEADERS, [1, "Clean the river", "Songxi County", "2025-12-31", "", ""], [None] * 6,
            [3, None, "Songxi County", "2025-12-31", "", ""], ["4" * 41, "Pave the road", "", "", "", ""]]
    with pytest.raises(SheetError) as refused:
        import_sheet(tree.sup, write_xlsx(tmp_path / "l.xlsx", rows), MAPPING, on=ON)
    assert [str(e) for e in refused.value.errors] == [
        "row 5, column 'Task': empty: every row needs its task",
        "row 6, column 'Number': too long: 41 characters, at most 40",
    ]


@pytest.mark.parametrize(("cell", "due"), [
    *DEADLINES,
    (date(2025, 5, 1), date(2025, 5, 1)),
    ("2025/6/1", date(2025, 6, 1)),
    ("2025.06.01", date(2025, 6, 1)),
    ("2025年12月31日前完成", date(2025, 12, 31)),
    ("2025年6月底", date(2025, 6, 30)),
    ("2026年2月", date(2026, 2, 28)),
    ("2025年上半年", date(2025, 6, 30)),
    ("2025年三季度", date(2025, 9, 30)),
    ("31 December 2025", date(2025, 12, 31)),
    ("before the end of June 2025", date(2025, 6, 30)),
    (2026, date(2026, 12, 31)),
    ("长期坚持", None),
    ("ongoing", None),
    ("", None),
    (None, None),
])
def test_deadline_cells_are_read_as_dates(cell, due):
    assert parse_due(cell) == due


@pytest.mark.parametrize(("cell", "message"), [
    ("soon", "not a date: 'soon'"),
    ("2025-02-30", "no such day"),
    (45657, "a number"),
    ("by June 2025 or by the end of 2025", "more than one date"),
])
def test_cells_that_are_not_dates_are_refused(cell, message):
    with pytest.raises(_Invalid, match=message):
        parse_due(cell)


@pytest.mark.parametrize(("cell", "done"), [
    ("yes", True), ("Done", True), ("完成", True), ("已完成", True), ("已完成，验收通过", True), (True, True),
    ("no", False), ("in progress", False), ("未完成", False), ("进行中", False), ("", False), (None, False),
    ("基本完成", False),
])
def test_completion_cells_are_read_without_guessing(cell, done):
    assert parse_completed(cell) is done


def test_import_marks_nothing_done_and_the_sheets_completion_becomes_a_claim_that_needs_verification(tree, tmp_path):
    rows = [HEADERS, [1, "Close the illegal quarry", "Qingshi Housing Bureau", "2025-06-30", "已完成", "closed in May"]]
    import_sheet(tree.sup, write_xlsx(tmp_path / "l.xlsx", rows), MAPPING, on=ON, supervising_office=tree.office)
    item = Item.objects.get()
    assert item.state == ItemState.DRAFT and not CompletionClaim.objects.exists()
    assert item.data["sheet_claim"] == {"row": 3, "column": "Status", "value": "已完成", "claim": None}
    with pytest.raises(InvalidState, match="only active"):
        file_sheet_claim(tree.sup, item, on=ON)  # a draft cannot be claimed

    assign_owner(tree.sup, item, tree.housing)
    confirm(tree.sup, item)
    with pytest.raises(NotAllowed):
        file_sheet_claim(tree.county_staff, item, on=ON)  # neither its manager nor its owner's side
    claim = file_sheet_claim(tree.sup, item, on=ON)
    item.refresh_from_db()
    assert item.state == ItemState.CLAIMED and claim.status == ClaimStatus.PENDING and claim.claimant == tree.sup
    assert "spreadsheet, row 3, column 'Status': '已完成'" in claim.note
    assert item.data["sheet_claim"]["claim"] == claim.pk
    event = Event.objects.get(item=item, action="item.claim")
    assert event.before["state"] == ItemState.ACTIVE and event.after["state"] == ItemState.CLAIMED
    with pytest.raises(InvalidState):
        file_sheet_claim(tree.sup, item, on=ON)  # filed once

    photo = Evidence.objects.create(sha256="e" * 64, size=1, content_type="image/png", original_name="site.png",
                                    stored_at=datetime(2025, 3, 4, 4, 0).astimezone())
    with pytest.raises(NotAllowed):
        verify_claim(tree.housing_ver, claim, evidence=[photo], on=date(2025, 3, 5))  # the owner's own side
    with pytest.raises(LedgerError, match="at least one piece of evidence"):
        verify_claim(tree.ver, claim, evidence=[], on=date(2025, 3, 5))
    verify_claim(tree.ver, claim, evidence=[photo], on=date(2025, 3, 5))
    item.refresh_from_db()
    assert item.state == ItemState.CLOSED


def test_sheet_claims_are_filed_for_confirmed_items_and_drafts_wait(tree, tmp_path):
    rows = [HEADERS, [1, "Task one", "Songxi County", "2025-06-30", "done", ""],
            [2, "Task two", "Songxi County", "2025-06-30", "yes", ""],
            [3, "Task three", "Songxi County", "2025-06-30", "no", ""]]
    result = import_sheet(tree.sup, write_xlsx(tmp_path / "l.xlsx", rows), MAPPING, on=ON, supervising_office=tree.office)
    first, second, third = result.items
    assign_owner(tree.sup, first, tree.county)
    confirm(tree.sup, first)
    assign_owner(tree.sup, third, tree.county)
    confirm(tree.sup, third)
    filed = file_sheet_claims(tree.sup, Item.objects.order_by("id"), on=ON)
    assert [claim.item_id for claim in filed.filed] == [first.pk]
    assert [item.pk for item in filed.waiting] == [second.pk]
    assert Item.objects.get(pk=third.pk).state == ItemState.ACTIVE  # its sheet said not done: no claim


def test_the_same_file_is_imported_once(tree, tmp_path):
    path = write_xlsx(tmp_path / "l.xlsx", generated(3))
    import_sheet(tree.sup, path, MAPPING, on=ON)
    with pytest.raises(LedgerError, match="already imported"):
        import_sheet(tree.sup, path, MAPPING, on=ON)
    assert Item.objects.count() == 3


def test_only_an_administrator_or_a_supervisor_of_the_office_imports(tree, tmp_path):
    path = write_xlsx(tmp_path / "l.xlsx", generated(3))
    with pytest.raises(NotAllowed):
        import_sheet(tree.housing_staff, path, MAPPING, on=ON)
    with pytest.raises(NotAllowed):
        import_sheet(tree.city_sup, path, MAPPING, on=ON, supervising_office=tree.office)
    assert not Item.objects.exists()


def test_a_mapping_names_existing_headers_and_the_task_column(tree, tmp_path):
    path = write_xlsx(tmp_path / "l.xlsx", generated(3))
    with pytest.raises(LedgerError, match="no column 'Owner' for the responsible units; the headers are 'Number'"):
        import_sheet(tree.sup, path, {"title": "Task", "units": "Owner"}, on=ON)
    with pytest.raises(LedgerError, match="which column holds the task"):
        import_sheet(tree.sup, path, {"units": "Responsible unit"}, on=ON)
    with pytest.raises(LedgerError, match="unknown field 'owner'"):
        import_sheet(tree.sup, path, "title=Task,owner=Responsible unit", on=ON)
    result = import_sheet(tree.sup, path, "title=B,due=D", on=ON)  # column letters name columns too
    assert result.items[0].title == "Rectify the sewage outlets of village 1" and result.items[0].unit_names == []


def test_a_merged_unit_cell_applies_to_every_row_it_spans(tree, tmp_path):
    rows = [HEADERS, [1, "Task one", "Songxi County", "2025-06-30", "", ""], [2, "Task two", None, "2025-06-30", "", ""],
            [3, "Task three", "Qingshi City", "2025-06-30", "", ""]]
    path = write_xlsx(tmp_path / "l.xlsx", rows, merge=["C3:C4"])
    result = import_sheet(tree.sup, path, MAPPING, on=ON)
    assert [item.unit_names for item in result.items] == [["Songxi County"], ["Songxi County"], ["Qingshi City"]]


def test_a_csv_in_gb18030_with_chinese_headers_imports(tree, tmp_path):
    text = "序号,整改任务,责任单位,完成时限,完成情况\n1,整治排污口,市住建局、市财政局,2025年12月31日,已完成\n2,清理河道,松溪县,长期坚持,进行中\n"
    path = tmp_path / "台账.csv"
    path.write_bytes(text.encode("gb18030"))
    mapping = inspect_sheet(str(path)).suggested
    assert mapping == {"number": "序号", "title": "整改任务", "units": "责任单位", "due": "完成时限", "completed": "完成情况"}
    first, second = import_sheet(tree.sup, str(path), mapping, on=ON).items
    assert (first.source_ref, first.unit_names, first.due) == ("spreadsheet, row 2", ["市住建局", "市财政局"], date(2025, 12, 31))
    assert "sheet_claim" in first.data and "sheet_claim" not in second.data
    assert second.due is None and second.data["due_text"] == "长期坚持"
    assert SourceFile.objects.get().format == "csv"


def test_the_sheet_commands_inspect_import_and_file_claims(tree, tmp_path, capsys):
    rows = [HEADERS, [1, "Close the quarry", "Songxi County", "2025-06-30", "done", ""],
            [2, "Clean the river", "Songxi County", "soon", "", ""], [3, "Pave the road", "Songxi County", "", "maybe", ""]]
    bad = write_xlsx(tmp_path / "bad.xlsx", rows)
    assert cli.main(["ledger", "sheet", "inspect", bad]) == 0
    out = capsys.readouterr().out
    assert "header row 2; 3 rows below it" in out and "--map 'number=Number,title=Task," in out

    mapping = "title=Task,units=Responsible unit,due=Deadline,completed=Status"
    assert cli.main(["ledger", "sheet", "import", bad, "--map", mapping, "--as", "sup", "--on", "2025-03-03"]) == 1
    err = capsys.readouterr().err
    assert "row 4, column 'Deadline': not a date: 'soon'" in err and "row 5, column 'Status'" in err
    assert not Item.objects.exists()

    rows[2][3], rows[3][4] = "2025-09-30", "no"
    good = write_xlsx(tmp_path / "good.xlsx", rows)
    assert cli.main(["ledger", "sheet", "import", good, "--map", mapping, "--as", "sup", "--on", "2025-03-03",
                     "--office", "Provincial Supervision Office"]) == 0
    assert "3 drafts in document" in capsys.readouterr().out
    item = Item.objects.get(title="Close the quarry")
    assign_owner(tree.sup, item, tree.county)
    confirm(tree.sup, item)
    assert cli.main(["ledger", "sheet", "claims", "--as", "sup", "--on", "2025-03-04"]) == 0
    assert "1 claim filed; 0 still drafts" in capsys.readouterr().out
    assert Item.objects.get(pk=item.pk).state == ItemState.CLAIMED
