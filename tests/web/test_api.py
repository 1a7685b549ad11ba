"""The REST API: reads, the workflow through its actions, refusals as HTTP answers, uploads and downloads, filters
and keyset pages, tokens, and a number of SQL queries per list that does not grow with the list."""

from __future__ import annotations

import base64
import io
import json
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api_world import DUE, active, build_world, client, draft
from duban.cli import main as duban
from duban.ledger.choices import ClaimStatus, ItemState, RequestStatus
from duban.ledger.models import Event, Evidence, Item
from duban.ledger.services import evidence as evidence_store, workflow
from duban.ledger.services.tokens import issue_token, revoke_token

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def world(db, settings, tmp_path):
    settings.EVIDENCE_DIR = tmp_path / "evidence"
    return build_world()


def upload(name: str, content: bytes) -> io.BytesIO:
    stream = io.BytesIO(content)
    stream.name = name
    return stream


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


# --- reads ---------------------------------------------------------------------------------------------------------

def test_an_item_shows_its_source_owners_records_flags_history_and_what_the_person_may_do(world):
    item = world.housing_item
    workflow.report_progress(world.housing_staff, item, "pipes laid", on=timezone.localdate())
    body = client(world.housing_staff).get(f"/api/items/{item.pk}/").json()
    assert body["state"] == "active" and body["document"] == world.feedback.pk and body["line_start"] == 2
    assert body["lead_owner"] == {"id": world.housing.pk, "name": "Qingshi Housing Bureau", "kind": "department"}
    assert [report["text"] for report in body["progress_reports"]] == ["pipes laid"]
    assert body["progress_reports"][0]["author"] == "housing_staff"
    assert [event["action"] for event in body["history"]] == ["item.assign", "item.confirm", "item.progress"]
    assert body["history"][0]["actor"] == "sup" and body["history"][0]["after"] == {"lead_owner": world.housing.pk}
    assert body["permissions"] == {"manage": False, "report": True, "claim": True, "verify": False, "approve": False,
                                   "actions": ["claim", "report", "request_cancellation", "request_deadline"]}
    assert client(world.sup).get(f"/api/items/{item.pk}/").json()["permissions"] == {  # nothing to verify or decide yet
        "manage": True, "report": False, "claim": False, "verify": False, "approve": False, "actions": ["assign"]}


def test_a_document_gives_its_text_as_plain_text_and_only_the_items_the_person_may_see(world):
    body = client(world.housing_staff).get(f"/api/documents/{world.feedback.pk}/").json()
    assert "<script>alert(1)</script>" in body["text"]  # untrusted text, returned as text; never rendered here
    assert [item["id"] for item in body["items"]] == [world.housing_item.pk]
    everything = client(world.sup).get(f"/api/documents/{world.feedback.pk}/").json()
    assert {item["id"] for item in everything["items"]} == {world.housing_item.pk, world.bigdata_item.pk, world.draft_item.pk}
    listed = client(world.sup).get("/api/documents/").json()["results"]
    assert [doc["id"] for doc in listed] == [world.feedback.pk] and "text" not in listed[0]


def test_organisations_are_those_of_the_persons_tree(world):
    lanshan = {row["name"] for row in client(world.housing_staff).get("/api/organisations/?page_size=200").json()["results"]}
    assert "Songxi County" in lanshan and "Provincial Supervision Office" in lanshan and "Hezhou City" not in lanshan
    hezhou = client(world.hezhou_staff).get("/api/organisations/").json()["results"]
    assert {row["name"] for row in hezhou} == {"Hezhou City", "Hezhou Water Affairs Bureau"}
    units = client(world.sup).get(f"/api/organisations/?parent={world.city.pk}").json()["results"]
    assert [row["name"] for row in units] == ["Qingshi Housing Bureau", "Songxi County"]
    assert client(world.hezhou_staff).get(f"/api/organisations/{world.city.pk}/").status_code == 404


def test_me_names_the_person_and_their_roles(world):
    body = client(world.city_sup).get("/api/me/").json()
    assert body == {"username": "city_sup", "is_superuser": False, "memberships": [
        {"organisation": {"id": world.city.pk, "name": "Qingshi City", "kind": "city"}, "role": "supervisor"}]}


def test_red_flags_as_of_a_date(world):
    late = active(world, world.feedback, world.housing, "(9)")
    Item.objects.filter(pk=late.pk).update(due=date(2025, 3, 31))
    body = client(world.housing_staff).get("/api/flags/?as_of=2025-04-30").json()
    flagged = {entry["item"]["id"]: [flag["code"] for flag in entry["flags"]] for entry in body["results"]}
    assert flagged == {world.housing_item.pk: ["no_progress_report"], late.pk: ["overdue", "no_progress_report"]}
    assert body["results"][1]["flags"][0]["reason"] == (
        "due on 2025-03-31 and still active on 2025-04-30: 22 working days late")  # China's calendar: 4 April off
    assert client(world.housing_staff).get("/api/flags/?as_of=2025-03-31").json()["results"] == []
    assert ids(client(world.housing_staff).get("/api/items/?flag=overdue")) == [late.pk]


# --- filters and pages ---------------------------------------------------------------------------------------------

def test_items_filter_on_state_kind_owner_due_range_document_and_text(world):
    api = client(world.sup)
    everything = ids(api.get("/api/items/"))
    assert everything == [world.housing_item.pk, world.bigdata_item.pk, world.draft_item.pk]
    assert ids(api.get("/api/items/?state=draft")) == [world.draft_item.pk]
    assert ids(api.get("/api/items/?state=draft&state=active")) == everything
    assert ids(api.get("/api/items/?kind=task")) == []
    assert ids(api.get(f"/api/items/?owner={world.city.pk}")) == [world.housing_item.pk]  # and the city's units
    assert ids(api.get(f"/api/items/?owner={world.hezhou.pk}")) == []  # no item of the sup's is led there
    assert ids(api.get(f"/api/items/?document={world.feedback.pk}")) == everything
    Item.objects.filter(pk=world.bigdata_item.pk).update(due=DUE + timedelta(days=30))
    assert ids(api.get(f"/api/items/?due_from={DUE + timedelta(days=1)}")) == [world.bigdata_item.pk]
    assert ids(api.get(f"/api/items/?due_to={DUE}")) == [world.housing_item.pk, world.draft_item.pk]
    assert ids(api.get("/api/items/?q=(2)")) == [world.bigdata_item.pk]
    assert ids(api.get(f"/api/items/?q=%23{world.draft_item.pk}")) == [world.draft_item.pk]
    assert ids(api.get(f"/api/items/?due_from={DUE}&due_to={DUE - timedelta(days=1)}")) == []  # an empty range


def test_a_malformed_filter_is_a_400_naming_the_field(world):
    api = client(world.sup)
    for query, field in (("state=open", "state"), ("due_from=soon", "due_from"), ("page_size=0", "page_size"),
                         ("page_size=500", "page_size"), ("owner=x", "owner"), ("owner=99999999999999999999", "owner"),
                         ("sort=title", "sort"), ("flag=late", "flag")):
        response = api.get(f"/api/items/?{query}")
        assert response.status_code == 400, query
        assert field in response.json()["errors"] and response.json()["detail"].startswith("the request is not valid")
    assert api.get("/api/claims/?status=done").status_code == 400
    assert api.get("/api/change-requests/?kind=extension").status_code == 400
    assert api.get("/api/flags/?as_of=yesterday").status_code == 400
    assert api.get("/api/evidence/?sha256=abc").status_code == 400


def test_items_come_in_keyset_pages_in_the_pages_sort_orders(world):
    for n in range(5):
        draft(world.feedback, f"({10 + n})", due=DUE - timedelta(days=n))
    api = client(world.sup)
    seen, url = [], "/api/items/?page_size=3&sort=due"
    while url:
        body = api.get(url).json()
        assert len(body["results"]) <= 3
        seen += [(row["due"], row["id"]) for row in body["results"]]
        url = body["next"]
    assert len(seen) == 8 and seen == sorted(seen)
    newest = ids(api.get("/api/items/?sort=-id&page_size=2"))
    assert newest == sorted(newest, reverse=True) == [max(i for _, i in seen), max(i for _, i in seen) - 1]
    claims_page = client(world.sup).get("/api/organisations/?page_size=2").json()
    assert len(claims_page["results"]) == 2 and "cursor=" in claims_page["next"]
    assert client(world.sup).get("/api/organisations/?cursor=garbage").status_code == 404
    for crafted in ("p=abc", "p=99999999999999999999", "r=1&p=-1"):  # decodes, but its position is no id
        cursor = base64.urlsafe_b64encode(crafted.encode()).decode()
        assert client(world.sup).get(f"/api/claims/?cursor={cursor}").status_code == 404, crafted
    assert client(world.sup).get("/api/items/?after=WyJ4Il0").status_code == 200  # the pages' cursor: first page


# --- the workflow through the API ----------------------------------------------------------------------------------

def test_the_whole_workflow_through_the_api(world):
    sup, staff, ver = client(world.sup), client(world.housing_staff), client(world.ver)
    item = world.draft_item
    assert sup.post(f"/api/items/{item.pk}/confirm/").status_code == 400  # no lead owner yet: the rule says so
    response = sup.post(f"/api/items/{item.pk}/assign/", {"lead": world.housing.pk, "co_owners": [world.county.pk]},
                        format="json")
    assert response.status_code == 200 and response.json()["lead_owner"]["id"] == world.housing.pk
    assert [org["id"] for org in response.json()["co_owners"]] == [world.county.pk]
    assert sup.post(f"/api/items/{item.pk}/confirm/").json()["state"] == "active"

    report = staff.post(f"/api/items/{item.pk}/progress/",
                        {"text": "half the pipes laid", "evidence": [upload("site.pdf", PDF)]}, format="multipart")
    assert report.status_code == 201
    piece = report.json()["evidence"][0]
    assert piece["content_type"] == "application/pdf" and piece["original_name"] == "site.pdf"

    claim = staff.post(f"/api/items/{item.pk}/claim/", {"note": "all laid", "evidence_ids": [piece["id"]]}, format="json")
    assert claim.status_code == 201 and claim.json()["status"] == "pending"
    refused = staff.post(f"/api/items/{item.pk}/verify/", {"evidence_ids": [piece["id"]]}, format="json")
    assert refused.status_code == 403 and "may not verify completion" in refused.json()["detail"]
    verified = ver.post(f"/api/items/{item.pk}/verify/", {"evidence_ids": [piece["id"]], "note": "seen on site"},
                        format="json")
    assert verified.status_code == 200
    assert verified.json()["status"] == "verified" and verified.json()["verification"]["verifier"] == "ver"
    assert client(world.sup).get(f"/api/items/{item.pk}/").json()["state"] == "closed"
    assert ver.post(f"/api/items/{item.pk}/verify/", {"evidence_ids": [piece["id"]]}, format="json").status_code == 409


def test_a_claim_rejected_with_a_reason_makes_the_item_active_again(world):
    item = world.housing_item
    workflow.claim_completion(world.housing_staff, item, on=timezone.localdate())
    ver = client(world.ver)
    assert ver.post(f"/api/items/{item.pk}/reject-claim/", {"reason": " "}, format="json").status_code == 400
    response = ver.post(f"/api/items/{item.pk}/reject-claim/", {"reason": "no photographs"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == ClaimStatus.REJECTED
    assert response.json()["verification"]["reason"] == "no photographs"
    item.refresh_from_db()
    assert item.state == ItemState.ACTIVE
    assert ver.post(f"/api/items/{item.pk}/reject-claim/", {"reason": "again"}, format="json").status_code == 409
    assert ver.post(f"/api/items/{item.pk}/verify/", {"claim": 999999}, format="json").status_code == 404


def test_deadline_changes_and_cancellations_are_requested_on_the_item_and_decided_on_the_request(world):
    item, staff, sup = world.housing_item, client(world.housing_staff), client(world.sup)
    new_due = DUE + timedelta(days=60)
    response = staff.post(f"/api/items/{item.pk}/request-deadline/", {"due": new_due.isoformat(), "reason": "rain"},
                          format="json")
    assert response.status_code == 201 and response.json()["status"] == RequestStatus.PENDING
    request_id = response.json()["id"]
    assert staff.post(f"/api/change-requests/{request_id}/approve/").status_code == 403  # the owner's side
    approved = sup.post(f"/api/change-requests/{request_id}/approve/", {"note": "granted"}, format="json")
    assert approved.status_code == 200 and approved.json()["decided_by"] == "sup"
    body = sup.get(f"/api/items/{item.pk}/").json()
    assert body["due"] == new_due.isoformat() and body["original_due"] == DUE.isoformat() and body["extensions"] == 1
    assert sup.post(f"/api/change-requests/{request_id}/refuse/", {"reason": "late"}, format="json").status_code == 409

    cancellation = staff.post(f"/api/items/{item.pk}/request-cancellation/", {"reason": "merged"}, format="json").json()
    refused = sup.post(f"/api/change-requests/{cancellation['id']}/refuse/", {"reason": "still needed"}, format="json")
    assert refused.json()["status"] == RequestStatus.REFUSED and refused.json()["decision_note"] == "still needed"
    listed = sup.get(f"/api/change-requests/?item={item.pk}&status=refused").json()["results"]
    assert [row["id"] for row in listed] == [cancellation["id"]]


def test_a_draft_rejected_as_an_extraction_error(world):
    sup = client(world.sup)
    assert sup.post(f"/api/items/{world.draft_item.pk}/reject-draft/", {"reason": ""}, format="json").status_code == 400
    response = sup.post(f"/api/items/{world.draft_item.pk}/reject-draft/", "reason=a+heading%2C+not+a+finding",
                        content_type="application/x-www-form-urlencoded")  # an HTML form's encoding works too
    assert response.status_code == 200 and response.json()["state"] == "rejected"


def test_refusals_carry_the_rule_in_detail_with_403_409_or_400(world):
    staff, city_sup = client(world.housing_staff), client(world.city_sup)
    item = world.housing_item
    denied = city_sup.post(f"/api/items/{item.pk}/claim/", {}, format="json")
    assert denied.status_code == 403 and denied.json() == {
        "detail": "city_sup may not claim completion: only staff of Qingshi Housing Bureau's side may claim completion"}
    conflict = staff.post(f"/api/items/{item.pk}/reject-draft/", {"reason": "x"}, format="json")
    assert conflict.status_code == 409 and "only draft items can" in conflict.json()["detail"]
    blank = staff.post(f"/api/items/{item.pk}/progress/", {"text": "  "}, format="json")
    assert blank.status_code == 400 and blank.json() == {"detail": "the text of a progress report is required"}
    malformed = staff.post(f"/api/items/{item.pk}/request-deadline/", {"due": "soon", "reason": "x"}, format="json")
    assert malformed.status_code == 400 and set(malformed.json()) == {"detail", "errors"}
    assert "due" in malformed.json()["errors"]


# --- evidence ------------------------------------------------------------------------------------------------------

def test_uploads_are_bounded_in_size_and_checked_for_type(world, settings):
    staff, item = client(world.housing_staff), world.housing_item
    junk = staff.post(f"/api/items/{item.pk}/progress/", {"text": "x", "evidence": [upload("a.exe", b"MZ\x90\x00\x03\x00")]},
                      format="multipart")
    assert junk.status_code == 400 and "not a file type accepted as evidence" in junk.json()["detail"]
    lying = staff.post(f"/api/items/{item.pk}/progress/", {"text": "x", "evidence": [upload("a.png", b"plain text\n")]},
                       format="multipart")
    assert lying.status_code == 400 and lying.json()["detail"] == "a.png is sent as image/png but its content is UTF-8 text"
    unnamed = staff.post(f"/api/items/{item.pk}/progress/", {"text": "x", "evidence": [upload("notes", b"plain text\n")]},
                         format="multipart")
    assert unnamed.status_code == 201  # sent as application/octet-stream: the type is read from the bytes
    assert unnamed.json()["evidence"][0]["content_type"] == "text/plain"

    settings.DUBAN_EVIDENCE_MAX_BYTES = 1000
    big = staff.post(f"/api/items/{item.pk}/progress/", {"text": "x", "evidence": [upload("big.txt", b"a" * 1001)]},
                     format="multipart")
    assert big.status_code == 400 and "larger than the 1,000 bytes" in big.json()["detail"]
    too_many = [upload(f"{n}.txt", b"a" * 10) for n in range(6)]
    six = staff.post(f"/api/items/{item.pk}/progress/", {"text": "x", "evidence": too_many}, format="multipart")
    assert six.status_code == 400 and "evidence" in six.json()["errors"]  # five files at most
    huge = staff.post(f"/api/items/{item.pk}/progress/", {"text": "x", "evidence": [upload("huge.txt", b"a" * 80_000)]},
                      format="multipart")
    assert huge.status_code == 413  # more than five files' worth: refused from its length, before the body is read
    assert Evidence.objects.count() == 1


def test_a_refused_action_stores_none_of_its_files(world):
    response = client(world.county_staff).post(
        f"/api/items/{world.housing_item.pk}/progress/", {"text": "x", "evidence": [upload("a.txt", b"photos\n")]},
        format="multipart")
    assert response.status_code in (403, 404)
    assert not Evidence.objects.exists() and not Event.objects.filter(action="evidence.store").exists()


def test_evidence_downloads_as_an_attachment_for_those_who_may_see_an_item_citing_it(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        piece = evidence_store.store_evidence(io.BytesIO(PDF), "report.pdf", actor=world.housing_staff)
    workflow.report_progress(world.housing_staff, world.housing_item, "report", evidence=[piece], on=timezone.localdate())
    response = client(world.city_sup).get(f"/api/evidence/{piece.pk}/download/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="report.pdf"'
    assert client(world.bigdata_staff).get(f"/api/evidence/{piece.pk}/download/").status_code == 404
    listed = client(world.sup).get(f"/api/evidence/?sha256={piece.sha256}").json()["results"]
    assert [row["id"] for row in listed] == [piece.pk] and listed[0]["download"].endswith(f"/api/evidence/{piece.pk}/download/")
    evidence_store.evidence_path(piece.sha256).unlink()
    missing = client(world.sup).get(f"/api/evidence/{piece.pk}/download/")
    assert missing.status_code == 404 and "is missing" in missing.json()["detail"]


def test_evidence_can_only_be_cited_by_id_when_the_person_can_see_it(world):
    other = Evidence.objects.create(sha256="b" * 64, size=1, content_type="text/plain", original_name="x.txt",
                                    stored_at=timezone.now())
    workflow.report_progress(world.bigdata_staff, world.bigdata_item, "r", evidence=[other], on=timezone.localdate())
    response = client(world.housing_staff).post(f"/api/items/{world.housing_item.pk}/claim/",
                                                {"evidence_ids": [other.pk]}, format="json")
    assert response.status_code == 404 and f"#{other.pk}" in response.json()["detail"]
    assert world.housing_item.claims.count() == 0


# --- tokens ----------------------------------------------------------------------------------------------------------

def test_a_token_is_issued_rotated_and_revoked_and_the_history_never_holds_the_key(world):
    key = issue_token(world.housing_staff)
    assert issue_token(world.housing_staff) == key
    assert client(world.housing_staff, key).get("/api/me/").json()["username"] == "housing_staff"
    rotated = issue_token(world.housing_staff, rotate=True)
    assert rotated != key
    assert client(world.housing_staff, key).get("/api/me/").status_code == 401
    assert client(world.housing_staff, rotated).get("/api/me/").status_code == 200
    assert revoke_token(world.housing_staff) and not revoke_token(world.housing_staff)
    assert client(world.housing_staff, rotated).get("/api/me/").status_code == 401
    events = Event.objects.filter(action__startswith="person.token").order_by("id")
    assert [event.action for event in events] == ["person.token_issue", "person.token_rotate", "person.token_revoke"]
    assert not any(key in json.dumps(event.after) or rotated in json.dumps(event.after) for event in events)


def test_the_token_command_prints_the_key(world, capsys):
    assert duban(["ledger", "token", "housing_staff"]) == 0
    key = capsys.readouterr().out.strip()
    assert client(world.housing_staff, key).get("/api/me/").status_code == 200
    assert duban(["ledger", "token", "housing_staff"]) == 0 and capsys.readouterr().out.strip() == key
    assert duban(["ledger", "token", "housing_staff", "--rotate"]) == 0 and capsys.readouterr().out.strip() != key
    assert duban(["ledger", "token", "housing_staff", "--revoke"]) == 0
    assert "revoked" in capsys.readouterr().out
    assert duban(["ledger", "token", "nobody"]) == 1 and "no person with the username" in capsys.readouterr().err
    world.county_staff.is_active = False
    world.county_staff.save()
    assert duban(["ledger", "token", "county_staff"]) == 1 and "not an active account" in capsys.readouterr().err


# --- queries per list ------------------------------------------------------------------------------------------------

# SQL queries per list page, pinned (as NetBox's query_counts.json): the token, the person's memberships (twice:
# administrator or not, then the paths), the page, and one query per prefetched relation; the filtered list adds the
# owner's lookup. The flags list adds the ledger's red-flag queries, a bounded number the flags service owns: it is
# held to not growing with the list, and to a ceiling.
FLAG_QUERIES_AT_MOST = 25
QUERY_COUNTS = {
    "/api/items/": 5,
    "/api/items/?state=active&owner={owner}&q=Sewage&sort=due": 8,  # +1: the organisations the person may see
    "/api/claims/": 5,
    "/api/change-requests/": 4,
    "/api/documents/": 5,
    "/api/evidence/": 4,
    "/api/organisations/": 3,
}


def _grow(world, n: int) -> None:
    """n more active items, each with a co-owner, a progress report with its own evidence, a claim and a request."""
    today, first = timezone.localdate(), Item.objects.count()
    for k in range(first, first + n):
        item = active(world, world.feedback, world.housing, f"(g{k})")
        workflow.assign_owner(world.sup, item, world.housing, [world.county])
        piece = Evidence.objects.create(sha256=f"{k:064x}", size=1, content_type="text/plain",
                                        original_name=f"{k}.txt", stored_at=timezone.now())
        workflow.report_progress(world.housing_staff, item, "done", evidence=[piece], on=today)
        workflow.request_cancellation(world.housing_staff, item, "merged", on=today)
        workflow.claim_completion(world.housing_staff, item, evidence=[piece], on=today)


def _queries(api, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert api.get(url).status_code == 200
    return len(captured)


def test_list_queries_are_pinned_and_do_not_grow_with_the_number_of_items(world):
    api = client(world.sup)
    urls = {url: url.format(owner=world.housing.pk) for url in [*QUERY_COUNTS, "/api/flags/"]}
    _grow(world, 2)
    small = {key: _queries(api, url) for key, url in urls.items()}
    _grow(world, 12)
    large = {key: _queries(api, url) for key, url in urls.items()}
    assert small == large
    assert small["/api/flags/"] <= FLAG_QUERIES_AT_MOST
    del small["/api/flags/"]
    assert small == QUERY_COUNTS
    detail = _queries(api, f"/api/items/{Item.objects.filter(claims__isnull=False).first().pk}/")
    assert detail <= 40  # one item with its reports, claims, requests, flags, history and permissions
