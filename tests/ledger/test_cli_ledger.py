"""`duban ingest` and `duban ledger …`: names and ids resolved, services called, results printed, refusals exit 1.

The commands run in-process through duban.cli.main on the test database; one subprocess checks that the
extractor's commands never import Django.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from duban import cli
from duban.ledger import demo
from duban.ledger.choices import Genre, ItemState, Role
from duban.ledger.models import ChangeRequest, Event, Item, Organisation, ReinspectionCheck, SourceDocument, SourceFile
from duban.ledger.services.organisations import create_person

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)

PLAN = """Work Plan of Songxi County for Improving Rural Roads in 2025

Songxi County People's Government Office

March 28, 2025

I. Key tasks

(1) Repair the village roads. Complete the repair of 120 kilometres of village roads before the end of October 2025. [Responsible units: Songxi County Transport Bureau]

(2) Light the village roads. Install street lights in every administrative village by the end of 2025. [Responsible units: Songxi County Housing Bureau]
"""


@pytest.fixture(autouse=True)
def evidence_dir(settings, tmp_path):
    settings.EVIDENCE_DIR = tmp_path / "evidence"


@pytest.fixture
def world(tree):
    """The shared tree, an administrator, and a document supervised by the office with two tasks and a finding."""
    tree.admin = create_person("admin", roles=[(tree.province, Role.ADMINISTRATOR)])
    source = SourceFile.objects.create(name="plan.txt", sha256="a" * 64, size=1, format="txt",
                                       extractor_version="test", ingested_at=T0)
    tree.document = SourceDocument.objects.create(
        file=source, index=1, record_id="doc-1", title="Housing plan", genre=Genre.PLAN, line_start=1, line_end=9,
        first_line=1, text="Housing plan", supervising_office=tree.office)

    def item(kind, number, quote, due=None):
        return Item.objects.create(kind=kind, number=number, quote=quote, title=quote.split(".")[0], due=due,
                                   original_due=due, document=tree.document, line_start=3, line_end=3,
                                   created_at=T0, updated_at=T0)

    tree.four = item("task", "(four)", "Inspect the old housing estates. Before June 2025.", date(2025, 6, 30))
    tree.five = item("task", "(five)", "Repair the roofs of the estates. Before September 2025.", date(2025, 9, 30))
    tree.finding = item("finding", "", "The Qingshi Housing Bureau failed to inspect 12 estates.")
    return tree


def duban(capsys, *args: str) -> tuple[int, str, str]:
    status = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


def ok(capsys, *args: str) -> str:
    status, out, err = duban(capsys, *args)
    assert status == 0, err
    return out


def refused(capsys, *args: str) -> str:
    status, out, err = duban(capsys, *args)
    assert status == 1, out
    assert err.startswith("duban: ")
    return err


def active(capsys, world, number="(four)", lead="Qingshi Housing Bureau", *co: str) -> Item:
    item = {"(four)": world.four, "(five)": world.five}[number]
    ok(capsys, "ledger", "assign", item.pk, "--lead", lead, *(("--co", *co) if co else ()), "--as", "sup",
       "--on", "2025-03-10")
    ok(capsys, "ledger", "confirm", item.pk, "--as", "sup", "--on", "2025-03-10")
    item.refresh_from_db()
    return item


def evidence_file(tmp_path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_extractors_commands_never_import_django_nor_the_ledgers_commands():
    code = ("import sys; from duban import cli; cli.main(['documents', '-q', 'examples/inspection_feedback.txt']); "
            "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'; "
            "assert 'duban.ledger.commands' not in sys.modules, 'ledger commands imported'")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "oversight" in done.stdout


def test_help_lists_ingest_and_the_ledger_commands(capsys):
    with pytest.raises(SystemExit):
        cli.main(["ledger", "--help"])
    out = capsys.readouterr().out
    for name in ("items", "show", "assign", "confirm", "claim", "verify", "reject-claim", "request-deadline",
                 "approve", "refuse", "reinspect", "flags", "export", "verify-history", "anchor", "demo"):
        assert name in out


def test_items_lists_and_filters(capsys, world):
    active(capsys, world, "(four)", "Songxi County")
    out = ok(capsys, "ledger", "items")
    assert "3 items" in out and "(four)" in out and "Songxi County" in out
    assert "1 item\n" in ok(capsys, "ledger", "items", "--state", "active")
    assert "2 items" in ok(capsys, "ledger", "items", "--kind", "task")
    by_city = ok(capsys, "ledger", "items", "--owner", "Qingshi City")  # a county under the city counts
    assert "(four)" in by_city and "1 item\n" in by_city
    assert "0 items" in ok(capsys, "ledger", "items", "--document", world.document.pk + 1)
    assert "unknown state done; one of draft, active" in refused(capsys, "ledger", "items", "--state", "done")


def test_overdue_as_of_a_date(capsys, world):
    active(capsys, world)
    assert "0 items" in ok(capsys, "ledger", "items", "--overdue-as-of", "2025-06-30")
    out = ok(capsys, "ledger", "items", "--overdue-as-of", "2025-07-01")
    assert "(four)" in out and "1 item\n" in out


def test_an_item_is_named_by_id_number_quote_or_kind(capsys, world):
    assert ok(capsys, "ledger", "show", world.four.pk).startswith(f"#{world.four.pk} task (four)")
    assert ok(capsys, "ledger", "show", "--number", "(five)", "--document", world.document.pk).startswith(f"#{world.five.pk} ")
    assert ok(capsys, "ledger", "show", "--quote", "failed to inspect").startswith(f"#{world.finding.pk} finding")
    assert ok(capsys, "ledger", "show", "--kind", "finding").startswith(f"#{world.finding.pk} ")
    assert "2 items match kind 'task'" in refused(capsys, "ledger", "show", "--kind", "task")
    assert "no item matches number '(six)'" in refused(capsys, "ledger", "show", "--number", "(six)")
    assert "no item #999" in refused(capsys, "ledger", "show", "999")
    assert "name the item" in refused(capsys, "ledger", "show", "--document", world.document.pk)


def test_assign_and_confirm_make_a_draft_active(capsys, world):
    out = ok(capsys, "ledger", "assign", world.four.pk, "--lead", "Qingshi Housing Bureau", "--co", "Songxi County",
             "--as", "sup")
    assert out.strip() == f"#{world.four.pk} task (four): led by Qingshi Housing Bureau with Songxi County"
    out = ok(capsys, "ledger", "confirm", world.four.pk, "--as", "sup", "--on", "2025-03-10")
    assert out.strip() == f"#{world.four.pk} task (four): active, due 2025-06-30"
    world.four.refresh_from_db()
    assert world.four.state == ItemState.ACTIVE and world.four.lead_owner == world.housing
    confirmed = Event.objects.get(item_id=world.four.pk, action="item.confirm")
    assert confirmed.actor == "sup" and confirmed.at.date() == date(2025, 3, 10)


def test_organisations_by_id_or_alias_and_unknown_names_refused(capsys, world):
    world.housing.aliases.create(name="Housing Bureau of Qingshi")
    ok(capsys, "ledger", "assign", world.four.pk, "--lead", "housing bureau of qingshi", "--as", "sup")
    ok(capsys, "ledger", "assign", world.five.pk, "--lead", str(world.county.pk), "--as", "sup")
    assert Item.objects.get(pk=world.five.pk).lead_owner == world.county
    err = refused(capsys, "ledger", "assign", world.four.pk, "--lead", "Housing", "--as", "sup")
    assert "no organisation called 'Housing'; did you mean 'Qingshi Housing Bureau'?" in err
    assert "no person with the username 'nobody'" in refused(capsys, "ledger", "confirm", world.four.pk, "--as", "nobody")


def test_a_refusal_prints_the_rule_and_exits_1(capsys, world):
    err = refused(capsys, "ledger", "confirm", world.four.pk, "--as", "sup")
    assert "a draft without a lead owner cannot be confirmed" in err
    err = refused(capsys, "ledger", "assign", world.four.pk, "--lead", "Qingshi Housing Bureau", "--as", "housing_staff")
    assert "housing_staff may not assign this owner" in err
    assert Item.objects.get(pk=world.four.pk).state == ItemState.DRAFT


def test_reject_draft_needs_a_reason(capsys, world):
    out = ok(capsys, "ledger", "reject-draft", world.finding.pk, "--reason", "not a finding", "--as", "admin")
    assert "rejected as extraction error" in out


def test_progress_claim_and_verify_from_outside_the_owners_side(capsys, world, tmp_path):
    item = active(capsys, world, "(four)", "Qingshi Housing Bureau", "Songxi County")
    photos = evidence_file(tmp_path, "photos.txt", "12 estates inspected")
    out = ok(capsys, "ledger", "progress", item.pk, "--text", "half done", "--evidence", photos,
             "--as", "county_staff", "--on", "2025-04-01")
    assert "progress reported on 2025-04-01 [photos.txt " in out
    assert "may not claim completion" in refused(capsys, "ledger", "claim", item.pk, "--as", "county_staff",
                                                 "--on", "2025-04-02")
    out = ok(capsys, "ledger", "claim", item.pk, "--evidence", photos, "--as", "housing_staff", "--on", "2025-04-07")
    assert "completion claimed" in out

    err = refused(capsys, "ledger", "verify", item.pk, "--evidence", photos, "--as", "housing_ver", "--on", "2025-04-09")
    assert "housing_ver may not verify completion" in err
    digest = item.claims.get().evidence.get().sha256
    out = ok(capsys, "ledger", "verify", item.pk, "--evidence", digest[:12], "--as", "ver", "--on", "2025-04-09")
    assert "closed (verified)" in out and "verified by ver" in out
    shown = ok(capsys, "ledger", "show", item.pk)
    assert "2025-04-09 verified by ver" in shown and "item.verify" in shown and "co-owners:  Songxi County" in shown


def test_verify_needs_a_pending_claim_and_known_evidence(capsys, world, tmp_path):
    item = active(capsys, world)
    assert "has no completion claim awaiting verification" in refused(
        capsys, "ledger", "verify", item.pk, "--evidence", "0" * 12, "--as", "ver")
    ok(capsys, "ledger", "claim", item.pk, "--as", "housing_staff", "--on", "2025-04-07")
    assert "no stored evidence file has that sha256" in refused(
        capsys, "ledger", "verify", item.pk, "--evidence", "0" * 12, "--as", "ver", "--on", "2025-04-09")
    assert "no such file" in refused(capsys, "ledger", "verify", item.pk, "--evidence", str(tmp_path / "missing.pdf"),
                                     "--as", "ver", "--on", "2025-04-09")


def test_a_same_day_verification_is_reported_as_flagged(capsys, world, tmp_path):
    item = active(capsys, world)
    ok(capsys, "ledger", "claim", item.pk, "--as", "housing_staff", "--on", "2025-04-07")
    note = evidence_file(tmp_path, "note.txt", "checked")
    out = ok(capsys, "ledger", "verify", item.pk, "--evidence", note, "--as", "ver", "--on", "2025-04-07")
    assert "flagged: verified on the working day of the claim" in out


def test_reject_claim_makes_the_item_active_again(capsys, world):
    item = active(capsys, world)
    ok(capsys, "ledger", "claim", item.pk, "--as", "housing_staff", "--on", "2025-04-07")
    out = ok(capsys, "ledger", "reject-claim", item.pk, "--reason", "photos missing", "--as", "ver", "--on", "2025-04-08")
    assert "active" in out and "rejected: photos missing" in out


def test_deadline_change_and_cancellation_need_an_approved_request(capsys, world):
    item = active(capsys, world)
    out = ok(capsys, "ledger", "request-deadline", item.pk, "--to", "2025-09-30", "--reason", "rain",
             "--as", "housing_staff", "--on", "2025-05-01")
    request = ChangeRequest.objects.get(item=item)
    assert f"request #{request.pk} to move the deadline to 2025-09-30 awaits approval" in out
    assert "may not approve a deadline change" in refused(capsys, "ledger", "approve", request.pk, "--as", "housing_ver")
    out = ok(capsys, "ledger", "approve", request.pk, "--as", "sup", "--on", "2025-05-02")
    assert "due 2025-09-30, originally 2025-06-30, extended 1 time" in out

    ok(capsys, "ledger", "request-cancel", item.pk, "--reason", "merged into (five)", "--as", "housing_staff",
       "--on", "2025-05-03")
    cancel = ChangeRequest.objects.filter(item=item).latest("id")
    assert "refused" in ok(capsys, "ledger", "refuse", cancel.pk, "--reason", "still needed", "--as", "sup",
                           "--on", "2025-05-04")
    ok(capsys, "ledger", "request-cancel", item.pk, "--reason", "merged into (five)", "--as", "housing_staff",
       "--on", "2025-05-05")
    cancel = ChangeRequest.objects.filter(item=item).latest("id")
    assert "cancelled" in ok(capsys, "ledger", "approve", cancel.pk, "--as", "sup", "--on", "2025-05-06")
    assert "no change request #999" in refused(capsys, "ledger", "approve", "999", "--as", "sup")


def test_reinspection_draw_and_a_failed_check_reopens_the_item(capsys, world, tmp_path):
    item = active(capsys, world)
    ok(capsys, "ledger", "claim", item.pk, "--as", "housing_staff", "--on", "2025-04-07")
    ok(capsys, "ledger", "verify", item.pk, "--evidence", evidence_file(tmp_path, "n.txt", "ok"), "--as", "ver",
       "--on", "2025-04-09")
    out = ok(capsys, "ledger", "reinspect", "draw", "--size", "3", "--seed", "s1", "--as", "sup", "--on", "2025-05-01")
    check = ReinspectionCheck.objects.get(item=item)
    assert "1 of 1 closed items" in out and f"check #{check.pk}: #{item.pk} task (four)" in out
    out = ok(capsys, "ledger", "reinspect", "record", check.pk, "--failed", "--note", "estates never inspected",
             "--as", "sup", "--on", "2025-05-05")
    assert "sham rectification" in out and "active" in out and "finding recorded against Qingshi Housing Bureau" in out
    assert "no re-inspection check #999" in refused(capsys, "ledger", "reinspect", "record", "999", "--passed",
                                                    "--note", "x", "--as", "sup")


def test_flags_lists_reasons_as_of_a_date(capsys, world):
    item = active(capsys, world)
    out = ok(capsys, "ledger", "flags", "--as-of", "2025-07-01")
    assert f"#{item.pk} task (four) (Qingshi Housing Bureau)" in out
    assert "overdue: due on 2025-06-30 and still active on 2025-07-01" in out
    assert "as of 2025-07-01" in out
    assert "0 red flags on 0 items as of 2025-03-11" in ok(capsys, "ledger", "flags", "--as-of", "2025-03-11")


def test_export_writes_the_filtered_items_as_csv(capsys, world, tmp_path):
    active(capsys, world, "(four)", "Qingshi Housing Bureau", "Songxi County")
    target = tmp_path / "items.csv"
    assert "1 item written to" in ok(capsys, "ledger", "export", "--csv", target, "--state", "active")
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [(r["number"], r["lead_owner"], r["co_owners"], r["due"]) for r in rows] == [
        ("(four)", "Qingshi Housing Bureau", "Songxi County", "2025-06-30")]
    rows = list(csv.DictReader(io.StringIO(ok(capsys, "ledger", "export", "--csv", "-", "--kind", "finding"))))
    assert [r["kind"] for r in rows] == ["finding"]


def test_verify_history_names_the_first_bad_event_and_checks_the_anchor(capsys, world):
    active(capsys, world)
    assert ok(capsys, "ledger", "verify-history").startswith("history OK: ")
    anchor = ok(capsys, "ledger", "anchor").strip()
    assert len(anchor) == 64
    assert "the anchor is on the chain" in ok(capsys, "ledger", "verify-history", "--anchor", anchor)

    Event.objects.filter(pk=Event.objects.latest("id").pk).delete()  # the tail truncated
    assert ok(capsys, "ledger", "verify-history").startswith("history OK: ")
    err = duban(capsys, "ledger", "verify-history", "--anchor", anchor)
    assert err[0] == 1 and "the anchor is not on the chain" in err[2]

    edited = Event.objects.order_by("id")[3]
    Event.objects.filter(pk=edited.pk).update(actor="someone else")
    status, _, err = duban(capsys, "ledger", "verify-history")
    assert status == 1 and f"history BROKEN at event #{edited.pk}" in err


def test_ingest_prints_documents_and_a_failed_file_exits_1(capsys, world, tmp_path):
    plan = tmp_path / "plan.txt"
    plan.write_text(PLAN, encoding="utf-8")
    status, out, err = duban(capsys, "ingest", plan, tmp_path / "missing.txt", "--office", "Provincial Supervision Office",
                             "--on", "2025-04-01")
    assert status == 1
    assert f"{plan}: created" in out and "(version 1, plan, 2025-03-28, supervised by Provincial Supervision Office)" in out
    assert "drafts: 1 indicator, 2 milestone, 2 task" in out
    assert "missing.txt" in err and "1 of 2 files failed" in err
    assert f"{plan}: unchanged" in ok(capsys, "ingest", plan)
    assert "no organisation called 'Nowhere'" in refused(capsys, "ingest", plan, "--office", "Nowhere")


def test_a_changed_file_lists_its_changes_for_acceptance(capsys, world, tmp_path):
    plan = tmp_path / "plan.txt"
    plan.write_text(PLAN, encoding="utf-8")
    ok(capsys, "ingest", plan, "--office", "Provincial Supervision Office")
    first = Item.objects.get(number="(1)", document__version=1)
    plan.write_text(PLAN.replace("120 kilometres", "150 kilometres"), encoding="utf-8")
    out = ok(capsys, "ingest", plan)
    assert f"{plan}: new version" in out and "(version 2, plan" in out
    draft = Item.objects.get(number="(1)", document__version=2)
    assert f"changed: #{first.pk} task (1) by draft #{draft.pk} (accept with: duban ledger accept-change {draft.pk}" in out
    out = ok(capsys, "ledger", "accept-change", draft.pk, "--as", "admin")
    assert out.startswith(f"#{first.pk} task (1): draft") and f"now as read from document {draft.document_id}" in out
    assert "150 kilometres" in Item.objects.get(pk=first.pk).quote


def test_rectification_plan_and_task(capsys, world):
    SourceDocument.objects.filter(pk=world.document.pk).update(genre=Genre.OVERSIGHT, date=date(2018, 1, 2))
    out = ok(capsys, "ledger", "rectify", world.document.pk, "--working-days", "30", "--as", "sup", "--on", "2018-01-03")
    plan = Item.objects.get(kind="rectification")
    assert f"#{plan.pk} rectification plan: draft, due 2018-02-12" in out
    out = ok(capsys, "ledger", "rectify-task", plan.pk, "--title", "Inspect the 12 estates", "--lead",
             "Qingshi Housing Bureau", "--due", "2018-06-30", "--milestone", "First six", "2018-03-31", "--as", "sup")
    assert "draft under" in out and "due 2018-03-31: First six" in out
    assert "needs a date" in refused(capsys, "ledger", "rectify-task", plan.pk, "--title", "x", "--lead", "Songxi County",
                                     "--due", "2018-06-30", "--milestone", "First", "soon", "--as", "sup")
    assert "no document 999" in refused(capsys, "ledger", "rectify", "999", "--as", "sup")


def test_accountability_action(capsys, world):
    out = ok(capsys, "ledger", "accountability", "--kind", "interview", "--description", "head interviewed",
             "--org", "Qingshi Housing Bureau", "--as", "sup", "--on", "2025-05-01")
    assert "interview on 2025-05-01" in out
    assert "unknown accountability action" in refused(capsys, "ledger", "accountability", "--kind", "lecture",
                                                      "--description", "x", "--org", "Songxi County", "--as", "sup")


def test_demo_loads_once_and_the_admin_password_is_shown_once(capsys, db, settings):
    out = ok(capsys, "ledger", "demo")
    assert "26 organisations and 16 people added" in out
    assert "plan_digital_services.txt: created, 63 drafts" in out
    counts = (Organisation.objects.count(), get_user_model().objects.count(), Item.objects.count(), Event.objects.count())
    out = ok(capsys, "ledger", "demo")
    assert "0 organisations and 0 people added" in out and "unchanged, 0 drafts" in out
    assert counts == (Organisation.objects.count(), get_user_model().objects.count(), Item.objects.count(),
                      Event.objects.count())
    office = Organisation.objects.get(name=demo.SUPERVISING_OFFICE)
    assert set(SourceDocument.objects.values_list("supervising_office", flat=True)) == {office.pk}
    assert not any(user.has_usable_password() for user in get_user_model().objects.all())

    out = ok(capsys, "ledger", "create-admin")
    password, demo_password = [part.split()[0] for part in out.split("password\n\n    ")[1:3]]
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password) and len(password) >= 20
    supervisor = get_user_model().objects.get(username="office_supervisor")
    assert supervisor.check_password(demo_password) and not supervisor.is_superuser and len(demo_password) >= 16
    assert "changepassword USERNAME" in out and f"The data directory is {settings.DATA_DIR}" in out
    again = ok(capsys, "ledger", "create-admin")
    assert password not in again and demo_password not in again and "shown when they were created" in again
