"""End to end: the `duban` command run as a subprocess over the project's own examples/ and over bad input.

Every test runs `python -m duban.cli ...` from the repository root with relative paths, as a user would, and
checks what the output contract (../shared/spec/EXTRACTION.md) and examples/README.md promise.
"""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import re
import select
import subprocess
import sys
import tarfile
import zipfile
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# One file per format the reader supports: text (UTF-8 and GBK), a crawl dump, HTML, DOCX and PDF.
GOOD = [
    "examples/plan_digital_services.txt",
    "examples/inspection_feedback.txt",
    "examples/audit_report.txt",
    "examples/regulation_supervision.txt",
    "examples/crawl_dump.txt",
    "examples/county_plan_gbk.txt",
    "examples/notice_tasks.html",
    "examples/feedback_rectification.docx",
    "examples/work_plan.pdf",
]
# The genre of each document of each file, as examples/README.md states it.
GENRES = {
    "examples/plan_digital_services.txt": ["plan"],
    "examples/inspection_feedback.txt": ["oversight"],
    "examples/audit_report.txt": ["oversight"],
    "examples/regulation_supervision.txt": ["law"],
    "examples/crawl_dump.txt": ["other", "oversight", "plan", "other", "law"],
    "examples/county_plan_gbk.txt": ["plan"],
    "examples/notice_tasks.html": ["plan"],
    "examples/feedback_rectification.docx": ["oversight"],
    "examples/work_plan.pdf": ["plan"],
}

COMMON = ("kind", "file", "doc", "id", "line_start", "line_end")
KIND_FIELDS = {
    "document": ("title", "date", "genre"),
    "task": ("quote", "number", "title", "units", "due"),
    "milestone": ("quote", "due", "due_text", "units"),
    "indicator": ("quote", "name", "unit", "baseline", "target", "comparator"),
    "finding": ("quote", "parties", "amounts_yuan"),
    "outcome": ("quote", "measure", "value", "scope"),
    "time_limit": ("quote", "value", "unit"),
}
KINDS_BY_GENRE = {
    "plan": {"task", "milestone", "indicator", "time_limit"},
    "oversight": {"finding", "outcome", "time_limit"},
    "law": {"time_limit"},
    "other": set(),
}
MEASURES = {"cases_transferred", "cases_settled", "ordered_to_rectify", "filed_for_penalty", "fines_yuan",
            "criminal_cases", "detained", "interviewed", "held_accountable"}
TIME_UNITS = {"working_days", "days", "months", "years"}


def duban(*args: str, stderr=subprocess.PIPE, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run the command from the repository root; output stays bytes so nothing is re-encoded or re-split."""
    return subprocess.run([sys.executable, "-m", "duban.cli", *args], cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=stderr, env=env, timeout=120)


def jsonl(out: bytes) -> list[dict]:
    text = out.decode("utf-8")
    assert text.endswith("\n")
    records = []
    for n, line in enumerate(text.split("\n")[:-1], 1):
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as e:  # pragma: no cover - the failure message is the point
            pytest.fail(f"output line {n} is not JSON ({e}): {line[:200]!r}")
    return records


def stderr_lines(proc: subprocess.CompletedProcess[bytes]) -> list[str]:
    return proc.stderr.decode("utf-8", errors="replace").splitlines()


def text_lines(path: str) -> list[str]:
    """The numbered lines `duban text FILE` prints: right-aligned number, two spaces, the line."""
    proc = duban("text", path)
    assert proc.returncode == 0, proc.stderr
    lines = []
    for n, row in enumerate(proc.stdout.decode("utf-8").split("\n")[:-1], 1):
        m = re.match(r" *(\d+)  (.*)\Z", row, re.S)
        assert m and int(m.group(1)) == n, f"{path}: bad `duban text` line {n}: {row!r}"
        lines.append(m.group(2))
    return lines


def squash(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def assert_within(rec: dict, lines: list[str], quote: str) -> None:
    """The quote lies inside the record's lines: a substring of them joined with newlines.

    A quote from one line must be an exact substring; one that spans lines may differ in spacing at the joins.
    """
    start, end = int(rec["line_start"]), int(rec["line_end"])
    assert 1 <= start <= end <= len(lines), f"{rec['kind']} {rec['id']}: lines {start}-{end} outside 1-{len(lines)}"
    source = "\n".join(lines[start - 1 : end])
    assert quote.strip(), f"{rec['kind']} {rec['id']}: empty quote"
    assert quote in source or (start < end and squash(quote) in squash(source)), (
        f"{rec['file']}: {rec['kind']} {rec['id']} quote not within lines {start}-{end}:\n"
        f"  quote: {quote[:300]!r}\n  lines: {source[:300]!r}"
    )


@pytest.fixture(scope="module")
def run_jsonl() -> bytes:
    proc = duban("extract", *GOOD, "--format", "jsonl")
    assert proc.returncode == 0, proc.stderr.decode()
    assert b"Traceback" not in proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def records(run_jsonl) -> list[dict]:
    return jsonl(run_jsonl)


@pytest.fixture(scope="module")
def sources() -> dict[str, list[str]]:
    return {path: text_lines(path) for path in GOOD}


# ---------------------------------------------------------------------------------------------- jsonl contract


def test_jsonl_every_record_has_the_common_fields_and_its_kinds_fields(records):
    assert records
    for rec in records:
        assert rec.get("kind") in KIND_FIELDS, rec
        missing = [f for f in COMMON + KIND_FIELDS[rec["kind"]] if f not in rec]
        assert not missing, f"{rec['kind']} record lacks {missing}: {rec}"
        assert rec["file"] in GOOD
        assert isinstance(rec["doc"], int) and rec["doc"] >= 1
        assert isinstance(rec["id"], str) and rec["id"]
        assert isinstance(rec["line_start"], int) and isinstance(rec["line_end"], int)
        assert 1 <= rec["line_start"] <= rec["line_end"], rec


def test_jsonl_field_types_follow_the_spec(records):
    iso = lambda v: v is None or date.fromisoformat(v).isoformat() == v  # noqa: E731
    for rec in records:
        kind = rec["kind"]
        if kind == "document":
            assert rec["genre"] in KINDS_BY_GENRE and isinstance(rec["title"], str) and rec["title"].strip()
            assert iso(rec["date"]), rec
        if kind in ("task", "milestone"):
            assert isinstance(rec["units"], list) and all(isinstance(u, str) and u for u in rec["units"]), rec
        if kind == "task":
            assert rec["number"] and rec["title"] and iso(rec["due"]), rec
        if kind == "milestone":
            assert rec["due"] is not None and iso(rec["due"]) and rec["due_text"], rec
        if kind == "indicator":
            assert rec["name"] and isinstance(rec["unit"], str) and rec["comparator"] in (">=", "<=", "="), rec
            assert isinstance(rec["target"]["value"], (int, float)), rec
            assert rec["baseline"] is None or isinstance(rec["baseline"]["value"], (int, float)), rec
        if kind == "finding":
            assert isinstance(rec["parties"], list) and rec["parties"], rec
            assert all(isinstance(a, (int, float)) for a in rec["amounts_yuan"]), rec
        if kind == "outcome":
            assert rec["measure"] in MEASURES and isinstance(rec["value"], (int, float)), rec
            assert isinstance(rec["scope"], str), rec
        if kind == "time_limit":
            assert rec["unit"] in TIME_UNITS and isinstance(rec["value"], (int, float)), rec


def test_jsonl_covers_every_format_genre_and_kind(records):
    genres = {}
    for rec in records:
        if rec["kind"] == "document":
            genres.setdefault(rec["file"], []).append(rec["genre"])
    assert genres == GENRES
    for path in GOOD:  # every file in every format gives items, not only its document records
        assert any(r["file"] == path and r["kind"] != "document" for r in records), path
    assert {r["kind"] for r in records} == set(KIND_FIELDS)


def test_jsonl_order_document_first_then_its_items(records):
    """Files in the order given; in each, documents 1..n, each its document record then its items in reading order."""
    files_seen: list[str] = []
    current = None
    last_start = 0
    for rec in records:
        if rec["kind"] == "document":
            if not files_seen or files_seen[-1] != rec["file"]:
                assert rec["file"] not in files_seen, f"{rec['file']} output in two places"
                files_seen.append(rec["file"])
                assert rec["doc"] == 1, rec
            else:
                assert rec["doc"] == current["doc"] + 1, rec
                assert rec["line_start"] > current["line_end"], "documents overlap"
            current = rec
            last_start = rec["line_start"]
            continue
        assert current is not None, f"item before any document: {rec}"
        assert (rec["file"], rec["doc"]) == (current["file"], current["doc"]), f"item outside its document: {rec}"
        assert current["line_start"] <= rec["line_start"] <= rec["line_end"] <= current["line_end"], rec
        assert rec["kind"] in KINDS_BY_GENRE[current["genre"]], f"{rec['kind']} in a {current['genre']} document"
        assert rec["line_start"] >= last_start, f"items out of reading order at {rec}"
        last_start = rec["line_start"]
    assert files_seen == GOOD


def test_jsonl_ids_are_unique_and_stable_and_output_is_byte_identical(run_jsonl, records):
    ids = [r["id"] for r in records]
    assert len(ids) == len(set(ids)), "duplicate ids"
    again = duban("extract", *GOOD, "--format", "jsonl")
    assert again.returncode == 0
    assert again.stdout == run_jsonl
    # an id does not depend on what else is on the command line, nor on --kind
    alone = jsonl(duban("extract", "examples/crawl_dump.txt", "--format", "jsonl").stdout)
    assert [r["id"] for r in alone] == [r["id"] for r in records if r["file"] == "examples/crawl_dump.txt"]


def test_provenance_every_quote_lies_within_its_lines(records, sources):
    for rec in records:
        lines = sources[rec["file"]]
        if rec["kind"] == "document":
            # a document spans its first to its last non-blank line, and its title is read from inside it
            assert lines[rec["line_start"] - 1].strip() and lines[rec["line_end"] - 1].strip(), rec
            assert_within(rec, lines, rec["title"])
        else:
            assert_within(rec, lines, rec["quote"])


# ---------------------------------------------------------------------------------------------- other formats


def test_csv_one_row_per_record_with_a_header(records, sources):
    proc = duban("extract", *GOOD, "--format", "csv")
    assert proc.returncode == 0 and not proc.stderr, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout.decode("utf-8"), newline="")))
    assert rows and set(COMMON) <= set(rows[0]), "CSV header lacks the common fields"
    assert len(rows) == len(records)
    for row, rec in zip(rows, records):
        assert (row["kind"], row["id"], row["file"]) == (rec["kind"], rec["id"], rec["file"])
        assert (int(row["doc"]), int(row["line_start"]), int(row["line_end"])) == (
            rec["doc"], rec["line_start"], rec["line_end"])
        if rec["kind"] != "document":
            assert row["quote"] == rec["quote"]
            assert_within({**rec, **row}, sources[row["file"]], row["quote"])


def test_kind_filter_and_repeatable(records):
    tasks = jsonl(duban("extract", *GOOD, "--format", "jsonl", "--kind", "task").stdout)
    assert tasks and {r["kind"] for r in tasks} == {"task"}
    assert tasks == [r for r in records if r["kind"] == "task"]
    proc = duban("extract", *GOOD, "--format", "jsonl", "--kind", "finding", "--kind", "outcome")
    assert proc.returncode == 0
    both = jsonl(proc.stdout)
    assert {r["kind"] for r in both} == {"finding", "outcome"}
    assert both == [r for r in records if r["kind"] in ("finding", "outcome")]


def test_default_format_is_a_readable_table(records):
    env = {**os.environ, "COLUMNS": "200"}
    proc = duban("extract", "examples/plan_digital_services.txt", "examples/inspection_feedback.txt", env=env)
    assert proc.returncode == 0 and not proc.stderr, proc.stderr
    out = proc.stdout.decode("utf-8")
    assert not out.lstrip().startswith("{")
    for path in ("examples/plan_digital_services.txt", "examples/inspection_feedback.txt"):
        title = next(r["title"] for r in records if r["kind"] == "document" and r["file"] == path)
        assert path in out and title[:40] in out


def test_quiet_and_non_tty_stderr_print_no_progress():
    for extra in ([], ["--quiet"]):  # stderr is a pipe here: silent even without --quiet
        proc = duban("extract", *GOOD, "--format", "jsonl", *extra)
        assert proc.returncode == 0 and proc.stdout
        assert proc.stderr == b"", proc.stderr


def test_quiet_on_a_terminal_prints_no_progress():
    """--quiet silences the progress bar even where it would be drawn: stderr on a terminal."""
    try:
        master, slave = pty.openpty()
    except OSError:  # pragma: no cover - no pseudo-terminals here
        pytest.skip("no pseudo-terminal available")
    seen = b""
    try:
        proc = subprocess.Popen([sys.executable, "-m", "duban.cli", "extract", *GOOD, "--format", "jsonl", "--quiet"],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=slave)
        os.close(slave)
        while True:  # drain the terminal while the command runs, so a chatty stderr cannot block it
            if select.select([master], [], [], 0.1)[0]:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # every writer has closed the terminal
                    break
                if not chunk:
                    break
                seen += chunk
            elif proc.poll() is not None:
                break
        proc.wait(timeout=120)
    finally:
        os.close(master)
    assert proc.returncode == 0
    assert seen == b"", seen


# ---------------------------------------------------------------------------------------------- documents


DUMP_DOCUMENTS = [(1, 5, 13, "other"), (2, 17, 25, "oversight"), (3, 31, 47, "plan"), (4, 51, 57, "other"),
                  (5, 63, 69, "law")]


def test_documents_lists_the_crawl_dumps_five_documents():
    proc = duban("documents", "examples/crawl_dump.txt")
    assert proc.returncode == 0 and not proc.stderr, proc.stderr
    rows = [line.split("\t") for line in proc.stdout.decode("utf-8").splitlines()]
    found = [(int(doc), *map(int, lines.split("-")), genre) for path, doc, lines, genre, *_ in rows]
    assert all(row[0] == "examples/crawl_dump.txt" for row in rows)
    assert found == DUMP_DOCUMENTS


# ---------------------------------------------------------------------------------------------- bad input


def _zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("notes.txt", "(1) Improve the river chief system by the end of 2025.\n")
    return path


def _tar_gz(path: Path) -> Path:
    data = b"(1) Improve the river chief system by the end of 2025.\n"
    with tarfile.open(path, "w:gz") as t:
        info = tarfile.TarInfo("plan.txt")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    return path


def _bytes(name: str, data: bytes):
    def make(tmp: Path) -> Path:
        (tmp / name).write_bytes(data)
        return tmp / name
    return make


def _undecodable(name: str, good: bytes):
    """Lines of text with a byte pair no UTF-8 or GB18030 text holds (0xFF starts nothing in either)."""
    data = good * 5 + b"the figure was \x80\xff\x81 yuan.\n" + good * 3
    for encoding in ("utf-8", "gb18030", "gbk"):
        with pytest.raises(UnicodeDecodeError):
            data.decode(encoding)
    assert not data.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf"))  # nothing a BOM could make UTF-16
    return _bytes(name, data)


def _undecodable_late(tmp: Path) -> Path:
    """Good UTF-8 well past the bytes duban sniffs, then a bad byte: the error names the file (and the line)."""
    good = "(1) 推进湿地修复 by the end of 2025.\n".encode("utf-8")
    data = good * 3000 + b"the figure was \x80\xff yuan.\n" + good
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    (tmp / "long.txt").write_bytes(data)
    return tmp / "long.txt"


def _truncated_pdf(tmp: Path) -> Path:
    whole = (ROOT / "examples/work_plan.pdf").read_bytes()
    (tmp / "truncated.pdf").write_bytes(whole[: len(whole) // 2])
    return tmp / "truncated.pdf"


def _directory(tmp: Path) -> Path:
    (tmp / "folder.txt").mkdir()
    return tmp / "folder.txt"


_rng_junk = bytes((i * 7919 + (i >> 3) * 104729) % 256 for i in range(4096))  # deterministic junk, NULs included

BAD = {
    "missing": lambda tmp: tmp / "no-such-file.txt",
    "directory": _directory,
    "empty": _bytes("empty.txt", b""),
    "blank": _bytes("blank.txt", b"\n \r\n\t\n"),
    "binary": _bytes("junk.bin", _rng_junk),
    "truncated_pdf": _truncated_pdf,
    "undecodable_chinese": _undecodable("broken.txt", "(1) 推进湿地修复 by the end of 2025.\n".encode("utf-8")),
    "undecodable_english": _undecodable("stray.txt", b"(1) Restore the Qinglan wetlands by the end of 2025.\n"),
    "undecodable_late": _undecodable_late,
    "png": _bytes("scan.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)),
    "zip": lambda tmp: _zip(tmp / "bundle.zip"),
    "zip_named_docx": lambda tmp: _zip(tmp / "minutes.docx"),
    "tar_gz": lambda tmp: _tar_gz(tmp / "bundle.tar.gz"),
}


def assert_one_line_error(proc: subprocess.CompletedProcess[bytes], path: str) -> None:
    err = proc.stderr.decode("utf-8", errors="replace")
    assert proc.returncode != 0, f"exit 0 for {path}; stderr {err!r}"
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    naming = [line for line in lines if path in line and " files failed: " not in line]
    assert len(naming) == 1, f"expected one error line naming {path}, got: {err!r}"
    assert len(lines) <= 2, f"more than an error line and a summary: {err!r}"


@pytest.mark.parametrize("name", list(sorted(BAD)))
def test_bad_input_one_line_error_naming_the_file(tmp_path, name):
    path = str(BAD[name](tmp_path))
    extract = duban("extract", path, "--format", "jsonl")
    assert extract.stdout == b""
    assert_one_line_error(extract, path)
    text = duban("text", path)
    assert_one_line_error(text, path)


def test_bad_files_mixed_with_good_ones_the_good_records_still_print(tmp_path):
    good = ["examples/crawl_dump.txt", "examples/work_plan.pdf", "examples/feedback_rectification.docx"]
    bad = [str(BAD[name](tmp_path)) for name in BAD]
    mixed = [bad[0], good[0], *bad[1:6], good[1], *bad[6:], good[2]]
    expected = duban("extract", *good, "--format", "jsonl")
    assert expected.returncode == 0
    proc = duban("extract", *mixed, "--format", "jsonl")
    assert proc.returncode != 0
    assert proc.stdout == expected.stdout  # the good files' records, complete and in order
    lines = stderr_lines(proc)
    assert "Traceback" not in proc.stderr.decode("utf-8", errors="replace")
    for path in bad:
        assert sum(path in line for line in lines[:-1]) == 1, f"{path} not reported once: {lines}"
    summary = lines[-1]
    assert all(path in summary for path in bad), summary
    assert not any(path in summary for path in good), summary
    assert len(lines) == len(bad) + 1, lines
