"""Format readers: turn a file on disk into numbered lines of text, whatever its format or encoding."""

from __future__ import annotations

import codecs
import functools
import os
import re
from dataclasses import dataclass
from typing import Iterator

from .errors import InputError

SNIFF_BYTES = 64 * 1024
READ_CHUNK = 1 << 20
MAX_LINE_CHARS = 1 << 22  # a longer physical line is read as several lines, cut at spaces, so memory stays flat
LOOKAHEAD_BYTES = 64 << 20  # how far to look for the first non-ASCII byte when the head is all ASCII

_NON_ASCII = re.compile(rb"[\x80-\xff]")
# Characters Chinese text in GB18030 is made of: ASCII, CJK ideographs and punctuation, full-width forms,
# and the symbols GB2312 carries (quotes, dashes, "·", "×", "℃", "①", "Ⅰ", "■", Greek, Cyrillic, box drawing).
# Compiled when a GB18030 guess is first checked: most runs read no such text, and this class takes 2 ms to compile.
_GB_TEXT = (
    r"[\x00-\x7f\u00a4\u00a7\u00a8\u00b0\u00b1\u00b7\u00d7\u00e0-\u00fc\u00f7\u0391-\u03c9\u0401-\u0451"
    r"\u2010-\u203b\u2103\u2116\u2160-\u216b\u2170-\u2179\u2190-\u2199\u2208-\u2312\u2460-\u249b"
    r"\u2500-\u254b\u25a0-\u25e5\u2605\u2606\u2609\u2640\u2642\u3000-\u303f\u3040-\u30ff\u3105-\u3129"
    r"\u3220-\u3229\u3231\u32a3\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe6b\uff00-\uffef]"
)


@functools.cache
def _gb_text() -> re.Pattern[str]:
    return re.compile(_GB_TEXT)


# Formats duban recognises by their first bytes but does not read.
_UNSUPPORTED_MAGIC = [
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x00\x00\x01\x00", "an icon image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
    (b"Rar!", "a RAR archive"),
    (b"\xfd7zXZ", "an xz archive"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive"),
    (b"\x1f\x9d", "a compressed (.Z) archive"),
    (b"\x04\x22\x4d\x18", "an LZ4 archive"),
    (b"%!PS", "a PostScript file"),
    (b"\xd0\xcf\x11\xe0", "an old Office (OLE) file; save it as DOCX"),
    (b"\x7fELF", "an executable"),
    (b"MZ", None),  # only with a PE header, checked in _magic_with_header
    (b"BM", None),  # only with a plausible BMP header
    (b"BZh", None),  # only with the bzip2 block magic
    (b"RIFF", None),  # WebP, WAV, AVI
]

# What a ZIP holds, by a member only that kind of package has.
_ZIP_KINDS = [
    ("xl/workbook.xml", "an Excel workbook (XLSX)"),
    ("ppt/presentation.xml", "a PowerPoint presentation (PPTX)"),
    ("content.xml", "an OpenDocument file; save it as DOCX"),
    ("META-INF/container.xml", "an EPUB book"),
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

    def check(self) -> None:
        """Decode a streamed text file once end to end, so a bad byte fails the file before any output."""
        if self._text is None and not _decodes_whole(self.path, self._encoding or "utf-8"):
            for _ in self.lines():  # again line by line, only to name the line of the bad byte in the error
                pass


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
    if size == 0 or (size <= len(head) and not _strip_bom(head).strip(b" \t\r\n\x00")):
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


def _strip_bom(head: bytes) -> bytes:
    for bom in (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        if head.startswith(bom):
            return head[len(bom) :]
    return head


def sniff_format(path: str, head: bytes) -> str:
    if head.lstrip(b"\xef\xbb\xbf \t\r\n\x00").startswith(b"%PDF-"):  # a BOM or blank lines may come first
        return "pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        import zipfile  # only here: importing it costs every run 5 ms

        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            raise InputError(path, "is a damaged ZIP file (a truncated DOCX?)") from None
        if "word/document.xml" in names:
            return "docx"
        for member, what in _ZIP_KINDS:
            if member in names:
                raise InputError(path, f"is {what}, not a document duban reads (text, HTML, PDF, DOCX)")
        raise InputError(path, "is a ZIP archive, not a document duban reads (text, HTML, PDF, DOCX)")
    what = _magic_with_header(head)
    if what is None and len(head) > 262 and head[257:262] == b"ustar":
        what = "a tar archive"
    if what is None:
        for magic, kind in _UNSUPPORTED_MAGIC:
            if head.startswith(magic) and kind:
                what = kind
                break
    if what:
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


def _magic_with_header(head: bytes) -> str | None:
    """Formats whose first bytes could begin a text file too ("BMW", "MZ..."), told apart by what follows."""
    if head.startswith(b"BM") and len(head) >= 14 and head[6:10] == b"\x00\x00\x00\x00":
        return "a BMP image"
    if head.startswith(b"BZh") and len(head) >= 10 and head[3:4].isdigit() and head[4:10] == b"1AY&SY":
        return "a bzip2 archive"
    if head.startswith(b"RIFF") and len(head) >= 12:
        kind = head[8:12]
        if kind == b"WEBP":
            return "a WebP image"
        if kind in (b"WAVE", b"AVI "):
            return "a sound or video file"
    if head.startswith(b"MZ") and len(head) >= 64:
        offset = int.from_bytes(head[60:64], "little")
        if head[offset : offset + 4] == b"PE\x00\x00":
            return "an executable"
    if head[4:8] == b"ftyp":
        return "an image or video file (HEIC/MP4)"
    return None


def _looks_binary(head: bytes) -> bool:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\x00" in head:
        return True
    control = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return control > len(head) * 0.01


# Beyond UTF-8 and GB18030, only the other Chinese encoding is guessed; a guess of any other code page is
# what undecodable bytes look like to a detector, and is refused.
_OTHER_CHINESE_ENCODINGS = ("big5", "big5hkscs", "cp950")


def detect_encoding(path: str, head: bytes, size: int) -> str:
    """Name the encoding of a text file from its BOM or its first bytes; refuse text that is no encoding."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample, partial = head, size > len(head)
    if partial and head.isascii():
        # Pages often open with 64 KB of ASCII (scripts, styles, a licence): the first non-ASCII text decides.
        sample = _first_non_ascii(path, len(head)) or head
    if _decodes(sample, "utf-8", partial):
        return "utf-8"
    if _decodes(sample, "gb18030", partial) and _mostly_cjk_or_ascii(_decode_prefix(sample, "gb18030")):
        return "gb18030"
    from charset_normalizer import from_bytes  # imported only for the rare file that is neither UTF-8 nor GB18030

    best = from_bytes(sample).best()
    if best is not None and best.encoding in _OTHER_CHINESE_ENCODINGS:
        return best.encoding
    raise InputError(path, "is not text in any encoding duban recognises (UTF-8, GB18030/GBK, Big5, UTF-16 with BOM)")


def _decodes(sample: bytes, encoding: str, partial: bool) -> bool:
    """Whether the bytes are valid in an encoding; a character cut off at the end of a partial sample is fine."""
    try:
        codecs.getincrementaldecoder(encoding)(errors="strict").decode(sample, final=not partial)
        return True
    except UnicodeDecodeError:
        return False


def _decode_prefix(sample: bytes, encoding: str) -> str:
    return codecs.getincrementaldecoder(encoding)(errors="strict").decode(sample, final=False)


def _first_non_ascii(path: str, start: int) -> bytes | None:
    """Up to SNIFF_BYTES from the line holding the file's first non-ASCII byte, looking no further than LOOKAHEAD_BYTES."""
    try:
        with open(path, "rb") as f:
            f.seek(start)
            offset = start
            while offset < start + LOOKAHEAD_BYTES:
                chunk = f.read(READ_CHUNK)
                if not chunk:
                    return None
                found = _NON_ASCII.search(chunk)
                if found:
                    line_start = chunk.rfind(b"\n", 0, found.start()) + 1
                    window = chunk[line_start : line_start + SNIFF_BYTES]
                    if len(window) < SNIFF_BYTES:
                        window += f.read(SNIFF_BYTES - len(window))
                    return window
                offset += len(chunk)
    except OSError:
        return None
    return None


def _mostly_cjk_or_ascii(text: str) -> bool:
    """Text decoded as GB18030 that is real Chinese, not Latin-1 bytes that happen to pair up into ideographs."""
    if not text:
        return True
    gb_text = _gb_text().match
    odd = sum(1 for c in text if not gb_text(c))
    return odd <= len(text) * 0.02


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _decodes_whole(path: str, encoding: str) -> bool:
    """Whether the whole file decodes, read chunk by chunk without splitting it into lines."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with open(path, "rb") as f:
            while chunk := f.read(READ_CHUNK):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except (UnicodeDecodeError, OSError):
        return False
    return True


def _stream_text_lines(path: str, encoding: str) -> Iterator[str]:
    """Physical lines of a text file, decoded incrementally so a file of any size streams.

    A line ends at LF, CRLF or a lone CR (old Mac files), as an editor shows it; nothing else breaks a line, except
    that a line longer than MAX_LINE_CHARS is cut (see `_cut_overlong`).
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    line_no = 1
    pending = ""
    try:
        f = open(path, "rb")
    except OSError as e:
        raise InputError(path, f"cannot be read: {e.strerror}") from None
    with f:
        while True:
            try:
                chunk = f.read(READ_CHUNK)
            except OSError as e:
                raise InputError(path, f"cannot be read: {e.strerror}", line=line_no) from None
            final = not chunk
            try:
                decoded = decoder.decode(chunk, final=final)
                del chunk  # hold one chunk at a time: bytes, then text
                pending = pending + decoded if pending else decoded
                del decoded
            except UnicodeDecodeError as e:
                before = pending + e.object[: e.start].decode(encoding, errors="replace")
                bad_line = line_no + len(_LINE_BREAK.findall(before))
                raise InputError(path, f"cannot be decoded as {encoding} ({e.reason})", line=bad_line) from None
            if "\r" not in pending:  # the common case: str.split, no regex
                lines = pending.split("\n")
                pending = lines.pop()  # the line still open at the chunk's end
                line_no += len(lines)
                yield from lines
                pieces, pending = _cut_overlong(pending)
                line_no += len(pieces)
                yield from pieces
                if final:
                    break
                continue
            start = 0
            for match in _LINE_BREAK.finditer(pending):
                if not final and match.end() == len(pending) and match.group() == "\r":
                    break  # a CR at a chunk's end may be half of a CRLF: wait for the next chunk
                yield pending[start : match.start()]
                line_no += 1
                start = match.end()
            pending = pending[start:]
            pieces, pending = _cut_overlong(pending)
            line_no += len(pieces)
            yield from pieces
            if final:
                break
    if pending:
        yield pending


def _cut_overlong(open_line: str) -> tuple[list[str], str]:
    """The pieces to take off the front of a line still open that has grown past MAX_LINE_CHARS, and what stays open.

    A text with no line break for millions of characters is not a document's line; reading it as lines of at most
    MAX_LINE_CHARS (cut after the last space, where there is one) keeps memory flat and loses no text. Line numbers
    after it count those pieces, as `duban text FILE` shows them.
    """
    pieces, offset = [], 0
    while len(open_line) - offset > MAX_LINE_CHARS:
        space = open_line.rfind(" ", offset + MAX_LINE_CHARS // 2, offset + MAX_LINE_CHARS)
        end = space + 1 if space >= 0 else offset + MAX_LINE_CHARS
        pieces.append(open_line[offset:end])
        offset = end
    return pieces, open_line[offset:] if offset else open_line


__all__ = ["Source", "open_source", "sniff_format", "detect_encoding", "InputError"]
