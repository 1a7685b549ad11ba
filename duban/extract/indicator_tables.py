"""Indicator tables flattened one cell per line: one indicator per row.

Where the table has a header ("Serial number", "Indicator", "Unit", "Baseline value (2025)", "Target value (2028)",
"2020", "2025", "Attribute" …), its cells say which column holds what and for which year; a table without one is
read as [row number,] name (unit), values…, the last value the target.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Doc, Item, Span
from .numbers import DIGITS, SPELLED_NUMBER, parse_number

_TABLE_CAPTION = re.compile(
    r"^\s*(?:(?:table|schedule|attached\s+table|附表|表)\s*\d*\b.*(?:indicator|target|index|goal|指标)"
    r"|(?:main|key|major)\s+(?:[\w-]+\s+){0,3}?indicators\b(?!.*[.。]\s*$))",  # "Main indicators of …", no sentence
    re.I,
)
_CAPTION_FIRST = "AaSsTtMmKk\u017f附表"  # what `_TABLE_CAPTION` can match first in a stripped line ("ſ" folds to "s")
_CELL_NUMBER = re.compile(rf"^\s*[≥≤><]?\s*(?:{DIGITS}|{SPELLED_NUMBER})\s*%?\s*$", re.I)
_NAME_UNIT = re.compile(r"^(?P<name>.+?)\s*[(（](?P<unit>[^()（）]{1,30})[)）]\s*$")
_FIVE_YEAR = {"fourteenth": 2025, "14th": 2025, "fifteenth": 2030, "15th": 2030, "thirteenth": 2020, "13th": 2020}
_YEAR = re.compile(r"\b(?:19|20)\d\d(?!\d)")

# A value cell: "86.2", "≥92", "five", "[18]" (a cumulative figure), "more than 90%", "95 or above", "about 6".
_VALUE_CELL = re.compile(
    rf"\s*(?P<cmp>[≥≤><]=?|(?:more\s+than|over|above|at\s+least|not\s+less\s+than|no\s+less\s+than|not\s+lower\s+than)\s"
    rf"|(?P<below>no\s+more\s+than|not\s+more\s+than|not\s+higher\s+than|less\s+than|below|under|within)\s)?"
    rf"\s*(?:about\s+)?[\[〔【(（]?\s*(?P<num>{DIGITS}|{SPELLED_NUMBER})\s*[\]〕】)）]?\s*(?:%|‰|percent)?"
    rf"\s*(?:(?P<more>or\s+(?:more|above)|and\s+above)|(?P<less>or\s+(?:less|below)|and\s+below)|left\s+and\s+right|or\s+so)?\s*",
    re.I,
)
_MISSING_CELL = re.compile(r"\s*(?:[—–―\-－/／…]+|n/?a|none|nil|无)\s*", re.I)
# A row number: "3", "three", "(3)", "3.", "iv".
_SERIAL_CELL = re.compile(
    rf"\s*[(（]?\s*(?:\d{{1,3}}|{SPELLED_NUMBER}|[ivxl]{{1,6}})\s*[)）.、]?\s*", re.I
)
# A unit that machine translation spells as a number: "Ten thousand" (万), "Ten thousand households", "Hundred million
# yuan" (亿元); in the unit column it is the unit, not a value.
_MAGNITUDE_UNIT = re.compile(r"\s*(?:ten\s+thousand|hundred\s+million|thousand|million|billion)\b", re.I)
_NOTE_CELL = re.compile(r"\s*(?:notes?|remarks?|sources?|explanation|注|备注)\s*\d*\s*[:：]", re.I)

# Header cells by the column they name, once years and brackets are taken out: "Baseline value (2025)" is a baseline
# column for 2025, "2025" a year column.
_HEADER_ROLES = re.compile(
    r"(?P<serial>serial(?:\s+(?:number|no\.?))?|s/?n|no\.?|number|sequence(?:\s+number)?|序号)"
    r"|(?P<name>(?:(?:main|specific|key)\s+)?(?:indicators?|index|indices)(?:\s+(?:names?|items?|contents?))?"
    r"|names?\s+of\s+(?:the\s+)?indicators?|items?|projects?|指标(?:名称)?)"
    r"|(?P<unit>units?(?:\s+of\s+measurement)?|measurement\s+units?|计量单位|单位)"
    r"|(?P<baseline>(?:baseline|base|current|present|actual)(?:\s+(?:values?|years?|levels?|period|situation|data)){0,2}"
    r"|status\s+quo|基期值?|现状值?)"
    r"|(?P<target>(?:(?:expected|planned|planning)\s+)?(?:targets?|goals?)(?:\s+(?:values?|years?|levels?))?"
    r"|(?:expected|planned|planning)(?:\s+(?:values?|levels?))?|目标值?)"
    r"|(?P<year>values?|levels?|figures?|data)"  # "Value in 2020": a year column where it names a year
    r"|(?P<category>categor(?:y|ies)|fields?|areas?|dimensions?|types?|classifications?|sectors?|类别|领域)"
    r"|(?P<note>(?:indicator\s+)?(?:attributes?|nature|property|type)|remarks?|notes?|responsible\s+(?:units?|departments?)"
    r"|(?:average\s+)?annual\s+(?:average\s+)?(?:growth|increase)(?:\s+rate)?|cumulative(?:\s+\w+){0,2}|属性|备注)",
    re.I,
)
_HEADER_FILLER = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]|(?:19|20)\d\d(?:\s*(?:year|年))?|[:：%]", re.I)
_LABEL_END = re.compile(r"(?:\s+(?:in|for|of|by|the))?\s*$", re.I)  # "Target value for (2028)"
_SENTENCE_BREAK = re.compile(r"[a-z][.。]\s+[A-Z]|。\S")
_BRACKETED = re.compile(r"[(（\[【]([^)）\]】]*)[)）\]】]")
_VALUE_ROLES = ("baseline", "target", "year")


@dataclass(frozen=True)
class _Column:
    role: str  # a `_HEADER_ROLES` group, or "year" for a cell that is only a year
    year: int | None  # the year its header names


@dataclass(frozen=True)
class _Row:
    first: int  # the index of its first cell (its number or name; a category cell heads a group of rows)
    last: int  # the index of its last cell
    name: str
    unit: str
    values: dict[int, int]  # the index of the cell under each value column, by the column's index in the header


def table_indicators(doc: Doc) -> list[Item]:
    """An indicator per row of each indicator table in the document."""
    items: list[Item] = []
    cells = [(doc.first_line + i, cell) for i, line in enumerate(doc.lines) if (cell := line.strip())]
    header_cells = [_column(cell) if len(cell) <= 40 else None for _, cell in cells]
    headers = {j: header for j, column in enumerate(header_cells) if column and (header := _header_at(header_cells, j))}
    captions = [j for j, (_, cell) in enumerate(cells) if cell[0] in _CAPTION_FIRST and _TABLE_CAPTION.match(cell)]
    k = 0  # the first cell not yet read
    for start in sorted({*headers, *captions}):
        if start < k:
            continue  # a caption or header cell within the table read before
        if start in headers:
            k = _header_table(doc, cells, *headers[start], items)
        elif not any(j in headers for j in range(start + 1, start + 5)):  # else the header after the caption leads
            k = _headerless_table(doc, cells, start, items)
    return items


def _header_at(header_cells: list[_Column | None], j: int) -> tuple[list[_Column], int] | None:
    """The columns of a table header starting at cell j, and the index of the cell after it; None if none starts there.

    `header_cells` are the columns the cells name, None for cells that are no header cells. A header is a run of
    header cells that names one indicator column and at least one value column, and opens with no value column (a
    year may end the row before it).
    """
    if header_cells[j].role in _VALUE_ROLES:
        return None
    columns: list[_Column] = []
    k = j
    while k < len(header_cells) and (column := header_cells[k]) is not None:
        named = any(c.role == "name" for c in columns)
        if column.role == "name" and named:
            break
        columns.append(_Column("note", column.year) if column.role == "category" and named else column)
        k += 1
    roles = {c.role for c in columns}
    if len(columns) < 3 or "name" not in roles or not roles & {"target", "year"}:
        return None
    return columns, k


def _column(cell: str) -> _Column | None:
    """The column a header cell names, or None if it is no header cell."""
    if _HEADER_ROLES.match(cell) is None and _YEAR.match(cell) is None and cell[0] not in "(（[【":
        return None  # cheap test: a header cell opens with the words of its column, its year or a bracket
    label = _label(cell)
    if not label:  # "2025", "2025 (target)": a year, the bracket naming its column
        bracketed = _BRACKETED.search(cell)
        label = _label(bracketed.group(1)) if bracketed else ""
    m = _HEADER_ROLES.fullmatch(label) if label else None
    if label and m is None:
        return None
    years = _YEAR.findall(cell)
    if m is None or m.lastgroup == "year":
        return _Column("year", int(years[-1])) if years else None
    return _Column(m.lastgroup, int(years[-1]) if years else None)


def _label(cell: str) -> str:
    """A header cell's words without years, brackets and a last linking word: "Target value for 2028" is "Target value"."""
    return " ".join(_LABEL_END.sub("", _HEADER_FILLER.sub(" ", cell)).split())


def _header_table(doc: Doc, cells, columns: list[_Column], k: int, items: list[Item]) -> int:
    """Append the indicators of the rows after a header that ends before cell k; the index of the cell after the table.

    The target column is the one so named, else the last year; the baseline the one so named, else the first year.
    """
    value_columns = [i for i, c in enumerate(columns) if c.role in _VALUE_ROLES]
    target = next((i for i in reversed(value_columns) if columns[i].role == "target"), None)
    if target is None:
        target = next(i for i in reversed(value_columns) if columns[i].role == "year")
    baseline = next((i for i in value_columns if columns[i].role == "baseline"), None)
    if baseline is None:
        baseline = next((i for i in value_columns if columns[i].role == "year" and i != target), None)
    stated_year = columns[target].year
    target_year = stated_year if stated_year is not None else _target_year(doc, cells[k - 1][0])
    baseline_year = columns[baseline].year if baseline is not None else None
    if baseline_year is None:
        baseline_year = _baseline_year(doc, target_year, stated_year)
    rows, end = _header_rows(cells, k, columns)
    for row in rows:
        target_value = _cell_value(cells[row.values[target]][1])
        if target_value is None:
            continue  # "—", or a target in words
        base_value = _cell_value(cells[row.values[baseline]][1]) if baseline is not None else None
        baseline_field = {"value": base_value[0], "year": baseline_year} if base_value else None
        last_read = max(row.values[target], row.values[baseline] if baseline is not None else 0)
        items.append(_row_item(doc, cells[row.first][0], cells[last_read][0], row.name, row.unit,
                               baseline_field, target_value, target_year))
    return end


def _header_rows(cells, k: int, columns: list[_Column]) -> tuple[list[_Row], int]:
    """The rows from cell k, one cell per column, up to the first that does not fit the columns; the cell after them.

    A row may lack its number (a header without a number column may have numbered rows); a category cell, merged
    over the rows of its category, comes before the first of them only, and a section's name before its rows.
    """
    layout = list(enumerate(columns))
    if not any(c.role == "serial" for c in columns):
        layout.insert(next(i for i, c in enumerate(columns) if c.role == "name"), (-1, _Column("serial", None)))
    attempts = (True, False) if any(c.role == "category" for c in columns) else (True,)

    def row_at(j: int) -> _Row | None:
        return next((r for take_category in attempts if (r := _read_row(cells, j, layout, take_category))), None)

    rows: list[_Row] = []
    while k < len(cells):
        row = row_at(k)
        if row is None and _is_label(cells[k][1]):
            row = row_at(k + 1)  # a section's name across the whole table: "(II) Green development"
        if row is None:
            break
        rows.append(row)
        k = row.last + 1
    return rows, k


def _read_row(cells, k: int, layout: list[tuple[int, _Column]], take_category: bool) -> _Row | None:
    """The row from cell k whose cells fit the columns of `layout` (header index, column), or None.

    A number is taken where one stands before a cell that is no value; a category where `take_category` says.
    """
    j, first = k, k
    name = unit = None
    values: dict[int, int] = {}
    for index, column in layout:
        if j >= len(cells):
            return None
        text = cells[j][1]
        if column.role == "category":
            if take_category and _is_label(text) and not _SERIAL_CELL.fullmatch(text):
                j += 1
                first = j
            continue
        if column.role == "serial":
            if _SERIAL_CELL.fullmatch(text) and j + 1 < len(cells) and not _is_value(cells[j + 1][1]):
                j += 1
            continue
        missing = _MISSING_CELL.fullmatch(text) is not None
        if column.role == "name":
            fits = _is_label(text) and not _SERIAL_CELL.fullmatch(text)
            name = text
        elif column.role == "unit":
            fits = missing or len(text) <= 30 and (not _is_value(text) or _MAGNITUDE_UNIT.match(text) is not None)
            unit = "" if missing else text
        elif column.role in _VALUE_ROLES:
            fits = missing or _is_value(text) or _is_short_words(text)
            values[index] = j
        else:  # a note: an attribute ("binding"), a growth rate, a remark
            fits = len(text) <= 60 and _NOTE_CELL.match(text) is None
        if not fits:
            return None
        j += 1
    if name is None:
        return None
    if unit is None:
        m = _NAME_UNIT.match(name)
        name, unit = (m.group("name"), m.group("unit")) if m else (name, "")
    return _Row(first, j - 1, name, unit, values)


def _is_label(text: str) -> bool:
    """Whether a cell can name an indicator or category: words, not a figure, a note or a sentence of prose."""
    return (
        not _is_value(text) and len(text) <= 160 and _NOTE_CELL.match(text) is None
        and not (text.endswith((".", "。")) and len(text.split()) > 8) and _SENTENCE_BREAK.search(text) is None
    )


def _is_short_words(text: str) -> bool:
    """A value given in words ("basically complete"): short, no sentence."""
    return len(text) <= 40 and not text.endswith((".", "。")) and _NOTE_CELL.match(text) is None


def _is_value(text: str) -> bool:
    return _VALUE_CELL.fullmatch(text) is not None


def _cell_value(text: str) -> tuple[float, str] | None:
    """A value cell's number and comparator: "≥92" is (92, ">="), "five" (5, "="); None for "—" or words."""
    m = _VALUE_CELL.fullmatch(text)
    if m is None:
        return None
    value = parse_number(m.group("num"))
    if value is None:
        return None
    sign = m.group("cmp") or ""
    below = m.group("below") or m.group("less") or sign.startswith(("≤", "<"))
    return value, "<=" if below else ">=" if sign or m.group("more") else "="


def _row_item(doc: Doc, first_line: int, last_line: int, name: str, unit: str, baseline: dict | None,
              target: tuple[float, str], target_year: int | None) -> Item:
    measure = re.sub(r"\s*[(（][a-z][^()（）]*[)）]", "", name)  # a remark "(cultivated)"; "(R&D)" stays
    quote = "\n".join(doc.line(n) for n in range(first_line, last_line + 1)).strip()
    return Item("indicator", Span(first_line, last_line, quote), {
        "name": measure.strip(),
        "unit": unit.strip(),
        "baseline": baseline,
        "target": {"value": target[0], "year": target_year},
        "comparator": target[1],
    })


def _target_year(doc: Doc, before_line: int) -> int | None:
    """The year a table's targets are for: the latest goal date stated before it, else the five-year plan's end."""
    years = [int(m.fields["due"][:4]) for m in doc.items if m.kind == "milestone" and m.span.line_start < before_line]
    if years:
        return max(years)
    m = re.search(r"\b(" + "|".join(_FIVE_YEAR) + r")\s+five-year", " ".join(doc.lines[:40]), re.I)
    return _FIVE_YEAR[m.group(1).lower()] if m else None


def _baseline_year(doc: Doc, target_year: int | None, stated_target_year: int | None) -> int | None:
    """The baseline year where no header states one: in a five-year plan whose target year no header states either,
    five years before the target year."""
    if target_year is None or stated_target_year is not None or not _is_five_year(doc):
        return None
    return target_year - 5


def _is_five_year(doc: Doc) -> bool:
    return bool(re.search(r"five-year|五年", " ".join(doc.lines[:40]), re.I))


def _headerless_table(doc: Doc, cells, caption: int, items: list[Item]) -> int:
    """Append the indicators of the table after a caption without a header; the cell after the table."""
    caption_line = cells[caption][0]
    k = caption + 1
    header_years = []
    scanned = 0
    while k < len(cells) and scanned < 15 and not _starts_row(cells, k):
        header_years.extend(int(y) for y in _YEAR.findall(cells[k][1]))
        k += 1
        scanned += 1
    stated_year = header_years[-1] if header_years else None
    target_year = stated_year if stated_year is not None else _target_year(doc, caption_line)
    baseline_year = header_years[0] if len(header_years) >= 2 else _baseline_year(doc, target_year, stated_year)
    rows, k = _table_rows(cells, k)
    for row_line, name, values, last_line in rows:
        m = _NAME_UNIT.match(name)
        measure, unit = (m.group("name"), m.group("unit")) if m else (name, "")
        baseline = {"value": values[0][0], "year": baseline_year} if len(values) >= 2 else None
        items.append(_row_item(doc, row_line, last_line, measure, unit, baseline, values[-1], target_year))
    return k


def _starts_row(cells: list[tuple[int, str]], k: int) -> bool:
    """Whether cell k opens a table row: [row number,] a short name, then a value."""
    def numeric(j: int) -> bool:
        return j < len(cells) and bool(_CELL_NUMBER.match(cells[j][1]))

    def name(j: int) -> bool:
        return j < len(cells) and not numeric(j) and len(cells[j][1]) <= 160
    unit = _NAME_UNIT.match(cells[k][1]) if k < len(cells) else None
    return numeric(k) and name(k + 1) and numeric(k + 2) or (
        name(k) and numeric(k + 1) and unit is not None and not re.fullmatch(r"\s*(?:19|20)\d\d\s*", unit.group("unit"))
    )


def _table_rows(cells: list[tuple[int, str]], k: int):
    """Rows of a table flattened one cell per line: [row number,] name, values…; stops at the first prose line."""
    rows = []
    while k < len(cells):
        line, text = cells[k]
        row_line = line
        if _CELL_NUMBER.match(text) and k + 1 < len(cells) and not _CELL_NUMBER.match(cells[k + 1][1]):
            k += 1  # a row number is not a value
            line, text = cells[k]
        if _CELL_NUMBER.match(text) or len(text) > 160 or text.endswith(("。", ".")) and len(text.split()) > 12:
            break
        name = text
        k += 1
        values = []
        while k < len(cells) and _CELL_NUMBER.match(cells[k][1]):
            is_row_number = k + 1 < len(cells) and not _CELL_NUMBER.match(cells[k + 1][1]) and len(values) >= 1
            if is_row_number and _next_is_row(cells, k):
                break
            values.append(_cell_value(cells[k][1]) or (0.0, "="))
            k += 1
        if not values:
            break
        rows.append((row_line, name, values, cells[k - 1][0]))
    return rows, k


def _next_is_row(cells: list[tuple[int, str]], k: int) -> bool:
    """Whether cell k is a row number: a short non-numeric name follows, then a value."""
    return k + 2 < len(cells) and len(cells[k + 1][1]) <= 160 and bool(_CELL_NUMBER.match(cells[k + 2][1]))
