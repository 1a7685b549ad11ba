"""Evidence files: content-addressed, size- and type-checked by their bytes, and never orphaned by a rollback or a crash."""

from __future__ import annotations

import hashlib
import io
import os
import signal
import sqlite3
import subprocess
import sys
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from django.db import transaction

from duban.ledger.errors import LedgerError
from duban.ledger.models import Event, Evidence
from duban.ledger.services.evidence import (
    STAGING_LOCK, ReconcileReport, evidence_path, open_evidence, reconcile_evidence, staging_dir, store_evidence,
)

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
AT = datetime(2025, 4, 1, 9, 0, tzinfo=timezone.utc)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(64))
TEXT = "Progress report: the road to Alder Village is paved (验收合格).\n".encode("utf-8")


def _zip(*members: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for member in members:
            z.writestr(member, "<xml/>")
    return buffer.getvalue()


XLSX = _zip("[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml")


@pytest.fixture(autouse=True)
def evidence_dir(settings, tmp_path):
    settings.EVIDENCE_DIR = tmp_path / "evidence"
    return settings.EVIDENCE_DIR


def _files(directory: Path) -> list[Path]:
    """The files under a directory, but for the staging directory's lock."""
    return sorted(p for p in directory.rglob("*") if p.is_file() and p.name != STAGING_LOCK) if directory.exists() else []


def _store(content: bytes, name: str, committed, **kwargs) -> Evidence:
    with committed(execute=True):
        return store_evidence(io.BytesIO(content), name, actor="housing_staff", at=AT, **kwargs)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the on-commit moves, as a real commit would."""
    return django_capture_on_commit_callbacks


def test_a_file_is_stored_under_its_sha256(committed, evidence_dir):
    evidence = _store(PDF, "acceptance.pdf", committed)
    sha = hashlib.sha256(PDF).hexdigest()
    assert (evidence.sha256, evidence.size, evidence.content_type) == (sha, len(PDF), "application/pdf")
    assert evidence.original_name == "acceptance.pdf" and evidence.stored_at == AT
    assert evidence_path(sha) == evidence_dir / sha[:2] / sha[2:4] / sha
    assert _files(evidence_dir) == [evidence_path(sha)] and evidence_path(sha).read_bytes() == PDF
    event = Event.objects.get(action="evidence.store")
    assert (event.actor, event.object_id, event.after["sha256"]) == ("housing_staff", evidence.pk, sha)
    with open_evidence(evidence) as f:
        assert f.read() == PDF


def test_the_same_bytes_twice_are_one_evidence(committed, evidence_dir):
    first = _store(PNG, "site_photo.png", committed)
    second = _store(PNG, "IMG_0001.png", committed)
    assert first == second and Evidence.objects.count() == 1
    assert Event.objects.filter(action="evidence.store").count() == 1
    assert _files(evidence_dir) == [evidence_path(first.sha256)]


def test_paths_and_streams_are_both_read(committed, tmp_path):
    path = tmp_path / "minutes.txt"
    path.write_bytes(TEXT)
    with committed(execute=True):
        evidence = store_evidence(path, path.name, actor="housing_staff", at=AT)
    assert evidence.sha256 == hashlib.sha256(TEXT).hexdigest() and evidence.content_type == "text/plain"


@pytest.mark.parametrize("content, name, expected", [
    (PDF, "report", "application/pdf"),
    (PNG, "photo", "image/png"),
    (JPEG, "photo.jpeg", "image/jpeg"),
    ((REPO / "examples" / "feedback_rectification.docx").read_bytes(), "feedback.docx",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (XLSX, "ledger.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (TEXT, "notes.txt", "text/plain"),
    ("county,roads paved\nSongxi,12\n".encode(), "tally.csv", "text/csv"),
    (PNG, "scan.pdf", "image/png"),  # the name does not decide the type
])
def test_the_type_is_read_from_the_bytes(committed, content, name, expected):
    assert _store(content, name, committed).content_type == expected


@pytest.mark.parametrize("content, name", [
    (b"MZ\x90\x00" + bytes(200), "scan.pdf"),  # an executable named as a PDF
    ("整改报告".encode("gbk"), "report.txt"),  # text, but not UTF-8
    (_zip("[Content_Types].xml", "ppt/presentation.xml"), "slides.docx"),
    (_zip("word/document.xml"), "broken.docx"),  # not an Office package
    (b"GIF89a" + bytes(64), "photo.png"),
    (b"", "empty.pdf"),
])
def test_other_content_is_refused_and_nothing_is_kept(committed, evidence_dir, content, name):
    with pytest.raises(LedgerError):
        _store(content, name, committed)
    assert not Evidence.objects.exists() and _files(evidence_dir) == []


def test_a_declared_type_must_match_the_bytes(committed, evidence_dir):
    with pytest.raises(LedgerError, match="content is PNG"):
        _store(PNG, "scan.pdf", committed, content_type="application/pdf")
    assert _store(PNG, "scan", committed, content_type="application/octet-stream").content_type == "image/png"
    assert _store(TEXT, "export", committed, content_type="text/csv; charset=utf-8").content_type == "text/csv"


def test_the_size_limit_is_enforced(committed, evidence_dir, settings):
    settings.DUBAN_EVIDENCE_MAX_BYTES = len(TEXT)
    assert _store(TEXT, "notes.txt", committed).size == len(TEXT)
    with pytest.raises(LedgerError, match="larger"):
        _store(TEXT + b"!", "notes.txt", committed)
    assert Evidence.objects.count() == 1 and len(_files(evidence_dir)) == 1


def test_only_the_configured_types_are_accepted(committed, settings):
    settings.DUBAN_EVIDENCE_TYPES = ("application/pdf",)
    with pytest.raises(LedgerError, match="not a type accepted"):
        _store(PNG, "photo.png", committed)
    assert _store(PDF, "report.pdf", committed).content_type == "application/pdf"


def test_a_rolled_back_transaction_leaves_no_file(evidence_dir):
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            store_evidence(io.BytesIO(PDF), "report.pdf", actor="housing_staff", at=AT)
            raise RuntimeError("the progress report failed")
    assert not Evidence.objects.exists() and _files(evidence_dir) == []


def test_a_file_waits_in_staging_until_its_transaction_commits(committed, evidence_dir):
    with committed(execute=True):
        evidence = store_evidence(io.BytesIO(PDF), "report.pdf", actor="housing_staff", at=AT)
        [staged] = _files(evidence_dir)
        assert staged.parent == staging_dir() and not evidence_path(evidence.sha256).exists()
        assert reconcile_evidence() == ReconcileReport(placed=0, removed=0)  # a transaction in progress is left alone
    assert _files(evidence_dir) == [evidence_path(evidence.sha256)]


def test_reconcile_places_committed_files_and_removes_debris(evidence_dir):
    staging_dir().mkdir(parents=True)
    committed_bytes, debris = PDF, PNG
    Evidence.objects.create(sha256=hashlib.sha256(committed_bytes).hexdigest(), size=len(committed_bytes),
                            content_type="application/pdf", original_name="report.pdf", stored_at=AT)
    (staging_dir() / "incoming-a").write_bytes(committed_bytes)  # committed, then the process died before the move
    (staging_dir() / "incoming-b").write_bytes(debris)  # never committed
    (staging_dir() / "incoming-c").write_bytes(committed_bytes[:10])  # cut off while being written
    assert reconcile_evidence() == ReconcileReport(placed=1, removed=2)
    sha = hashlib.sha256(committed_bytes).hexdigest()
    assert _files(evidence_dir) == [evidence_path(sha)] and evidence_path(sha).read_bytes() == committed_bytes


def test_a_missing_file_is_reported_on_download(committed):
    evidence = _store(PDF, "report.pdf", committed)
    evidence_path(evidence.sha256).unlink()
    with pytest.raises(LedgerError, match="missing"):
        open_evidence(evidence)


KILLED_STORE = """
import os, signal, sys, django
django.setup()
from django.db import transaction
from duban.ledger.services.evidence import store_evidence
with transaction.atomic():
    store_evidence(sys.argv[1], "photo.png", actor="housing_staff")
    os.kill(os.getpid(), signal.SIGKILL)
"""
RECONCILE = """
import django
django.setup()
from duban.ledger.services.evidence import reconcile_evidence
report = reconcile_evidence()
print(report.placed, report.removed)
"""


def _python(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    """Python in another process, on a SQLite database and evidence store under data_dir."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DUBAN_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="duban.settings", DUBAN_SECRET_KEY="test")
    return subprocess.run([sys.executable, *args], env=env, cwd=REPO, capture_output=True, text=True, timeout=120)


def test_a_kill_before_commit_leaves_only_staging_debris_that_reconcile_removes(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    migrated = _python(data, "-m", "django", "migrate", "-v0")
    assert migrated.returncode == 0, migrated.stderr
    photo = tmp_path / "photo.png"
    photo.write_bytes(PNG)

    killed = _python(data, "-c", KILLED_STORE, str(photo))
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    with sqlite3.connect(data / "duban.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM ledger_evidence").fetchone()[0] == 0
    evidence = data / "evidence"
    [debris] = _files(evidence)
    assert debris.parent == evidence / ".staging" and debris.read_bytes() == PNG

    reconciled = _python(data, "-c", RECONCILE)
    assert reconciled.stdout.split() == ["0", "1"], reconciled.stderr
    assert _files(evidence) == []
