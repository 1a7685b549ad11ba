"""Readers: every format and encoding duban reads, and every kind of bad input it refuses with an InputError."""

from __future__ import annotations

import inspect
import os
import tracemalloc

import pytest
from pypdf import PdfReader

from duban.corpus import formats
from duban.corpus import html as html_reader
from duban.corpus.errors import InputError
from duban.corpus.formats import open_source
from duban.corpus.pdf import _rebuild_lines, drop_running_lines

from . import fixtures as fx


def refused(path, match: str = "") -> InputError:
    """open_source(path) (and reading its lines) raises an InputError naming the path first."""
    path = str(path)
    with pytest.raises(InputError) as caught:
        list(open_source(path).lines())
    error = caught.value
    assert str(error).startswith(path), str(error)
    assert "\n" not in str(error) and "Traceback" not in str(error)
    assert error.path == path
    if match:
        assert match in error.message, error.message
    return error


# --------------------------------------------------------------------------------------------- PDF


def _words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(
    "footer, header_on_first_page",
    [("- {n} -", True), ("Page {n} of {total}", False), ("{n}", True)],
    ids=["dashes", "page-n-of-m", "bare-number"],
)
def test_pdf_running_header_footer_and_page_numbers_are_gone(tmp_path, footer, header_on_first_page):
    path = fx.plan_pdf(tmp_path, footer=footer, header_on_first_page=header_on_first_page)
    n_pages = len(PdfReader(path).pages)
    assert n_pages >= 3
    source = open_source(str(path))
    assert source.format == "pdf"
    lines = list(source.lines())

    assert not any(fx.RUNNING_HEADER in line for line in lines)
    page_numbers = {footer.format(n=n, total=n_pages) for n in range(1, n_pages + 1)}
    assert not page_numbers & {line.strip() for line in lines}
    assert not any(line.strip().isdigit() for line in lines)

    # Every body word is still there, in order: title, each task, the closing line.
    body = _words(" ".join(lines))
    assert body.startswith(fx.PLAN_TITLE)
    position = 0
    for task in fx.plan_tasks():
        found = body.find(_words(task), position)
        assert found > position, task
        position = found
    assert body.endswith("Anhe Provincial Office of Ecological Protection, March 1, 2024")


def test_pdf_keeps_one_line_per_visual_line_and_joins_pages_with_a_newline(tmp_path):
    path = fx.plan_pdf(tmp_path)
    raw_pages = [page.extract_text().split("\n") for page in PdfReader(path).pages]
    text = open_source(str(path)).text()
    expected = []
    for lines in raw_pages:
        expected.extend(line.strip() for line in lines[1:-1])  # all but the header and the page number
    assert text.split("\n") == expected
    assert "\n\n" not in text


def test_pdf_running_lines_need_the_same_place_on_many_pages():
    pages = [
        ["Gazette No. 7", "(1) Build the first dam.", "Deadline: by the end of 2024.", "- 1 -"],
        ["Gazette No. 7", "(2) Build the second dam.", "Deadline: by the end of 2024.", "- 2 -"],
        ["Gazette No. 7", "(3) Build the third dam.", "Deadline: by the end of 2025.", "- 3 -"],
        ["Gazette No. 7", "Deadline: by the end of 2024.", "(4) Build the fourth dam.", "- 4 -"],
        ["Gazette No. 7", "(5) Build the fifth dam.", "(6) Plant trees.", "- 5 -"],
    ]
    kept = drop_running_lines(pages)
    assert all("Gazette No. 7" not in lines for lines in kept)
    assert all(not line.startswith("- ") for lines in kept for line in lines)
    # A body line repeated at different places is body, not a header.
    assert sum(lines.count("Deadline: by the end of 2024.") for lines in kept) == 3
    # Bare numbers at the foot of pages are page numbers only when they count up like page numbers.
    table_pages = [["Alpha dam", "12"], ["Beta dam", "12"], ["Gamma dam", "12"]]
    assert drop_running_lines(table_pages) == table_pages
    numbered_pages = [["Alpha dam", "7"], ["Beta dam", "8"], ["Gamma dam", "9"]]
    assert drop_running_lines(numbered_pages) == [["Alpha dam"], ["Beta dam"], ["Gamma dam"]]


def test_pdf_lines_are_mended_where_a_text_layer_breaks_them_oddly():
    assert _rebuild_lines(["Build prefecture-", "level stations in 2024.", "Done"]) == [
        "Build prefecture-level", "stations in 2024.", "Done"]
    assert _rebuild_lines(["The plan is adopted", ".", "(", "1) Next task"]) == ["The plan is adopted.", "(1) Next task"]
    assert _rebuild_lines(["", "a", "", "", "b", ""]) == ["a", "", "b"]


def test_pdf_cjk_spacing_and_compatibility_glyphs_are_normalised():
    from duban.corpus.pdf import _clean_lines

    # Spaces a justified layout puts between ideographs go; Kangxi radicals become the ideographs they show.
    assert _clean_lines("推 进 ⼯ 作 落 实\r\n\u3000\u3000省林业局 省财政厅  ﬁnal") == ["推进工作落实", "省林业局 省财政厅 final"]


def test_pdf_encrypted_with_empty_password_is_read(tmp_path):
    assert "Publish the list of protected wetlands" in open_source(str(fx.encrypted_pdf(tmp_path, ""))).text()


def test_pdf_encrypted_with_aes_and_empty_password_is_read(tmp_path):
    pytest.importorskip("cryptography")
    path = fx.encrypted_pdf(tmp_path, "", name="aes.pdf", aes=True)
    assert "Publish the list of protected wetlands" in open_source(str(path)).text()


def test_pdf_encrypted_with_a_password_is_refused(tmp_path):
    refused(fx.encrypted_pdf(tmp_path, "secret"), "needs a password")


def test_scanned_pdf_is_refused_with_advice(tmp_path):
    error = refused(fx.scanned_pdf(tmp_path))
    assert error.message == "has no text layer (a scanned PDF?); run OCR first"


def test_truncated_pdf_is_refused(tmp_path):
    refused(fx.truncated_pdf(tmp_path), "truncated PDF")


def test_garbled_pdf_is_refused_in_one_line(tmp_path):
    refused(fx.garbled_pdf(tmp_path), "PDF")


# --------------------------------------------------------------------------------------------- HTML


def test_html_keeps_the_article_and_drops_page_furniture(tmp_path):
    source = open_source(str(fx.news_page(tmp_path)))
    assert source.format == "html"
    lines = list(source.lines())
    text = "\n".join(lines)
    for furniture in fx.PAGE_FURNITURE:
        assert furniture not in text, furniture
    assert fx.PAGE_ARTICLE_TITLE in lines
    for paragraph in fx.PAGE_ARTICLE:
        assert paragraph in lines  # one paragraph per line, entities decoded, tags written as text kept as text
    for cell in [c for row in fx.PAGE_TABLE for c in row]:
        assert cell in lines  # one table cell per line
    assert lines.index(fx.PAGE_ARTICLE_TITLE) < lines.index(fx.PAGE_ARTICLE[0]) < lines.index("New pipelines")


def test_html_in_gbk_with_a_charset_declaration(tmp_path):
    page = fx.news_page_html(charset="gbk").replace("<h1>", "<h1>安和省 ")
    path = tmp_path / "gbk.html"
    path.write_bytes(page.encode("gbk"))
    lines = list(open_source(str(path)).lines())
    assert "安和省 " + fx.PAGE_ARTICLE_TITLE in lines


def test_html_fallback_when_trafilatura_finds_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(html_reader, "_trafilatura_lines", lambda tree: [])
    lines = list(open_source(str(fx.news_page(tmp_path))).lines())
    text = "\n".join(lines)
    for furniture in ("Government Information Disclosure", "Related Links", "Copyright 2024", "SCRIPT_VARIABLE_TEXT",
                      "STYLE_RULE_TEXT", "Anhe Provincial People's Government Portal"):
        assert furniture not in text
    assert fx.PAGE_ARTICLE[1] in lines
    assert "by the end of 2024" in lines


def test_html_tiny_page(tmp_path):
    path = tmp_path / "tiny.html"
    path.write_text("<html><body><nav>Home | News</nav><p>Office closed on Monday.</p></body></html>", encoding="utf-8")
    assert list(open_source(str(path)).lines()) == ["Office closed on Monday."]


def test_html_markup_is_text_only(tmp_path):
    path = tmp_path / "hostile.html"
    path.write_text(
        '<?xml version="1.0" encoding="iso-8859-1"?>\n<!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        "<html><body><p>Task &lt;b&gt;one&lt;/b&gt; [bold]red[/bold] &x; \x1b[31mdone</p>"
        '<img src="http://example.invalid/x.png" onerror="alert(1)"><iframe src="http://example.invalid/"></iframe>'
        "</body></html>",
        encoding="utf-8",
    )
    text = open_source(str(path)).text()
    assert "Task <b>one</b> [bold]red[/bold]" in text
    assert "root:" not in text and "\x1b" not in text


def test_html_page_without_text_is_refused(tmp_path):
    path = tmp_path / "empty.html"
    path.write_text("<!DOCTYPE html><html><head><script>var a = 1;</script></head><body><nav>Home</nav></body></html>")
    refused(path, "no text")


# --------------------------------------------------------------------------------------------- DOCX


def test_docx_paragraphs_and_table_cells_in_order(tmp_path):
    source = open_source(str(fx.plan_docx(tmp_path)))
    assert source.format == "docx"
    cells = [cell for row in fx.DOCX_TABLE for cell in row]
    assert list(source.lines()) == [
        *fx.DOCX_BEFORE,
        *cells,
        *(f"{n}. {item}" for n, item in enumerate(fx.DOCX_NUMBERED, 1)),  # Word's list numbers, rebuilt
        fx.DOCX_AFTER,
        "Contact: Provincial Forestry Bureau",
        "Telephone: 0000-1234567",
    ]


def test_damaged_docx_is_refused(tmp_path):
    refused(fx.damaged_docx(tmp_path), "damaged DOCX")


def test_truncated_docx_is_refused(tmp_path):
    refused(fx.truncated_docx(tmp_path), "damaged ZIP")


def test_docx_chinese_list_numbers():
    from duban.corpus.docx import _chinese, _format_number

    assert [_chinese(n) for n in (1, 10, 11, 20, 21, 100, 105)] == ["一", "十", "十一", "二十", "二十一", "一百", "一百零五"]
    assert _format_number(3, "decimalEnclosedCircle") == "③"
    assert _format_number(4, "upperRoman") == "IV"
    assert _format_number(28, "lowerLetter") == "bb"


# --------------------------------------------------------------------------------------------- text


def test_gbk_text_decodes_to_the_right_characters(tmp_path):
    source = open_source(str(fx.gbk_text(tmp_path)))
    assert source.format == "text"
    assert list(source.lines()) == fx.GBK_LINES


def test_gbk_after_a_long_ascii_preamble(tmp_path):
    path = fx.gbk_text(tmp_path, ascii_preamble_bytes=formats.SNIFF_BYTES * 3)
    lines = list(open_source(str(path)).lines())
    assert lines[-len(fx.GBK_LINES):] == fx.GBK_LINES


@pytest.mark.parametrize("big_endian", [False, True], ids=["le", "be"])
def test_utf16_with_bom(tmp_path, big_endian):
    source = open_source(str(fx.utf16_text(tmp_path, big_endian=big_endian)))
    assert list(source.lines()) == fx.GBK_LINES


def test_utf8_with_bom(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "\n".join(fx.GBK_LINES).encode("utf-8"))
    assert list(open_source(str(path)).lines()) == fx.GBK_LINES


def test_line_endings_lf_crlf_and_lone_cr_across_chunk_boundaries(tmp_path, monkeypatch):
    text = "(1) 推进工作\r\n(2) Second task\r(3) Third task\n\n(4) 第四项 by the end of 2024\r\n"
    path = tmp_path / "endings.txt"
    path.write_bytes(text.encode("utf-8"))
    expected = ["(1) 推进工作", "(2) Second task", "(3) Third task", "", "(4) 第四项 by the end of 2024"]
    for chunk in (1, 2, 3, 5, 7, 1 << 20):  # every split of a CRLF and of a multi-byte character
        monkeypatch.setattr(formats, "READ_CHUNK", chunk)
        assert list(open_source(str(path)).lines()) == expected, chunk


def test_undecodable_bytes_mid_file_name_the_line(tmp_path):
    good = "(1) 推进湿地修复 by the end of 2024.\n"
    n_good = formats.READ_CHUNK // len(good.encode("utf-8")) + 50  # past the first chunk and the sniffed head
    path = tmp_path / "broken.txt"
    path.write_bytes((good * n_good).encode("utf-8") + b"bad \xff\xfe bytes\n" + good.encode("utf-8"))
    source = open_source(str(path))
    with pytest.raises(InputError) as caught:
        list(source.lines())
    assert str(caught.value).startswith(f"{path}:{n_good + 1}: cannot be decoded as utf-8")
    assert caught.value.line == n_good + 1


def test_text_that_is_no_known_encoding_is_refused(tmp_path):
    refused(fx.undecodable_text(tmp_path), "not text in any encoding")


def test_large_text_streams_with_flat_memory(tmp_path):
    line = "(12) Improve the river chief system in every township. [Responsible units: Provincial Water Resources Bureau] by the end of 2024\n"
    path = tmp_path / "large.txt"
    block = (line * 4096).encode("utf-8")
    with open(path, "wb") as f:
        for _ in range(48):
            f.write(block)
    size = os.path.getsize(path)
    assert size > 10 * formats.READ_CHUNK

    tracemalloc.start()
    try:
        source = open_source(str(path))
        lines = source.lines()
        assert inspect.isgenerator(lines)
        count = 0
        for _ in lines:
            count += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 48 * 4096
    assert peak < min(size / 4, 6 * formats.READ_CHUNK), (peak, size)  # a few chunks, whatever the size



@pytest.mark.parametrize("ending", ["\n", "\r"])
def test_a_line_with_no_break_for_megabytes_is_read_in_pieces_with_flat_memory(tmp_path, monkeypatch, ending):
    monkeypatch.setattr(formats, "READ_CHUNK", 1 << 12)
    monkeypatch.setattr(formats, "MAX_LINE_CHARS", 1 << 14)
    sentence = "The county shall finish dredging the river by the end of 2024 and report to the city. "
    one_line = sentence * 12000  # about a million characters, no line break
    path = tmp_path / "one_line.txt"
    path.write_text("Title" + ending + one_line + ending + "last line" + ending, encoding="utf-8")

    tracemalloc.start()
    try:
        lines = open_source(str(path)).lines()
        assert next(lines) == "Title"
        offset, pieces = 0, 0
        for piece in lines:
            if offset == len(one_line):
                assert piece == "last line"
                continue
            assert piece == one_line[offset : offset + len(piece)]  # nothing lost, nothing added
            assert len(piece) <= formats.MAX_LINE_CHARS
            assert piece.endswith(" ")  # cut after a space, never inside a word
            offset, pieces = offset + len(piece), pieces + 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert offset == len(one_line) and pieces > 60
    assert peak < 20 * formats.MAX_LINE_CHARS, peak  # a few open lines and chunks, not the whole line


# --------------------------------------------------------------------------------------------- refusals


def test_missing_path(tmp_path):
    refused(tmp_path / "nowhere.txt", "no such file")


def test_directory(tmp_path):
    refused(tmp_path, "is a directory")


@pytest.mark.parametrize("content", [b"", b" \n\r\n\t", b"\xef\xbb\xbf\n", b"\xff\xfe \x00\n\x00"], ids=["zero", "blank", "bom", "utf16-blank"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    refused(path, "is empty")


def test_png_image(tmp_path):
    refused(fx.png_image(tmp_path), "PNG image")


def test_zip_archive(tmp_path):
    refused(fx.zip_archive(tmp_path), "ZIP archive")


def test_gzip_archive(tmp_path):
    refused(fx.gzip_archive(tmp_path), "gzip archive")


def test_random_binary(tmp_path):
    refused(fx.random_binary(tmp_path), "binary data")


def test_text_starting_like_a_magic_number_is_still_text(tmp_path):
    path = tmp_path / "bm.txt"
    path.write_text("BMW plant inspection: (1) Fix the sewage outlet by the end of 2024.\n", encoding="utf-8")
    assert list(open_source(str(path)).lines()) == ["BMW plant inspection: (1) Fix the sewage outlet by the end of 2024."]


def test_file_removed_after_opening(tmp_path):
    path = tmp_path / "gone.txt"
    path.write_text("(1) A task by the end of 2024.\n", encoding="utf-8")
    source = open_source(str(path))
    path.unlink()
    with pytest.raises(InputError) as caught:
        list(source.lines())
    assert str(caught.value).startswith(str(path))


def test_docx_word_list_numbers_in_chinese(tmp_path):
    lines = list(open_source(str(fx.numbered_docx(tmp_path))).lines())
    assert lines == [
        "一、保障措施",
        "（一）加强组织领导",
        "（二）落实资金保障。[Responsible units: 省财政厅]",
        "（三）强化督查考核",
        "二、工作要求",
        "（一）按时报送进展",  # a deeper level starts over under each new heading
        "一、另一份清单",  # "restart numbering"
    ]
