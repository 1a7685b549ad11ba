"""The `duban` command: extract items from documents, list a file's documents, print its text; ingest and run the ledger."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from typing import Iterator

from . import __version__
from .corpus.errors import InputError
from .corpus.formats import open_source
from .extract.model import KINDS, document_records
from .extract.output import CsvWriter, summary, write_jsonl
from .extract.pipeline import extract_file


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = _parser(with_ledger="ledger" in argv)
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except BrokenPipeError:
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("duban: interrupted", file=sys.stderr)
        return 130


def _parser(with_ledger: bool = True) -> argparse.ArgumentParser:
    """The command line; the ledger's many commands (and the modules that define them) only `with_ledger`."""
    parser = argparse.ArgumentParser(prog="duban", description=__doc__)
    parser.add_argument("--version", action="version", version=f"duban {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    ex = sub.add_parser("extract", help="read documents and print the items found in them")
    ex.add_argument("paths", nargs="+", metavar="FILE")
    ex.add_argument("--format", choices=("table", "jsonl", "csv"), default="table")
    ex.add_argument("--kind", action="append", choices=KINDS, help="only these kinds (repeatable)")
    ex.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    ex.set_defaults(handler=cmd_extract)

    docs = sub.add_parser("documents", help="list the documents found in files: lines, title, genre")
    docs.add_argument("paths", nargs="+", metavar="FILE")
    docs.add_argument("--quiet", "-q", action="store_true")
    docs.set_defaults(handler=cmd_documents)

    text = sub.add_parser("text", help="print the text duban reads from a file, with line numbers")
    text.add_argument("path", metavar="FILE")
    text.set_defaults(handler=cmd_text)

    ingest = sub.add_parser("ingest", help="read documents into the ledger as drafts, with their provenance")
    ingest.add_argument("paths", nargs="+", metavar="FILE")
    ingest.add_argument("--office", metavar="ORG", help="the supervising office of the plans and inspection rounds read")
    ingest.add_argument("--as", dest="actor", metavar="USER", help="the person importing (default: system)")
    ingest.add_argument("--on", type=_day, metavar="DATE", help="the date of the import (default now)")
    ingest.set_defaults(handler=_ledger("ingest"))

    ledger = sub.add_parser("ledger", help="the supervision ledger: items, owners, claims, verifications, changes, history")
    if with_ledger:
        _ledger_parsers(ledger.add_subparsers(dest="ledger_command", required=True, metavar="COMMAND"))
    return parser


def _ledger(command: str):
    """The handler of a ledger command: Django is set up only now, so the extractor's commands never import it."""

    def handler(args: argparse.Namespace) -> int:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duban.settings")
        import django

        django.setup()
        from .ledger import cli as ledger_cli

        return ledger_cli.run(command, args)

    return handler


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _ledger_parsers(sub) -> None:
    """The core workflow's commands here; more come from the modules of duban.ledger.commands."""
    def command(name: str, help: str, *, actor: bool = False, dated: bool = False) -> argparse.ArgumentParser:
        parser = sub.add_parser(name, help=help, description=help)
        if actor:
            parser.add_argument("--as", dest="actor", required=True, metavar="USER", help="the username of the person acting")
        if dated:
            parser.add_argument("--on", type=_day, metavar="DATE", help="the date the action took effect (default today)")
        parser.set_defaults(handler=_ledger(name))
        return parser

    def item(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("item", nargs="?", metavar="ITEM", help="the item's id; or name the one item that matches:")
        parser.add_argument("--number", metavar="N", help='its number as written, e.g. "(four)"')
        parser.add_argument("--quote", metavar="TEXT", help="a piece of its quote")
        parser.add_argument("--kind", metavar="K", help="its kind, e.g. rectification")
        parser.add_argument("--document", type=int, metavar="ID", help="the document it is in")

    def filters(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--state", action="append", metavar="S", help="draft, active, claimed, closed, cancelled, rejected (repeatable)")
        parser.add_argument("--kind", action="append", metavar="K", help="task, milestone, indicator, finding, outcome, time_limit, rectification (repeatable)")
        parser.add_argument("--owner", metavar="ORG", help="led by this organisation or one of its units")
        parser.add_argument("--document", type=int, metavar="ID")
        parser.add_argument("--overdue-as-of", type=_day, metavar="DATE", help="only items overdue on that date")

    filters(command("items", "list items, filtered"))
    item(command("show", "an item: its source, owners, reports, claims, requests, flags and history"))

    p = command("assign", "give an item its lead owner and co-owners", actor=True, dated=True)
    item(p)
    p.add_argument("--lead", required=True, metavar="ORG")
    p.add_argument("--co", nargs="+", default=[], metavar="ORG")
    item(command("confirm", "confirm a draft: it becomes active", actor=True, dated=True))
    p = command("reject-draft", "reject a draft as an extraction error", actor=True, dated=True)
    item(p)
    p.add_argument("--reason", required=True)

    item(command("accept-change", "apply a draft read from a newer version of a document to the item it changes",
                 actor=True, dated=True))

    p = command("progress", "report progress, with evidence files", actor=True, dated=True)
    item(p)
    p.add_argument("--text", required=True)
    p.add_argument("--evidence", nargs="+", default=[], metavar="FILE")
    p = command("claim", "claim completion (it closes only when verified)", actor=True, dated=True)
    item(p)
    p.add_argument("--evidence", nargs="+", default=[], metavar="FILE")
    p.add_argument("--note", default="")
    p = command("verify", "verify a completion claim: the item closes", actor=True, dated=True)
    item(p)
    p.add_argument("--claim", type=int, metavar="ID", help="the claim (default: the item's pending claim)")
    p.add_argument("--evidence", nargs="+", required=True, metavar="FILE|SHA256",
                   help="files, or the sha256 (or its first 12 characters) of evidence already stored")
    p.add_argument("--note", default="")
    p = command("reject-claim", "reject a completion claim: the item is active again", actor=True, dated=True)
    item(p)
    p.add_argument("--claim", type=int, metavar="ID")
    p.add_argument("--reason", required=True)

    p = command("request-deadline", "ask for a new due date", actor=True, dated=True)
    item(p)
    p.add_argument("--to", dest="new_due", type=_day, required=True, metavar="DATE")
    p.add_argument("--reason", required=True)
    p = command("request-cancel", "ask to cancel an item", actor=True, dated=True)
    item(p)
    p.add_argument("--reason", required=True)
    p = command("approve", "approve a deadline change or cancellation request", actor=True, dated=True)
    p.add_argument("request", type=int, metavar="REQUEST")
    p.add_argument("--note", default="")
    p = command("refuse", "refuse a deadline change or cancellation request", actor=True, dated=True)
    p.add_argument("request", type=int, metavar="REQUEST")
    p.add_argument("--reason", required=True)

    p = command("rectify", "open the rectification plan of an inspection round, due N working days after its feedback",
                actor=True, dated=True)
    p.add_argument("document", type=int, metavar="DOCUMENT", help="the inspection round's document id")
    p.add_argument("--working-days", type=int, metavar="N", help="when the round states no time limit of its own")
    p = command("rectify-task", "add a rectification task, with phased milestones, to a plan", actor=True, dated=True)
    p.add_argument("plan", type=int, metavar="PLAN", help="the rectification plan's item id")
    p.add_argument("--title", required=True)
    p.add_argument("--lead", required=True, metavar="ORG")
    p.add_argument("--due", type=_day, required=True, metavar="DATE")
    p.add_argument("--milestone", nargs=2, action="append", default=[], metavar=("TITLE", "DATE"), help="repeatable")
    p = command("accountability", "record an interview, warning, accountability decision, fine or referral",
                actor=True, dated=True)
    p.add_argument("--kind", required=True, metavar="K", help="interview, warning, decision, fine or referral")
    p.add_argument("--description", required=True)
    p.add_argument("--org", nargs="+", default=[], metavar="ORG", help="the units it concerns")
    p.add_argument("--people", default="", help="the people it concerns, as named in the decision")
    p.add_argument("--item", type=int, metavar="ITEM", help="the item it is about")
    p.add_argument("--amount", metavar="YUAN", help="a fine's amount")

    reinspect = sub.add_parser("reinspect", help="re-inspection: draw a sample of closed items, record each check")
    steps = reinspect.add_subparsers(dest="reinspect_command", required=True, metavar="STEP")
    p = steps.add_parser("draw", help="draw a seeded, reproducible sample of closed items")
    p.add_argument("--size", type=int, required=True, metavar="N")
    p.add_argument("--seed", required=True, metavar="S")
    p.add_argument("--as", dest="actor", required=True, metavar="USER")
    p.add_argument("--on", type=_day, metavar="DATE")
    p.set_defaults(handler=_ledger("reinspect-draw"))
    p = steps.add_parser("record", help="record a check's result: a failure reopens the item")
    p.add_argument("check", type=int, metavar="CHECK")
    result = p.add_mutually_exclusive_group(required=True)
    result.add_argument("--passed", dest="passed", action="store_true")
    result.add_argument("--failed", dest="passed", action="store_false")
    p.add_argument("--note", required=True)
    p.add_argument("--as", dest="actor", required=True, metavar="USER")
    p.add_argument("--on", type=_day, metavar="DATE")
    p.set_defaults(handler=_ledger("reinspect-record"))

    p = command("flags", "red flags of every item, with their reasons")
    p.add_argument("--as-of", type=_day, metavar="DATE", help="default today")
    p = command("export", "write the items, filtered, as CSV")
    p.add_argument("--csv", required=True, metavar="FILE", help="the file to write ('-' for standard output)")
    filters(p)

    p = command("verify-history", "check the hash chain of the history; name the first bad event")
    p.add_argument("--anchor", metavar="HASH", help="a head hash printed by `anchor` earlier: also detects truncation")
    command("anchor", "print the history's head hash, to keep outside the database")
    p = command("demo", "load the example organisations, people and documents (again: adds nothing)")
    p.add_argument("--no-documents", action="store_true", help="only the organisations and people")
    command("create-admin", "create the superuser 'admin' with a generated password, shown once")

    from .ledger import commands

    for module in commands.modules():
        module.add_parsers(command, item)


def _each_file(paths: list[str], quiet: bool, kinds: set[str] | None) -> Iterator[tuple[str, list[dict]]]:
    """Records per document of each file; a file that fails is reported and skipped, the others go on."""
    from .progress import Progress

    failed: list[str] = []
    with Progress(paths, enabled=not quiet) as progress:
        for path in paths:
            try:
                open_source(path).check()
                for doc in extract_file(path, kinds, on_lines=progress.advance if progress.drawing else None):
                    records = document_records(doc)
                    if kinds is not None:
                        records = [r for r in records if r["kind"] in kinds]
                    yield path, records
            except InputError as e:
                failed.append(path)
                progress.print(f"duban: {e}")
            progress.file_done(path)
    if failed:
        print(f"duban: {len(failed)} of {len(paths)} files failed: {', '.join(failed)}", file=sys.stderr)
        raise SystemExit(1)


def cmd_extract(args: argparse.Namespace) -> int:
    kinds = set(args.kind) if args.kind else None
    out = sys.stdout
    if args.format == "jsonl":
        for _, records in _each_file(args.paths, args.quiet or not sys.stderr.isatty(), kinds):
            write_jsonl(records, out.buffer)
        return 0
    if args.format == "csv":
        writer = CsvWriter(out)
        for _, records in _each_file(args.paths, args.quiet or not sys.stderr.isatty(), kinds):
            writer.write(records)
        return 0
    return _print_table(_each_file(args.paths, args.quiet or not sys.stderr.isatty(), kinds))


def _print_table(per_document: Iterator[tuple[str, list[dict]]]) -> int:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    for path, records in per_document:
        head = records[0] if records and records[0]["kind"] == "document" else None
        title = f"{path} · document {head['doc']} · lines {head['line_start']}–{head['line_end']}" if head else path
        table = Table(title=escape(title), title_justify="left", show_lines=False, expand=True)
        table.add_column("kind", no_wrap=True)
        table.add_column("lines", no_wrap=True, justify="right")
        table.add_column("item")
        for rec in records:
            lines = str(rec["line_start"]) if rec["line_start"] == rec["line_end"] else f"{rec['line_start']}–{rec['line_end']}"
            table.add_row(rec["kind"], lines, escape(summary(rec)), style="bold" if rec["kind"] == "document" else None)
        console.print(table)
    return 0


def cmd_documents(args: argparse.Namespace) -> int:
    for path, records in _each_file(args.paths, args.quiet or not sys.stderr.isatty(), {"document"}):
        for rec in records:
            date = rec["date"] or "-"
            print(f"{path}\t{rec['doc']}\t{rec['line_start']}-{rec['line_end']}\t{rec['genre']}\t{date}\t{rec['title']}")
    return 0


def cmd_text(args: argparse.Namespace) -> int:
    try:
        source = open_source(args.path)
        source.check()
        width = 6
        for number, line in enumerate(source.lines(), 1):
            sys.stdout.write(f"{number:>{width}}  {line}\n")
    except InputError as e:
        print(f"duban: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
