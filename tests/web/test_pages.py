"""The pages: the dashboard's figures, the item list's filters and pages, the item page, the walk-through by hand,
uploads, and the number of SQL queries each list page makes (pinned in query_counts.json, the same at 5 and 50
items, so an N+1 query fails here)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from duban.ledger.choices import ChangeKind, CheckResult, ClaimStatus, ItemKind, ItemState, ReminderKind, RequestStatus
from duban.ledger.models import (
    ChangeRequest, CompletionClaim, Evidence, Item, ProgressReport, Reminder, ReinspectionCheck,
    ReinspectionSample, Verification,
)
from duban.ledger.services import history, workflow
from duban.web.filters import keyset_page

QUERY_COUNTS = json.loads((Path(__file__).with_name("query_counts.json")).read_text())


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _follow(client, response):
    assert response.status_code == 302, response.content[:2000]
    return client.get(response["Location"])


# --- dashboard ------------------------------------------------------------------------------------------------------

def test_dashboard_counts_overdue_flags_scorecard_and_chart(demo_ledger, client_for):
    d = demo_ledger
    response = client_for("office_supervisor").get(reverse("web:home"), {"on": "2026-11-02"})
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures.day == date(2026, 11, 2)
    assert figures.counts[ItemState.CLAIMED] == 1 and figures.counts[ItemState.CLOSED] == 1
    assert figures.counts[ItemState.ACTIVE] == 2
    assert [item.pk for item, _ in figures.overdue] == [d.four.pk, d.five.pk]
    assert figures.due_soon == []
    flagged = {item.pk: [flag.code for flag in flags] for item, flags in response.context["flagged"]}
    assert "overdue" in flagged[d.four.pk]
    scores = {score.organisation.name: score for score in response.context["scores"]}
    assert scores["Provincial Big Data Bureau"].verified_closure_rate == 1.0
    assert scores["Provincial Government Affairs Service Center"].items == 2
    assert len(figures.periods) == 12 and figures.periods[-1].overdue == 2
    html = response.content.decode()
    assert '<svg viewBox="0 0 640 240" role="img"' in html and "<polyline" in html
    assert "Scorecard by unit" in html and "Provincial Big Data Bureau" in html


def test_the_dashboard_for_a_past_day_reads_the_same_after_later_events(demo_ledger, client_for):
    d = demo_ledger
    client = client_for("office_supervisor")
    before = client.get(reverse("web:home"), {"on": "2026-07-15"}).context
    overdue = [item.pk for item, _ in before["figures"].overdue]
    assert overdue == [d.four.pk]
    workflow.verify_claim(d.people["office_verifier"], d.claim, evidence=[d.claim_file], on=date(2026, 8, 3))
    after = client.get(reverse("web:home"), {"on": "2026-07-15"}).context
    assert [item.pk for item, _ in after["figures"].overdue] == overdue
    assert after["figures"].periods == before["figures"].periods
    assert client.get(reverse("web:home"), {"on": "2026-08-10"}).context["figures"].overdue == []
    assert client.get(reverse("web:home"), {"on": "2025-12-01"}).context["figures"].overdue == []


# --- the item list --------------------------------------------------------------------------------------------------

def _ids(client, **params) -> list[int]:
    response = client.get(reverse("web:items"), params)
    assert response.status_code == 200
    return [item.pk for item, _ in response.context["page"].rows]


def test_the_item_list_filters_on_every_field(demo_ledger, client_for):
    d = demo_ledger
    client = client_for("office_supervisor")
    assert _ids(client, state="claimed") == [d.four.pk]
    assert _ids(client, state=["claimed", "closed"]) == [d.four.pk, d.ten.pk]
    assert _ids(client, kind="finding", state="active") == [d.finding.pk]
    assert _ids(client, owner=d.service_center.pk) == [d.four.pk, d.five.pk]
    assert set(_ids(client, owner=d.service_center.parent_id)) == {d.four.pk, d.five.pk, d.ten.pk, d.finding.pk}
    due = Item.objects.filter(due__gte=date(2026, 6, 1), due__lte=date(2026, 6, 30))
    assert _ids(client, due_from="2026-06-01", due_to="2026-06-30") == sorted(due.values_list("pk", flat=True))
    assert set(_ids(client, flag="overdue")) == {d.four.pk, d.five.pk}  # due in 2026 and still open today
    assert _ids(client, document=d.feedback.pk, kind="finding", state="active") == [d.finding.pk]
    assert _ids(client, q="(four)", kind="task") == [d.four.pk]
    assert _ids(client, q=f"#{d.ten.pk}") == [d.ten.pk]
    assert _ids(client, q="water affairs bureau FAILED") == [d.finding.pk]
    invalid = client.get(reverse("web:items"), {"due_from": "not a date", "state": "claimed"})
    assert invalid.context["form"].errors["due_from"] and [i.pk for i, _ in invalid.context["page"].rows] == [d.four.pk]
    assert client_for("hezhou_water_staff").get(reverse("web:items"), {"q": "(four)"}).context["page"].rows == []


@pytest.mark.parametrize("sort", ["id", "-id", "due", "-due"])
def test_the_item_list_pages_through_every_item_once_in_order(demo_ledger, client_for, sort):
    client = client_for("province_admin")
    url, seen, pages = f"{reverse('web:items')}?sort={sort}", [], 0
    while url:
        response = client.get(url)
        seen += [item for item, _ in response.context["page"].rows]
        url, pages = response.context["next_url"], pages + 1
    assert pages == 2 and len(seen) == len({item.pk for item in seen}) == Item.objects.count()
    key = {"id": lambda i: i.pk, "-id": lambda i: -i.pk,
           "due": lambda i: (i.due is None, i.due or date.min, i.pk),
           "-due": lambda i: (i.due is None, -(i.due or date.min).toordinal(), -i.pk)}[sort]
    assert [item.pk for item in seen] == [item.pk for item in sorted(seen, key=key)]


def test_keyset_pages_handle_empty_keys_and_bad_cursors(demo_ledger):
    items = Item.objects.filter(kind=ItemKind.TASK)
    first = keyset_page(items, ("due", "id"), None, size=4)
    assert first.first and len(first.rows) == 4 and first.next_cursor
    rows, cursor = list(first.rows), first.next_cursor
    while cursor:
        page = keyset_page(items, ("due", "id"), cursor, size=4)
        rows += page.rows
        cursor = page.next_cursor
    assert [i.pk for i in rows] == [i.pk for i in sorted(items, key=lambda i: (i.due is None, i.due or date.min, i.pk))]
    for bad in ("%%%", "bm90IGpzb24", "WzFd", "WyJ4IiwiMSJd"):  # not base64, not JSON, wrong length, not a date
        assert keyset_page(items, ("due", "id"), bad, size=4).first


def test_the_item_list_answers_htmx_with_the_table_alone(demo_ledger, client_for):
    client = client_for("office_supervisor")
    partial = client.get(reverse("web:items"), {"state": "claimed"}, HTTP_HX_REQUEST="true")
    assert partial.templates[0].name == "web/_item_table.html"
    assert b"<html" not in partial.content and b'id="item-results"' in partial.content
    full = client.get(reverse("web:items"), {"state": "claimed"})
    assert b"<html" in full.content and "HX-Request" in full["Vary"]


# --- the item page --------------------------------------------------------------------------------------------------

def test_the_item_page_shows_the_history_as_readable_lines(demo_ledger, client_for):
    d = demo_ledger
    response = client_for("service_center_staff").get(reverse("web:item", args=[d.four.pk]))
    entries = [(e.what, e.changes) for e in response.context["entries"]]
    assert entries[0][0] == "Read from the document as a draft"
    assert ("Owners assigned", ["lead owner: none → Provincial Government Affairs Service Center",
                                "co-owners: none → Provincial Big Data Bureau, Provincial Department of Justice"]) in entries
    assert ("Confirmed", ["state: Draft → Active"]) in entries
    assert ("Reminder sent", ["to: Provincial Government Affairs Service Center", "kind: Due soon"]) in entries
    assert ("Progress reported", ["evidence: 1 file"]) in entries
    assert ("Completion claimed", ["state: Active → Completion claimed", "evidence: 1 file"]) in entries
    html = response.content.decode()
    assert "Promote the standardized management" in html and "lists.txt" in html and "acceptance.txt" in html
    assert reverse("web:evidence", args=[d.four.pk, d.claim_file.pk]) in html


def test_document_text_is_never_rendered_as_markup(demo_ledger, client_for):
    d = demo_ledger
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    Item.objects.filter(pk=d.four.pk).update(quote=hostile, title=hostile, number="<b>(four)</b>")
    client = client_for("office_supervisor")
    for response in (client.get(reverse("web:item", args=[d.four.pk])), client.get(reverse("web:items"), {"state": "claimed"}),
                     client.get(reverse("web:queue_verification"))):
        html = response.content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>(four)</b>" not in html
    assert "&lt;script&gt;alert" in client.get(reverse("web:item", args=[d.four.pk])).content.decode()


# --- the walk-through by hand ---------------------------------------------------------------------------------------

def _file(name: str, content: bytes, content_type: str = "text/plain") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_the_walk_through_by_hand(demo_ledger, client_for, django_capture_on_commit_callbacks):
    d = demo_ledger
    supervisor, staff = client_for("office_supervisor"), client_for("service_center_staff")
    verifier = client_for("office_verifier")
    item = d.draft

    page = _follow(supervisor, supervisor.post(reverse("web:item_assign", args=[item.pk]), {
        "lead": d.service_center.pk, "co_owners": [d.bigdata.pk]}))
    assert _messages(page) == ["Owners assigned."]
    page = _follow(supervisor, supervisor.post(reverse("web:item_confirm", args=[item.pk])))
    assert "Confirmed: the item is active." in _messages(page)
    item.refresh_from_db()
    assert item.state == ItemState.ACTIVE and item.lead_owner == d.service_center

    with django_capture_on_commit_callbacks(execute=True):
        page = _follow(staff, staff.post(reverse("web:item_progress", args=[item.pk]), {
            "text": "Half of the halls are done.", "evidence": [_file("halls.txt", b"12 of 24 halls\n")]}))
    assert _messages(page) == ["Progress reported."]
    report = ProgressReport.objects.get(item=item)
    assert [e.original_name for e in report.evidence.all()] == ["halls.txt"]

    with django_capture_on_commit_callbacks(execute=True):
        page = _follow(staff, staff.post(reverse("web:item_claim", args=[item.pk]), {
            "note": "All halls done.", "evidence": [_file("halls.csv", b"hall,done\n1,yes\n", "text/csv"),
                                                    _file("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "image/png")]}))
    claim = CompletionClaim.objects.get(item=item)
    assert claim.status == ClaimStatus.PENDING and claim.evidence.count() == 2
    assert {e.content_type for e in claim.evidence.all()} == {"text/csv", "image/png"}

    queue = verifier.get(reverse("web:queue_verification"))
    assert item.pk in [c.item_id for c in queue.context["page"].rows]
    form = verifier.get(reverse("web:item", args=[item.pk])).context["forms"]["verify"]
    assert set(form.fields["cited"].queryset) == set(claim.evidence.all()) | set(report.evidence.all())
    page = _follow(verifier, verifier.post(reverse("web:item_verify", args=[item.pk]), {
        "cited": [e.pk for e in claim.evidence.all()], "note": "Checked on site."}))
    assert _messages(page) == ["Verified: the item is closed."]
    item.refresh_from_db()
    assert item.state == ItemState.CLOSED
    download = verifier.get(reverse("web:evidence", args=[item.pk, report.evidence.get().pk]))
    assert b"".join(download.streaming_content) == b"12 of 24 halls\n"

    # a request already pending is refused with the rule; the pending one is approved from the queue
    refused = staff.post(reverse("web:item_request_deadline", args=[d.five.pk]), {"due": "2027-03-31", "reason": "more time"})
    assert refused.status_code == 400
    assert _messages(refused) == ["a deadline change request for this item is already awaiting approval"]
    queue_url = reverse("web:queue_approval")
    response = supervisor.post(reverse("web:request_approve", args=[d.deadline_request.pk]),
                               {"note": "agreed", "next": queue_url})
    assert response.status_code == 302 and response["Location"] == queue_url
    d.five.refresh_from_db()
    assert d.five.due == date(2026, 12, 31) and d.five.extensions == 1 and d.five.original_due == date(2026, 9, 30)

    # re-inspection: draw a sample, record a failed check from the queue; the item reopens with a finding
    page = _follow(supervisor, supervisor.post(reverse("web:reinspection_draw"), {"size": 5, "seed": "walk"}))
    assert any(m.startswith("Sample drawn: 2 of 2 closed items") for m in _messages(page))
    check = ReinspectionCheck.objects.get(sample__seed="walk", item=item)
    supervisor.post(reverse("web:check_record", args=[check.pk]), {"result": "failed", "note": "Halls 13–24 still closed."})
    item.refresh_from_db()
    check.refresh_from_db()
    assert item.state == ItemState.ACTIVE and check.result == CheckResult.FAILED and check.finding is not None


def test_refusals_and_bad_input_are_clear_messages(demo_ledger, client_for):
    d = demo_ledger
    supervisor = client_for("office_supervisor")
    no_owner = supervisor.post(reverse("web:item_confirm", args=[d.draft.pk]))
    assert no_owner.status_code == 400
    assert _messages(no_owner) == ["a draft without a lead owner cannot be confirmed: assign exactly one lead owner first"]
    assert b"a draft without a lead owner cannot be confirmed" in no_owner.content
    twice = supervisor.post(reverse("web:item_confirm", args=[d.five.pk]))
    assert twice.status_code == 409 and "the item is active; only draft items can" in _messages(twice)[0]
    no_reason = supervisor.post(reverse("web:item_reject_draft", args=[d.draft.pk]), {"reason": "  "})
    assert no_reason.status_code == 400 and _messages(no_reason) == ["a reason for rejecting the draft is required"]
    bad_date = client_for("service_center_staff").post(reverse("web:item_request_deadline", args=[d.four.pk]),
                                                       {"due": "someday", "reason": "x"})
    assert bad_date.status_code == 400 and bad_date.context["forms"]["deadline"].errors["due"]
    no_evidence = client_for("office_verifier").post(reverse("web:item_verify", args=[d.four.pk]), {})
    assert no_evidence.status_code == 400 and "must cite at least one piece of evidence" in _messages(no_evidence)[0]
    assert Item.objects.get(pk=d.draft.pk).state == ItemState.DRAFT


def test_uploads_are_checked_for_type_and_bounded_in_size(demo_ledger, client_for, settings, evidence_dir):
    d = demo_ledger
    staff = client_for("service_center_staff")
    url = reverse("web:item_progress", args=[d.four.pk])
    stored, reports = Evidence.objects.count(), ProgressReport.objects.count()

    binary = staff.post(url, {"text": "see file", "evidence": [_file("tool.exe", b"MZ\x90\x00\x03" + bytes(range(256)),
                                                                        "application/octet-stream")]})
    assert binary.status_code == 400
    assert _messages(binary) == ["tool.exe is not a file type accepted as evidence (PDF, PNG image, JPEG image, UTF-8 text, "
                                 "CSV, Word document (DOCX), Excel workbook (XLSX))"]
    disguised = staff.post(url, {"text": "see file", "evidence": [_file("photo.pdf", b"just text\n", "application/pdf")]})
    assert disguised.status_code == 400 and "sent as application/pdf but its content is UTF-8 text" in _messages(disguised)[0]

    settings.DUBAN_EVIDENCE_MAX_BYTES = 100_000
    big = staff.post(url, {"text": "see file", "evidence": [_file("big.txt", b"x" * 300_000)]})
    assert big.status_code == 400
    assert [m.replace("\xa0", " ") for m in _messages(big)] == ["big.txt: larger than the 97.7 KB an evidence file may be"]
    assert (Evidence.objects.count(), ProgressReport.objects.count()) == (stored, reports)
    staging = evidence_dir / ".staging"
    assert not staging.exists() or [p.name for p in staging.iterdir()] == [".lock"]


# --- the number of queries per page ---------------------------------------------------------------------------------

def _grow(d, n: int, start: int) -> None:
    """n more items of each kind a list shows, led by the Service Center on the plan the office supervises."""
    now = timezone.now()
    staff, supervisor = d.people["service_center_staff"], d.people["office_supervisor"]

    def items(state, **fields):
        made = Item.objects.bulk_create(Item(kind=ItemKind.TASK, state=state, due=date(2026, 1, 5), lead_owner=d.service_center,
                                             document=d.plan, title=f"grown {state} {start + k}", created_at=now,
                                             updated_at=now, **fields) for k in range(n))
        Item.co_owners.through.objects.bulk_create(Item.co_owners.through(item_id=i.pk, organisation_id=d.bigdata.pk)
                                                   for i in made)
        return made

    def evidence(tag, k):
        return Evidence.objects.create(sha256=f"{tag}{start + k:063d}"[:64], size=1, content_type="text/plain",
                                       original_name=f"{tag}{start + k}.txt", stored_at=now)

    items(ItemState.ACTIVE)
    for k, item in enumerate(items(ItemState.CLAIMED)):
        claim = CompletionClaim.objects.create(item=item, claimant=staff, claimed_on=date(2025, 12, 1), created_at=now)
        claim.evidence.add(evidence("c", k))
    sample = ReinspectionSample.objects.create(drawn_by=supervisor, drawn_on=date(2025, 12, 2), seed=f"grow{start}",
                                               population=n, created_at=now)
    for k, item in enumerate(items(ItemState.CLOSED)):
        claim = CompletionClaim.objects.create(item=item, claimant=staff, claimed_on=date(2025, 12, 1), created_at=now,
                                               status=ClaimStatus.VERIFIED)
        verification = Verification.objects.create(claim=claim, verifier=supervisor, decided_on=date(2025, 12, 3),
                                                   created_at=now, verified=True)
        verification.evidence.add(evidence("v", k))
        ReinspectionCheck.objects.create(sample=sample, item=item)
    ChangeRequest.objects.bulk_create(ChangeRequest(item=item, kind=ChangeKind.DEADLINE, requested_by=staff,
                                                    requested_on=date(2025, 12, 1), reason="more time",
                                                    proposed_due=date(2026, 6, 1), created_at=now)
                                      for item in items(ItemState.ACTIVE))
    Reminder.objects.bulk_create(Reminder(key=f"grow-{start + k}", kind=ReminderKind.OVERDUE, item=d.five,
                                          organisation=d.service_center, as_of=date(2026, 1, 6), message="overdue",
                                          created_at=now) for k in range(n))
    for k in range(n):  # the item page's own lists: reports with evidence, decided requests, history
        report = ProgressReport.objects.create(item=d.four, author=staff, text=f"step {start + k}",
                                               reported_on=date(2025, 11, 26), created_at=now)
        report.evidence.add(evidence("r", k))
        ChangeRequest.objects.create(item=d.four, kind=ChangeKind.CANCELLATION, requested_by=staff, reason="x",
                                     requested_on=date(2025, 11, 26), created_at=now, status=RequestStatus.REFUSED,
                                     decided_by=supervisor, decided_on=date(2025, 11, 27), decision_note="no")
        history.record("system", "item.escalate", d.four, before={"escalation_level": 0}, after={"escalation_level": 1})


PAGES = {
    "web:home": ("office_supervisor", None, {"on": "2026-02-02"}),
    "web:items": ("office_supervisor", None, {}),
    "web:items?filtered": ("office_supervisor", None, {"state": ["active", "claimed"], "flag": "overdue", "q": "grown",
                                                      "sort": "-due"}),
    "web:my_items": ("service_center_staff", None, {}),
    "web:queue_verification": ("office_verifier", None, {}),
    "web:queue_approval": ("office_supervisor", None, {}),
    "web:queue_reinspection": ("office_supervisor", None, {}),
    "web:inbox": ("service_center_staff", None, {}),
    "web:item": ("service_center_staff", "four", {}),
}


@pytest.mark.parametrize("page", PAGES)
def test_queries_per_page_do_not_grow_with_the_items(demo_ledger, client_for, page):
    d = demo_ledger
    username, item, params = PAGES[page]
    client = client_for(username)
    url = reverse(page.split("?")[0], args=[getattr(d, item).pk] if item else [])
    counts, total = [], 0
    for size in (5, 50):
        _grow(d, size - total, total)
        total = size
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
        assert response.status_code == 200
        counts.append(len(queries))
    rows = response.context["page"].rows if "page" in response.context else None
    assert rows is None or len(rows) >= 50 or page.startswith("web:items?")
    assert counts[0] == counts[1], f"{page}: {counts[0]} queries with 5 items, {counts[1]} with 50 (an N+1 query)"
    assert counts[1] == QUERY_COUNTS[page], (f"{page} makes {counts[1]} queries; query_counts.json pins "
                                             f"{QUERY_COUNTS.get(page)}: update it if the change is meant")
