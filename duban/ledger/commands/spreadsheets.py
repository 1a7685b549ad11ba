"""`duban ledger sheet inspect|import|claims` and `duban ledger export-xlsx`: spreadsheets in and out."""

from __future__ import annotations

import argparse

from .. import registry


def _filters(parser: argparse.ArgumentParser) -> None:
    """The same filters as `duban ledger items` and `export --csv` (duban/ledger/cli.py reads them)."""
    parser.add_argument("--state", action="append", metavar="S", help="draft, active, claimed, closed, cancelled, rejected (repeatable)")
    parser.add_argument("--kind", action="append", metavar="K", help="task, milestone, indicator, finding, outcome, time_limit, rectification (repeatable)")
    parser.add_argument("--owner", metavar="ORG", help="led by this organisation or one of its units")
    parser.add_argument("--document", type=int, metavar="ID")
    parser.add_argument("--overdue-as-of", type=_date, metavar="DATE", help="only items overdue on that date")


def _date(text: str):
    from ...cli import _day

    return _day(text)


def add_parsers(command, item) -> None:
    sheet = command("sheet", "import an office's ledger from XLSX or CSV: inspect its columns, then import with a mapping")
    steps = sheet.add_subparsers(dest="sheet_step", required=True, metavar="STEP")
    p = steps.add_parser("inspect", help="the header row, the headers and a suggested --map")
    p.add_argument("path", metavar="FILE")
    p.add_argument("--sheet", metavar="NAME", help="the worksheet (default: the active one)")
    p.add_argument("--header-row", type=int, metavar="N", help="the header row (default: found)")
    p = steps.add_parser("import", help="every row as a draft, or nothing when any cell is wrong (errors by row and column)")
    p.add_argument("path", metavar="FILE")
    p.add_argument("--map", dest="mapping", required=True, metavar="FIELD=HEADER,…",
                   help="which column holds what: title (required), number, units, due, completed, progress; "
                        "e.g. 'title=Task,units=Responsible unit,due=Deadline,completed=Status'")
    p.add_argument("--office", metavar="ORG", help="the supervising office of the imported items")
    p.add_argument("--sheet", metavar="NAME")
    p.add_argument("--header-row", type=int, metavar="N")
    p.add_argument("--kind", default="task", metavar="K", help="the kind of the imported items (default task)")
    p.add_argument("--as", dest="actor", required=True, metavar="USER", help="the username of the person importing")
    p.add_argument("--on", type=_date, metavar="DATE", help="the date of the import (default today)")
    p = steps.add_parser("claims", help="file the completions a sheet recorded as claims, for its confirmed items")
    p.add_argument("--document", type=int, metavar="ID", help="only the items of this imported sheet")
    p.add_argument("--as", dest="actor", required=True, metavar="USER")
    p.add_argument("--on", type=_date, metavar="DATE", help="the date of the claims (default today)")

    p = command("export-xlsx", "write the items, filtered, as an XLSX sheet formatted for printing")
    p.add_argument("path", metavar="FILE")
    p.add_argument("--title", default="Supervision ledger", help="the title row")
    p.add_argument("--as-of", type=_date, metavar="DATE", help="states, due dates and owners as of that date (default today)")
    _filters(p)


@registry.command("sheet")
def sheet(args: argparse.Namespace) -> int:
    return {"inspect": _inspect, "import": _import, "claims": _claims}[args.sheet_step](args)


def _inspect(args: argparse.Namespace) -> int:
    from ..services import spreadsheets

    found = spreadsheets.inspect_sheet(args.path, sheet=args.sheet, header_row=args.header_row)
    if found.title:
        print(f"title:      {found.title}")
    print(f"sheet:      {found.sheet} ({found.format}); header row {found.header_row}; {found.data_rows} rows below it")
    print("columns:")
    by_header = {header: name for name, header in found.suggested.items()}
    for i, header in enumerate(found.headers):
        field = by_header.get(header)
        print(f"  {spreadsheets.column_letter(i):>3}  {header}" + (f"  → {field}" if field else ""))
    missing = [name for name in spreadsheets.FIELDS if name not in found.suggested]
    if missing:
        print(f"not found:  {', '.join(missing)}")
    print(f"suggested:  --map '{found.map_option()}'")
    return 0


def _import(args: argparse.Namespace) -> int:
    from ..cli import _organisation, _person
    from ..services import spreadsheets

    office = _organisation(args.office) if args.office else None
    on = args.on or _today()
    result = spreadsheets.import_sheet(_person(args.actor), args.path, args.mapping, on=on, supervising_office=office,
                                       sheet=args.sheet, header_row=args.header_row, kind=args.kind)
    dated = sum(1 for item in result.items if item.due)
    print(f"{args.path}: {len(result.items)} drafts in document {result.document.pk} "
          f"(sha256 {result.source_file.sha256[:12]}), {dated} with a due date")
    if result.claims:
        print(f"  {result.claims} rows say completed: each becomes a claim, awaiting verification, once its draft is "
              f"confirmed (duban ledger sheet claims --document {result.document.pk} --as USER)")
    return 0


def _claims(args: argparse.Namespace) -> int:
    from ..cli import _person
    from ..models import Item
    from ..services import spreadsheets

    items = Item.objects.filter(data__has_key="sheet_claim").select_related("document__file", "lead_owner").order_by("id")
    if args.document is not None:
        items = items.filter(document_id=args.document)
    result = spreadsheets.file_sheet_claims(_person(args.actor), items, on=args.on or _today())
    for claim in result.filed:
        print(f"#{claim.item_id}: claim #{claim.pk} filed, awaiting verification ({claim.note})")
    print(f"{len(result.filed)} claim{'s' if len(result.filed) != 1 else ''} filed; "
          f"{len(result.waiting)} still draft{'s' if len(result.waiting) != 1 else ''} (confirm them first)")
    return 0


def _today():
    from django.utils import timezone

    return timezone.localdate()


@registry.command("export-xlsx")
def export_xlsx(args: argparse.Namespace) -> int:
    from ...reports.xlsx import export_items
    from ..cli import _filtered

    as_of = args.as_of or _today()
    written = export_items(_filtered(args), args.path, title=args.title, as_of=as_of)
    print(f"{written} item{'s' if written != 1 else ''} written to {args.path} (as of {as_of.isoformat()})")
    return 0
