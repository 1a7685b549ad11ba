"""Builders of reader fixtures: each writes one file into a directory (pytest's tmp_path) and returns its path.

The texts are invented for these tests: Anhe Province and its units do not exist.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import random
import zipfile
from pathlib import Path

FIXED_TIME = dt.datetime(2024, 3, 1, 9, 0, 0, tzinfo=dt.timezone.utc)

PLAN_TITLE = "Anhe Province 2024 Work Plan for Ecological Protection"
RUNNING_HEADER = "Anhe Provincial People's Government Gazette, Issue 7"
UNITS = [
    "Provincial Department of Ecology and Environment",
    "Provincial Water Resources Bureau",
    "Provincial Department of Natural Resources",
    "Provincial Forestry Bureau",
    "Provincial Department of Finance",
    "Provincial Department of Agriculture and Rural Affairs",
]
SUBJECTS = [
    "monitoring of water quality at county boundary sections",
    "restoration of wetlands along the Qinglan River",
    "closure of illegal sand mining sites in the upper reaches",
    "treatment of livestock manure in large farms",
    "protection of drinking water sources in townships",
    "replanting of shelter forests on degraded slopes",
    "recycling of agricultural plastic film",
    "inspection of industrial parks for sewage leaks",
    "grading of soil contamination on farmland",
    "compensation for ecological protection in the headwater counties",
    "management of river chiefs at village level",
    "cleanup of rural black and odorous water bodies",
]
VERBS = ["Improve", "Strengthen", "Promote", "Complete", "Establish", "Accelerate", "Standardize"]
DEADLINES = ["by the end of 2024", "by June 30, 2024", "before the end of September 2024", "by the end of 2025"]


PDF_TASKS = 34


def plan_tasks(count: int = PDF_TASKS) -> list[str]:
    """Numbered tasks in the genre; every task is different, so no body line repeats across pages."""
    tasks = []
    for i in range(1, count + 1):
        subject = SUBJECTS[(i - 1) % len(SUBJECTS)]
        units = ", ".join(UNITS[(i + k) % len(UNITS)] for k in range(2))
        tasks.append(
            f"({i}) {VERBS[i % len(VERBS)]} the {subject}, with task {i} assessed in round {(i * 7) % 11 + 1} of the "
            f"provincial review. [Responsible units: {units}] Deadline: {DEADLINES[i % len(DEADLINES)]}."
        )
    return tasks


def plan_pdf(directory: Path, name: str = "plan.pdf", footer: str = "- {n} -", header_on_first_page: bool = True) -> Path:
    """A multi-page plan with a running header, a footer with the page number, and numbered tasks."""
    from fpdf import FPDF

    class Plan(FPDF):
        def header(self):
            if self.page_no() == 1 and not header_on_first_page:
                return
            self.set_font("Helvetica", "I", 9)
            self.cell(0, 8, RUNNING_HEADER, align="C", new_x="LMARGIN", new_y="NEXT")
            self.ln(4)

        def footer(self):
            self.set_y(-15)
            self.set_font("Helvetica", "", 9)
            self.cell(0, 10, footer.format(n=self.page_no(), total="{nb}"), align="C")

    pdf = Plan()
    pdf.set_creation_date(FIXED_TIME)
    pdf.alias_nb_pages("{nb}")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 8, PLAN_TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 11)
    for task in plan_tasks():
        pdf.multi_cell(0, 6, task, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.multi_cell(0, 6, "Anhe Provincial Office of Ecological Protection, March 1, 2024", new_x="LMARGIN", new_y="NEXT")
    path = directory / name
    pdf.output(str(path))
    return path


def encrypted_pdf(directory: Path, user_password: str, name: str = "locked.pdf", aes: bool = False) -> Path:
    from fpdf import FPDF
    from fpdf.enums import EncryptionMethod

    pdf = FPDF()
    pdf.set_creation_date(FIXED_TIME)
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "(1) Publish the list of protected wetlands by the end of 2024. "
                         "[Responsible units: Provincial Forestry Bureau]")
    pdf.set_encryption(owner_password="owner-only", user_password=user_password,
                       encryption_method=EncryptionMethod.AES_128 if aes else EncryptionMethod.RC4)
    path = directory / name
    pdf.output(str(path))
    return path


def scanned_pdf(directory: Path, name: str = "scanned.pdf") -> Path:
    """Two pages holding only a picture of a page: what a scanner makes before OCR."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    image = Image.new("L", (200, 280), 255)
    draw = ImageDraw.Draw(image)
    for y in range(20, 260, 12):
        draw.line((20, y, 180, y), fill=40, width=3)
    pdf = FPDF()
    pdf.set_creation_date(FIXED_TIME)
    for _ in range(2):
        pdf.add_page()
        pdf.image(image, x=10, y=10, w=190)
    path = directory / name
    pdf.output(str(path))
    return path


def truncated_pdf(directory: Path, name: str = "truncated.pdf") -> Path:
    full = plan_pdf(directory, name="whole-for-truncation.pdf").read_bytes()
    path = directory / name
    path.write_bytes(full[: len(full) // 2])
    return path


def garbled_pdf(directory: Path, name: str = "garbled.pdf") -> Path:
    """A PDF header and end marker around junk: no objects, no pages."""
    path = directory / name
    path.write_bytes(b"%PDF-1.7\n" + bytes(random.Random(7).randrange(32, 127) for _ in range(3000)) + b"\n%%EOF\n")
    return path


PAGE_ARTICLE_TITLE = "Anhe Province 2024 Work Plan for Rural Water Supply"
PAGE_ARTICLE = [
    "To implement the decisions of the provincial people's government on consolidating rural water supply, "
    "this plan sets out the key tasks for 2024 & the responsible units.",
    "(1) Improve the rural water supply network in mountainous counties, connecting 120 scattered villages to "
    "centralized plants. [Responsible units: Provincial Water Resources Bureau, Provincial Department of Finance] "
    "Deadline: by the end of 2024.",
    "(2) Strengthen water quality testing at township plants, with monthly sampling reported online; the text "
    "<script>alert('x')</script> is shown, not run. [Responsible units: Provincial Health Commission] "
    "Deadline: by June 30, 2024.",
    "(3) Set up a maintenance fund for rural water facilities in every county. [Responsible units: Provincial "
    "Department of Finance, Provincial Water Resources Bureau] Deadline: before the end of September 2024.",
]
PAGE_TABLE = [["Task", "Lead unit", "Deadline"],
              ["New pipelines", "Provincial Water Resources Bureau", "by the end of 2024"],
              ["Testing stations", "Provincial Health Commission", "by June 30, 2024"]]
PAGE_FURNITURE = [
    "Anhe Provincial People's Government Portal",  # site banner
    "Government Information Disclosure",  # nav
    "Online Service Hall",  # nav
    "Related Links",  # sidebar
    "Provincial Statistics Bureau Open Data",  # sidebar
    "Buy discounted solar water heaters today",  # advertisement
    "Sponsored: weekend trips to Qinglan Lake",  # advertisement
    "Copyright 2024 General Office of Anhe Provincial People's Government",  # footer
    "Site map | Contact us",  # footer
    "SCRIPT_VARIABLE_TEXT",  # script
    "STYLE_RULE_TEXT",  # style
]


def news_page_html(charset: str = "utf-8") -> str:
    import html

    article = "\n".join(f"<p>{html.escape(p)}</p>" for p in PAGE_ARTICLE)
    rows = "\n".join(
        "<tr>" + "".join(f"<{'th' if r == 0 else 'td'}>{html.escape(c)}</{'th' if r == 0 else 'td'}>" for c in row) + "</tr>"
        for r, row in enumerate(PAGE_TABLE)
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="{charset}"><title>{PAGE_ARTICLE_TITLE} - Anhe Portal</title>
<script>var tracker = "SCRIPT_VARIABLE_TEXT";</script>
<style>/* STYLE_RULE_TEXT */ .ad {{ color: red; }}</style></head>
<body>
<header class="site-header"><div class="logo">Anhe Provincial People's Government Portal</div></header>
<nav class="main-menu"><ul><li><a href="/">Home</a></li><li><a href="/open">Government Information Disclosure</a></li>
<li><a href="/service">Online Service Hall</a></li></ul></nav>
<div class="ad advertisement" id="top-ad"><a href="http://ads.example/">Buy discounted solar water heaters today</a></div>
<div class="container">
<aside class="sidebar"><h3>Related Links</h3><ul><li><a href="/stats">Provincial Statistics Bureau Open Data</a></li>
<li><a href="/weather">Provincial Weather Service</a></li></ul></aside>
<main><article>
<h1>{PAGE_ARTICLE_TITLE}</h1>
{article}
<table>
{rows}
</table>
</article></main>
<div class="ad sponsored" id="side-ad">Sponsored: weekend trips to Qinglan Lake</div>
</div>
<footer><p>Copyright 2024 General Office of Anhe Provincial People's Government</p><p>Site map | Contact us</p></footer>
</body></html>
"""


def news_page(directory: Path, name: str = "notice.html", encoding: str = "utf-8", charset: str = "utf-8") -> Path:
    path = directory / name
    path.write_bytes(news_page_html(charset).encode(encoding))
    return path


GBK_TITLE = "安和省2024年生态保护工作方案"
GBK_LINES = [
    GBK_TITLE,
    "安和省人民政府办公厅",
    "(1) Improve the monitoring of water quality. [Responsible units: 省生态环境厅、省水利厅] Deadline: by the end of 2024.",
    "(2) 推进湿地修复，确保“十四五”目标如期完成。[Responsible units: 省林业局] Deadline: 2024年底前",
    "(3) Close illegal sand mining sites — 全面排查 · 100% 整改 [Responsible units: 省自然资源厅] Deadline: by June 30, 2024.",
]


def gbk_text(directory: Path, name: str = "plan_gbk.txt", ascii_preamble_bytes: int = 0) -> Path:
    """Chinese and English in GBK; optionally after a long ASCII preamble, so the sniffed head is pure ASCII."""
    preamble = ""
    if ascii_preamble_bytes:
        line = "Note: this file was exported from the provincial document system; keep it unchanged.\n"
        preamble = line * (ascii_preamble_bytes // len(line) + 1)
    path = directory / name
    path.write_bytes((preamble + "\n".join(GBK_LINES) + "\n").encode("gbk"))
    return path


def utf16_text(directory: Path, name: str = "plan_utf16.txt", big_endian: bool = False) -> Path:
    path = directory / name
    text = "\r\n".join(GBK_LINES) + "\r\n"
    if big_endian:
        path.write_bytes(b"\xfe\xff" + text.encode("utf-16-be"))
    else:
        path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    return path


DOCX_BEFORE = ["Anhe Province 2024 Work Plan for Forest Fire Prevention", "I. Key tasks"]
DOCX_TABLE = [["No.", "Task", "Responsible units", "Deadline"],
              ["1", "Build fire lookout towers in Qinglan County", "Provincial Forestry Bureau", "by the end of 2024"],
              ["2", "Train village fire brigades", "Provincial Emergency Management Department", "by June 30, 2024"]]
DOCX_NUMBERED = ["Patrol key forest areas daily during the fire season.",
                 "Publish the fire risk map. [Responsible units: Provincial Forestry Bureau]"]
DOCX_AFTER = "II. Safeguard measures"


def plan_docx(directory: Path, name: str = "plan.docx") -> Path:
    """Paragraphs, a table between them, a numbered list, a line break inside a paragraph."""
    import docx

    document = docx.Document()
    document.core_properties.created = FIXED_TIME.replace(tzinfo=None)
    document.add_heading(DOCX_BEFORE[0], level=1)
    document.add_paragraph(DOCX_BEFORE[1])
    table = document.add_table(rows=len(DOCX_TABLE), cols=len(DOCX_TABLE[0]))
    for r, row in enumerate(DOCX_TABLE):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    for item in DOCX_NUMBERED:
        document.add_paragraph(item, style="List Number")
    document.add_paragraph(DOCX_AFTER)
    paragraph = document.add_paragraph("Contact: Provincial Forestry Bureau")
    paragraph.add_run().add_break()
    paragraph.add_run("Telephone: 0000-1234567")
    path = directory / name
    document.save(str(path))
    return path


def damaged_docx(directory: Path, name: str = "damaged.docx") -> Path:
    """A ZIP that looks like a DOCX, but whose document.xml is cut off mid-element."""
    good = plan_docx(directory, name="whole-for-damage.docx")
    path = directory / name
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                data = data[: len(data) // 2]
            dst.writestr(item, data)
    return path


def truncated_docx(directory: Path, name: str = "truncated.docx") -> Path:
    data = plan_docx(directory, name="whole-for-truncation.docx").read_bytes()
    path = directory / name
    path.write_bytes(data[: len(data) // 2])
    return path


def png_image(directory: Path, name: str = "chart.txt") -> Path:
    """A PNG under a misleading name: readers go by content, not by extension."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    path = directory / name
    path.write_bytes(buffer.getvalue())
    return path


def zip_archive(directory: Path, name: str = "bundle.zip") -> Path:
    path = directory / name
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("plan.txt", "(1) Improve the river chief system by the end of 2024.\n")
    return path


def gzip_archive(directory: Path, name: str = "plan.txt.gz") -> Path:
    path = directory / name
    path.write_bytes(gzip.compress(b"(1) Improve the river chief system by the end of 2024.\n", mtime=0))
    return path


def random_binary(directory: Path, name: str = "blob.bin", size: int = 4096) -> Path:
    path = directory / name
    path.write_bytes(random.Random(42).randbytes(size))
    return path


def undecodable_text(directory: Path, name: str = "mystery.txt") -> Path:
    """High bytes with no control characters: no encoding duban knows makes text of them."""
    path = directory / name
    rng = random.Random(3)
    path.write_bytes(bytes(rng.randrange(128, 256) for _ in range(600)))
    return path


DOCX_CN_ITEMS = ["加强组织领导", "落实资金保障。[Responsible units: 省财政厅]", "强化督查考核"]


def numbered_docx(directory: Path, name: str = "numbered.docx") -> Path:
    """Chinese list numbers made by Word ("一、" then "（一）"), and a second list that restarts at one."""
    import docx
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document = docx.Document()
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {w} w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>'
        '</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {w} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    numbering.append(parse_xml(
        f'<w:num {w} w:numId="91"><w:abstractNumId w:val="90"/>'
        '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'))

    def numbered(text: str, num_id: int, level: int) -> None:
        paragraph = document.add_paragraph(text)
        paragraph._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {w}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'))

    numbered("保障措施", 90, 0)
    for item in DOCX_CN_ITEMS:
        numbered(item, 90, 1)
    numbered("工作要求", 90, 0)
    numbered("按时报送进展", 90, 1)
    numbered("另一份清单", 91, 0)
    path = directory / name
    document.save(str(path))
    return path
