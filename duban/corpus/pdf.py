"""PDF reader: the text layer of a PDF, one line per visual line, without running headers, footers and page numbers."""

from __future__ import annotations

import logging
import math
import os
import re
import unicodedata
import warnings
from collections import Counter
from contextlib import contextmanager
from typing import Iterator

from .errors import InputError

# How many lines at the top and at the bottom of a page may hold a running header or footer.
EDGE_LINES = 3
# A line at the same place on at least this share of the pages (and on two pages at least) is running.
RUNNING_SHARE = 0.5
# Where the end-of-file marker must be (the PDF standard says: in the last 1024 bytes).
EOF_WINDOW = 1024

_CJK = r"\u2e80-\u2fdf\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t](?=[{_CJK}])")
_IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0]+")
_DIGITS = re.compile(r"\d+")
_NUMBERS_ONLY = re.compile(r"^[^\w]*#[^\w]*$")  # "#", "- # -", "#/#": keys write digits as #
# Lines made only of punctuation that closes what came before (a lone "," or "。" split off its line).
_CLOSING_FRAGMENT = re.compile(r"^[,.;:!?)\]}%，。；：！？、）】》」』”’…%]+$")
_OPENING_FRAGMENT = re.compile(r"^[(\[{（【《「『“‘]+$")
# A word cut by a hyphen at the end of a line, its rest at the start of the next.
_HYPHEN_END = re.compile(r"[A-Za-z]{2}-$")
_PAGE_NUMBER = re.compile(
    r"^(?:"
    r"[-–—~_·•\s]*(?:page|p\.)?\s*\d+\s*(?:(?:/|of)\s*\d+)?\s*[-–—~_·•\s]*"  # "- 3 -", "Page 3 of 9", "3/9"
    r"|第\s*\d+\s*页(?:\s*[,，/、]?\s*共\s*\d+\s*页)?"  # "第3页", "第3页 共9页"
    r"|共\s*\d+\s*页\s*[,，/、]?\s*第\s*\d+\s*页"
    r")$",
    re.I,
)
# Glyphs some PDF producers map to compatibility code points: Kangxi radicals instead of
# the ideographs they look like ("⼯作" for "工作"), and Latin ligatures ("ﬁ" for "fi").
_COMPAT = {
    cp: unicodedata.normalize("NFKC", chr(cp))
    for r in (range(0x2E80, 0x2FE0), range(0xFB00, 0xFB07))
    for cp in r
    if unicodedata.normalize("NFKC", chr(cp)) != chr(cp)
}


def pdf_text(path: str) -> str:
    """The text of a PDF's pages joined by newlines; InputError if it is damaged, encrypted or scanned."""
    _check_complete(path)
    with _quiet_pypdf():
        pages = _page_texts(path)
    if not pages:
        raise InputError(path, "is a PDF with no pages")
    page_lines = [_clean_lines(text) for text in pages]
    if not any(any(line for line in lines) for lines in page_lines):
        raise InputError(path, "has no text layer (a scanned PDF?); run OCR first")
    page_lines = drop_running_lines(page_lines)
    kept = [lines for lines in (_rebuild_lines(lines) for lines in page_lines) if lines]
    if not kept:
        raise InputError(path, "has no text layer (a scanned PDF?); run OCR first")
    return "\n".join("\n".join(lines) for lines in kept)


def _check_complete(path: str) -> None:
    """A PDF ends with %%EOF; one that does not was cut short (an interrupted download or copy)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 64 * 1024))
            tail = f.read()
    except OSError as e:
        raise InputError(path, f"cannot be read: {e.strerror}") from None
    tail = tail.rstrip(b"\x00 \t\r\n")
    if b"%%EOF" not in tail[-EOF_WINDOW:]:
        raise InputError(path, "is a truncated PDF (no %%EOF at its end; an incomplete download?)")


def _page_texts(path: str) -> list[str]:
    from pypdf import PdfReader, PasswordType
    from pypdf.errors import DependencyError

    try:
        reader = PdfReader(path)  # an encrypted PDF is tried with the empty password
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise InputError(path, "is an encrypted PDF that needs a password; save an unprotected copy first")
        n_pages = len(reader.pages)
    except InputError:
        raise
    except DependencyError:
        raise InputError(path, "is an AES-encrypted PDF and the 'cryptography' package is not installed") from None
    except Exception as e:  # pypdf raises many kinds of error on malformed files
        raise InputError(path, f"is a damaged PDF: {_one_line(e)}") from None
    texts = []
    for number in range(n_pages):
        try:
            texts.append(reader.pages[number].extract_text() or "")
        except Exception as e:
            raise InputError(path, f"is a damaged PDF: page {number + 1}: {_one_line(e)}") from None
    return texts


def _one_line(e: BaseException) -> str:
    text = " ".join(str(e).split()) or type(e).__name__
    return text if len(text) <= 160 else text[:157] + "..."


@contextmanager
def _quiet_pypdf() -> Iterator[None]:
    """pypdf logs and warns about every oddity it repairs; those are not the user's business."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _clean_lines(text: str) -> list[str]:
    """One page's text as tidy lines: no control characters, single spaces, no spaces inside CJK runs."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_COMPAT)
    lines = []
    for line in text.split("\n"):
        line = _CONTROL.sub("", line)
        line = line.strip(" \t\u00a0\u3000")
        if _letter_spaced(line):
            line = _SPACE_BETWEEN_CJK.sub("", line)
        lines.append(_SPACES.sub(" ", line))
    return lines


def _letter_spaced(line: str) -> bool:
    """Chinese set with a space between every two characters ("推 进 工 作"), as justified or spaced-out
    text comes out of many PDFs; a single space between two names ("省林业局 省财政厅") is kept."""
    ideographs = len(_IDEOGRAPH.findall(line))
    return ideographs >= 4 and len(_SPACE_BETWEEN_CJK.findall(line)) >= 0.6 * (ideographs - 1)


def _running_key(line: str) -> str:
    """What a running line looks like on every page: digits (page numbers, dates) and spaces ignored."""
    return _DIGITS.sub("#", "".join(line.split())).casefold()


def drop_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Remove headers, footers and page numbers: lines repeated at the same place near the top or bottom of many pages.

    Running lines sit at the edge of a page: a line is only a candidate if every line between it and
    that edge is running too, so a body line that happens to repeat is never taken for a header.
    """
    content = [[i for i, line in enumerate(lines) if line] for lines in pages]
    n_pages = sum(1 for idx in content if idx)
    threshold = max(2, math.ceil(RUNNING_SHARE * n_pages))
    drop: list[set[int]] = [set() for _ in pages]
    for from_top in (True, False):
        eligible = {p for p, idx in enumerate(content) if idx}
        for offset in range(EDGE_LINES):
            at_offset: list[tuple[int, int, str]] = []
            for p in sorted(eligible):
                idx = content[p]
                if offset < len(idx):
                    i = idx[offset] if from_top else idx[-1 - offset]
                    at_offset.append((p, i, _running_key(pages[p][i])))
            counts = Counter(key for _, _, key in at_offset)
            dropped_here = set()
            # Deeper into the page, ask for a third page: two pages ending on the same body line happens.
            needed = threshold if offset == 0 else max(3, threshold)
            for key, count in counts.items():
                if count < needed:
                    continue
                hits = [(p, i) for p, i, k in at_offset if k == key]
                if not _is_running([pages[p][i] for p, i in hits], key):
                    continue
                for p, i in hits:
                    drop[p].add(i)
                    dropped_here.add(p)
            eligible &= dropped_here
            if not eligible:
                break
    for p, idx in enumerate(content):
        # A page number alone on the first or last line is dropped even where it is not repeated.
        for i in idx[:1] + idx[-1:]:
            if _PAGE_NUMBER.match(pages[p][i]) and not pages[p][i].strip().isdigit():
                drop[p].add(i)
    return [[line for i, line in enumerate(lines) if i not in drop[p]] for p, lines in enumerate(pages)]


def _is_running(lines: list[str], key: str) -> bool:
    """Lines (in page order) that look alike are running if they are the same on every page, or differ only
    in a number that counts up like a page number ("Page 3 of 9", "- 4 -"), not in a year or a task number."""
    if len(set(lines)) == 1:
        return not _NUMBERS_ONLY.match(key)  # the same bare number on every page is a table's, not a page's
    numbers = [[int(d) for d in _DIGITS.findall(line)] for line in lines]
    if len({len(n) for n in numbers}) != 1:
        return False
    varying = [column for column in zip(*numbers) if len(set(column)) > 1]
    return bool(varying) and all(all(a < b for a, b in zip(column, column[1:])) for column in varying)


def _rebuild_lines(lines: list[str]) -> list[str]:
    """Keep one line per visual line, but mend the breaks a text layer puts in odd places."""
    out: list[str] = []
    carry = ""  # an opening bracket alone on its line, waiting for the line it opens
    for line in lines:
        if not line:
            if out and out[-1]:
                out.append("")
            continue
        line = carry + line
        carry = ""
        if _OPENING_FRAGMENT.match(line):
            carry = line
            continue
        if out and out[-1] and _CLOSING_FRAGMENT.match(line):
            out[-1] += line
            continue
        if out and _HYPHEN_END.search(out[-1]) and line[0].islower():
            # "improve the moni-" / "toring network": the word goes back together on the first line.
            word, _, rest = line.partition(" ")
            out[-1] += word
            if not rest:
                continue
            line = rest
        out.append(line)
    if carry:
        out.append(carry)
    while out and not out[-1]:
        out.pop()
    while out and not out[0]:
        out.pop(0)
    return out
