"""Supervision notices: who may issue one, its number, its PDF and DOCX (opened here), its history and its reply.

Reply deadlines on China's 2025 calendar: the ten working days after Monday 23 June end on Monday 7 July.
"""

from __future__ import annotations

import multiprocessing
from datetime import date, datetime, timezone

import docx
import pypdf
import pytest
from django.core import mail
from django.db import connections

from duban import cli
from duban.ledger.choices import Genre, ItemState, ReminderKind, Role
from duban.ledger.errors import InvalidState, LedgerError, NotAllowed
from duban.ledger.models import Event, Evidence, Item, Organisation, Reminder, SourceDocument, SourceFile, SupervisionNotice
from duban.ledger.services import notices
from duban.ledger.services.evidence import DOCX, PDF, evidence_path
from duban.ledger.services.notices import issue_notice, notices_overdue, record_reply
from duban.ledger.services.organisations import create_person
from duban.ledger.services.reminders import inbox, remind
from duban.ledger.services.workflow import assign_owner, confirm

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)
ON = date(2025, 6, 23)
REPLY_DUE = date(2025, 7, 7)
TEXT = "The task is overdue.\n\nRectify it at once and report what was done."


@pytest.fixture(autouse=True)
def evidence_dir(settings, tmp_path):
    settings.EVIDENCE_DIR = tmp_path / "evidence"
    return settings.EVIDENCE_DIR


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what waits for the commit (placing the files, sending the e-mail), as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def world(tree):
    source = SourceFile.objects.create(name="plan.txt", sha256="a" * 64, size=1, format="txt",
                                       extractor_version="test", ingested_at=T0)
    tree.document = SourceDocument.objects.create(
        file=source, index=1, record_id="doc-1", title="Work Plan for Government Services in Qingshi", genre=Genre.PLAN,
        line_start=1, line_end=40, first_line=1, text="…", supervising_office=tree.office)
    tree.item = Item.objects.create(
        kind="task", number="(3)", title="Open every service hall on Saturdays", state="draft",
        quote="Open every service hall on Saturdays before June 2025.", document=tree.document, line_start=12,
        line_end=12, due=date(2025, 6, 20), created_at=T0, updated_at=T0)
    assign_owner(tree.sup, tree.item, tree.housing, [tree.bigdata], at=T0)
    confirm(tree.sup, tree.item, at=T0)
    return tree


def issue(world, user=None, **kwargs) -> SupervisionNotice:
    arguments = {"item": world.item, "on": ON, "reply_days": 10, "text": TEXT} | kwargs
    return issue_notice(user or world.sup, **arguments)


def pdf_text(evidence: Evidence) -> str:
    reader = pypdf.PdfReader(evidence_path(evidence.sha256))
    return "\n".join(page.extract_text() for page in reader.pages)


def docx_text(evidence: Evidence) -> str:
    document = docx.Document(str(evidence_path(evidence.sha256)))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_a_notice_renders_to_pdf_and_docx_that_open_and_name_the_number_and_unit(world, committed):
    with committed():
        notice = issue(world)
    assert notice.number == "Lanshan Supervision Notice [2025] No. 1"
    assert (notice.pdf.content_type, notice.docx.content_type) == (PDF, DOCX)
    for text in (pdf_text(notice.pdf), docx_text(notice.docx)):
        flat = " ".join(text.split())
        assert "Lanshan Supervision Notice [2025] No. 1" in flat
        assert "To Qingshi Housing Bureau:" in flat
        assert "Provincial Supervision Office" in flat and "Rectify it at once" in flat
        assert "Open every service hall on Saturdays" in flat
        assert "7 July 2025 (10 working days)" in flat


def test_the_document_states_the_items_particulars(world, committed):
    with committed():
        notice = issue(world)
    flat = " ".join(docx_text(notice.docx).split())
    assert "Work Plan for Government Services in Qingshi, line 12" in flat
    assert "20 June 2025 (1 working day overdue on 23 June 2025)" in flat
    assert "Qingshi Housing Bureau" in flat and "Completion claimed" not in flat and "Active" in flat


def test_numbers_are_sequential_within_a_year_and_restart_the_next(world):
    numbers = [issue(world).number for _ in range(3)]
    numbers.append(issue(world, on=date(2026, 1, 5)).number)
    assert numbers == [f"Lanshan Supervision Notice [2025] No. {n}" for n in (1, 2, 3)] + [
        "Lanshan Supervision Notice [2026] No. 1"]


def test_each_place_numbers_its_own_notices(world):
    issue(world)
    city = issue(world, world.city_sup)
    assert city.number == "Qingshi Supervision Notice [2025] No. 1"


def test_a_notice_that_fails_leaves_no_gap(world, monkeypatch):
    def broken(content):
        raise LedgerError("the printer is on fire")

    monkeypatch.setattr(notices, "render_docx", broken)
    with pytest.raises(LedgerError, match="on fire"):
        issue(world)
    assert not SupervisionNotice.objects.exists() and not Event.objects.filter(action="item.notice").exists()
    monkeypatch.undo()
    assert issue(world).number.endswith("[2025] No. 1")


def test_the_notice_is_recorded_in_the_items_history(world):
    notice = issue(world)
    event = Event.objects.get(action="item.notice")
    assert (event.actor, event.object_type, event.object_id) == ("sup", "item", world.item.pk)
    assert event.after | {"pdf": "", "docx": ""} == {
        "notice": notice.pk, "number": notice.number, "organisation": world.housing.pk, "issuer": world.office.pk,
        "issued_on": "2025-06-23", "reply_due": "2025-07-07", "pdf": "", "docx": ""}
    assert (event.after["pdf"], event.after["docx"]) == (notice.pdf.sha256, notice.docx.sha256)


def test_the_reply_deadline_is_working_days_or_a_date(world):
    assert issue(world).reply_due == REPLY_DUE
    assert issue(world, reply_days=None, reply_due=date(2025, 7, 1)).reply_due == date(2025, 7, 1)
    for wrong in ({"reply_days": None}, {"reply_due": date(2025, 7, 1)}, {"reply_days": 0},
                  {"reply_days": None, "reply_due": ON}):
        with pytest.raises(LedgerError):
            issue(world, **wrong)


def test_a_notice_reaches_the_units_inbox_and_members_with_the_files_attached(world, committed):
    world.housing_staff.email = "staff@housing.qingshi.example"
    world.housing_staff.save()
    with committed():
        notice = issue(world)
    [entry] = inbox(world.housing_staff)
    assert (entry.kind, entry.item_id, entry.organisation_id) == (ReminderKind.NOTICE, world.item.pk, world.housing.pk)
    assert notice.number in entry.message and "2025-07-07" in entry.message
    [message] = mail.outbox
    assert message.to == ["staff@housing.qingshi.example"] and notice.number in message.body
    assert [(name, kind) for name, _, kind in message.attachments] == [
        ("lanshan-supervision-notice-2025-no-1.pdf", PDF), ("lanshan-supervision-notice-2025-no-1.docx", DOCX)]


def test_a_notice_to_a_unit_about_no_item(world, committed):
    with committed():
        notice = issue(world, item=None, organisation=world.county, text="Your county has 14 overdue tasks.")
    assert "To Songxi County:" in " ".join(pdf_text(notice.pdf).split())
    assert Event.objects.get(action="notice.issue").object_id == notice.pk
    assert [r.kind for r in inbox(world.county_staff)] == [ReminderKind.NOTICE]


# --- who may issue -----------------------------------------------------------------------------------------------

def test_the_owners_side_may_not_issue_a_notice(world):
    with pytest.raises(NotAllowed, match="housing_staff may not issue a supervision notice"):
        issue(world, world.housing_staff)


def test_a_verifier_is_not_a_supervisor(world):
    with pytest.raises(NotAllowed):
        issue(world, world.ver)


def test_a_supervisor_with_a_role_in_the_unit_may_not(world):
    both = create_person("both", roles=[(world.office, Role.SUPERVISOR), (world.housing, Role.OWNER_STAFF)])
    with pytest.raises(NotAllowed):
        issue(world, both)


def test_a_supervisor_only_urges_units_below_or_under_its_office(world):
    with pytest.raises(NotAllowed):  # the city is not above the provincial bureau, a co-owner
        issue(world, world.city_sup, organisation=world.bigdata)
    assert issue(world, world.sup, organisation=world.bigdata).organisation == world.bigdata
    with pytest.raises(NotAllowed):  # nor above the province
        issue(world, world.city_sup, item=None, organisation=world.province)


def test_a_notice_about_an_item_goes_to_its_owners_or_above(world):
    assert issue(world, organisation=world.city).organisation == world.city
    with pytest.raises(LedgerError, match="not to Songxi County"):
        issue(world, organisation=world.county)


def test_only_open_items_are_urged(world):
    draft = Item.objects.create(kind="task", state=ItemState.DRAFT, document=world.document, created_at=T0, updated_at=T0)
    with pytest.raises(InvalidState):
        issue(world, item=draft, organisation=world.housing)


# --- replies ----------------------------------------------------------------------------------------------------

def test_the_unit_records_its_reply_once(world):
    notice = record_reply(world.housing_staff, issue(world), on=date(2025, 7, 2))
    assert notice.replied_on == date(2025, 7, 2)
    event = Event.objects.get(action="item.notice_reply")
    assert event.after == {"notice": notice.pk, "number": notice.number, "replied_on": "2025-07-02", "late": False}
    with pytest.raises(InvalidState, match="already replied"):
        record_reply(world.housing_staff, notice, on=date(2025, 7, 3))


def test_a_late_reply_is_recorded_as_late(world):
    record_reply(world.sup, issue(world), on=date(2025, 7, 8))
    assert Event.objects.get(action="item.notice_reply").after["late"] is True


def test_a_reply_needs_the_units_side_or_a_supervisor_over_it(world):
    notice = issue(world)
    with pytest.raises(NotAllowed):
        record_reply(world.county_staff, notice, on=date(2025, 7, 2))
    with pytest.raises(LedgerError, match="before the notice"):
        record_reply(world.housing_staff, notice, on=date(2025, 6, 20))


def test_an_overdue_reply_is_listed_as_of_the_date(world):
    notice = issue(world)
    assert notices_overdue(REPLY_DUE) == []
    [late] = notices_overdue(date(2025, 7, 9))
    assert (late.notice, late.working_days_late) == (notice, 2)
    assert late.reason == f"no reply to {notice.number} from Qingshi Housing Bureau: it was due on 2025-07-07, 2 working days ago"
    record_reply(world.housing_staff, notice, on=date(2025, 7, 10))
    assert [n.notice for n in notices_overdue(date(2025, 7, 9))] == [notice]  # as it stood that day
    assert notices_overdue(date(2025, 7, 10)) == []
    assert notices_overdue(date(2025, 6, 1)) == []


def test_remind_flags_an_overdue_reply_to_the_unit_once(world):
    notice = issue(world)
    remind(date(2025, 7, 8))
    flagged = Reminder.objects.filter(kind=ReminderKind.OVERDUE, key__endswith=notice.number)
    assert [(r.organisation, r.item) for r in flagged] == [(world.housing, world.item)]
    assert "Reply overdue: no reply to" in flagged[0].message
    remind(date(2025, 7, 9))
    assert flagged.count() == 1


# --- the command line -------------------------------------------------------------------------------------------

def duban(capsys, *args) -> tuple[int, str, str]:
    status = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


def test_the_notice_commands(world, capsys, committed):
    with committed():
        status, out, err = duban(capsys, "ledger", "notice", world.item.pk, "--reply-days", 10, "--text", TEXT,
                                 "--as", "sup", "--on", ON)
    assert status == 0, err
    notice = SupervisionNotice.objects.get()
    assert out.splitlines()[0] == (f"{notice.number}: issued on 2025-06-23 to Qingshi Housing Bureau about "
                                   f"#{world.item.pk}; reply due 2025-07-07")
    paths = [line.split(maxsplit=1)[1] for line in out.splitlines()[1:3]]
    assert paths == [str(evidence_path(notice.pdf.sha256)), str(evidence_path(notice.docx.sha256))]
    assert notice.number in pypdf.PdfReader(paths[0]).pages[0].extract_text()

    status, out, _ = duban(capsys, "ledger", "notices", "--as-of", "2025-07-09")
    assert "red flag: no reply to Lanshan Supervision Notice [2025] No. 1" in out
    status, out, err = duban(capsys, "ledger", "notice-reply", notice.number, "--as", "housing_staff", "--on", "2025-07-09")
    assert (status, out) == (0, f"{notice.number}: replied on 2025-07-09 (late); it was due 2025-07-07\n"), err
    status, out, err = duban(capsys, "ledger", "notice", "--org", "Songxi County", "--reply-days", 5, "--text", "Hurry.",
                             "--as", "housing_staff", "--on", ON)
    assert status == 1 and "may not issue a supervision notice" in err


# --- concurrency (PostgreSQL) ------------------------------------------------------------------------------------

NOTICES_PER_PROCESS = 4


def _issue_notices(unit_id: int, barrier) -> None:
    from django.contrib.auth import get_user_model

    sup, unit = get_user_model().objects.get(username="sup"), Organisation.objects.get(pk=unit_id)
    barrier.wait()
    for _ in range(NOTICES_PER_PROCESS):
        issue_notice(sup, organisation=unit, on=ON, reply_days=5, text="Report now.")
    connections.close_all()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_notices_issued_at_once_take_distinct_numbers_without_gaps(tree):
    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(2)
    workers = [context.Process(target=_issue_notices, args=(org.pk, barrier)) for org in (tree.housing, tree.county)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert [worker.exitcode for worker in workers] == [0, 0]
    numbers = sorted(SupervisionNotice.objects.values_list("number", flat=True), key=lambda n: int(n.rsplit(" ", 1)[1]))
    assert numbers == [f"Lanshan Supervision Notice [2025] No. {n}" for n in range(1, 2 * NOTICES_PER_PROCESS + 1)]
