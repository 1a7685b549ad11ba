"""Import: documents and items stored as drafts with provenance, one transaction per file, versions for a person to accept."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import sqlite3
import string
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from duban.corpus.errors import InputError
from duban.extract.model import EXTRACTOR_VERSION, document_records
from duban.extract.pipeline import extract_file
from duban.ledger.choices import ItemKind, ItemState
from duban.ledger.errors import InvalidState, NotAllowed
from duban.ledger.models import Event, Item, SourceDocument, SourceFile
from duban.ledger.services import history, ingest
from duban.ledger.services.evidence import STAGING_LOCK
from duban.ledger.services.ingest import (
    APPLIED_TO, SUPERSEDES, IngestStatus, accept_version_change, ingest_file, ingest_files,
)

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
CORPUS = REPO.parent / "shared" / "corpus"
T1 = datetime(2025, 3, 10, 9, 0, tzinfo=timezone.utc)
T2 = datetime(2025, 6, 10, 9, 0, tzinfo=timezone.utc)
T3 = datetime(2025, 6, 12, 9, 0, tzinfo=timezone.utc)

HEAD = """Notice of the General Office of Lanshan Provincial People's Government on Printing and Distributing the Work Plan for Rural Roads

Issued on March 3, 2025

All cities (prefectures) and departments directly under the province: The Work Plan is hereby printed and distributed to you, please implement it carefully.

I. Key tasks
"""
TASKS = {
    1: "(1) Build the rural road to Alder Village. Before the end of 2025, complete the paving of the road to Alder Village "
       "and open it to traffic. [Responsible units: Provincial Department of Transport, people's governments of cities (prefectures)]",
    2: "(2) Renovate dangerous bridges on county roads. Before the end of 2026, finish the reinforcement of all dangerous "
       "bridges listed in the survey. [Responsible units: Provincial Department of Transport]",
    3: "(3) Set up rural bus routes to every township. By the end of June 2026, open bus routes to all townships that "
       "have none. [Responsible units: people's governments of counties]",
    4: "(4) Train rural road maintenance workers. Before the end of 2025, train the maintenance staff of every county in "
       "road inspection. [Responsible units: Provincial Department of Human Resources and Social Security]",
    5: "(5) Build a road condition monitoring platform. In the second half of 2026, connect the monitoring data of all "
       "county roads to the provincial platform. [Responsible units: Provincial Big Data Center]",
}
# The second version: task (2)'s deadline moves a year, task (4) is dropped, task (6) is new.
TASKS_V2 = {**TASKS, 2: TASKS[2].replace("2026", "2027"),
            6: "(6) Improve safety facilities at village entrances. Before the end of 2027, install warning signs and "
               "speed bumps where county roads enter villages. [Responsible units: Provincial Public Security Department]"}
del TASKS_V2[4]


def plan_text(tasks: dict[int, str]) -> str:
    return HEAD + "".join(f"\n{text}\n" for _, text in sorted(tasks.items()))


def generated_plan(n: int) -> str:
    """A plan of n tasks, each with one milestone: 2n items."""
    letters = string.ascii_uppercase
    tasks = {}
    for k in range(1, n + 1):
        village = f"Village {letters[k // 26 % 26]}{letters[k % 26]}"
        tasks[k] = (f"({k}) Build the rural road to {village}. Before the end of {2025 + k % 3}, complete the paving of "
                    f"the road to {village} and open it to traffic. [Responsible units: Provincial Department of Transport]")
    return plan_text(tasks)


def extracted_records(path) -> list[dict]:
    return [record for doc in extract_file(str(path)) for record in document_records(doc)]


@pytest.fixture(autouse=True)
def evidence_dir(settings, tmp_path):
    settings.EVIDENCE_DIR = tmp_path / "evidence"
    return settings.EVIDENCE_DIR


@pytest.fixture
def plan_file(tmp_path):
    path = tmp_path / "rural_roads.txt"
    path.write_text(plan_text(TASKS), encoding="utf-8")
    return path


def _by_number(document: SourceDocument, kind: str = ItemKind.TASK) -> dict[str, Item]:
    return {item.number: item for item in document.items.filter(kind=kind)}


def _milestone_of(task: Item) -> Item:
    return Item.objects.get(kind=ItemKind.MILESTONE, parent=task)


def _confirm_directly(item: Item, owner) -> None:
    """Stands in for the workflow's assign and confirm, which this file does not test."""
    Item.objects.filter(pk=item.pk).update(state=ItemState.ACTIVE, lead_owner=owner)
    item.refresh_from_db()


# --- a first import ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_government_services_plan_gives_45_draft_tasks():
    path = CORPUS / "003_575252aa507e0ab1.txt"
    if not path.exists():
        pytest.skip(f"{path} is not on this machine")
    result = ingest_file(str(path), at=T1)
    assert result.status == IngestStatus.CREATED
    plan = next(d.document for d in result.documents if d.document.genre == "plan")
    tasks = plan.items.filter(kind=ItemKind.TASK)
    assert tasks.count() == 45
    assert set(tasks.values_list("state", flat=True)) == {ItemState.DRAFT}
    assert all(task.number and task.title and task.record_id for task in tasks)


@pytest.mark.django_db
def test_file_documents_and_items_keep_their_provenance(plan_file):
    result = ingest_file(str(plan_file), at=T1)
    raw = plan_file.read_bytes()
    source = result.source_file
    assert (source.name, source.sha256, source.size) == (str(plan_file), hashlib.sha256(raw).hexdigest(), len(raw))
    assert (source.format, source.extractor_version, source.ingested_at) == ("text", EXTRACTOR_VERSION, T1)

    records = extracted_records(plan_file)
    [changes] = result.documents
    document = changes.document
    assert (document.record_id, document.genre, document.date, document.version) == (records[0]["id"], "plan", date(2025, 3, 3), 1)
    assert document.title == records[0]["title"]
    lines = plan_file.read_text(encoding="utf-8").split("\n")
    assert document.text.split("\n") == lines[document.first_line - 1:document.first_line - 1 + len(document.text.split("\n"))]

    items = list(document.items.order_by("id"))
    assert [(i.kind, i.record_id, i.line_start, i.line_end, i.quote) for i in items] == [
        (r["kind"], r["id"], r["line_start"], r["line_end"], r["quote"]) for r in records[1:]]
    assert changes.added == items and not changes.changed and not changes.removed
    text_lines = document.text.split("\n")
    for item in items:
        source_lines = "\n".join(text_lines[item.line_start - document.first_line:item.line_end - document.first_line + 1])
        assert item.quote in source_lines  # every item can be shown in its source

    task = _by_number(document)["(2)"]
    assert task.data["units"] == task.unit_names == ["Provincial Department of Transport"]
    assert task.title == "Renovate dangerous bridges on county roads"
    milestone = _milestone_of(task)
    assert milestone.due == milestone.original_due == date(2026, 12, 31) == task.due
    assert milestone.data["due_text"] == "Before the end of 2026"
    assert Item.objects.filter(kind=ItemKind.MILESTONE, parent__isnull=True).count() == 0


@pytest.mark.django_db
def test_import_is_recorded_in_the_history(plan_file):
    result = ingest_file(str(plan_file), actor="importer", at=T1)
    items = list(result.documents[0].document.items.all())
    events = Event.objects.filter(action="item.import")
    assert events.count() == len(items) == len(extracted_records(plan_file)) - 1
    event = events.get(item=items[0])
    assert event.actor == "importer" and event.at == T1
    assert event.after["state"] == ItemState.DRAFT and event.after["record_id"] == items[0].record_id
    assert Event.objects.filter(action="document.ingest", object_id=result.documents[0].document.pk).count() == 1
    assert Event.objects.filter(action="file.ingest", object_id=result.source_file.pk).count() == 1
    assert history.verify_history().ok


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["plan_digital_services.txt", "inspection_feedback.txt", "audit_report.txt",
                                  "county_plan_gbk.txt", "crawl_dump.txt", "regulation_supervision.txt",
                                  "work_plan.pdf", "feedback_rectification.docx", "notice_tasks.html"])
def test_every_example_is_imported_whole(name):
    path = EXAMPLES / name
    records = extracted_records(path)
    result = ingest_file(str(path), at=T1)
    assert result.source_file.format == {".pdf": "pdf", ".docx": "docx", ".html": "html"}.get(path.suffix, "text")
    assert [d.document.record_id for d in result.documents] == [r["id"] for r in records if r["kind"] == "document"]
    assert sorted(Item.objects.values_list("record_id", flat=True)) == sorted(r["id"] for r in records if r["kind"] != "document")
    assert not Item.objects.exclude(state=ItemState.DRAFT).exists()


@pytest.mark.django_db
def test_findings_belong_to_their_round_and_name_their_parties():
    path = EXAMPLES / "inspection_feedback.txt"
    records = {r["id"]: r for r in extracted_records(path) if r["kind"] == "finding"}
    [changes] = ingest_file(str(path), at=T1).documents
    findings = changes.document.items.filter(kind=ItemKind.FINDING)
    assert findings.count() == len(records) > 0
    for finding in findings:
        assert finding.parent is None and finding.document == changes.document
        assert finding.unit_names == records[finding.record_id]["parties"]
        assert finding.data["amounts_yuan"] == records[finding.record_id]["amounts_yuan"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["000_4eb58766b4202dd1.txt", "001_75b1cbe0efa3536a.txt"])
def test_corpus_files_are_imported_whole(name):
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"{path} is not on this machine")
    records = extracted_records(path)
    result = ingest_file(str(path), at=T1)
    assert len(result.documents) == sum(r["kind"] == "document" for r in records)
    assert Item.objects.count() == sum(r["kind"] != "document" for r in records)
    for milestone in Item.objects.filter(kind=ItemKind.MILESTONE, parent__isnull=False).select_related("parent"):
        assert milestone.parent.line_start <= milestone.line_start and milestone.line_end <= milestone.parent.line_end


@pytest.mark.django_db
def test_an_import_first_clears_evidence_debris(plan_file, evidence_dir):
    staging = evidence_dir / ".staging"
    staging.mkdir(parents=True)
    (staging / "incoming-x").write_bytes(b"half of a photo, left by a killed upload")
    ingest_file(str(plan_file), at=T1)
    assert [p.name for p in staging.iterdir()] == [STAGING_LOCK]


# --- the same file again, bad input, several files ------------------------------------------------------------


@pytest.mark.django_db
def test_the_same_file_again_changes_nothing(plan_file, tmp_path):
    first = ingest_file(str(plan_file), at=T1)
    counts = (SourceFile.objects.count(), SourceDocument.objects.count(), Item.objects.count(), Event.objects.count())
    again = ingest_file(str(plan_file), at=T2)
    assert again.status == IngestStatus.UNCHANGED and again.source_file == first.source_file and not again.documents
    copy = tmp_path / "copy_of_the_plan.txt"  # the same bytes under another name
    shutil.copy(plan_file, copy)
    assert ingest_file(str(copy), at=T2).status == IngestStatus.UNCHANGED
    assert (SourceFile.objects.count(), SourceDocument.objects.count(), Item.objects.count(), Event.objects.count()) == counts


@pytest.mark.django_db
@pytest.mark.parametrize("content", [b"", b"\x89PNG\r\n\x1a\n" + bytes(64), b"plan\xff\xfe\x00\x01 broken"])
def test_bad_input_raises_and_writes_nothing(tmp_path, content):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError):
        ingest_file(str(path), at=T1)
    assert not SourceFile.objects.exists() and not Event.objects.exists()


@pytest.mark.django_db
def test_a_failing_file_does_not_stop_the_others(plan_file, tmp_path):
    missing = str(tmp_path / "missing.txt")
    batch = ingest_files([missing, str(plan_file), str(EXAMPLES / "inspection_feedback.txt")], at=T1)
    assert [r.status for r in batch.results] == [IngestStatus.CREATED, IngestStatus.CREATED]
    [(path, error)] = batch.failures
    assert path == missing and isinstance(error, InputError)
    assert SourceFile.objects.count() == 2


# --- versions ---------------------------------------------------------------------------------------------------


@pytest.fixture
def two_versions(tree, plan_file):
    """Version 1 imported with task (2) and its milestone confirmed, then version 2 imported over it."""
    first = ingest_file(str(plan_file), supervising_office=tree.office, at=T1)
    v1 = first.documents[0].document
    task = _by_number(v1)["(2)"]
    milestone = _milestone_of(task)
    for item in (task, milestone):
        _confirm_directly(item, tree.county)
    plan_file.write_text(plan_text(TASKS_V2), encoding="utf-8")
    second = ingest_file(str(plan_file), at=T2)
    return first, second, task, milestone


def test_a_changed_file_is_a_new_version_listing_what_changed(two_versions):
    first, second, task, milestone = two_versions
    assert second.status == IngestStatus.NEW_VERSION and second.source_file != first.source_file
    [changes] = second.documents
    v1, v2 = first.documents[0].document, changes.document
    assert (v2.version, v2.previous, changes.previous) == (2, v1, v1)
    assert v2.supervising_office == v1.supervising_office  # the office follows the document

    assert [(old, new.kind) for old, new in changes.changed] == [(task, ItemKind.TASK), (milestone, ItemKind.MILESTONE)]
    for old, new in changes.changed:
        assert new.state == ItemState.DRAFT and new.data[SUPERSEDES] == old.pk and new.document == v2
    new_milestone = changes.changed[1][1]
    assert new_milestone.due == date(2027, 12, 31) and new_milestone.parent == task  # the milestone's task is the one followed

    assert [(i.kind, i.number or i.parent.number) for i in changes.added] == [(ItemKind.TASK, "(6)"), (ItemKind.MILESTONE, "(6)")]
    assert all(i.data.get(SUPERSEDES) is None for i in changes.added)
    assert [(i.kind, i.number or i.parent.number) for i in changes.removed] == [(ItemKind.TASK, "(4)"), (ItemKind.MILESTONE, "(4)")]
    # unchanged items are not imported again
    assert v2.items.count() == 4 and Item.objects.count() == 14


def test_nothing_confirmed_changes_silently(two_versions):
    first, second, task, milestone = two_versions
    for item in (task, milestone):
        before = Item.objects.get(pk=item.pk)
        assert (before.state, before.due, before.document, before.quote) == (item.state, item.due, item.document, item.quote)
        assert before.lead_owner_id == item.lead_owner_id
        assert list(Event.objects.filter(item=item).values_list("action", flat=True)) == ["item.import"]


def test_accepting_a_change_applies_it_through_the_history(two_versions, tree):
    _, second, _, milestone = two_versions
    draft = next(new for old, new in second.documents[0].changed if old == milestone)
    accepted = accept_version_change(tree.sup, draft, at=T3)

    assert accepted.pk == milestone.pk and accepted.state == ItemState.ACTIVE
    assert (accepted.due, accepted.original_due) == (date(2027, 12, 31), date(2026, 12, 31))
    assert accepted.extensions == 0
    assert (accepted.document, accepted.quote, accepted.line_start) == (draft.document, draft.quote, draft.line_start)
    assert accepted.data == {k: v for k, v in draft.data.items() if k not in (SUPERSEDES, APPLIED_TO)}
    events = {e.action: e for e in Event.objects.filter(item=milestone, at=T3)}
    assert events["item.due_change"].before == {"due": "2026-12-31"}
    assert events["item.due_change"].after["due"] == "2027-12-31"
    assert events["item.version_accept"].actor == "sup" and "quote" in events["item.version_accept"].after
    draft.refresh_from_db()
    assert draft.state == ItemState.REJECTED and draft.data[APPLIED_TO] == milestone.pk
    with pytest.raises(InvalidState):
        accept_version_change(tree.sup, draft, at=T3)
    assert history.verify_history().ok


def test_only_someone_who_manages_the_item_accepts_a_change(two_versions, tree):
    _, second, task, _ = two_versions
    draft = next(new for old, new in second.documents[0].changed if old == task)
    with pytest.raises(NotAllowed):
        accept_version_change(tree.county_staff, draft, at=T3)
    task.refresh_from_db()
    assert "2026" in task.quote and not Event.objects.filter(action="item.version_accept").exists()


def test_an_added_item_is_not_a_change_to_accept(two_versions, tree):
    _, second, _, _ = two_versions
    with pytest.raises(InvalidState):
        accept_version_change(tree.sup, second.documents[0].added[0], at=T3)


def test_a_draft_accepts_a_change_without_a_due_change_event(two_versions, tree, plan_file):
    first, _, _, _ = two_versions
    old_milestone = _milestone_of(_by_number(first.documents[0].document)["(3)"])  # still a draft
    plan_file.write_text(plan_text({**TASKS_V2, 3: TASKS[3].replace("June 2026", "September 2026")}), encoding="utf-8")
    third = ingest_file(str(plan_file), at=T3)
    draft = next(new for old, new in third.documents[0].changed if old == old_milestone)
    accepted = accept_version_change(tree.sup, draft, at=T3)
    assert accepted.state == ItemState.DRAFT and accepted.due == accepted.original_due == date(2026, 9, 30)
    assert not Event.objects.filter(item=accepted, action="item.due_change").exists()


def test_a_third_version_compares_with_the_newest_reading(two_versions, tree, plan_file):
    _, second, task, milestone = two_versions
    accept_version_change(tree.sup, next(new for old, new in second.documents[0].changed if old == milestone), at=T3)
    plan_file.write_text(plan_text(TASKS_V2) + "\n", encoding="utf-8")  # the same text, new bytes
    third = ingest_file(str(plan_file), at=T3)
    [changes] = third.documents
    assert changes.previous == second.documents[0].document and changes.document.version == 3
    # the pending task draft and the accepted milestone are the newest readings: nothing new to accept
    assert not changes.added and not changes.changed
    assert [(i.kind, i.number or i.parent.number) for i in changes.removed] == [(ItemKind.TASK, "(4)"), (ItemKind.MILESTONE, "(4)")]


@pytest.mark.django_db
def test_a_newer_extractor_version_reads_the_same_file_again(plan_file, monkeypatch):
    first = ingest_file(str(plan_file), at=T1)
    monkeypatch.setattr(ingest, "EXTRACTOR_VERSION", "99.0")
    second = ingest_file(str(plan_file), at=T2)
    assert second.status == IngestStatus.NEW_VERSION and second.source_file.extractor_version == "99.0"
    [changes] = second.documents
    assert changes.previous == first.documents[0].document and changes.document.version == 2
    assert not (changes.added or changes.changed or changes.removed)  # the same reading: nothing to accept
    assert ingest_file(str(plan_file), at=T3).status == IngestStatus.UNCHANGED


# --- a killed import leaves no trace ----------------------------------------------------------------------------


INGEST_SCRIPT = """
import sys, django
django.setup()
from duban.ledger.services.ingest import ingest_file
result = ingest_file(sys.argv[1])
print(result.status, sum(len(d.added) for d in result.documents))
"""


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory):
    """A SQLite database migrated once by `python -m django migrate`, copied by each test that needs one."""
    data = tmp_path_factory.mktemp("migrated")
    subprocess.run([sys.executable, "-m", "django", "migrate", "-v0"], env=_process_env(data), cwd=REPO,
                   check=True, timeout=120)
    return data / "duban.sqlite3"


def _process_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", ingest.KILL_AFTER_ITEMS)}
    env.update(DUBAN_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="duban.settings", DUBAN_SECRET_KEY="test", **extra)
    return env


def _ingest_in_process(path: Path, data_dir: Path, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", INGEST_SCRIPT, str(path)], env=_process_env(data_dir, **extra),
                          cwd=REPO, capture_output=True, text=True, timeout=180)


def _table_counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as db:
        return {table: db.execute(f"SELECT count(*) FROM ledger_{table}").fetchone()[0]
                for table in ("sourcefile", "sourcedocument", "item", "event")}


def test_a_killed_import_leaves_no_trace_of_its_file(migrated_database, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(migrated_database, data / "duban.sqlite3")
    big = tmp_path / "big_plan.txt"
    big.write_text(generated_plan(300), encoding="utf-8")

    done = _ingest_in_process(EXAMPLES / "notice_tasks.html", data)
    assert done.returncode == 0, done.stderr
    before = _table_counts(data / "duban.sqlite3")

    killed = _ingest_in_process(big, data, **{ingest.KILL_AFTER_ITEMS: "250"})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert _table_counts(data / "duban.sqlite3") == before
    evidence = data / "evidence"
    assert not evidence.exists() or not [p for p in evidence.rglob("*") if p.is_file() and p.name != STAGING_LOCK]

    again = _ingest_in_process(big, data)
    assert again.returncode == 0, again.stderr
    assert again.stdout.split() == ["created", "600"]
