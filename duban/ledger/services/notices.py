"""Supervision notices: a supervisor's formal urging notice to a unit, numbered, rendered as PDF and DOCX, with a
tracked reply deadline.

- Only a supervisor outside the unit's side issues one: a supervisor of a proper ancestor of the unit, or of a
  supervising office over it (an office supervises its parent's subtree; for an item whose document names its
  supervising office, that office), who holds no role in the unit or its units. About an item, the supervisor must
  also be one who may decide on the item (permissions.may_approve), and the unit is its lead owner, a co-owner, or
  an organisation above the lead owner.
- Numbers read "<place> Supervision Notice [<year>] No. <n>": the place is that of the issuing organisation (the
  first word of its nearest province, city, county or township), n counts from 1 in each year for each place,
  without gaps; a lock and the unique number keep two notices issued at once from taking the same one.
- The PDF is WeasyPrint's rendering of the template ledger/notice.html, the DOCX is built with python-docx from the
  same content; both are stored as evidence (content-addressed) and linked on the notice, which the item's history
  records ("item.notice") and the unit's inbox and members' e-mail receive, the two files attached.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from ..choices import ItemState, OrganisationKind, ReminderKind, Role
from ..errors import InvalidState, LedgerError, NotAllowed
from ..models import Item, Organisation, SourceDocument, SupervisionNotice
from . import history, permissions
from .calendar import add_working_days, working_days_between
from .evidence import DOCX, PDF, store_evidence
from .organisations import ancestors
from .reminders import Planned, create_reminder, deliver, item_label, plural, serialise
from .workflow import moment

TERRITORIAL = frozenset({OrganisationKind.PROVINCE, OrganisationKind.CITY, OrganisationKind.COUNTY,
                         OrganisationKind.TOWNSHIP})
NUMBER_FORMAT = "{place} Supervision Notice [{year}] No. {n}"
NOTICE_STATES = (ItemState.ACTIVE, ItemState.CLAIMED)



def _is_proper_ancestor(org: Organisation, of: Organisation) -> bool:
    return of.path != org.path and of.is_within(org)


def _parent_path(org: Organisation) -> str:
    """The path of the organisation's parent ("/" for a root): an office supervises everything under it."""
    return org.path[: org.path.rstrip("/").rfind("/") + 1]


def _item_office_id(item: Item | None) -> int | None:
    if item is None or item.document_id is None:
        return None
    return SourceDocument.objects.filter(pk=item.document_id).values_list("supervising_office_id", flat=True).first()


def issuing_organisations(user, unit: Organisation, item: Item | None = None) -> list[Organisation]:
    """The organisations through which the person may issue a notice to the unit (about the item), best first:
    supervising offices, then the nearest ancestor. Empty when the person may not."""
    roles = permissions.roles_of(user)
    if any(org.is_within(unit) for org, _ in roles):
        return []  # the unit's side never urges itself
    if item is not None and not permissions.may_approve(user, item):
        return []
    item_office = _item_office_id(item)
    found = []
    for org, role in roles:
        if role != Role.SUPERVISOR:
            continue
        office = (org.kind == OrganisationKind.OFFICE and unit.path.startswith(_parent_path(org))
                  and item_office in (None, org.pk))
        if office or _is_proper_ancestor(org, unit):
            found.append(org)
    return sorted(set(found), key=lambda org: (org.kind != OrganisationKind.OFFICE, -len(org.path), org.pk))


def may_issue(user, unit: Organisation, item: Item | None = None) -> bool:
    return bool(issuing_organisations(user, unit, item))


def place_of(org: Organisation) -> str:
    """The place a notice's number names: the first word of the organisation's nearest territorial level."""
    for level in [org, *ancestors(org)]:
        if level.kind in TERRITORIAL:
            return level.name.split()[0] if level.name.split() else level.name
    return org.name


def _prefix(place: str, year: int) -> str:
    return NUMBER_FORMAT.format(place=place, year=year, n="")


def next_number(place: str, year: int) -> str:
    """The next free number of the place's year; call under serialise() of the same prefix, inside the transaction."""
    prefix = _prefix(place, year)
    taken = [int(m.group(1)) for number in SupervisionNotice.objects.filter(number__startswith=prefix)
             .values_list("number", flat=True) if (m := re.fullmatch(r"(\d+)", number[len(prefix):]))]
    return NUMBER_FORMAT.format(place=place, year=year, n=max(taken, default=0) + 1)


def _recipient_allowed(item: Item, unit: Organisation) -> bool:
    if unit.pk == item.lead_owner_id or item.co_owners.filter(pk=unit.pk).exists():
        return True
    return item.lead_owner is not None and _is_proper_ancestor(unit, item.lead_owner)


def _reply_due(on: date, unit: Organisation, reply_days: int | None, reply_due: date | None) -> date:
    if (reply_days is None) == (reply_due is None):
        raise LedgerError("give the reply deadline one way: a number of working days or a date")
    if reply_days is not None:
        if reply_days < 1:
            raise LedgerError("a notice allows at least one working day to reply")
        return add_working_days(on, reply_days, unit.country, unit.region).date
    if reply_due <= on:
        raise LedgerError(f"the reply deadline ({reply_due}) must come after the notice's date ({on})")
    return reply_due


@transaction.atomic
def issue_notice(user, *, organisation: Organisation | None = None, item: Item | None = None, on: date,
                 reply_days: int | None = None, reply_due: date | None = None, text: str) -> SupervisionNotice:
    """Issue a numbered supervision notice to a unit, about an item or not; see the module's docstring for who may."""
    if item is not None:
        item = Item.objects.select_for_update(of=("self",)).select_related("lead_owner", "document").get(pk=item.pk)
        if item.state not in NOTICE_STATES:
            raise InvalidState(f"cannot issue a supervision notice about an item that is {item.get_state_display().lower()}: "
                               "only active or completion-claimed items are urged")
        organisation = organisation or item.lead_owner
    if not isinstance(organisation, Organisation) or organisation.pk is None:
        raise LedgerError("a supervision notice is addressed to one organisation (for an item, its lead owner by default)")
    if item is not None and not _recipient_allowed(item, organisation):
        raise LedgerError(f"a notice about {item_label(item)} goes to its lead owner, a co-owner or an organisation "
                          f"above the lead owner, not to {organisation.name}")
    issuers = issuing_organisations(user, organisation, item)
    if not issuers:
        raise NotAllowed(f"{permissions.who(user)} may not issue a supervision notice to {organisation.name}: only a supervisor of "
                         f"a supervising office over it or of an organisation above it, holding no role in "
                         f"{organisation.name} or its units, may")
    text = (text or "").strip()
    if not text:
        raise LedgerError("the text of a supervision notice is required")
    due = _reply_due(on, organisation, reply_days, reply_due)
    issuer, place = issuers[0], place_of(issuers[0])

    serialise(f"duban.notice:{_prefix(place, on.year)}")
    notice = SupervisionNotice.objects.create(
        number=next_number(place, on.year), item=item, organisation=organisation, issued_by=user, issued_on=on,
        reply_due=due, text=text, created_at=timezone.now())
    content = notice_content(notice, issuer)
    pdf, docx = render_pdf(content), render_docx(content)
    stem = re.sub(r"[^a-z0-9]+", "-", notice.number.lower()).strip("-")
    at = moment(on)
    notice.pdf = store_evidence(io.BytesIO(pdf), f"{stem}.pdf", content_type=PDF, actor=user, at=at)
    notice.docx = store_evidence(io.BytesIO(docx), f"{stem}.docx", content_type=DOCX, actor=user, at=at)
    notice.save(update_fields=["pdf", "docx"])

    recorded = {"notice": notice.pk, "number": notice.number, "organisation": organisation.pk, "issuer": issuer.pk,
                "issued_on": on, "reply_due": due, "pdf": notice.pdf.sha256, "docx": notice.docx.sha256}
    if item is not None:
        history.record(user.get_username(), "item.notice", item, after=recorded, at=at)
    else:
        history.record(user.get_username(), "notice.issue", notice, after=recorded, at=at)

    message = (f"{notice.number} from {issuer.name} to {organisation.name}"
               + (f" about {item_label(item)}" if item is not None else "")
               + f": {text}\nA written reply is due by {due}. The notice is attached as PDF and DOCX.")
    planned = Planned(ReminderKind.NOTICE, item, organisation, 0, notice.number, message)
    reminder = create_reminder(planned, on, actor=user.get_username())
    deliver([reminder], attachments={reminder.pk: [(f"{stem}.pdf", pdf, PDF), (f"{stem}.docx", docx, DOCX)]})
    return notice


# --- the document ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class NoticeContent:
    """What both renderings of a notice say, in order."""

    number: str
    issuer: str
    place: str  # the issuing organisation's territorial level in full, e.g. "Lanshan Province"
    recipient: str
    paragraphs: tuple[str, ...]
    facts: tuple[tuple[str, str], ...]  # the item's particulars, label and value
    reply: str
    issued_on: date


def _long_date(day: date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


def notice_content(notice: SupervisionNotice, issuer: Organisation) -> NoticeContent:
    """The notice's wording, from the notice and the item it is about."""
    unit, item, on = notice.organisation, notice.item, notice.issued_on
    place = next((level.name for level in [issuer, *ancestors(issuer)] if level.kind in TERRITORIAL), issuer.name)
    facts = []
    if item is not None:
        facts.append(("Item", item_label(item)))
        if item.document_id:
            document = item.document
            lines = f"line {item.line_start}" if item.line_start == item.line_end else f"lines {item.line_start}–{item.line_end}"
            facts.append(("Source", f"{' '.join(document.title.split())}, {lines}" if item.line_start else document.title))
        elif item.source_ref:
            facts.append(("Source", item.source_ref))
        if item.quote and item.quote != item.title:
            facts.append(("As written", " ".join(item.quote.split())))
        facts.append(("Lead owner", item.lead_owner.name if item.lead_owner else "-"))
        if item.due:
            owner = item.lead_owner
            calendar = (owner.country, owner.region) if owner is not None else ("CN", "")
            late = working_days_between(item.due, on, *calendar) if item.due < on else 0
            status = f"{plural(late, 'working day')} overdue" if late else ("overdue" if item.due < on else "not yet due")
            facts.append(("Due", f"{_long_date(item.due)} ({status} on {_long_date(on)})"))
        facts.append(("State", item.get_state_display()))
    paragraphs = tuple(p.strip() for p in re.split(r"\n\s*\n|\n", notice.text) if p.strip())
    reply_days = working_days_between(on, notice.reply_due, unit.country, unit.region)
    reply = (f"Please reply in writing to {issuer.name} by {_long_date(notice.reply_due)} "
             f"({plural(reply_days, 'working day')}), stating what has been done, by whom and by when, with the evidence.")
    return NoticeContent(notice.number, issuer.name, place, unit.name, paragraphs, tuple(facts), reply, on)


def render_html(content: NoticeContent) -> str:
    return render_to_string("ledger/notice.html", {"notice": content, "issued": _long_date(content.issued_on)})


def render_pdf(content: NoticeContent) -> bytes:
    """The notice as PDF: WeasyPrint's rendering of ledger/notice.html (it needs Pango: `make install` as root)."""
    try:
        from weasyprint import HTML
    except OSError as error:  # the Python package is there, Debian's Pango libraries are not
        raise LedgerError(f"rendering a PDF needs the Pango libraries (run `make install` as root): {error}") from None
    return HTML(string=render_html(content)).write_pdf()


def render_docx(content: NoticeContent) -> bytes:
    """The notice as a Word document with python-docx: the same content as the PDF, laid out the same way."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    document = Document()
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "Times New Roman", Pt(12)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "SimSun")
    moment_of_issue = datetime.combine(content.issued_on, time(12), tzinfo=ZoneInfo(settings.TIME_ZONE))
    properties = document.core_properties
    properties.title, properties.author = content.number, content.issuer
    properties.created = properties.modified = moment_of_issue
    properties.last_modified_by, properties.revision = content.issuer, 1

    def paragraph(text: str = "", *, align=None, size: int | None = None, bold=False, colour=None, after: int = 6):
        p = document.add_paragraph()
        p.paragraph_format.space_after = Pt(after)
        if align is not None:
            p.alignment = align
        if text:
            run = p.add_run(text)
            run.bold = bold
            if size:
                run.font.size = Pt(size)
            if colour:
                run.font.color.rgb = colour
        return p

    red = RGBColor(0xC0, 0x00, 0x00)
    paragraph(content.issuer, align=WD_ALIGN_PARAGRAPH.CENTER, size=22, bold=True, colour=red, after=0)
    paragraph("Supervision Notice", align=WD_ALIGN_PARAGRAPH.CENTER, size=18, bold=True, colour=red, after=6)
    rule = paragraph(content.number, align=WD_ALIGN_PARAGRAPH.CENTER, after=12)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for name, value in (("val", "single"), ("sz", "12"), ("space", "6"), ("color", "C00000")):
        bottom.set(qn(f"w:{name}"), value)
    borders.append(bottom)
    rule._p.get_or_add_pPr().append(borders)

    paragraph(f"To {content.recipient}:", bold=True, after=12)
    for text in content.paragraphs:
        paragraph(text)
    if content.facts:
        table = document.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, value in content.facts:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = label, value
            cells[0].paragraphs[0].runs[0].bold = True
        paragraph(after=0)
    paragraph(content.reply, after=24)
    paragraph(content.issuer, align=WD_ALIGN_PARAGRAPH.RIGHT, after=0)
    paragraph(content.place, align=WD_ALIGN_PARAGRAPH.RIGHT, after=0)
    paragraph(_long_date(content.issued_on), align=WD_ALIGN_PARAGRAPH.RIGHT)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- replies --------------------------------------------------------------------------------------------------------

def may_record_reply(user, notice: SupervisionNotice) -> bool:
    """The unit's own staff (owner staff of it or its units) send the reply; a supervisor who may issue it a notice
    records one received on paper."""
    unit = notice.organisation
    staff = any(role == Role.OWNER_STAFF and org.is_within(unit) for org, role in permissions.roles_of(user))
    return staff or may_issue(user, unit)


@transaction.atomic
def record_reply(user, notice: SupervisionNotice, *, on: date) -> SupervisionNotice:
    """Record the unit's reply to a notice on a date; a reply after the deadline is recorded as late."""
    notice = SupervisionNotice.objects.select_for_update(of=("self",)).select_related("organisation", "item").get(pk=notice.pk)
    if not may_record_reply(user, notice):
        raise NotAllowed(f"{permissions.who(user)} may not record the reply to {notice.number}: only staff of "
                         f"{notice.organisation.name} or a supervisor over it may")
    if notice.replied_on is not None:
        raise InvalidState(f"{notice.number} was already replied to on {notice.replied_on}")
    if on < notice.issued_on:
        raise LedgerError(f"a reply dated {on} comes before the notice it answers ({notice.issued_on})")
    notice.replied_on = on
    notice.save(update_fields=["replied_on"])
    recorded = {"notice": notice.pk, "number": notice.number, "replied_on": on, "late": on > notice.reply_due}
    if notice.item_id is not None:
        history.record(user.get_username(), "item.notice_reply", notice.item, after=recorded, at=moment(on))
    else:
        history.record(user.get_username(), "notice.reply", notice, before={"replied_on": None}, after=recorded,
                       at=moment(on))
    return notice


@dataclass(frozen=True)
class OverdueReply:
    """A notice whose reply was due before the day and had not come by its end."""

    notice: SupervisionNotice
    working_days_late: int

    @property
    def reason(self) -> str:
        late = f"{self.working_days_late} working day{'s' if self.working_days_late != 1 else ''}"
        return (f"no reply to {self.notice.number} from {self.notice.organisation.name}: "
                f"it was due on {self.notice.reply_due}, {late} ago")


def notices_overdue(as_of: date) -> list[OverdueReply]:
    """The notices whose reply is overdue as of the day (issued by then, due before it, not replied by its end)."""
    found = (SupervisionNotice.objects.filter(issued_on__lte=as_of, reply_due__lt=as_of)
             .filter(Q(replied_on__isnull=True) | Q(replied_on__gt=as_of))
             .select_related("organisation", "item").order_by("reply_due", "id"))
    return [OverdueReply(n, working_days_between(n.reply_due, as_of, n.organisation.country, n.organisation.region))
            for n in found]
