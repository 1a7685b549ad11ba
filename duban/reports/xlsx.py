"""Any list of items as an XLSX sheet an office would print: a title, a bold header row repeated on every page,
frozen panes, wrapped text, real date cells, landscape A4 fitted to the page width, gridlines printed.

States, due dates, lead owners and extensions are read as of the report's date (duban.ledger.services.asof), so a
sheet for a past date shows what stood then, whatever was recorded later; items created after that date are left
out. Co-owners, numbers and texts are shown as they stand now.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Callable

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from ..ledger.choices import ItemKind, ItemState
from ..ledger.models import Item, Organisation
from ..ledger.services.asof import Snapshot, snapshots

DATE_FORMAT = "yyyy-mm-dd"
TITLE_ROW, SUBTITLE_ROW, HEADER_ROW = 1, 2, 3
FIRST_DATA_ROW = HEADER_ROW + 1
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9D9D9")
_TOP = Alignment(vertical="top")
_WRAP = Alignment(vertical="top", wrap_text=True)
_CENTRE = Alignment(horizontal="center", vertical="top")


@dataclass(frozen=True)
class Column:
    header: str
    width: float  # in characters, as Excel counts them
    value: Callable[["_Row"], Any]
    wrap: bool = False
    is_date: bool = False
    centred: bool = False


@dataclass
class _Row:
    number: int
    item: Item
    state: Snapshot
    lead_owner: str
    as_of: date


def _source(row: _Row) -> str:
    item = row.item
    if item.document_id:
        lines = f"{item.line_start}" if item.line_start == item.line_end else f"{item.line_start}-{item.line_end}"
        where = f", line {lines}" if item.line_start else ""
        if item.source_ref:
            where = f", {item.source_ref}"
        return f"document {item.document_id}{where}"
    return item.source_ref


def _overdue_days(row: _Row) -> int | None:
    return (row.as_of - row.state.due).days if row.state.overdue else None


COLUMNS = (
    Column("No.", 6, lambda r: r.number, centred=True),
    Column("ID", 8, lambda r: r.item.pk, centred=True),
    Column("Kind", 12, lambda r: ItemKind(r.item.kind).label),
    Column("Number", 10, lambda r: r.item.number or None, wrap=True),
    Column("Item", 60, lambda r: " ".join((r.item.title or r.item.quote).split()) or None, wrap=True),
    Column("Lead owner", 26, lambda r: r.lead_owner or None, wrap=True),
    Column("Co-owners", 26, lambda r: "; ".join(org.name for org in r.item.co_owners.all()) or None, wrap=True),
    Column("Units named in the source", 26, lambda r: "; ".join(r.item.unit_names) or None, wrap=True),
    Column("Due", 12, lambda r: r.state.due, is_date=True, centred=True),
    Column("Original due", 12, lambda r: r.item.original_due, is_date=True, centred=True),
    Column("Extensions", 10, lambda r: r.state.extensions or None, centred=True),
    Column("State", 18, lambda r: ItemState(r.state.state).label, wrap=True),
    Column("Days overdue", 10, _overdue_days, centred=True),
    Column("Source", 24, _source, wrap=True),
)


def _rows(items: QuerySet | Iterable[Item], as_of: date) -> list[_Row]:
    if isinstance(items, QuerySet):
        items = items.select_related("lead_owner").prefetch_related("co_owners")
    found = [(item, state) for item, state in snapshots(as_of, items) if state.state is not None]
    owner_ids = {state.lead_owner_id for _, state in found if state.lead_owner_id is not None}
    names = dict(Organisation.objects.filter(pk__in=owner_ids).values_list("pk", "name"))
    return [_Row(n, item, state, names.get(state.lead_owner_id, ""), as_of) for n, (item, state) in enumerate(found, 1)]


def export_items(items: QuerySet | Iterable[Item], path: str | Path, *, title: str, as_of: date) -> int:
    """Write the items (any queryset or list) to an XLSX file as they stood at the end of `as_of`; returns the count.

    Items created after that date are left out.
    """
    rows = _rows(items, as_of)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Items"
    last = get_column_letter(len(COLUMNS))

    sheet.cell(TITLE_ROW, 1, title).font = Font(bold=True, size=14)
    sheet.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    sheet.row_dimensions[TITLE_ROW].height = 24
    subtitle = f"As of {as_of.isoformat()} · {len(rows)} item{'s' if len(rows) != 1 else ''}"
    sheet.cell(SUBTITLE_ROW, 1, subtitle).font = Font(italic=True, color="555555")
    sheet.merge_cells(f"A{SUBTITLE_ROW}:{last}{SUBTITLE_ROW}")

    for c, column in enumerate(COLUMNS, 1):
        cell = sheet.cell(HEADER_ROW, c, column.header)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BORDER
        sheet.column_dimensions[get_column_letter(c)].width = column.width

    for r, row in enumerate(rows, FIRST_DATA_ROW):
        for c, column in enumerate(COLUMNS, 1):
            cell = sheet.cell(r, c, column.value(row))
            cell.border = _BORDER
            cell.alignment = _WRAP if column.wrap else _CENTRE if column.centred else _TOP
            if column.is_date:
                cell.number_format = DATE_FORMAT

    end = HEADER_ROW + max(len(rows), 1)
    sheet.freeze_panes = f"A{FIRST_DATA_ROW}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{end}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.print_area = f"A{TITLE_ROW}:{last}{end}"
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.fitToWidth, setup.fitToHeight = 1, 0  # one page wide, as many pages tall as it takes
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_options.gridLines = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.oddFooter.center.text = "Page &P of &N"
    sheet.oddFooter.right.text = subtitle
    workbook.properties.title = title
    workbook.save(path)
    return len(rows)
