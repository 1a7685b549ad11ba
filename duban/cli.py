"""The `duban` command: extract items from documents, list the documents in a file, print a file's text."""

from __future__ import annotations

import argparse
import sys
from contextlib import nullcontext
from typing import Iterator

from . import __version__
from .corpus.errors import InputError
from .corpus.formats import open_source
from .extract.model import KINDS, document_records
from .extract.output import CsvWriter, summary, write_jsonl
from .extract.pipeline import extract_file


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except BrokenPipeError:
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("duban: interrupted", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
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
    return parser


def _each_file(paths: list[str], quiet: bool, kinds: set[str] | None) -> Iterator[tuple[str, list[dict]]]:
    """Records per document of each file; a file that fails is reported and skipped, the others go on."""
    from .progress import Progress

    failed: list[str] = []
    with Progress(paths, enabled=not quiet) as progress:
        for path in paths:
            try:
                open_source(path).check()
                for doc in extract_file(path, kinds, on_lines=progress.advance):
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
            write_jsonl(records, out)
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
