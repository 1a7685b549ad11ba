"""Generate the non-plain-text sample documents in examples/.

    .venv/bin/python examples/make_binary_examples.py

writes, next to this script:

    notice_tasks.html           a municipal notice with numbered tasks, inside a full web page
    feedback_rectification.docx an inspection feedback with a table of rectification items
    work_plan.pdf               a 3-page municipal work plan with running header and page numbers
    county_plan_gbk.txt         a short county plan saved in GBK (Chinese title and units, English body)

All texts are invented (Lanshan Province is fictional). The output is deterministic: fixed
metadata dates, fixed ZIP timestamps in the DOCX, no random IDs, so rerunning the script gives
byte-identical files with the same library versions (fpdf2, python-docx).
"""

from __future__ import annotations

import datetime as dt
import html
import io
import os
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
# Metadata dates match the dates the documents bear.
DOCX_TIME = dt.datetime(2025, 12, 5, 9, 30, 0)
PDF_TIME = dt.datetime(2025, 2, 20, 9, 30, 0, tzinfo=dt.timezone.utc)
ZIP_TIME = (2025, 12, 5, 9, 30, 0)


# --------------------------------------------------------------------------------------------
# notice_tasks.html
# --------------------------------------------------------------------------------------------

HTML_TITLE = (
    "Notice of the General Office of Qingshi Municipal People's Government on Printing and "
    "Distributing the Key Tasks for Optimizing the Business Environment of Qingshi City in 2025"
)

HTML_ARTICLE = [
    ("p", HTML_TITLE),
    ("p", "Qing Zheng Ban Fa [2025] No. 11"),
    ("p", "People's governments of all districts and counties, all departments of the municipal government and all units directly under it:"),
    ("p", "The Key Tasks for Optimizing the Business Environment of Qingshi City in 2025 have been agreed by the municipal "
          "people's government and are hereby printed and distributed to you. Please implement them carefully in light of your actual conditions."),
    ("p", "General Office of Qingshi Municipal People's Government"),
    ("p", "April 14, 2025"),
    ("h2", "Key Tasks for Optimizing the Business Environment of Qingshi City in 2025"),
    ("p", "In order to further stimulate the vitality of market players and build a market-oriented, law-based and "
          "internationalized business environment, the following key tasks are formulated for 2025."),
    ("p", "(1) Make it easier to start a business. Merge the registration of enterprises, the engraving of seals, the "
          "application for invoices and the registration of social insurance into one application handled at one window. "
          "By the end of June 2025, the number of materials required for the registration of a newly started enterprise "
          "will be reduced to no more than 4; Before the end of 2025, the electronic business license will be applicable to all "
          "matters handled by enterprises in the city. [Responsible units: Qingshi Municipal Market Supervision Administration, "
          "Qingshi Municipal Government Affairs Service Bureau, Qingshi Municipal Public Security Bureau, people's governments of all districts and counties]"),
    ("p", "(2) Improve the efficiency of the approval of construction projects. Carry out joint review of drawings and joint "
          "acceptance after completion for engineering construction projects. By the end of the third quarter of 2025, realize the "
          "online review of construction drawings for all new projects; Before the end of 2025, the joint completion acceptance "
          "will cover more than 90% of the social investment projects. [Responsible units: Qingshi Municipal Bureau of Housing and "
          "Urban-Rural Development, Qingshi Municipal Bureau of Natural Resources and Planning, Qingshi Municipal Fire and Rescue Detachment]"),
    ("p", "(3) Deepen the one-window handling of real estate registration. Integrate the acceptance of real estate "
          "registration, the collection of taxes and the transfer of water, electricity and gas accounts. In the second half of 2025, "
          "realize the handling of second-hand housing transfer registration, tax payment and account transfer at one window "
          "within one visit. [Responsible units: Qingshi Municipal Bureau of Natural Resources and Planning, Qingshi Municipal Tax "
          "Service of the State Taxation Administration, Qingshi Water Supply Group Co., Ltd.]"),
    ("p", "(4) Respond to the appeals of enterprises in a timely manner. Open a special line for enterprises on the 12345 "
          "government service hotline, and respond to the appeals of enterprises within 2 working days after they are "
          "received. Before September 30, 2025, establish the mechanism of regular visits by leading cadres to enterprises, "
          "and publish the handling of appeals every month. [Responsible units: Qingshi Municipal Government Affairs Service Bureau, "
          "Qingshi Municipal Bureau of Industry and Information Technology, Qingshi Municipal Federation of Industry and Commerce]"),
    ("p", "(5) Strengthen supervision and evaluation. The municipal government will evaluate the implementation of the above "
          "tasks every half year, and the evaluation results will be included in the annual performance assessment of all "
          "districts, counties and departments. [Responsible unit: Qingshi Municipal Development and Reform Commission]"),
]


def build_html() -> str:
    esc = html.escape
    article = "\n".join(f"        <{tag}>{esc(text)}</{tag}>" for tag, text in HTML_ARTICLE)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{esc(HTML_TITLE)} - Qingshi Municipal People's Government</title>
<meta name="description" content="Qingshi Municipal People's Government portal">
<link rel="stylesheet" href="/static/css/site.css">
<script src="/static/js/jquery.min.js"></script>
<script>var _hmt = _hmt || []; (function() {{ var hm = document.createElement("script"); hm.src = "/static/js/stat.js"; }})();</script>
</head>
<body>
<header class="site-header">
  <div class="logo"><a href="/"><img src="/static/img/logo.png" alt="Qingshi Municipal People's Government"></a></div>
  <div class="top-links"><a href="/en/">English</a> | <a href="/wza/">Accessibility</a> | <a href="/login">Log in</a></div>
</header>
<nav class="main-menu">
  <ul>
    <li><a href="/">Home</a></li>
    <li><a href="/zwgk/">Government Information</a></li>
    <li><a href="/zcjd/">Policy Interpretation</a></li>
    <li><a href="/hdjl/">Interaction</a></li>
    <li><a href="/bsfw/">Online Services</a></li>
    <li><a href="/zjqs/">About Qingshi</a></li>
  </ul>
</nav>
<div class="breadcrumb">Current location: <a href="/">Home</a> &gt; <a href="/zwgk/">Government Information</a> &gt; <a href="/zwgk/wj/">Documents of the General Office</a></div>
<div class="container">
  <div class="content">
    <article class="article">
      <h1>{esc(HTML_TITLE)}</h1>
      <div class="meta">Source: General Office of the Municipal Government &nbsp; Release time: 2025-04-14 &nbsp; Font size: <a href="#">large</a> <a href="#">medium</a> <a href="#">small</a></div>
      <div class="article-body">
{article}
      </div>
      <div class="share">Share to: <a href="#">WeChat</a> <a href="#">Weibo</a> <a href="#">Print this page</a> <a href="#">Close window</a></div>
    </article>
  </div>
  <aside class="sidebar">
    <h3>Related documents</h3>
    <ul>
      <li><a href="/zwgk/wj/2025/0302.html">Qingshi City 2025 list of major construction projects</a></li>
      <li><a href="/zwgk/wj/2025/0217.html">Implementation opinions on supporting small and micro enterprises</a></li>
      <li><a href="/zwgk/wj/2024/1208.html">Measures for the management of the municipal 12345 hotline</a></li>
    </ul>
    <h3>Hot topics</h3>
    <ul>
      <li><a href="/zt/yshj/">Optimizing the business environment</a></li>
      <li><a href="/zt/szzf/">Digital government</a></li>
    </ul>
  </aside>
</div>
<div class="ad-banner" id="ad-2025-spring">
  <a href="https://expo.example.com/"><img src="/static/ad/expo.jpg" alt="advertisement"></a>
  <p>Advertisement: The 6th Qingshi International Tea Culture Expo, May 18-21, Qingshi Convention and Exhibition Center. Book your booth now!</p>
</div>
<footer class="site-footer">
  <p><a href="/about/">About us</a> | <a href="/sitemap/">Site map</a> | <a href="/contact/">Contact us</a></p>
  <p>Copyright &copy; 2025 Qingshi Municipal People's Government. All rights reserved.</p>
  <p>Sponsored by the General Office of Qingshi Municipal People's Government &nbsp; Qing ICP Bei No. 10234567-1 &nbsp; Website ID: 5301000017</p>
</footer>
</body>
</html>
"""


# --------------------------------------------------------------------------------------------
# feedback_rectification.docx
# --------------------------------------------------------------------------------------------

DOCX_TITLE = (
    "Feedback of the Provincial Special Inspection Group on the Management and Use of "
    "Rural Revitalization Funds in Baiyun Prefecture"
)

DOCX_BEFORE_TABLE = [
    "Lanshan Provincial Department of Agriculture and Rural Affairs",
    "December 5, 2025",
    "From October 9 to November 7, 2025, the Provincial Special Inspection Group carried out a special inspection of the "
    "management and use of rural revitalization funds in Baiyun Prefecture, focusing on the funds for consolidating the "
    "results of poverty alleviation in 2023 and 2024. The inspection group visited 2 counties, 9 townships and 31 villages, "
    "and checked 186 projects. The feedback is as follows.",
    "I. Main problems found",
    "The inspection group held that positive efforts have been made to link poverty alleviation with rural revitalization, "
    "but the supervision of funds is still not strict enough, and some township cadres have a weak awareness of fund management.",
    "(1) Yunling County falsely reported the completion of 4 industrial assistance projects and obtained provincial subsidy funds "
    "of 3.18 million yuan.",
    "(2) The Baiyun Prefecture Bureau of Agriculture and Rural Affairs did not allocate 26.7 million yuan of connection funds to the "
    "counties in time, and the funds stayed in the prefecture treasury for more than 8 months.",
    "(3) 6 villages in Shiqiao Town of Cangxi County did not include the income of 745,600 yuan from collective economic projects "
    "in the village accounts, and kept it in the personal bank cards of village cadres.",
    "(4) 2 farmers' cooperatives in Cangxi County received subsidies twice for the same cold storage project, involving 580,000 yuan.",
    "During the inspection, Baiyun Prefecture interviewed 12 responsible persons and recovered funds of 1.9 million yuan.",
    "II. Rectification requirements",
    "Baiyun Prefecture shall carry out rectification according to the following list of rectification items.",
    "Table 1 List of rectification items",
]

DOCX_TABLE = [
    ("No.", "Rectification item", "Lead unit", "Time limit for rectification"),
    ("1", "Recover the subsidy funds obtained by false reporting and hold the persons concerned accountable",
     "Yunling County People's Government", "Before January 31, 2026"),
    ("2", "Allocate the connection funds retained at the prefecture level to the counties",
     "Baiyun Prefecture Bureau of Finance", "Within 60 days of receiving this feedback"),
    ("3", "Bring the income of collective economic projects into the village accounts and audit the accounts of the 6 villages",
     "Cangxi County People's Government", "Before March 31, 2026"),
    ("4", "Recover the duplicated subsidies and improve the cross-checking of subsidy lists",
     "Baiyun Prefecture Bureau of Agriculture and Rural Affairs", "Before March 31, 2026"),
]

DOCX_AFTER_TABLE = [
    "III. Other matters",
    "Baiyun Prefecture shall formulate a rectification plan and submit it to the Provincial Department of Agriculture and "
    "Rural Affairs within 30 working days from the date of receiving this feedback. The results of the rectification shall be "
    "made public within 10 working days after the rectification is completed.",
    "Contact: Rural Revitalization Fund Supervision Division, Lanshan Provincial Department of Agriculture and Rural Affairs.",
]


def build_docx(path: str) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = Document()
    props = doc.core_properties
    props.author = "Lanshan Provincial Department of Agriculture and Rural Affairs"
    props.last_modified_by = "duban examples"
    props.title = DOCX_TITLE
    props.created = DOCX_TIME
    props.modified = DOCX_TIME
    props.last_printed = DOCX_TIME
    props.revision = 1

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(DOCX_TITLE)
    run.bold = True
    run.font.size = Pt(16)

    headings = {"I. Main problems found", "II. Rectification requirements", "III. Other matters"}
    for text in DOCX_BEFORE_TABLE:
        p = doc.add_paragraph()
        r = p.add_run(text)
        if text in headings or text.startswith("Table 1"):
            r.bold = True
        if text.startswith("Lanshan Provincial Department") or text.startswith("December"):
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    table = doc.add_table(rows=len(DOCX_TABLE), cols=4)
    table.style = "Table Grid"
    for i, row in enumerate(DOCX_TABLE):
        for j, value in enumerate(row):
            cell = table.cell(i, j)
            cell.text = value
            if i == 0:
                for r in cell.paragraphs[0].runs:
                    r.bold = True

    for text in DOCX_AFTER_TABLE:
        p = doc.add_paragraph()
        r = p.add_run(text)
        if text in headings:
            r.bold = True

    buffer = io.BytesIO()
    doc.save(buffer)
    _write_zip_with_fixed_times(buffer.getvalue(), path)


def _write_zip_with_fixed_times(data: bytes, path: str) -> None:
    """python-docx stamps ZIP members with the current time; rewrite them with a fixed one."""
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))


# --------------------------------------------------------------------------------------------
# work_plan.pdf
# --------------------------------------------------------------------------------------------

PDF_HEADER = "Hezhou Municipal People's Government Gazette    Issue 3, 2025"

PDF_BLOCKS = [
    ("title", "Notice of the General Office of Hezhou Municipal People's Government on Printing and Distributing "
              "the Work Plan of Hezhou City for Promoting the Construction of Digital Villages in 2025"),
    ("center", "He Zheng Ban Fa [2025] No. 9"),
    ("p", "People's governments of all districts and counties, and all departments of the municipal government:"),
    ("p", "The Work Plan of Hezhou City for Promoting the Construction of Digital Villages in 2025 has been agreed by the "
          "municipal people's government and is now issued to you. Please organize its implementation carefully."),
    ("right", "General Office of Hezhou Municipal People's Government"),
    ("right", "February 20, 2025"),
    ("title", "Work Plan of Hezhou City for Promoting the Construction of Digital Villages in 2025"),
    ("p", "In order to narrow the digital gap between urban and rural areas and let digital technology serve agricultural "
          "production, rural governance and the life of farmers, this work plan is formulated in accordance with the "
          "provincial arrangements for digital village construction and the actual situation of our city."),
    ("h", "I. Work objectives"),
    ("p", "In 2025, the digital infrastructure of rural areas in the city will be further improved, the application of digital "
          "technology in agricultural production and rural governance will be expanded, and the online service of rural "
          "government affairs will reach all administrative villages."),
    ("h", "II. Main tasks"),
    ("p", "(one) Improve rural network infrastructure. Continue to extend gigabit optical fiber and 5G networks to rural areas. "
          "By the end of September 2025, 5G signals will cover all administrative villages in the city; Before the end of 2025, "
          "the proportion of natural villages with gigabit optical fiber access will reach more than 85%. [Responsible units: "
          "Hezhou Municipal Bureau of Industry and Information Technology, Hezhou Branch of Lanshan Communications Administration, "
          "people's governments of all districts and counties. Before the comma is the lead unit]"),
    ("p", "(two) Promote the digital transformation of agricultural production. Build digital demonstration bases for "
          "facility agriculture, tea gardens and aquaculture, and popularize the remote monitoring of soil moisture, "
          "insect pests and water quality. In the first half of 2025, complete the selection of 10 municipal digital agriculture "
          "demonstration bases; By the end of 2025, the area of farmland under the Internet of Things monitoring will reach "
          "more than 150,000 mu. [Responsible units: Hezhou Municipal Bureau of Agriculture and Rural Affairs, Hezhou Municipal "
          "Bureau of Science and Technology, people's governments of all districts and counties]"),
    ("p", "(3) Develop rural e-commerce. Support the construction of county-level e-commerce public service centers and "
          "village-level service stations, and cultivate local brands of tea, bamboo shoots and kiwi fruit. Before October 2025, "
          "complete the upgrading of the logistics distribution centers of all counties; By the end of 2025, the online retail "
          "sales of agricultural products in the city will exceed 3.2 billion yuan. [Responsible units: Hezhou Municipal Bureau "
          "of Commerce, Hezhou Postal Administration, Hezhou Municipal Bureau of Agriculture and Rural Affairs]"),
    ("p", "(four) Extend government services to villages. Relying on the provincial integrated government service platform, "
          "set up self-service terminals in village service stations, so that the masses can handle high-frequency matters such "
          "as social security certification and medical insurance payment without leaving the village. Before June 30, 2025, "
          "publish the list of government service matters handled at the village level; By the end of 2025, the number of "
          "matters that can be handled at village service stations will reach more than 60. [Responsible units: Hezhou City "
          "Data Resources Bureau, Hezhou Municipal Government Affairs Service Center, people's governments of all districts and counties]"),
    ("p", "(5) Improve the digital level of rural governance. Promote the application of the \"grid + digital\" governance "
          "platform in villages, and bring the management of rural collective assets, funds and resources online. By the end of "
          "the third quarter of 2025, the rural collective asset supervision platform will cover all villages in the city; "
          "Before the end of 2025, publish the village affairs of all villages on the platform every month. [Responsible units: "
          "Hezhou Municipal Bureau of Agriculture and Rural Affairs, Hezhou Municipal Bureau of Civil Affairs, Hezhou Municipal "
          "Party Committee Political and Legal Affairs Commission]"),
    ("p", "(six) Strengthen the digital skills of farmers. Carry out digital skills training for farmers, rural e-commerce "
          "operators and village cadres, and guide the elderly to use smart phones. In 2025, train more than 8,000 farmers in "
          "digital skills. [Responsible units: Hezhou Municipal Bureau of Human Resources and Social Security, Hezhou Municipal "
          "Bureau of Agriculture and Rural Affairs, Communist Youth League Hezhou Municipal Committee]"),
    ("p", "(7) Develop smart culture and tourism in rural areas. Support the construction of online exhibition halls of "
          "traditional villages and the smart reservation of rural scenic spots. By the end of November 2025, complete the "
          "digital archives of 24 traditional villages in the city. [Responsible units: Hezhou Municipal Bureau of Culture, "
          "Radio, Television and Tourism, Hezhou Municipal Bureau of Housing and Urban-Rural Development]"),
    ("h", "III. Safeguard measures"),
    ("p", "(eight) Strengthen organization and coordination. The Municipal Leading Group for Digital Village Construction "
          "shall coordinate the work, and its office shall report the progress of the tasks to the municipal government "
          "within 10 working days after the end of each quarter. All districts and counties shall submit their annual work "
          "summaries before December 15, 2025. [Responsible units: Hezhou Municipal Bureau of Agriculture and Rural Affairs, "
          "people's governments of all districts and counties]"),
    ("p", "(nine) Increase the input of funds. Make overall use of the funds for rural revitalization, the development of "
          "the digital economy and other special funds, and encourage financial institutions to develop credit products for "
          "digital agriculture. [Responsible units: Hezhou Municipal Bureau of Finance, Hezhou Central Sub-branch of the People's "
          "Bank of China]"),
]


def build_pdf(path: str) -> None:
    from fpdf import FPDF

    class GazettePDF(FPDF):
        def header(self) -> None:
            self.set_font("Helvetica", "I", 9)
            self.cell(0, 6, PDF_HEADER, align="C", new_x="LMARGIN", new_y="NEXT")
            self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
            self.ln(4)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", "", 10)
            self.cell(0, 8, f"- {self.page_no()} -", align="C")

    pdf = GazettePDF(format="A4")
    pdf.set_creation_date(PDF_TIME)
    pdf.set_title("Work Plan of Hezhou City for Promoting the Construction of Digital Villages in 2025")
    pdf.set_author("General Office of Hezhou Municipal People's Government")
    pdf.set_creator("duban examples/make_binary_examples.py")
    pdf.set_margins(22, 18, 22)
    pdf.set_auto_page_break(True, margin=22)
    pdf.add_page()
    for kind, text in PDF_BLOCKS:
        if kind == "title":
            pdf.ln(2)
            pdf.set_font("Times", "B", 14)
            pdf.multi_cell(0, 7, text, align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
        elif kind == "h":
            pdf.set_font("Times", "B", 12)
            pdf.multi_cell(0, 6.5, text, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1.5)
        elif kind in ("center", "right"):
            pdf.set_font("Times", "", 12)
            pdf.multi_cell(0, 6.5, text, align="C" if kind == "center" else "R", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1.5)
        else:
            pdf.set_font("Times", "", 12)
            pdf.multi_cell(0, 6.5, text, align="J", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2.5)
    pdf.output(path)


# --------------------------------------------------------------------------------------------
# county_plan_gbk.txt
# --------------------------------------------------------------------------------------------

GBK_TEXT = """兰山省青石市松溪县2025年农村人居环境整治提升工作方案

松溪县人民政府办公室

Song Zheng Ban [2025] No. 6

March 28, 2025

In order to continue to improve the rural living environment and build beautiful villages that are pleasant to live and work in, this work plan is formulated in light of the actual situation of our county.

I. Objectives

By the end of 2025, the harmless sanitary toilet penetration rate in rural areas of the county will reach more than 92%, and the domestic waste of all administrative villages will be collected, transported and treated in a unified way.

II. Key tasks

(1) Promote the rural toilet revolution. Complete the renovation of 1,500 household toilets before the end of October 2025, and establish a management and maintenance service station for toilets in every township. [Responsible units: 松溪县农业农村局, 松溪县卫生健康局, 各乡镇人民政府]

(2) Improve the treatment of rural domestic sewage. Build 12 centralized sewage treatment facilities in villages along the Song River, and put all of them into operation by the end of 2025. [Responsible units: 青石市生态环境局松溪分局, 松溪县住房和城乡建设局, 各乡镇人民政府]

(3) Carry out the village cleaning action. Organize a village cleaning day in every village on the last Friday of each month, and complete the clearing of garbage piled up along rivers and roads before June 30, 2025. [Responsible units: 松溪县住房和城乡建设局、松溪县水利局、各乡镇人民政府]

(4) Strengthen supervision and assessment. Carry out an appraisal of the rural living environment every quarter, and the townships ranked last shall submit a written explanation to the county government within 7 working days after the appraisal results are announced. [Responsible units: 松溪县人民政府督查室, 松溪县农业农村局]

III. Safeguard measures

All townships shall include the work of improving the rural living environment in their annual key work, and the county finance shall arrange special funds to support the above tasks.
"""


def build_gbk(path: str) -> None:
    with open(path, "wb") as f:
        f.write(GBK_TEXT.encode("gbk"))


def main() -> None:
    with open(os.path.join(HERE, "notice_tasks.html"), "w", encoding="utf-8", newline="\n") as f:
        f.write(build_html())
    build_docx(os.path.join(HERE, "feedback_rectification.docx"))
    build_pdf(os.path.join(HERE, "work_plan.pdf"))
    build_gbk(os.path.join(HERE, "county_plan_gbk.txt"))
    for name in ("notice_tasks.html", "feedback_rectification.docx", "work_plan.pdf", "county_plan_gbk.txt"):
        print(f"wrote examples/{name} ({os.path.getsize(os.path.join(HERE, name))} bytes)")


if __name__ == "__main__":
    main()
