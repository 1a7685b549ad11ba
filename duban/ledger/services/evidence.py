"""Evidence files: stored once under their sha256, size- and type-checked by their bytes, never left orphaned."""

from __future__ import annotations

import codecs
import contextlib
import fcntl
import hashlib
import os
import tempfile
import weakref
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..errors import LedgerError
from ..models import Evidence
from . import history

CHUNK = 1 << 20
STAGING = ".staging"
STAGING_LOCK = ".lock"
GENERIC_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})
TEXT_TYPES = frozenset({"text/plain", "text/csv"})
PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TYPE_LABELS = {PDF: "PDF", PNG: "PNG image", JPEG: "JPEG image", DOCX: "Word document (DOCX)",
               XLSX: "Excel workbook (XLSX)", "text/plain": "UTF-8 text", "text/csv": "CSV"}
_ZIP_MEMBERS = [("word/document.xml", DOCX), ("xl/workbook.xml", XLSX)]
_CONTROL_BYTES = [bytes([b]) for b in range(32) if b not in (9, 10, 12, 13)]


def evidence_path(sha256: str) -> Path:
    """Where the file with this hash lives: EVIDENCE_DIR/ab/cd/abcd…"""
    return Path(settings.EVIDENCE_DIR) / sha256[:2] / sha256[2:4] / sha256


def staging_dir() -> Path:
    return Path(settings.EVIDENCE_DIR) / STAGING


@contextlib.contextmanager
def _staging_lock(mode: int):
    """Writers hold it shared while they create and lock a staged file; reconcile holds it exclusive while it scans,
    so it never takes a writer's new file, not yet locked, for debris."""
    directory = staging_dir()
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / STAGING_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, mode)
        yield directory
    finally:
        os.close(fd)


def _discard(path: Path, fd: int) -> None:
    """Remove a staged file that never reached its place, then release its lock."""
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    try:
        os.close(fd)
    except OSError:
        pass


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _StagedFile:
    """A file written to the staging directory and locked while its transaction is open.

    `place()` moves it into the store once the transaction commits. If the transaction rolls back, the callback
    holding this object is dropped and the finalizer removes the file; if the process dies, the kernel releases
    the lock and `reconcile_evidence` removes it.
    """

    def __init__(self) -> None:
        with _staging_lock(fcntl.LOCK_SH) as directory:
            fd, name = tempfile.mkstemp(dir=directory, prefix="incoming-")
            fcntl.flock(fd, fcntl.LOCK_EX)
        self.fd, self.path = fd, Path(name)
        self.sha256, self.size = "", 0
        self._finalizer = weakref.finalize(self, _discard, self.path, fd)

    def write_from(self, source: BinaryIO, limit: int, name: str) -> None:
        digest = hashlib.sha256()
        while chunk := source.read(CHUNK):
            self.size += len(chunk)
            if self.size > limit:
                raise LedgerError(f"{name} is larger than the {_size_label(limit)} an evidence file may be")
            digest.update(chunk)
            view = memoryview(chunk)
            while view:
                view = view[os.write(self.fd, view):]
        if self.size == 0:
            raise LedgerError(f"{name} is empty")
        os.fsync(self.fd)
        _fsync_dir(self.path.parent)
        self.sha256 = digest.hexdigest()

    def place(self) -> None:
        self._finalizer.detach()  # committed: should the move fail, reconcile_evidence places the file later
        try:
            final = evidence_path(self.sha256)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.path, final)  # the same bytes may already be there: replacing them changes nothing
            _fsync_dir(final.parent)
        finally:
            os.close(self.fd)

    def discard(self) -> None:
        self._finalizer()


def _size_label(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def _is_utf8_text(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    with open(path, "rb") as f:
        head = f.read(CHUNK)
        control = sum(head.count(byte) for byte in _CONTROL_BYTES)
        if control > len(head) * 0.01:
            return False
        chunk = head
        try:
            while chunk:
                if b"\x00" in chunk:
                    return False
                decoder.decode(chunk)
                chunk = f.read(CHUNK)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def sniff_type(path: Path, original_name: str, declared: str = "") -> str | None:
    """The content type the bytes show (text tells CSV by its declared type or name); None for anything else."""
    with open(path, "rb") as f:
        head = f.read(1024)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if "[Content_Types].xml" in names:
            for member, content_type in _ZIP_MEMBERS:
                if member in names:
                    return content_type
        return None
    if _is_utf8_text(path):
        return "text/csv" if declared == "text/csv" or original_name.lower().endswith(".csv") else "text/plain"
    return None


def _checked_type(path: Path, name: str, content_type: str | None) -> str:
    declared = (content_type or "").split(";")[0].strip().lower()
    sniffed = sniff_type(path, name, declared)
    accepted = settings.DUBAN_EVIDENCE_TYPES
    labels = ", ".join(TYPE_LABELS.get(t, t) for t in accepted)
    if sniffed is None:
        raise LedgerError(f"{name} is not a file type accepted as evidence ({labels})")
    if declared not in GENERIC_TYPES and declared != sniffed and not {declared, sniffed} <= TEXT_TYPES:
        raise LedgerError(f"{name} is sent as {declared} but its content is {TYPE_LABELS.get(sniffed, sniffed)}")
    if sniffed not in accepted:
        raise LedgerError(f"{name} is {TYPE_LABELS.get(sniffed, sniffed)}, not a type accepted as evidence ({labels})")
    return sniffed


def _actor_name(actor) -> str:
    return actor.get_username() if hasattr(actor, "get_username") else str(actor)


def store_evidence(stream_or_path, original_name: str, *, content_type: str | None = None, actor,
                   at: datetime | None = None) -> Evidence:
    """Store a file as evidence, once per content: the same bytes give the same Evidence row.

    The size is bounded by DUBAN_EVIDENCE_MAX_BYTES and the type, read from the bytes, must be one of
    DUBAN_EVIDENCE_TYPES. The file reaches the store only when the surrounding transaction commits.
    """
    name = os.path.basename(original_name or "").strip()[:300] or "evidence"
    staged = _StagedFile()
    try:
        if isinstance(stream_or_path, (str, os.PathLike)):
            with open(stream_or_path, "rb") as source:
                staged.write_from(source, settings.DUBAN_EVIDENCE_MAX_BYTES, name)
        else:
            staged.write_from(stream_or_path, settings.DUBAN_EVIDENCE_MAX_BYTES, name)
        stored_type = _checked_type(staged.path, name, content_type)
    except BaseException:
        staged.discard()
        raise
    with transaction.atomic():
        evidence, created = Evidence.objects.get_or_create(
            sha256=staged.sha256,
            defaults={"size": staged.size, "content_type": stored_type, "original_name": name,
                      "stored_at": at or timezone.now()},
        )
        if created:
            history.record(_actor_name(actor), "evidence.store", evidence, at=at,
                           after={"sha256": evidence.sha256, "size": evidence.size,
                                  "content_type": evidence.content_type, "original_name": name})
        if created or not evidence_path(evidence.sha256).exists():
            transaction.on_commit(staged.place, robust=True)
        else:
            staged.discard()
    return evidence


def open_evidence(evidence: Evidence) -> BinaryIO:
    """The stored file, opened for reading (for a download)."""
    try:
        return open(evidence_path(evidence.sha256), "rb")
    except FileNotFoundError:
        raise LedgerError(f"the stored file of {evidence.original_name} ({evidence.sha256[:12]}) is missing") from None


@dataclass(frozen=True)
class ReconcileReport:
    placed: int  # committed files moved into the store
    removed: int  # debris of transactions that never committed


def _sha256_of(fd: int) -> str:
    digest = hashlib.sha256()
    os.lseek(fd, 0, os.SEEK_SET)
    while chunk := os.read(fd, CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def reconcile_evidence() -> ReconcileReport:
    """Settle what a crash left in the staging directory.

    A staged file whose Evidence row committed is moved into place; any other unlocked staged file is removed.
    Files still locked belong to transactions in progress and are left alone.
    """
    if not staging_dir().is_dir():
        return ReconcileReport(0, 0)
    with _staging_lock(fcntl.LOCK_EX) as directory:
        settled = [_settle(entry) for entry in sorted(directory.iterdir()) if entry.name != STAGING_LOCK]
    return ReconcileReport(sum(placed for placed, _ in settled), sum(removed for _, removed in settled))


def _settle(entry: Path) -> tuple[int, int]:
    """Place or remove one staged file: (1, 0) placed, (0, 1) removed, (0, 0) left alone."""
    try:
        fd = os.open(entry, os.O_RDONLY)
    except (FileNotFoundError, IsADirectoryError):
        return 0, 0
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0, 0  # its transaction is still open
        sha256 = _sha256_of(fd)
        final = evidence_path(sha256)
        if Evidence.objects.filter(sha256=sha256).exists() and not final.exists():
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(entry, final)
            return 1, 0
        entry.unlink()
        return 0, 1
    except FileNotFoundError:
        return 0, 0  # its own transaction placed it meanwhile
    finally:
        os.close(fd)
