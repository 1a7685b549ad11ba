"""XLSX export: the formatting an office prints, and the items as they stood on the report's date."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from duban import cli
from duban.ledger.choices import OrganisationKind as K, Role
from duban.ledger.models import Item
from duban.ledger.services.organisations import create_organisation, create_person
from duban.ledger.services.spreadsheets import import_sheet
from duban.ledger.services.workflow import assign_owner, confirm, moment
from duban.reports.xlsx import COLUMNS, export_items

HEADERS = [column.header for column in COLUMNS]


@pytest.fixture
def ledger(db, tmp_path):
    """Two drafts imported from a sheet on 3 March 2025; the first assigned and confirmed on 5 March."""
    province = create_organisation("Lanshan Province", kind=K.PROVINCE, region="SC")
    office = create_organisation("Provincial Supervision Office", parent=province, kind=K.OFFICE)
    housing = create_organisation("Qingshi Housing Bureau", parent=province, kind=K.DEPARTMENT)
    county = create_organisation("Songxi County", parent=province, kind=K.COUNTY)
    sup = create_person("sup", roles=[(office, Role.SUPERVISOR)])
    workbook = Workbook()
    workbook.active.append(["No.", "Task", "Responsible unit", "Deadline"])
    workbook.active.append([1, "Rectify the sewage outlets of the old town, all 14 of them", "Qingshi Housing Bureau、Songxi County", "2025-04-30"])
    workbook.active.append([2, "Close the quarry", "Songxi County", "2025-12-31"])
    workbook.save(tmp_path / "ledger.xlsx")
    first, second = import_sheet(sup, str(tmp_path / "ledger.xlsx"), "number=No.,title=Task,units=Responsible unit,due=Deadline",
                                 on=date(2025, 3, 3), supervising_office=office).items
    assign_owner(sup, first, housing, [county], at=moment(date(2025, 3, 5)))
    confirm(sup, first, at=moment(date(2025, 3, 5)))
    return first, second


def rows(path) -> list[tuple]:
    return list(load_workbook(path).active.iter_rows(min_row=4, values_only=True))


def test_the_sheet_is_formatted_for_printing(ledger, tmp_path):
    path = tmp_path / "out.xlsx"
    assert export_items(Item.objects.order_by("id"), path, title="Rectification ledger", as_of=date(2025, 5, 6)) == 2
    sheet = load_workbook(path).active
    assert sheet["A1"].value == "Rectification ledger" and sheet["A1"].font.b and sheet["A1"].font.sz == 14
    assert "A1:N1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["A2"].value == "As of 2025-05-06 · 2 items"
    assert [cell.value for cell in sheet[3]] == HEADERS and all(cell.font.b for cell in sheet[3])
    assert sheet.freeze_panes == "A4"
    assert sheet.column_dimensions["E"].width == 60 and sheet.column_dimensions["I"].width == 12
    assert sheet["E4"].alignment.wrap_text and sheet["E4"].alignment.vertical == "top"
    assert sheet["I4"].number_format == "yyyy-mm-dd" and sheet["I4"].is_date
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9  # A4
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_options.gridLines
    assert sheet.auto_filter.ref == "A3:N5"


def test_rows_show_the_items_as_they_stood_on_the_date_with_state_labels(ledger, tmp_path):
    first, second = ledger
    export_items(Item.objects.order_by("id"), tmp_path / "may.xlsx", title="Ledger", as_of=date(2025, 5, 6))
    (a, b) = rows(tmp_path / "may.xlsx")
    assert a == (1, first.pk, "Task", "1", "Rectify the sewage outlets of the old town, all 14 of them",
                 "Qingshi Housing Bureau", "Songxi County", "Qingshi Housing Bureau; Songxi County",
                 datetime(2025, 4, 30), datetime(2025, 4, 30), None, "Active", 6, f"document {first.document_id}, spreadsheet, row 2")
    assert b[2:6] == ("Task", "2", "Close the quarry", None) and b[11:13] == ("Draft", None)

    export_items(Item.objects.order_by("id"), tmp_path / "march.xlsx", title="Ledger", as_of=date(2025, 3, 4))
    assert [(r[5], r[11], r[12]) for r in rows(tmp_path / "march.xlsx")] == [(None, "Draft", None), (None, "Draft", None)]
    assert export_items(Item.objects.all(), tmp_path / "before.xlsx", title="Ledger", as_of=date(2025, 3, 2)) == 0


def test_export_xlsx_command_takes_the_list_filters(ledger, tmp_path, capsys):
    path = tmp_path / "active.xlsx"
    assert cli.main(["ledger", "export-xlsx", str(path), "--state", "active", "--as-of", "2025-05-06",
                     "--title", "Active items"]) == 0
    assert "1 item written to" in capsys.readouterr().out
    sheet = load_workbook(path).active
    assert sheet["A1"].value == "Active items" and [r[4] for r in rows(path)] == [
        "Rectify the sewage outlets of the old town, all 14 of them"]
