"""Who reaches what through the API: every API URL refuses an anonymous caller (401) and hides another unit's
non-public objects (404 on a lookup or an action, absent from a list); a visible object the person may not act on
is a 403 with the rule; token and session authentication both work, and a session needs its CSRF token to act.

The URL configuration is enumerated: an API URL name missing from ENDPOINTS below fails the suite, so a new
endpoint cannot land without saying what it exposes and being checked here.
"""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from api_world import build_world, client
from duban.ledger.models import CompletionClaim
from duban.ledger.services import evidence as evidence_store, workflow
from duban.ledger.services.tokens import issue_token

# URL name → (method, what its id names, or None for a list). Objects are the Big Data Bureau's, which the
# Housing Bureau's staff may not see.
ENDPOINTS: dict[str, tuple[str, str | None]] = {
    "item-list": ("GET", None),
    "item-detail": ("GET", "item"),
    "item-assign": ("POST", "item"),
    "item-confirm": ("POST", "item"),
    "item-reject-draft": ("POST", "item"),
    "item-progress": ("POST", "item"),
    "item-claim": ("POST", "item"),
    "item-verify": ("POST", "item"),
    "item-reject-claim": ("POST", "item"),
    "item-request-deadline": ("POST", "item"),
    "item-request-cancellation": ("POST", "item"),
    "claim-list": ("GET", None),
    "claim-detail": ("GET", "claim"),
    "change-request-list": ("GET", None),
    "change-request-detail": ("GET", "request"),
    "change-request-approve": ("POST", "request"),
    "change-request-refuse": ("POST", "request"),
    "document-list": ("GET", None),
    "document-detail": ("GET", "document"),
    "organisation-list": ("GET", None),
    "organisation-detail": ("GET", "organisation"),
    "evidence-list": ("GET", None),
    "evidence-detail": ("GET", "evidence"),
    "evidence-download": ("GET", "evidence"),
    "flag-list": ("GET", None),
    "me": ("GET", None),
}
PUBLIC = {"schema", "not-found"}  # the OpenAPI document (no ledger data), and the JSON 404 of unknown /api/ paths


def api_url_names() -> set[str]:
    """The names of every URL in the `api` namespace, read from the URL configuration."""
    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and namespace == "api":
                yield pattern.name
    return set(walk(get_resolver().url_patterns))


@pytest.fixture
def world(db, settings, tmp_path, django_capture_on_commit_callbacks):
    """build_world's ledger, and the Big Data Bureau's item with a claim citing a stored file and a pending request."""
    settings.EVIDENCE_DIR = tmp_path / "evidence"
    world = build_world()
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        world.bigdata_file = evidence_store.store_evidence(io.BytesIO(b"platform acceptance\n"), "acceptance.txt",
                                                           actor=world.bigdata_staff)
    world.bigdata_claim = workflow.claim_completion(world.bigdata_staff, world.bigdata_item,
                                                    evidence=[world.bigdata_file], on=today)
    world.bigdata_request = workflow.request_cancellation(world.bigdata_staff, world.bigdata_item, "merged", on=today)
    return world


def hidden_object(world, kind: str):
    """An object of that kind the Housing Bureau's staff may not see."""
    return {
        "item": world.bigdata_item, "claim": world.bigdata_claim, "request": world.bigdata_request,
        "document": world.hezhou_doc, "organisation": world.hezhou, "evidence": world.bigdata_file,
    }[kind]


def url_of(name: str, obj=None) -> str:
    return reverse(f"api:{name}", args=[obj.pk] if obj is not None else [])


def call(api, method: str, url: str):
    return api.get(url) if method == "GET" else api.post(url, {}, format="json")


def test_every_api_url_is_listed_here():
    names = api_url_names()
    assert names - PUBLIC == set(ENDPOINTS), "a new API URL needs an entry in ENDPOINTS (and tests/web/url_permissions.py)"
    assert PUBLIC <= names


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_an_anonymous_caller_is_refused_with_401(world, name):
    method, kind = ENDPOINTS[name]
    response = call(client(), method, url_of(name, hidden_object(world, kind) if kind else None))
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    bad_token = client(world.housing_staff, "0" * 40)
    assert call(bad_token, method, url_of(name, hidden_object(world, kind) if kind else None)).status_code == 401


@pytest.mark.parametrize("name", sorted(name for name, (_, kind) in ENDPOINTS.items() if kind))
def test_another_units_objects_are_not_found_on_any_url_that_names_them(world, name):
    method, kind = ENDPOINTS[name]
    hidden = hidden_object(world, kind)
    response = call(client(world.housing_staff), method, url_of(name, hidden))
    assert response.status_code == 404, response.content
    # …and the same URL reaches the object for a person who may see it (so the 404 is about visibility).
    seer = world.hezhou_staff if kind in ("document", "organisation") else world.sup
    assert call(client(seer), method, url_of(name, hidden)).status_code != 404


def test_another_units_objects_are_absent_from_every_list(world):
    staff = client(world.housing_staff)
    workflow.report_progress(world.housing_staff, world.housing_item, "own work", on=timezone.localdate())
    listed = {name: staff.get(url_of(name)).json() for name, (_, kind) in ENDPOINTS.items() if kind is None and name != "me"}
    assert [row["id"] for row in listed["item-list"]["results"]] == [world.housing_item.pk]
    assert listed["claim-list"]["results"] == [] and listed["change-request-list"]["results"] == []
    assert listed["evidence-list"]["results"] == []
    assert [row["id"] for row in listed["document-list"]["results"]] == [world.feedback.pk]
    assert world.hezhou.pk not in [row["id"] for row in listed["organisation-list"]["results"]]
    assert all(entry["item"]["id"] == world.housing_item.pk for entry in listed["flag-list"]["results"])
    searched = staff.get(f"/api/items/?q=%23{world.bigdata_item.pk}&document={world.feedback.pk}").json()
    assert searched["results"] == []  # naming the item does not reveal it
    # The supervising office sees both units' work.
    sup = client(world.sup)
    assert {row["id"] for row in sup.get(url_of("item-list")).json()["results"]} >= {world.housing_item.pk, world.bigdata_item.pk}
    assert [row["id"] for row in sup.get(url_of("claim-list")).json()["results"]] == [world.bigdata_claim.pk]


def test_a_person_of_another_tree_sees_none_of_this_ones_items(world):
    hezhou = client(world.hezhou_staff)
    assert [row["id"] for row in hezhou.get("/api/items/").json()["results"]] == [world.hezhou_item.pk]
    for item in (world.housing_item, world.bigdata_item, world.draft_item):
        assert hezhou.get(f"/api/items/{item.pk}/").status_code == 404
    assert hezhou.get(f"/api/documents/{world.feedback.pk}/").status_code == 404
    assert client(world.housing_staff).get(f"/api/items/{world.hezhou_item.pk}/").status_code == 404


def test_a_visible_item_the_person_may_not_act_on_is_a_403_with_the_rule(world):
    city_sup = client(world.city_sup)  # sees the Housing Bureau's item (a unit of the city), owns nothing
    item = world.housing_item
    for action in ("claim", "progress", "request-cancellation"):
        response = city_sup.post(f"/api/items/{item.pk}/{action}/", {"text": "x", "reason": "x"}, format="json")
        assert response.status_code == 403 and response.json()["detail"].startswith("city_sup may not")
    staff = client(world.housing_staff)
    workflow.claim_completion(world.housing_staff, item, on=timezone.localdate())
    refused = staff.post(f"/api/items/{item.pk}/verify/", {}, format="json")
    assert refused.status_code == 403 and "never from Qingshi Housing Bureau" in refused.json()["detail"]
    assert staff.post(f"/api/items/{item.pk}/confirm/").status_code in (403, 409)
    assert CompletionClaim.objects.get(item=item).status == "pending"


def test_token_authentication_works_and_a_session_needs_its_csrf_token_to_act(world):
    key = issue_token(world.housing_staff)
    api = client(world.housing_staff, key)
    assert api.get("/api/me/").json()["username"] == "housing_staff"
    assert api.post(f"/api/items/{world.housing_item.pk}/progress/", {"text": "by token"}, format="json").status_code == 201

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.housing_staff)
    assert browser.get("/api/me/").json()["username"] == "housing_staff"
    refused = browser.post(f"/api/items/{world.housing_item.pk}/progress/", {"text": "no csrf"},
                           content_type="application/json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert world.housing_item.progress_reports.count() == 1


def test_an_unknown_api_path_is_a_json_404(world):
    for path in ("/api/nothing/", "/api/items/1.5/", "/api/items", "/api/items/abc/def/"):
        response = client(world.sup).get(path)
        assert response.status_code == 404 and response["Content-Type"] == "application/json", path
        assert "detail" in response.json()
    assert client().post("/api/nothing/").status_code == 404  # nothing there, for anyone
