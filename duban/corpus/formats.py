"""Format readers: turn a file on disk into numbered lines of text, whatever its format or encoding."""

from __future__ import annotations

import codecs
import os
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from typing import Iterator

from charset_normalizer import from_bytes

from .errors import InputError

SNIFF_BYTES = 64 * 1024
READ_CHUNK = 1 << 20

# Formats duban recognises by their first bytes but does not read.
_UNSUPPORTED_MAGIC = [
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"BM", None),  # only with a plausible header, checked below
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
    (b"Rar!", "a RAR archive"),
    (b"BZh", None),
    (b"\xfd7zXZ", "an xz archive"),
    (b"%!PS", "a PostScript file"),
    (b"\xd0\xcf\x11\xe0", "an old Office (OLE) file; save it as DOCX"),
    (b"\x7fELF", "an executable"),
]


@dataclass(frozen=True)
class Source:
    """A readable input: its path as given, its format, and a way to iterate its lines."""

    path: str
    format: str  # "text", "html", "pdf", "docx"
    size: int
    _text: str | None = None  # formats that are converted whole hold their extracted text
    _encoding: str | None = None

    def lines(self) -> Iterator[str]:
        """Yield the lines (without newline) that provenance line numbers refer to."""
        if self._text is not None:
            yield from self._text.split("\n")
            return
        yield from _stream_text_lines(self.path, self._encoding or "utf-8")

    def text(self) -> str:
        return "\n".join(self.lines())


def open_source(path: str) -> Source:
    """Check a path and sniff its format; raise InputError for anything duban cannot read."""
    if not os.path.exists(path):
        raise InputError(path, "no such file")
    if os.path.isdir(path):
        raise InputError(path, "is a directory, not a file")
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as f:
            head = f.read(SNIFF_BYTES)
    except OSError as e:
        raise InputError(path, f"cannot be read: {e.strerror}") from None
    if size == 0 or not head.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise InputError(path, "is empty")
    fmt = sniff_format(path, head)
    if fmt == "pdf":
        from .pdf import pdf_text

        return Source(path, "pdf", size, _text=pdf_text(path))
    if fmt == "docx":
        from .docx import docx_text

        return Source(path, "docx", size, _text=docx_text(path))
    encoding = detect_encoding(path, head, size)
    if fmt == "html":
        from .html import html_text

        with open(path, "rb") as f:
            raw = f.read()
        return Source(path, "html", size, _text=html_text(path, raw.decode(encoding, errors="replace")))
    return Source(path, "text", size, _encoding=encoding)


def sniff_format(path: str, head: bytes) -> str:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, OSError):
            raise InputError(path, "is a damaged ZIP file (truncated DOCX?)") from None
        if "word/document.xml" in names:
            return "docx"
        raise InputError(path, "is a ZIP archive, not a document duban reads (text, HTML, PDF, DOCX)")
    for magic, what in _UNSUPPORTED_MAGIC:
        if head.startswith(magic) and what:
            raise InputError(path, f"is {what}, not a document duban reads (text, HTML, PDF, DOCX)")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 BOM: text or HTML, decided after decoding
        sample = head.decode("utf-16", errors="ignore")
    else:
        sample = head.decode("latin-1")
    if _looks_binary(head):
        raise InputError(path, "is binary data, not text")
    if re.search(r"<(!doctype html|html|body|head)[\s>]", sample[:4096], re.I):
        return "html"
    return "text"


def _looks_binary(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return control > len(head) * 0.01


def detect_encoding(path: str, head: bytes, size: int) -> str:
    """Name the encoding of a text file from its BOM or its first bytes; refuse text that is no encoding."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head if size <= len(head) else _trim_partial_char(head)
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    for candidate in ("gb18030",):
        try:
            text = sample.decode(candidate)
        except UnicodeDecodeError:
            continue
        if _mostly_cjk_or_ascii(text):
            return candidate
    best = from_bytes(sample).best()
    if best is None or best.encoding in ("utf_16", "utf_32"):
        raise InputError(path, "is not text in any encoding duban recognises (UTF-8, GB18030/GBK, UTF-16)")
    return best.encoding


def _trim_partial_char(head: bytes) -> bytes:
    """Drop a multi-byte character cut off at the end of a sniffed sample."""
    cut = head.rfind(b"\n")
    return head[: cut + 1] if cut > 0 else head[:-4]


def _mostly_cjk_or_ascii(text: str) -> bool:
    if not text:
        return True
    kinds = Counter("ok" if ord(c) < 128 or 0x3000 <= ord(c) <= 0x9FFF or 0xFF00 <= ord(c) <= 0xFFEF else "odd" for c in text)
    return kinds["odd"] <= len(text) * 0.02


def _stream_text_lines(path: str, encoding: str) -> Iterator[str]:
    """Physical lines of a text file, decoded incrementally so a file of any size streams."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    line_no = 1
    pending = ""
    with open(path, "rb") as f:
        while True:
            chunk = f.read(READ_CHUNK)
            final = not chunk
            try:
                pending += decoder.decode(chunk, final=final)
            except UnicodeDecodeError as e:
                bad_line = line_no + pending.count("\n")
                raise InputError(path, f"cannot be decoded as {encoding} ({e.reason})", line=bad_line) from None
            parts = pending.split("\n")
            pending = parts.pop()
            for part in parts:
                yield part[:-1] if part.endswith("\r") else part
                line_no += 1
            if final:
                break
    if pending:
        yield pending[:-1] if pending.endswith("\r") else pending


__all__ = ["Source", "open_source", "sniff_format", "detect_encoding", "InputError"]
