"""Document pages and indicators: the text with its items at their lines (escaped), drafts edited, assigned,
confirmed and rejected in place (with htmx and without), many at once, unit names resolved, who may see which
document and item, and the number of SQL queries per page (the same at 5 and 50 items)."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from duban.ledger.choices import ItemKind, ItemState
from duban.ledger.errors import InvalidState, NotAllowed
from duban.ledger.models import Event, IndicatorObservation, Item, OrganisationAlias, SourceDocument
from duban.ledger.services import drafts, indicators, permissions
from duban.ledger.services.visibility import visible_items

from url_permissions import URL_PERMISSION_TESTS  # tests/web is on the path, as for test_page_permissions.py

HTMX = {"HTTP_HX_REQUEST": "true"}
# Who sees no item of the plan (the demo's Service Center, Big Data Bureau and the office hold them all).
PLAN_OUTSIDERS = ("hezhou_water_staff", "hezhou_supervisor", "songxi_staff", "baiyun_supervisor")


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _follow(client, response):
    assert response.status_code == 302, response.content[:2000]
    return client.get(response["Location"])


def _card_ids(response) -> set[int]:
    cards = [card for line in response.context["lines"] for card in line.cards] + list(response.context["elsewhere"])
    return {card.item.pk for card in cards}


# --- the rule of who may manage, set-wise -----------------------------------------------------------------------

def test_manageable_items_is_may_manage_for_every_person_and_item(demo_ledger):
    users = get_user_model().objects.all()
    items = list(Item.objects.select_related("lead_owner", "document"))
    for user in users:
        expected = {item.pk for item in items if permissions.may_manage(user, item)}
        assert set(drafts.manageable_items(user).values_list("pk", flat=True)) == expected, user.username


# --- the list and the page ----------------------------------------------------------------------------------------

def test_the_document_list_holds_only_documents_with_a_visible_item(demo_ledger, client_for):
    d = demo_ledger
    listed = lambda who: {doc.pk for doc, _ in client_for(who).get(reverse("documents:list")).context["page"].rows}  # noqa: E731
    assert listed("office_supervisor") == {d.plan.pk, d.feedback.pk}
    assert listed("service_center_staff") == {d.plan.pk}
    assert listed("hezhou_water_staff") == {d.feedback.pk}
    assert listed("songxi_staff") == set()
    rows = dict(client_for("service_center_staff").get(reverse("documents:list")).context["page"].rows)
    plan_counts = {state: n for state, _, n in rows[next(iter(rows))]}
    assert plan_counts == {ItemState.ACTIVE: 1, ItemState.CLAIMED: 1}  # only its own two tasks are counted


def test_the_document_page_shows_every_item_at_its_lines(demo_ledger, client_for):
    d = demo_ledger
    response = client_for("office_supervisor").get(reverse("documents:detail", args=[d.plan.pk]))
    assert response.status_code == 200
    assert _card_ids(response) == set(Item.objects.filter(document=d.plan).values_list("pk", flat=True))
    lines = {line.number: line for line in response.context["lines"]}
    assert min(lines) == d.plan.first_line and len(lines) == len(d.plan.text.split("\n"))
    four_line = lines[d.four.line_start]
    assert d.four.pk in {card.item.pk for card in four_line.cards}
    assert four_line.state and any(marked for _, marked in four_line.segments)
    html = response.content.decode()
    assert f'id="item-{d.four.pk}"' in html and f'id="L{d.four.line_start}"' in html
    assert f'href="{reverse("web:item", args=[d.four.pk])}"' in html
    # drafts the supervisor may manage carry their in-place actions and a box for the bulk form
    assert f'value="{d.draft.pk}" form="bulk-form"' in html
    assert reverse("documents:draft", args=[d.plan.pk, d.draft.pk]) in html


def test_a_person_sees_only_the_items_of_a_document_they_may_see(demo_ledger, client_for):
    d = demo_ledger
    staff = get_user_model().objects.get(username="service_center_staff")
    response = client_for("service_center_staff").get(reverse("documents:detail", args=[d.plan.pk]))
    assert response.status_code == 200
    assert _card_ids(response) == {d.four.pk, d.five.pk}
    assert _card_ids(response) == set(visible_items(staff, Item.objects.filter(document=d.plan)).values_list("pk", flat=True))
    html = response.content.decode()
    assert f'id="item-{d.ten.pk}"' not in html and f'id="item-{d.draft.pk}"' not in html
    assert response.context["bulk_form"] is None and response.context["unmatched"] == []
    assert 'form="bulk-form"' not in html and "Publish" not in html


def test_document_text_is_never_rendered_as_markup(demo_ledger, client_for):
    d = demo_ledger
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    lines = d.plan.text.split("\n")
    lines[d.four.line_start - d.plan.first_line] += hostile
    SourceDocument.objects.filter(pk=d.plan.pk).update(text="\n".join(lines), title=hostile)
    Item.objects.filter(pk=d.draft.pk).update(title=hostile, number="<b>(6)</b>", unit_names=[hostile])
    client = client_for("office_supervisor")
    for url in (reverse("documents:detail", args=[d.plan.pk]), reverse("documents:list"),
                reverse("documents:draft", args=[d.plan.pk, d.draft.pk])):
        html = client.get(url).content.decode()
        assert "<script>alert" not in html and "<img src=x" not in html and "<b>(6)</b>" not in html, url
        assert "&lt;script&gt;alert" in html, url


# --- drafts in place ----------------------------------------------------------------------------------------------

def test_edit_draft_corrects_a_draft_and_records_it(demo_ledger):
    d = demo_ledger
    supervisor = d.people["office_supervisor"]
    item = d.draft
    events = Event.objects.count()
    drafts.edit_draft(supervisor, item, title="  Better   title ", due=date(2027, 3, 31),
                      unit_names=["Provincial Health Commission", " ", "Provincial Health Commission", "Qingshi City"])
    item.refresh_from_db()
    assert item.title == "Better title" and item.due == date(2027, 3, 31) and not item.due_provisional
    assert item.unit_names == ["Provincial Health Commission", "Qingshi City"]
    event = Event.objects.order_by("-id").first()
    assert Event.objects.count() == events + 1 and event.action == "item.edit_draft" and event.item_id == item.pk
    assert event.after["due"] == "2027-03-31" and event.before["due"] == "2026-12-31"
    drafts.edit_draft(supervisor, item, title="Better title")
    assert Event.objects.count() == events + 1  # nothing changed, nothing recorded
    with pytest.raises(NotAllowed, match="may not edit this draft"):
        drafts.edit_draft(d.people["service_center_staff"], item, title="mine")
    with pytest.raises(InvalidState, match="only drafts are edited"):
        drafts.edit_draft(supervisor, d.five, due=date(2030, 1, 1))
    assert Item.objects.get(pk=d.five.pk).due == d.five.due


def test_drafts_are_edited_assigned_and_confirmed_in_place_with_htmx(demo_ledger, client_for):
    d = demo_ledger
    client = client_for("office_supervisor")
    item = d.draft
    card = client.get(reverse("documents:draft", args=[d.plan.pk, item.pk]), **HTMX)
    assert card.status_code == 200 and card.templates[0].name == "web/document_card.html"
    assert set(card.context["forms"]) == {"edit", "assign", "reject"}

    edited = client.post(reverse("documents:draft_edit", args=[d.plan.pk, item.pk]),
                         {"title": "Convenience services", "due": "2027-06-30", "unit_names": "Provincial Health Commission"},
                         **HTMX)
    assert edited.status_code == 200 and "Draft corrected." in edited.content.decode()
    item.refresh_from_db()
    assert (item.title, item.due, item.unit_names) == ("Convenience services", date(2027, 6, 30), ["Provincial Health Commission"])

    refused = client.post(reverse("documents:draft_confirm", args=[d.plan.pk, item.pk]), **HTMX)
    assert refused.status_code == 200 and refused.context["error"].startswith("a draft without a lead owner cannot be confirmed")
    assert 'role="alert"' in refused.content.decode()

    units = client.post(reverse("documents:draft_units", args=[d.plan.pk, item.pk]), **HTMX)
    assert units.status_code == 200 and units.context["done"] == "Owners given from the unit names."
    item.refresh_from_db()
    assert item.lead_owner.name == "Provincial Health Commission"
    confirmed = client.post(reverse("documents:draft_confirm", args=[d.plan.pk, item.pk]), **HTMX)
    assert confirmed.context["done"] == "Confirmed: the item is active."
    assert Item.objects.get(pk=item.pk).state == ItemState.ACTIVE
    assert "Confirmed: the item is active." in confirmed.content.decode()


def test_drafts_work_in_place_without_javascript(demo_ledger, client_for):
    d = demo_ledger
    client = client_for("office_supervisor")
    item = d.draft
    page = client.get(reverse("documents:draft", args=[d.plan.pk, item.pk]))
    assert page.status_code == 200 and "web/document_draft.html" in [t.name for t in page.templates]
    response = client.post(reverse("documents:draft_assign", args=[d.plan.pk, item.pk]),
                           {"lead": d.service_center.pk, "co_owners": [d.bigdata.pk]})
    assert response.status_code == 302 and response["Location"].endswith(f"/documents/{d.plan.pk}/#item-{item.pk}")
    assert "Owners assigned." in _messages(client.get(response["Location"]))
    bad = client.post(reverse("documents:draft_edit", args=[d.plan.pk, item.pk]), {"due": "someday"})
    assert bad.status_code == 400 and bad.context["forms"]["edit"].errors["due"]
    no_reason = client.post(reverse("documents:draft_reject", args=[d.plan.pk, item.pk]), {"reason": " "})
    assert no_reason.status_code == 400 and _messages(no_reason) == ["a reason for rejecting the draft is required"]
    rejected = _follow(client, client.post(reverse("documents:draft_reject", args=[d.plan.pk, item.pk]),
                                           {"reason": "a heading, not a task"}))
    assert "The draft was rejected as an extraction error." in _messages(rejected)
    assert Item.objects.get(pk=item.pk).state == ItemState.REJECTED
    again = client.post(reverse("documents:draft_confirm", args=[d.plan.pk, item.pk]))
    assert again.status_code == 409 and "the item is rejected as extraction error" in _messages(again)[0]


def test_an_owner_may_see_a_draft_action_refused_with_the_rule(demo_ledger, client_for):
    d = demo_ledger
    staff = client_for("service_center_staff")
    response = staff.post(reverse("documents:draft_edit", args=[d.plan.pk, d.five.pk]), {"title": "mine"})
    assert response.status_code == 409 and "only drafts are edited" in _messages(response)[0]
    # a draft the person may not even see is not found
    assert staff.post(reverse("documents:draft_confirm", args=[d.plan.pk, d.draft.pk])).status_code == 404
    # a draft they may see (co-owned by their unit below) but not manage: 403 with the rule
    Item.objects.filter(pk=d.draft.pk).update(lead_owner=d.service_center)
    refused = staff.post(reverse("documents:draft_confirm", args=[d.plan.pk, d.draft.pk]))
    assert refused.status_code == 403 and "may not confirm this draft" in _messages(refused)[0]
    assert Item.objects.get(pk=d.draft.pk).state == ItemState.DRAFT


def test_a_supervisor_assigns_and_confirms_many_drafts_at_once(demo_ledger, client_for):
    d = demo_ledger
    client = client_for("office_supervisor")
    tasks = list(Item.objects.filter(document=d.plan, kind=ItemKind.TASK, state=ItemState.DRAFT).order_by("id")[:3])
    url = reverse("documents:bulk", args=[d.plan.pk])
    events = Event.objects.count()
    page = _follow(client, client.post(url, {"action": "assign_confirm", "scope": "selected",
                                             "items": [t.pk for t in tasks], "lead": d.justice.pk}))
    assert "Assign the lead owner below and confirm: done for 3 drafts." in _messages(page)
    assert {(t.state, t.lead_owner_id) for t in Item.objects.filter(pk__in=[t.pk for t in tasks])} == {
        (ItemState.ACTIVE, d.justice.pk)}
    assert Event.objects.count() == events + 6  # one assignment and one confirmation per item

    milestones = list(Item.objects.filter(document=d.plan, kind=ItemKind.MILESTONE, state=ItemState.DRAFT)[:2])
    refused = client.post(url, {"action": "confirm", "scope": "selected", "items": [m.pk for m in milestones]})
    assert refused.status_code == 400
    shown = _messages(refused)
    assert shown[0].startswith("cannot confirm the drafts: 2 of 2 items were refused, so none was changed")
    assert any(f"#{milestones[0].pk}" in m and "without a lead owner" in m for m in shown[1:])
    assert Item.objects.filter(pk__in=[m.pk for m in milestones], state=ItemState.DRAFT).count() == 2

    nothing = client.post(url, {"action": "confirm", "scope": "selected"})
    assert nothing.status_code == 400 and "Tick at least one draft" in _messages(nothing)[0]
    outsider = client.post(url, {"action": "confirm", "scope": "selected", "items": [d.five.pk]})
    assert outsider.status_code == 400  # not a draft of the document: the form refuses the choice


def test_bulk_is_refused_for_people_who_may_not_manage(demo_ledger, client_for):
    d = demo_ledger
    Item.objects.filter(pk=d.draft.pk).update(lead_owner=d.service_center)
    response = client_for("service_center_staff").post(reverse("documents:bulk", args=[d.plan.pk]),
                                                       {"action": "confirm", "scope": "all"})
    assert response.status_code == 400 and "may not confirm this draft" in " ".join(_messages(response))
    assert Item.objects.get(pk=d.draft.pk).state == ItemState.DRAFT


def test_unmatched_unit_names_are_resolved_in_place(demo_ledger, client_for):
    d = demo_ledger
    client = client_for("office_supervisor")
    page = client.get(reverse("documents:detail", args=[d.plan.pk]))
    names = [entry.name for entry in page.context["unmatched"]]
    assert "Provincial Department of Civil Affairs" in names
    response = client.post(reverse("documents:resolve_unit", args=[d.plan.pk]),
                           {"name": "Provincial Department of Civil Affairs", "organisation": d.justice.pk})
    assert response.status_code == 302 and response["Location"].endswith("#unmatched")
    assert OrganisationAlias.objects.get(name="Provincial Department of Civil Affairs").organisation == d.justice
    page = client.get(response["Location"])
    assert "Provincial Department of Civil Affairs" not in [entry.name for entry in page.context["unmatched"]]
    assert "“Provincial Department of Civil Affairs” now means Provincial Department of Justice." in _messages(page)

    both = client.post(reverse("documents:resolve_unit", args=[d.plan.pk]), {"name": "Provincial Department of Commerce"})
    assert both.status_code == 400 and "means one organisation or one group" in _messages(both)[0]
    # a suggestion ticked, with the lists left empty as a browser sends them
    entry = next(e for e in page.context["unmatched"] if e.name == "Provincial Department of Commerce")
    suggestion = entry.suggestions[0].organisation
    html = page.content.decode()
    assert f'name="suggested" value="o{suggestion.pk}"' in html
    response = client.post(reverse("documents:resolve_unit", args=[d.plan.pk]), {
        "name": entry.name, "suggested": f"o{suggestion.pk}", "organisation": "", "group": ""})
    assert response.status_code == 302
    assert OrganisationAlias.objects.get(name="Provincial Department of Commerce").organisation == suggestion
    two = client.post(reverse("documents:resolve_unit", args=[d.plan.pk]), {
        "name": "Provincial Department of Education", "suggested": f"o{d.justice.pk}", "organisation": d.water.pk})
    assert two.status_code == 400 and "choose one of them" in _messages(two)[-1]

    staff = client_for("service_center_staff")
    refused = staff.post(reverse("documents:resolve_unit", args=[d.plan.pk]),
                         {"name": "Provincial Medical Security Bureau", "organisation": d.service_center.pk})
    assert refused.status_code == 403 and "may not record another name" in _messages(refused)[0]
    assert not OrganisationAlias.objects.filter(name="Provincial Medical Security Bureau").exists()


# --- who may reach which URL --------------------------------------------------------------------------------------

def _document_urls(d) -> dict[str, tuple[list, dict]]:
    return {
        "documents:detail": ([d.plan.pk], {}),
        "documents:bulk": ([d.plan.pk], {"action": "confirm", "scope": "all"}),
        "documents:resolve_unit": ([d.plan.pk], {"name": "Provincial Department of Commerce", "organisation": d.water.pk}),
        "documents:publish": ([d.plan.pk], {}),
        "documents:unpublish": ([d.plan.pk], {"reason": "x"}),
        "documents:draft": ([d.plan.pk, d.draft.pk], {}),
        "documents:draft_edit": ([d.plan.pk, d.draft.pk], {"title": "x"}),
        "documents:draft_assign": ([d.plan.pk, d.draft.pk], {"lead": d.water.pk}),
        "documents:draft_units": ([d.plan.pk, d.draft.pk], {}),
        "documents:draft_confirm": ([d.plan.pk, d.draft.pk], {}),
        "documents:draft_reject": ([d.plan.pk, d.draft.pk], {"reason": "x"}),
    }


def _snapshot():
    return (list(Item.objects.order_by("pk").values_list("pk", "state", "due", "lead_owner_id", "title")),
            Event.objects.count(), list(SourceDocument.objects.values_list("pk", "published")),
            OrganisationAlias.objects.count())


@pytest.mark.parametrize("username", PLAN_OUTSIDERS)
def test_another_units_document_is_not_found_on_any_document_url(demo_ledger, client_for, username):
    d = demo_ledger
    client = client_for(username)
    assert not visible_items(d.people[username], Item.objects.filter(document=d.plan)).exists()
    before = _snapshot()
    for name, (args, data) in _document_urls(d).items():
        url = reverse(name, args=args)
        assert client.get(url).status_code in (404, 405), name
        assert client.post(url, data).status_code == 404, name
    assert _snapshot() == before
    # and an item of a document they may see, named under another document, is not found either
    water = client_for("hezhou_water_staff")
    assert water.get(reverse("documents:draft", args=[d.feedback.pk, d.draft.pk])).status_code == 404


def test_every_document_url_is_in_the_not_found_test(demo_ledger):
    covered = {name for name, test in URL_PERMISSION_TESTS.items()
               if test.endswith("::test_another_units_document_is_not_found_on_any_document_url")}
    assert covered == set(_document_urls(demo_ledger))


def test_every_document_and_indicator_page_asks_an_anonymous_visitor_to_log_in(demo_ledger, client):
    d = demo_ledger
    login = reverse("login")
    urls = [reverse(name, args=args) for name, (args, _) in _document_urls(d).items()]
    indicator = Item.objects.filter(kind=ItemKind.INDICATOR).first()
    urls += [reverse("documents:list"), reverse("indicators:list"), reverse("indicators:detail", args=[indicator.pk]),
             reverse("indicators:observe", args=[indicator.pk])]
    before = _snapshot()
    for url in urls:
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 302 and response["Location"].startswith(login), url
    assert _snapshot() == before


# --- indicators ---------------------------------------------------------------------------------------------------

def _indicator(d) -> Item:
    return Item.objects.get(document=d.plan, kind=ItemKind.INDICATOR, data__name="Online handling rate of government service matters")


def test_indicator_pages_hold_only_visible_indicators(demo_ledger, client_for):
    d = demo_ledger
    rate = _indicator(d)
    supervisor = client_for("office_supervisor")
    listed = [row.item.pk for row in supervisor.get(reverse("indicators:list")).context["page"].rows]
    assert rate.pk in listed and set(listed) == set(Item.objects.filter(kind=ItemKind.INDICATOR).values_list("pk", flat=True))
    for username in ("service_center_staff", *PLAN_OUTSIDERS):
        client = client_for(username)
        assert client.get(reverse("indicators:list")).context["page"].rows == [], username
        assert client.get(reverse("indicators:detail", args=[rate.pk])).status_code == 404, username
        assert client.post(reverse("indicators:observe", args=[rate.pk]),
                           {"value": "90", "observed_on": "2025-12-31"}).status_code == 404, username
    assert not IndicatorObservation.objects.exists()
    # an item that is not an indicator has no indicator page
    assert supervisor.get(reverse("indicators:detail", args=[d.four.pk])).status_code == 404


def test_an_indicator_page_charts_observations_against_the_path_with_the_status(demo_ledger, client_for):
    d = demo_ledger
    rate = _indicator(d)
    supervisor = client_for("office_supervisor")
    page = _follow(supervisor, supervisor.post(reverse("indicators:observe", args=[rate.pk]),
                                               {"value": "88", "observed_on": "2025-06-30", "note": "statistics bureau"}))
    assert "Observation recorded." in _messages(page)
    indicators.record_observation(d.people["office_supervisor"], rate, value=89.5, observed_on=date(2025, 10, 31))
    page = supervisor.get(reverse("indicators:detail", args=[rate.pk]))
    row = page.context["row"]
    day = timezone.localdate()
    assert row.assessment == indicators.assess(rate, day)
    assert row.definition.path_value(date(2025, 10, 31)) == indicators.path_value(rate, date(2025, 10, 31))
    html = page.content.decode()
    assert f"status-{indicators.status(rate, day)}" in html and row.status_label in html
    assert '<polyline class="observed"' in html and '<line class="path"' in html and 'role="img"' in html
    assert "Observed 88% on 2025-06-30." in html and "Baseline 86.5% in 2024." in html and "Target 95% by 2027." in html
    assert len(row.chart.observed) == 2 and row.chart.path is not None
    # the chart's points lie on its own scale: the later, higher observation is drawn higher and further right
    (x1, y1, *_), (x2, y2, *_) = row.chart.observed
    assert x2 > x1 and y2 < y1
    refused = client_for("office_verifier").post(reverse("indicators:observe", args=[rate.pk]),
                                                 {"value": "91", "observed_on": "2025-12-31"})
    assert refused.status_code == 403 and "may not record an observation" in _messages(refused)[0]
    bad = supervisor.post(reverse("indicators:observe", args=[rate.pk]), {"value": "many", "observed_on": "2025-12-31"})
    assert bad.status_code == 400 and bad.context["form"].errors["value"]
    assert IndicatorObservation.objects.filter(item=rate).count() == 2


# --- queries per page ---------------------------------------------------------------------------------------------

QUERIES = {"documents:list": 9, "documents:detail": 25, "indicators:list": 6}


def _grow(d, n: int, start: int) -> None:
    """n more items in the plan: drafts at its lines, indicators with a path and observations, owned items."""
    now = timezone.now()
    supervisor = d.people["office_supervisor"]
    line = d.plan.first_line + 10
    made = Item.objects.bulk_create([
        Item(kind=ItemKind.TASK, document=d.plan, line_start=line + k % 40, line_end=line + k % 40, quote=f"grown {start + k}",
             title=f"grown {start + k}", unit_names=["Provincial Big Data Bureau"], lead_owner=d.bigdata if k % 2 else None,
             state=ItemState.DRAFT if k % 3 else ItemState.ACTIVE, created_at=now, updated_at=now) for k in range(n)])
    for item in made[::2]:
        item.co_owners.add(d.justice)
    indicator_items = Item.objects.bulk_create([
        Item(kind=ItemKind.INDICATOR, document=d.plan, line_start=line, line_end=line, quote=f"indicator {start + k}",
             data={"name": f"rate {start + k}", "unit": "%", "baseline": {"value": 50, "year": 2024},
                   "target": {"value": 90, "year": 2027}, "comparator": ">="}, created_at=now, updated_at=now)
        for k in range(n)])
    IndicatorObservation.objects.bulk_create([
        IndicatorObservation(item=item, value=60 + k % 7, observed_on=date(2025, 6, 30), recorded_by=supervisor,
                             created_at=now) for k, item in enumerate(indicator_items)])
    SourceDocument.objects.bulk_create([
        SourceDocument(file=d.plan.file, index=100 + start + k, record_id=f"grown{start + k}", title=f"grown {start + k}",
                       genre="plan", line_start=1, line_end=1, first_line=1, text="one line",
                       supervising_office=d.plan.supervising_office) for k in range(n)])
    documents = SourceDocument.objects.filter(record_id__startswith="grown").order_by("-id")[:n]
    Item.objects.bulk_create([Item(kind=ItemKind.TASK, document=doc, line_start=1, line_end=1, quote="x",
                                   created_at=now, updated_at=now) for doc in documents])


@pytest.mark.parametrize("page", QUERIES)
def test_queries_per_page_do_not_grow_with_the_items(demo_ledger, client_for, page):
    d = demo_ledger
    client = client_for("office_supervisor")
    url = reverse(page, args=[d.plan.pk] if page == "documents:detail" else [])
    counts, total = [], 0
    for size in (5, 50):
        _grow(d, size - total, total)
        total = size
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], f"{page}: {counts[0]} queries with 5 items, {counts[1]} with 50 (an N+1 query)"
    assert counts[1] == QUERIES[page], f"{page} makes {counts[1]} queries; QUERIES pins {QUERIES[page]}"
