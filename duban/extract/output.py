"""Writing records out: JSON lines per the spec, CSV with one row per item, or a table for a person."""

from __future__ import annotations

import csv
from typing import Any, BinaryIO, TextIO

import orjson

CSV_COLUMNS = [
    "kind", "id", "file", "doc", "line_start", "line_end", "title", "date", "genre", "number", "units", "due",
    "due_text", "name", "unit", "baseline_value", "baseline_year", "target_value", "target_year", "comparator",
    "parties", "amounts_yuan", "measure", "value", "scope", "quote", "extractor_version",
]


def write_jsonl(records: list[dict[str, Any]], out: BinaryIO) -> None:
    """One compact UTF-8 JSON object per line, as the spec's examples print them."""
    out.write(b"".join(orjson.dumps(rec, option=orjson.OPT_APPEND_NEWLINE) for rec in records))


class CsvWriter:
    """One row per record, lists joined with "; ", nested targets flattened into their own columns."""

    def __init__(self, out: TextIO):
        self._writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
        self._writer.writeheader()

    def write(self, records: list[dict[str, Any]]) -> None:
        for rec in records:
            self._writer.writerow(flatten(rec))


def flatten(rec: dict[str, Any]) -> dict[str, Any]:
    row = dict(rec)
    for key in ("baseline", "target"):
        value = rec.get(key) or {}
        row[f"{key}_value"] = value.get("value", "")
        row[f"{key}_year"] = value.get("year", "")
    for key, value in rec.items():
        if isinstance(value, list):
            row[key] = "; ".join(str(v) for v in value)
        elif value is None:
            row[key] = ""
    return row


def summary(rec: dict[str, Any]) -> str:
    """A one-line reading of a record for the terminal table."""
    kind = rec["kind"]
    if kind == "document":
        return f"[{rec['genre']}] {rec['title'][:90]}" + (f" ({rec['date']})" if rec.get("date") else "")
    if kind == "task":
        units = ", ".join(rec["units"][:3]) + (" …" if len(rec["units"]) > 3 else "")
        return f"{rec['number']} {rec['title'][:70]}" + (f" — {units}" if units else "") + (f" due {rec['due']}" if rec["due"] else "")
    if kind == "milestone":
        return f"{rec['due']}: {rec['quote'][:90]}"
    if kind == "indicator":
        base = rec.get("baseline") or {}
        start = f"{base.get('value')} → " if base else ""
        year = rec["target"].get("year")
        return f"{rec['name'][:60]}: {start}{rec['comparator']} {rec['target']['value']} {rec['unit']}" + (f" by {year}" if year else "")
    if kind == "finding":
        money = f" [{', '.join(f'{a:,.0f} yuan' for a in rec['amounts_yuan'])}]" if rec["amounts_yuan"] else ""
        return f"{', '.join(rec['parties'])[:50]}: {rec['quote'][:70]}{money}"
    if kind == "outcome":
        return f"{rec['measure']} = {rec['value']:,g}" + (f" ({rec['scope']})" if rec.get("scope") else "")
    if kind == "time_limit":
        return f"{rec['value']:g} {rec['unit'].replace('_', ' ')}: {rec['quote'][:80]}"
    return ""
