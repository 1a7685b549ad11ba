"""Spreadsheets: an office's existing ledger (XLSX or CSV) read into drafts, through a column-mapping step.

`inspect_sheet` finds the header row and suggests which column holds what; `import_sheet` reads every row with a
mapping, and either stores every row as a draft (one transaction) or, when any cell is wrong, stores nothing and
lists every error by row and column.

Provenance: the file is a SourceFile (sha256), the sheet a SourceDocument whose text holds one line per sheet row
(line N is row N), and each item points at its row (line_start, and source_ref "spreadsheet, row N"); the row's
cells are kept in item.data["row"].

Nothing is marked done by import. A "completed" cell that says yes (完成, 已完成, done…) is kept on the draft as the
sheet's claim (item.data["sheet_claim"]). Once a person has assigned and confirmed the draft, `file_sheet_claim`
turns it into a completion claim through the workflow's own states: the item becomes claimed, and it closes only
when someone allowed verifies that claim with evidence (workflow.verify_claim), like any other claim.
"""

from __future__ import annotations

import calendar
import csv
import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from ...extract.deadlines import find_deadlines
from ..choices import Genre, ItemKind, ItemState, OrganisationKind, Role
from ..errors import InvalidState, LedgerError, NotAllowed
from ..models import CompletionClaim, Item, Organisation, SourceDocument, SourceFile
from . import history, permissions
from .ingest import file_digest
from .workflow import moment

READER_VERSION = "sheet-1"  # SourceFile.extractor_version of a spreadsheet: the same bytes are imported once
SOURCE_REF = "spreadsheet, row {row}"
HEADER_SCAN_ROWS = 20  # the header row is looked for among the first rows (a title row often comes first)
BATCH = 500  # items per INSERT
NUMBER_LENGTH = Item._meta.get_field("number").max_length

FIELDS = ("number", "title", "units", "due", "completed", "progress")
REQUIRED = ("title",)
FIELD_LABELS = {
    "number": "number", "title": "task", "units": "responsible units", "due": "deadline",
    "completed": "completion status", "progress": "progress",
}
# Header names as offices write them, in English and Chinese, normalised (see _norm). Exact matches first.
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "number": ("number", "no", "no.", "#", "item no.", "s/n", "sn", "序号", "编号", "序"),
    "title": ("task", "tasks", "rectification task", "rectification measure", "rectification measures", "measures",
              "title", "item", "description", "整改任务", "整改措施", "任务", "工作任务", "重点任务", "任务内容",
              "整改内容", "事项", "工作事项", "具体任务"),
    "units": ("responsible unit", "responsible units", "responsible department", "responsible departments", "unit",
              "units", "lead unit", "owner", "owners", "责任单位", "牵头单位", "责任部门", "承办单位", "责任主体",
              "牵头部门"),
    "due": ("deadline", "due", "due date", "time limit", "completion deadline", "完成时限", "完成时间", "整改时限",
            "时限", "截止时间", "时间节点", "办结时限", "完成期限", "整改期限"),
    "completed": ("status", "completed", "completion", "done", "completion status", "完成情况", "是否完成",
                  "完成状态", "办理状态", "整改状态", "办结情况"),
    "progress": ("progress", "progress to date", "progress made", "进展情况", "进展", "推进情况", "工作进展",
                 "整改进展", "整改情况", "落实情况"),
}

# Values of a "completed" column. Anything else is an error: the import never guesses whether a row was done.
DONE = frozenset({"yes", "y", "true", "1", "done", "completed", "complete", "finished", "closed", "✓", "√", "✔",
                  "完成", "已完成", "已整改", "整改完成", "已办结", "办结", "是", "已落实", "完成整改", "已整改到位"})
NOT_DONE = frozenset({"no", "n", "false", "0", "not done", "not completed", "in progress", "ongoing", "pending",
                      "open", "underway", "partly done", "partially done", "未完成", "否", "进行中", "正在推进",
                      "正在整改", "推进中", "整改中", "持续推进", "未整改", "基本完成", "部分完成", "未办结",
                      "正在办理", "办理中", "未启动", "尚未完成", "×", "✗", "-", "—", "/"})
# Deadline cells that name no date: no due date is set, and the text is kept on the item.
NO_DATE = frozenset({"长期坚持", "长期", "持续推进", "常态化", "常态化推进", "立行立改", "长期推进", "long-term",
                     "long term", "ongoing", "continuous", "immediately", "-", "—", "/"})
_VALUE_TAIL = re.compile(r"[\s,，。.;；:：(（\-–—]")
_UNIT_SPLIT = re.compile(r"[、，,;；\n]+")
_UNIT_LABEL = re.compile(r"^(?:牵头单位|责任单位|配合单位|协办单位|牵头|配合|lead units?|co-owners?|with)\s*[:：]\s*", re.I)
_CELL_SPACE = re.compile(r"\s+")
_COLUMN_LETTERS = re.compile(r"^[A-Za-z]{1,3}$")


class SheetError(LedgerError):
    """Cells that cannot be read: every error of the file, by row and column; nothing was imported."""

    def __init__(self, path: str, errors: list[CellError]):
        self.path, self.errors = path, errors
        listed = "\n".join(f"  {error}" for error in errors)
        count = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
        super().__init__(f"{path}: {count}, nothing imported:\n{listed}")


@dataclass(frozen=True)
class CellError:
    row: int
    column: str  # the header as written
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, column '{self.column}': {self.message}"


@dataclass
class Table:
    """A sheet's cells as read: rows[i] is sheet row i + 1, each a list of values (str, int, float, bool, datetime)."""

    path: str
    format: str
    sheet: str
    rows: list[list[Any]]


@dataclass
class SheetInspection:
    path: str
    format: str
    sheet: str
    header_row: int
    headers: list[str]  # as written; an empty header is named by its column letter
    suggested: dict[str, str]  # field → header
    data_rows: int  # rows below the header holding anything
    title: str = ""  # a title above the header row, if the sheet has one

    def map_option(self) -> str:
        """The suggestion as `--map` text: field=Header,…"""
        return ",".join(f"{name}={self.suggested[name]}" for name in FIELDS if name in self.suggested)


@dataclass
class SheetImport:
    source_file: SourceFile
    document: SourceDocument
    items: list[Item]
    claims: int  # rows whose completion column said done: claims waiting for confirmation, then verification
    mapping: dict[str, str] = field(default_factory=dict)


@dataclass
class SheetClaims:
    filed: list[CompletionClaim] = field(default_factory=list)
    waiting: list[Item] = field(default_factory=list)  # drafts: their claim is filed once they are confirmed


# --- reading ----------------------------------------------------------------------------------------------------

def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _text(value: Any) -> str:
    """A cell as text: dates in ISO form, whole numbers without '.0', spaces collapsed."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _CELL_SPACE.sub(" ", str(value)).strip()


def _read_xlsx(path: str, sheet: str | None) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as e:
        raise LedgerError(f"{path}: not a readable XLSX workbook ({e})") from None
    try:
        if sheet is None:
            worksheet = workbook.active
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        else:
            raise LedgerError(f"{path} has no sheet {sheet!r}; its sheets: {', '.join(workbook.sheetnames)}")
        rows = [list(row) for row in worksheet.iter_rows(values_only=True)]
        # A merged cell holds its value in its top-left cell only; an office means it for every row it spans
        # (one responsible unit for three tasks), so the value is copied down and across the range.
        for merged in worksheet.merged_cells.ranges:
            top, left = merged.min_row - 1, merged.min_col - 1
            if top >= len(rows):
                continue
            value = rows[top][left] if left < len(rows[top]) else None
            for r in range(top, min(merged.max_row, len(rows))):
                row = rows[r]
                if len(row) < merged.max_col:
                    row.extend([None] * (merged.max_col - len(row)))
                for c in range(left, merged.max_col):
                    row[c] = value
        return Table(path, "xlsx", worksheet.title, rows)
    finally:
        workbook.close()


def _decode(raw: bytes, path: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LedgerError(f"{path}: a CSV file must be UTF-8 or GB18030 text")


def _read_csv(path: str) -> Table:
    with open(path, "rb") as f:
        text = _decode(f.read(), path)
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = [list(row) for row in csv.reader(io.StringIO(text, newline=""), dialect)]
    return Table(path, "csv", Path(path).stem, rows)


def read_table(path: str, *, sheet: str | None = None) -> Table:
    """The cells of an XLSX sheet (the active one unless named) or of a CSV file."""
    if not Path(path).is_file():
        raise LedgerError(f"{path}: no such file")
    suffix = Path(path).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet)
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path)
    if suffix == ".xls":
        raise LedgerError(f"{path}: the old Excel format (.xls) is not read; save the sheet as .xlsx or .csv")
    raise LedgerError(f"{path}: a spreadsheet must be .xlsx or .csv")


# --- headers and mapping ----------------------------------------------------------------------------------------

def _norm(header: str) -> str:
    """A header compared without case, spaces, stars and bracketed notes: '完成时限（年月日）' → '完成时限'."""
    text = re.sub(r"[(（\[【].*?[)）\]】]", "", str(header)).lower()
    return re.sub(r"[\s*：:]+", " ", text).strip()


def _headers(row: list[Any]) -> list[str]:
    return [_text(value) or column_letter(i) for i, value in enumerate(row)]


def _filled(row: list[Any]) -> int:
    return sum(1 for value in row if _text(value))


def _distinct(row: list[Any]) -> int:
    """Different values in a row: a title merged across the columns counts once."""
    return len({text for value in row if (text := _text(value))})


def _score(row: list[Any]) -> int:
    known = {name for names in HEADER_NAMES.values() for name in names}
    return sum(1 for value in row if _text(value) and _norm(_text(value)) in known)


def _header_row(table: Table) -> int:
    """0-based index of the header row: the early row naming most known headers, else the first with two cells."""
    candidates = [(i, row) for i, row in enumerate(table.rows[:HEADER_SCAN_ROWS]) if _distinct(row) >= 2]
    if not candidates:
        raise LedgerError(f"{table.path}: no header row found (a row with at least two column names)")
    best = max(candidates, key=lambda pair: (_score(pair[1]), -pair[0]))
    return best[0] if _score(best[1]) else candidates[0][0]


def _contains(header: str, known: str) -> bool:
    """A longer header holding a known name: as a whole word in English ('deadline (final)'), anywhere in Chinese."""
    if known.isascii():
        return len(known) >= 4 and re.search(rf"(?<![a-z]){re.escape(known)}(?![a-z])", header) is not None
    return len(known) >= 2 and known in header


def suggest_mapping(headers: list[str]) -> dict[str, str]:
    """Field → header, by exact header names first, then by a header containing a known name; each header once."""
    normalised = [_norm(h) for h in headers]
    taken: set[int] = set()
    mapping: dict[str, str] = {}
    for exact in (True, False):
        for name in FIELDS:
            if name in mapping:
                continue
            for known in HEADER_NAMES[name]:
                found = next((i for i, h in enumerate(normalised) if i not in taken and (
                    h == known if exact else _contains(h, known))), None)
                if found is not None:
                    mapping[name] = headers[found]
                    taken.add(found)
                    break
    return mapping


def _title_above(table: Table, header_row: int) -> str:
    for row in table.rows[:header_row]:
        cells = {_text(value) for value in row if _text(value)}
        if len(cells) == 1:
            return cells.pop()
    return ""


def _inspect(table: Table, header_row: int | None = None) -> SheetInspection:
    if header_row is None:
        index = _header_row(table)
    else:
        if not 1 <= header_row <= len(table.rows):
            raise LedgerError(f"{table.path}: the sheet has {len(table.rows)} rows; there is no header row {header_row}")
        index = header_row - 1
    headers = _headers(table.rows[index])
    data_rows = sum(1 for row in table.rows[index + 1:] if _filled(row))
    return SheetInspection(table.path, table.format, table.sheet, index + 1, headers, suggest_mapping(headers),
                           data_rows, _title_above(table, index))


def inspect_sheet(path: str, *, sheet: str | None = None, header_row: int | None = None) -> SheetInspection:
    """The header row, its headers and a suggested mapping of fields to headers, for a person to check."""
    return _inspect(read_table(path, sheet=sheet), header_row)


def parse_mapping(text: str) -> dict[str, str]:
    """'title=Task,units=Responsible unit' → {"title": "Task", "units": "Responsible unit"}."""
    mapping = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, sep, header = part.partition("=")
        if not sep or not header.strip():
            raise LedgerError(f"a mapping is field=Header, separated by commas; not {part.strip()!r}")
        mapping[name.strip()] = header.strip()
    return mapping


def _columns(mapping: dict[str, str], headers: list[str], path: str) -> dict[str, int]:
    """Field → 0-based column; a header names a column, or a column letter does when no header is called that."""
    unknown = [name for name in mapping if name not in FIELDS]
    if unknown:
        raise LedgerError(f"unknown field{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} in the "
                          f"mapping; the fields are {', '.join(FIELDS)}")
    missing = [name for name in REQUIRED if not mapping.get(name)]
    if missing:
        raise LedgerError(f"the mapping must say which column holds the {' and '.join(FIELD_LABELS[m] for m in missing)} "
                          f"({', '.join(f'{m}=Header' for m in missing)})")
    columns = {}
    for name, header in mapping.items():
        same = [i for i, h in enumerate(headers) if h == header] or \
               [i for i, h in enumerate(headers) if h.strip().lower() == header.strip().lower()]
        if not same and _COLUMN_LETTERS.match(header):
            letter = header.upper()
            same = [i for i in range(len(headers)) if column_letter(i) == letter]
        if not same:
            listed = ", ".join(repr(h) for h in headers)
            raise LedgerError(f"{path}: no column {header!r} for the {FIELD_LABELS[name]}; the headers are {listed}")
        if len(same) > 1:
            letters = " and ".join(column_letter(i) for i in same)
            raise LedgerError(f"{path}: the header {header!r} names columns {letters}: name the column by its letter")
        columns[name] = same[0]
    return columns


# --- cells ------------------------------------------------------------------------------------------------------

class _Invalid(Exception):
    """One cell's value cannot be read; the message says why, for the row and column error."""


_QUARTER = {"一": 3, "1": 3, "二": 6, "2": 6, "三": 9, "3": 9, "四": 12, "4": 12}
_ZH_SUFFIX = re.compile(r"(?:之前|以前|前|止)?(?:完成|办结|整改到位|完成整改)?$")
_ZH_DAY = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_ZH_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*(?:底|末|份)?$")
_ZH_YEAR = re.compile(r"^(\d{4})\s*年?\s*(?:年底|底|年末|末|年内|全年)$|^(\d{4})\s*年$")
_ZH_HALF = re.compile(r"^(\d{4})\s*年\s*(上半年|年中|下半年)$")
_ZH_QUARTER = re.compile(r"^(\d{4})\s*年\s*第?\s*([一二三四1-4])\s*季度\s*(?:末|底)?$")


def _day(year: int, month: int, day: int | None = None) -> date:
    if not 1 <= month <= 12:
        raise ValueError(month)
    return date(year, month, day if day is not None else calendar.monthrange(year, month)[1])


def _zh_date(text: str) -> date | None:
    text = _ZH_SUFFIX.sub("", text.strip()).strip()
    if m := _ZH_DAY.match(text):
        return _day(int(m[1]), int(m[2]), int(m[3]))
    if m := _ZH_MONTH.match(text):
        return _day(int(m[1]), int(m[2]))
    if m := _ZH_YEAR.match(text):
        return _day(int(m[1] or m[2]), 12)
    if m := _ZH_HALF.match(text):
        return _day(int(m[1]), 12 if m[2] == "下半年" else 6)
    if m := _ZH_QUARTER.match(text):
        return _day(int(m[1]), _QUARTER[m[2]])
    return None


def parse_due(value: Any) -> date | None:
    """A deadline cell as a date: a date cell, '2025-12-31', '2025年12月31日', '2025年底前', 'by the end of 2025'…

    Empty and long-term cells ('长期坚持', 'ongoing') give None. Anything else raises _Invalid.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and value == int(value) and 1900 <= value <= 2100:
        return _day(int(value), 12)  # a year typed as a number: its last day, as "2025" written as text reads
    if isinstance(value, bool) or isinstance(value, int | float):
        raise _Invalid(f"not a date: {_text(value)} (a number: format the column as dates, or write 2025-12-31)")
    text = _text(value)
    if not text or text.lower() in NO_DATE:
        return None
    try:
        if found := _zh_date(text):
            return found
    except ValueError:
        raise _Invalid(f"not a date: {text!r} (no such day)") from None
    deadlines = find_deadlines(text) or find_deadlines(f"by {text}")
    if len(deadlines) == 1:
        return date.fromisoformat(deadlines[0].due)
    if len(deadlines) > 1:
        listed = ", ".join(d.due for d in deadlines)
        raise _Invalid(f"more than one date in {text!r} ({listed}): give one deadline per row")
    raise _Invalid(f"not a date: {text!r}")


def parse_completed(value: Any) -> bool:
    """True when a completion cell says done; False when it says not done or is empty; else _Invalid."""
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in DONE:
        return True
    if not text or text in NOT_DONE:
        return False
    for words, verdict in ((DONE, True), (NOT_DONE, False)):
        for word in words:
            if len(word) > 1 and text.startswith(word) and _VALUE_TAIL.match(text, len(word)):
                return verdict
    raise _Invalid(f"not a completion status: {_text(value)!r} (yes, done, 完成, 已完成; or no, in progress, 未完成, "
                   "进行中; or empty)")


def split_units(value: Any) -> list[str]:
    """'市住建局、市财政局' → ['市住建局', '市财政局']; the first named is the lead."""
    units = []
    for part in _UNIT_SPLIT.split(_text(value) if not isinstance(value, str) else value):
        part = _UNIT_LABEL.sub("", _CELL_SPACE.sub(" ", part).strip()).strip()
        if part and part not in units:
            units.append(part)
    return units


# --- import -----------------------------------------------------------------------------------------------------

@dataclass
class _Row:
    row: int
    number: str
    title: str
    units: list[str]
    due: date | None
    due_text: str
    done: bool
    completed_text: str
    progress: str
    cells: dict[str, str]


def _parse_rows(table: Table, inspection: SheetInspection, columns: dict[str, int]) -> tuple[list[_Row], list[CellError]]:
    headers = inspection.headers
    rows, errors = [], []
    for index in range(inspection.header_row, len(table.rows)):
        raw = table.rows[index]
        if not _filled(raw):
            continue
        at = index + 1  # the sheet's row number

        def cell(name: str) -> Any:
            column = columns.get(name)
            return raw[column] if column is not None and column < len(raw) else None

        row_errors = []
        title = _text(cell("title"))
        if not title:
            row_errors.append(CellError(at, headers[columns["title"]], f"empty: every row needs its {FIELD_LABELS['title']}"))
        if len(number_text := _text(cell("number"))) > NUMBER_LENGTH:
            row_errors.append(CellError(at, headers[columns["number"]],
                                        f"too long: {len(number_text)} characters, at most {NUMBER_LENGTH}"))
        due = None
        if "due" in columns:
            try:
                due = parse_due(cell("due"))
            except _Invalid as e:
                row_errors.append(CellError(at, headers[columns["due"]], str(e)))
        done = False
        if "completed" in columns:
            try:
                done = parse_completed(cell("completed"))
            except _Invalid as e:
                row_errors.append(CellError(at, headers[columns["completed"]], str(e)))
        if row_errors:
            errors.extend(row_errors)
            continue
        cells = {}
        for i, value in enumerate(raw):
            if (text := _text(value)) and i < len(headers):
                cells[headers[i]] = text
            elif text:
                cells[column_letter(i)] = text
        rows.append(_Row(
            row=at, number=number_text, title=title,
            units=split_units(cell("units")) if "units" in columns else [],
            due=due, due_text=_text(cell("due")), done=done, completed_text=_text(cell("completed")),
            progress=_text(cell("progress")), cells=cells,
        ))
    return rows, errors


def _require_import(user, office: Organisation | None) -> None:
    """An administrator, or a supervisor of the supervising office (of any office when the sheet names none)."""
    roles = permissions.roles_of(user)
    if getattr(user, "is_superuser", False) or any(role == Role.ADMINISTRATOR for _, role in roles):
        return
    if any(role == Role.SUPERVISOR and (org.pk == office.pk if office is not None else org.kind == OrganisationKind.OFFICE)
           for org, role in roles):
        return
    where = office.name if office is not None else "a supervising office"
    raise NotAllowed(f"{getattr(user, 'username', None) or 'an anonymous user'} may not import a ledger: only an "
                     f"administrator or a supervisor of {where} may")


def _line(row: list[Any]) -> str:
    return "\t".join(_text(value) for value in row).rstrip("\t")


def import_sheet(user, path: str, mapping: dict[str, str] | str, *, on: date, supervising_office: Organisation | None = None,
                 sheet: str | None = None, header_row: int | None = None, kind: str = ItemKind.TASK) -> SheetImport:
    """Every row of the sheet as a draft item, with its provenance; all rows or, when any cell is wrong, none.

    `mapping` says which column holds each field (field → header, or 'field=Header,…'): title is required;
    number, units, due, completed and progress are optional. Errors are collected over the whole file and raised
    together as SheetError, each naming its row and column. The same file cannot be imported twice.
    """
    if isinstance(mapping, str):
        mapping = parse_mapping(mapping)
    if kind not in ItemKind.values:
        raise LedgerError(f"unknown kind {kind!r}; one of {', '.join(ItemKind.values)}")
    _require_import(user, supervising_office)
    table = read_table(path, sheet=sheet)
    inspection = _inspect(table, header_row)
    columns = _columns(mapping, inspection.headers, path)
    rows, errors = _parse_rows(table, inspection, columns)
    if errors:
        raise SheetError(path, errors)
    if not rows:
        raise LedgerError(f"{path}: no rows below the header row {inspection.header_row}")
    sha256, size = file_digest(path)
    with transaction.atomic():
        known = SourceFile.objects.filter(sha256=sha256, extractor_version=READER_VERSION).first()
        if known is not None:
            document = known.documents.first()
            raise LedgerError(f"{path}: this file (sha256 {sha256[:12]}) was already imported on "
                              f"{timezone.localtime(known.ingested_at).date().isoformat()}"
                              f"{f' as document {document.pk}' if document else ''}: nothing imported again")
        return _store(user.get_username(), path, sha256, size, table, inspection, mapping, rows, kind,
                      supervising_office, moment(on))


def _store(actor: str, path: str, sha256: str, size: int, table: Table, inspection: SheetInspection,
           mapping: dict[str, str], rows: list[_Row], kind: str, office: Organisation | None, at: datetime) -> SheetImport:
    source_file = SourceFile.objects.create(name=path, sha256=sha256, size=size, format=table.format,
                                            extractor_version=READER_VERSION, ingested_at=at)
    history.record(actor, "sheet.import", source_file, at=at, after={
        "name": path, "sha256": sha256, "size": size, "format": table.format, "sheet": table.sheet,
        "header_row": inspection.header_row, "mapping": mapping, "rows": len(rows)})
    title = inspection.title or f"{Path(path).name} · {table.sheet}"
    document = SourceDocument.objects.create(
        file=source_file, index=1, record_id=f"sheet-{sha256[:16]}", title=title, genre=Genre.OTHER,
        line_start=1, line_end=max(len(table.rows), 1), first_line=1,
        text="\n".join(_line(row) for row in table.rows), supervising_office=office,
    )
    history.record(actor, "sheet.document", document, at=at, after={
        "file": source_file.pk, "sha256": sha256, "title": title, "sheet": table.sheet,
        "supervising_office": office.pk if office else None})

    drafts = []
    for row in rows:
        data: dict[str, Any] = {"row": row.cells}
        if row.progress:
            data["progress"] = row.progress
        if row.due_text and (row.due is None or row.due_text != row.due.isoformat()):
            data["due_text"] = row.due_text
        if row.done:
            data["sheet_claim"] = {"row": row.row, "column": mapping["completed"], "value": row.completed_text, "claim": None}
        drafts.append(Item(
            kind=kind, document=document, source_ref=SOURCE_REF.format(row=row.row), line_start=row.row,
            line_end=row.row, number=row.number, title=row.title, data=data, unit_names=row.units,
            due=row.due, original_due=row.due, created_at=at, updated_at=at,
        ))
    items = []
    for start in range(0, len(drafts), BATCH):
        items.extend(Item.objects.bulk_create(drafts[start:start + BATCH]))
    for item in items:
        after = {"state": item.state, "kind": kind, "document": document.pk, "source_ref": item.source_ref,
                 "line_start": item.line_start, "line_end": item.line_end, "due": item.due, "number": item.number,
                 "unit_names": item.unit_names}
        if "sheet_claim" in item.data:
            after["sheet_claim"] = item.data["sheet_claim"]
        history.record(actor, "item.import", item, after=after, at=at)
    claims = sum(1 for item in items if "sheet_claim" in item.data)
    return SheetImport(source_file, document, items, claims, dict(mapping))


# --- the sheet's completion claims ------------------------------------------------------------------------------

def pending_sheet_claim(item: Item) -> dict | None:
    """The completion the sheet recorded for the item, while it is not yet filed as a claim."""
    claim = (item.data or {}).get("sheet_claim")
    return claim if claim and claim.get("claim") is None else None


@transaction.atomic
def file_sheet_claim(user, item: Item, *, on: date) -> CompletionClaim:
    """The sheet's "completed" as a completion claim on the confirmed item: active → claimed, awaiting verification.

    Filed by someone who may manage the item (who imported and confirmed it) or by the lead owner's side; the
    claim cites the sheet's row and cell. Closing still needs workflow.verify_claim, with evidence.
    """
    item.refresh_from_db(from_queryset=Item.objects.select_for_update())
    intent = pending_sheet_claim(item)
    if intent is None:
        raise InvalidState(f"item #{item.pk} has no completion from a spreadsheet waiting to be filed")
    if item.state != ItemState.ACTIVE:
        raise InvalidState(f"cannot file the spreadsheet's completion claim: the item is "
                           f"{item.get_state_display().lower()}; only active (confirmed) items can be claimed")
    if not (permissions.may_manage(user, item) or permissions.may_claim(user, item)):
        raise NotAllowed(f"{user.get_username()} may not file this claim: only an administrator, a supervisor "
                         f"who may manage the item, or staff of {item.lead_owner}'s side may")
    note = (f"{item.source_ref}, column '{intent['column']}': {intent['value']!r} "
            f"(imported from {item.document.file.name if item.document_id else 'a spreadsheet'})")
    claim = CompletionClaim.objects.create(item=item, claimant=user, claimed_on=on, created_at=timezone.now(), note=note)
    filed = {**intent, "claim": claim.pk}
    before = {"state": item.state, "sheet_claim": intent}
    item.state = ItemState.CLAIMED
    item.data = {**item.data, "sheet_claim": filed}
    item.updated_at = timezone.now()
    item.save(update_fields=["state", "data", "updated_at"])
    history.record(user.get_username(), "item.claim", item, before=before, at=moment(on),
                   after={"state": ItemState.CLAIMED, "claim": claim.pk, "evidence": [], "sheet_claim": filed})
    return claim


def file_sheet_claims(user, items: Iterable[Item], *, on: date) -> SheetClaims:
    """file_sheet_claim for each confirmed item with a pending spreadsheet completion; drafts are listed as waiting.

    Each claim is its own transaction, checked against every rule; a refusal stops the run with its message.
    """
    result = SheetClaims()
    for item in items:
        if pending_sheet_claim(item) is None:
            continue
        if item.state == ItemState.DRAFT:
            result.waiting.append(item)
        elif item.state == ItemState.ACTIVE:
            result.filed.append(file_sheet_claim(user, item, on=on))
    return result
