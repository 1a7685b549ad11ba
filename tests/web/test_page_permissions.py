"""Who may reach what through the pages: every URL of the project has a permission test (the URL configuration is
enumerated, so a new endpoint without one fails here), another unit's item is a 404 on every item URL, and an
action the person may not take is a 403 carrying the ledger's rule, with nothing changed."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from duban.ledger.models import ChangeRequest, Event, Item, Reminder, ReinspectionSample
from duban.ledger.services.visibility import visible_items

from url_permissions import URL_PERMISSION_TESTS  # tests/web is on the path (pytest imports test modules by their directory)

ROOT = Path(__file__).resolve().parents[2]


def url_names(patterns=None, namespace: str = "") -> list[tuple[str | None, str, str]]:
    """(name or None, route, namespace) of every URL pattern, walking included configurations."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace) if part)
            found += [(name, f"{pattern.pattern}{route}", ns) for name, route, ns in url_names(pattern.url_patterns, inner)]
        else:
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            found.append((name, str(pattern.pattern), namespace))
    return found


def _covering_entry(name: str, namespace: str) -> str | None:
    if name in URL_PERMISSION_TESTS:
        return URL_PERMISSION_TESTS[name]
    return URL_PERMISSION_TESTS.get(f"{namespace}:*") if namespace else None


def _test_exists(reference: str) -> bool:
    path, _, function = reference.partition("::")
    file = ROOT / path
    return file.is_file() and re.search(rf"^def {re.escape(function)}\(", file.read_text(), re.M) is not None


def test_every_url_has_a_permission_test():
    found = url_names()
    wildcards = {key[:-2] for key in URL_PERMISSION_TESTS if key.endswith(":*")}
    unnamed = [route for name, route, ns in found if name is None and ns not in wildcards]
    assert not unnamed, f"URLs without a name (give each a name and a permission test): {unnamed}"
    missing = sorted({name for name, _, ns in found if name and _covering_entry(name, ns) is None})
    assert not missing, (f"URL names without a permission test: {missing}; add them to tests/web/url_permissions.py "
                         "with the test that checks who may reach them")
    names = {name for name, _, _ in found if name}
    stale = sorted(key for key in URL_PERMISSION_TESTS if not key.endswith(":*") and key not in names)
    assert not stale, f"url_permissions.py names URLs that no longer exist: {stale}"
    absent = sorted({ref for ref in URL_PERMISSION_TESTS.values() if not _test_exists(ref)})
    assert not absent, f"url_permissions.py names tests that do not exist: {absent}"


# --- another unit's items -------------------------------------------------------------------------------------------

ITEM_URL_ARGS = {
    "web:item": lambda d: [d.four.pk],
    "web:item_assign": lambda d: [d.four.pk],
    "web:item_confirm": lambda d: [d.draft.pk],
    "web:item_reject_draft": lambda d: [d.draft.pk],
    "web:item_progress": lambda d: [d.four.pk],
    "web:item_claim": lambda d: [d.five.pk],
    "web:item_verify": lambda d: [d.four.pk],
    "web:item_reject_claim": lambda d: [d.four.pk],
    "web:item_request_deadline": lambda d: [d.five.pk],
    "web:item_request_cancel": lambda d: [d.five.pk],
    "web:request_approve": lambda d: [d.deadline_request.pk],
    "web:request_refuse": lambda d: [d.deadline_request.pk],
    "web:check_record": lambda d: [d.check.pk],
}
# Data a permitted person would send, so that only the permission stands between the request and the change.
ITEM_URL_DATA = {
    "web:item_assign": lambda d: {"lead": d.water.pk},
    "web:item_reject_draft": lambda d: {"reason": "not a task"},
    "web:item_progress": lambda d: {"text": "done"},
    "web:item_verify": lambda d: {"cited": [d.claim_file.pk]},
    "web:item_reject_claim": lambda d: {"reason": "no"},
    "web:item_request_deadline": lambda d: {"due": "2027-01-01", "reason": "late"},
    "web:item_request_cancel": lambda d: {"reason": "moot"},
    "web:request_refuse": lambda d: {"reason": "no"},
    "web:check_record": lambda d: {"result": "failed", "note": "sham"},
}
OUTSIDERS = ("hezhou_water_staff", "hezhou_supervisor", "songxi_staff", "baiyun_supervisor")


def _snapshot():
    return (list(Item.objects.order_by("pk").values_list("pk", "state", "due", "lead_owner_id")),
            Event.objects.count(), list(ChangeRequest.objects.values_list("pk", "status")))


def test_every_item_url_is_in_the_not_found_test():
    covered = {name for name, test in URL_PERMISSION_TESTS.items()
               if test.endswith("::test_another_units_item_is_not_found_on_any_item_url")}
    assert covered == set(ITEM_URL_ARGS)


@pytest.mark.parametrize("username", OUTSIDERS)
def test_another_units_item_is_not_found_on_any_item_url(demo_ledger, client_for, username):
    d = demo_ledger
    client = client_for(username)
    user = d.people[username]
    for item in (d.four, d.five, d.draft, d.ten):
        assert not visible_items(user).filter(pk=item.pk).exists()
    before = _snapshot()
    for name, args in ITEM_URL_ARGS.items():
        url = reverse(name, args=args(d))
        data = ITEM_URL_DATA.get(name, lambda d: {})(d)
        assert client.get(url).status_code in (404, 405), name
        assert client.post(url, data).status_code == 404, name
    assert _snapshot() == before
    if username == "hezhou_water_staff":  # the same person reaches their own unit's item
        assert client.get(reverse("web:item", args=[d.finding.pk])).status_code == 200


def test_evidence_downloads_only_for_people_who_may_see_the_item(demo_ledger, client_for):
    d = demo_ledger
    url = reverse("web:evidence", args=[d.four.pk, d.claim_file.pk])
    for username in ("service_center_staff", "bigdata_staff", "office_verifier"):  # owner, co-owner, supervising office
        response = client_for(username).get(url)
        assert response.status_code == 200, username
        assert b"".join(response.streaming_content) == b"Acceptance record of the standardised matters.\n"
        assert response["Content-Disposition"].startswith("attachment")
    for username in OUTSIDERS:
        assert client_for(username).get(url).status_code == 404, username
    # Evidence is reached through an item that cites it: not through another item the person may see.
    assert client_for("service_center_staff").get(reverse("web:evidence", args=[d.five.pk, d.claim_file.pk])).status_code == 404
    assert client_for("hezhou_water_staff").get(reverse("web:evidence", args=[d.finding.pk, d.claim_file.pk])).status_code == 404
    assert Client().get(url).status_code == 302


# --- actions the person may see but not take ------------------------------------------------------------------------

REFUSALS = [
    ("service_center_staff", "web:item_verify", lambda d: [d.four.pk], lambda d: {"cited": [d.claim_file.pk]},
     "service_center_staff may not verify completion"),
    ("service_center_verifier", "web:item_verify", lambda d: [d.four.pk], lambda d: {"cited": [d.claim_file.pk]},
     "never from Provincial Government Affairs Service Center or its units"),
    ("bigdata_staff", "web:item_reject_claim", lambda d: [d.four.pk], lambda d: {"reason": "no"},
     "bigdata_staff may not reject a completion claim"),
    ("justice_staff", "web:item_request_cancel", lambda d: [d.four.pk], lambda d: {"reason": "moot"},
     "only staff of Provincial Government Affairs Service Center's side may request a cancellation"),
    ("bigdata_staff", "web:item_request_deadline", lambda d: [d.four.pk], lambda d: {"due": "2027-01-01", "reason": "late"},
     "bigdata_staff may not request a deadline change"),
    ("service_center_staff", "web:item_assign", lambda d: [d.five.pk], lambda d: {"lead": d.bigdata.pk},
     "service_center_staff may not assign this owner"),
    ("office_verifier", "web:item_confirm", lambda d: [d.draft.pk], lambda d: {}, "office_verifier may not confirm this draft"),
    ("office_verifier", "web:item_reject_draft", lambda d: [d.draft.pk], lambda d: {"reason": "x"},
     "office_verifier may not reject this draft"),
    ("office_verifier", "web:request_approve", lambda d: [d.deadline_request.pk], lambda d: {},
     "office_verifier may not approve a deadline change: only a supervisor"),
    ("service_center_staff", "web:request_refuse", lambda d: [d.deadline_request.pk], lambda d: {"reason": "no"},
     "service_center_staff may not refuse a deadline change"),
    ("bigdata_staff", "web:check_record", lambda d: [d.check.pk], lambda d: {"result": "passed"},
     "bigdata_staff may not record a re-inspection"),
    ("office_supervisor", "web:item_progress", lambda d: [d.four.pk], lambda d: {"text": "done"},
     "office_supervisor may not report progress"),
    ("office_supervisor", "web:item_claim", lambda d: [d.five.pk], lambda d: {},
     "office_supervisor may not claim completion"),
]


@pytest.mark.parametrize("username, name, args, data, message", REFUSALS, ids=[f"{r[0]}-{r[1]}" for r in REFUSALS])
def test_an_action_the_person_may_not_take_is_a_403_with_the_rule(demo_ledger, client_for, username, name, args, data, message):
    d = demo_ledger
    before = _snapshot()
    response = client_for(username).post(reverse(name, args=args(d)), data(d))
    assert response.status_code == 403
    shown = [str(m) for m in response.context["messages"]]
    assert any(message in text for text in shown), shown
    assert message.encode() in response.content.replace(b"&#x27;", b"'")
    assert _snapshot() == before


def test_a_refused_draw_is_a_403_with_the_rule(demo_ledger, client_for):
    samples = ReinspectionSample.objects.count()
    response = client_for("service_center_staff").post(reverse("web:reinspection_draw"), {"size": 2, "seed": "x"})
    assert response.status_code == 403
    assert b"may not draw a re-inspection sample: only a supervisor may" in response.content
    assert ReinspectionSample.objects.count() == samples


def test_forms_are_offered_only_for_actions_the_person_may_take(demo_ledger, client_for):
    d = demo_ledger
    page = lambda username, item: client_for(username).get(reverse("web:item", args=[item.pk])).context["forms"]  # noqa: E731
    assert set(page("office_verifier", d.four)) == {"verify", "reject_claim"}
    assert set(page("service_center_staff", d.four)) == {"progress", "deadline", "cancel"}
    assert set(page("bigdata_staff", d.four)) == {"progress"}  # a co-owner reports, never claims
    assert set(page("service_center_verifier", d.four)) == set()  # on the owner's side: no verifying
    assert set(page("office_supervisor", d.draft)) == {"assign", "reject_draft"}
    assert set(page("office_supervisor", d.five)) == {"assign"}
    five = client_for("office_supervisor").get(reverse("web:item", args=[d.five.pk]))
    assert five.context["decide"] and reverse("web:request_approve", args=[d.deadline_request.pk]).encode() in five.content
    assert not client_for("office_verifier").get(reverse("web:item", args=[d.five.pk])).context["decide"]


# --- lists, figures and the inbox -----------------------------------------------------------------------------------

def _listed_items(response) -> set[int]:
    context = response.context
    if "figures" in context:
        figures = context["figures"]
        return ({item.pk for item, _ in figures.overdue} | {item.pk for item, _, _ in figures.due_soon}
                | {item.pk for item, _ in context["flagged"]})
    rows = context["page"].rows
    return {getattr(row[0] if isinstance(row, tuple) else row, "item_id", None) or (row[0] if isinstance(row, tuple) else row).pk
            for row in rows}


LIST_PAGES = ("web:home", "web:items", "web:my_items", "web:queue_verification", "web:queue_approval",
              "web:queue_reinspection")


def test_lists_and_figures_hold_only_visible_items(demo_ledger, client_for):
    d = demo_ledger
    seen = {}
    for username in ("hezhou_water_staff", "office_supervisor", "office_verifier", "service_center_staff"):
        visible = set(visible_items(d.people[username]).values_list("pk", flat=True))
        client = client_for(username)
        for name in LIST_PAGES:
            response = client.get(reverse(name), {"on": "2026-11-01"})
            assert response.status_code == 200
            listed = _listed_items(response)
            assert listed <= visible, (username, name)
            seen[(username, name)] = listed
    assert seen[("hezhou_water_staff", "web:items")] == {d.finding.pk}
    assert seen[("hezhou_water_staff", "web:my_items")] == {d.finding.pk}
    assert seen[("office_verifier", "web:queue_verification")] == {d.four.pk}
    assert seen[("office_supervisor", "web:queue_approval")] == {d.five.pk}
    assert seen[("office_supervisor", "web:queue_reinspection")] == {d.ten.pk}
    assert d.four.pk in seen[("office_supervisor", "web:home")]  # overdue on 1 November 2026
    for queue in ("web:queue_verification", "web:queue_approval", "web:queue_reinspection"):
        assert seen[("hezhou_water_staff", queue)] == set()
        assert seen[("service_center_staff", queue)] == set()  # the owner's side never decides its own work
    counts = client_for("hezhou_water_staff").get(reverse("web:home")).context["figures"].counts
    assert sum(counts.values()) == 1


def test_the_inbox_holds_only_the_persons_organisations_reminders(demo_ledger, client_for):
    d = demo_ledger
    reminder = Reminder.objects.get(organisation=d.service_center)
    staff = client_for("service_center_staff")
    assert [r.pk for r in staff.get(reverse("web:inbox")).context["page"].rows] == [reminder.pk]
    assert list(client_for("hezhou_water_staff").get(reverse("web:inbox")).context["page"].rows) == []
    assert client_for("hezhou_water_staff").post(reverse("web:inbox_read", args=[reminder.pk])).status_code == 404
    assert client_for("bigdata_staff").post(reverse("web:inbox_read", args=[reminder.pk])).status_code == 404
    reminder.refresh_from_db()
    assert reminder.read_at is None
    response = staff.post(reverse("web:inbox_read", args=[reminder.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b"Read " in response.content
    reminder.refresh_from_db()
    assert reminder.read_at is not None
    assert list(staff.get(reverse("web:inbox")).context["page"].rows) == []
    assert [r.pk for r in staff.get(reverse("web:inbox"), {"show": "all"}).context["page"].rows] == [reminder.pk]


# --- anonymous visitors, the admin, logins, the API schema -----------------------------------------------------------

def _sample_args(name: str, demo) -> list:
    return ITEM_URL_ARGS[name](demo) if name in ITEM_URL_ARGS else {
        "web:evidence": [demo.four.pk, demo.claim_file.pk], "web:inbox_read": [1]}.get(name, [])


def test_every_page_asks_an_anonymous_visitor_to_log_in(demo_ledger):
    anonymous = Client()
    login = reverse("login")
    before = _snapshot()
    for name, _, namespace in url_names():
        if namespace != "web":
            continue
        url = reverse(name, args=_sample_args(name, demo_ledger))
        for response in (anonymous.get(url), anonymous.post(url)):
            assert response.status_code == 302 and response["Location"].startswith(login), name
    assert _snapshot() == before
    assert anonymous.get(reverse("logout")).status_code == 405  # logging out is a POST, so no link can do it


def test_the_admin_is_for_staff_only(demo_ledger, client_for):
    client = client_for("province_admin")  # an administrator in the ledger, not Django staff
    names = [name for name, route, ns in url_names() if ns == "admin" and name and "<" not in route]
    assert "admin:index" in names and len(names) > 5
    for name in names:
        if name in ("admin:logout", "admin:login"):
            continue
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/admin/login/" in response["Location"], name


def test_logins_are_throttled_per_username_and_address(demo_ledger, demo_password, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; Argon2 is tested below
    password = demo_password("office_supervisor")
    demo_password("office_verifier")
    client = Client(REMOTE_ADDR="203.0.113.7")
    login = reverse("login")
    response = client.post(login, {"username": "office_supervisor", "password": password})
    assert response.status_code == 302 and response["Location"] == reverse("web:home")
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(login, {"username": "office_supervisor", "password": "wrong"}).status_code == 200
    locked = client.post(login, {"username": "office_supervisor", "password": "wrong"})
    assert locked.status_code == 429 and b"Too many failed logins" in locked.content
    refused = client.post(login, {"username": "office_supervisor", "password": password})  # even the right password
    assert refused.status_code == 429 and "_auth_user_id" not in client.session
    other_user = client.post(login, {"username": "office_verifier", "password": password})
    assert other_user.status_code == 302  # the lockout is for this username from this address only
    elsewhere = Client(REMOTE_ADDR="198.51.100.9").post(login, {"username": "office_supervisor", "password": password})
    assert elsewhere.status_code == 302
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=15)


def test_the_api_schema_describes_the_api_and_holds_no_ledger_data(demo_ledger, client_for):
    response = client_for("office_supervisor").get(reverse("api:schema"))
    assert response.status_code == 200
    assert b"openapi" in response.content
    for text in (demo_ledger.four.title, demo_ledger.finding.quote[:40]):
        assert text.encode() not in response.content


def test_password_hashing_is_argon2(demo_ledger, demo_password):
    demo_password("office_supervisor")
    assert get_user_model().objects.get(username="office_supervisor").password.startswith("argon2")
