"""Nothing about an item a person may not see reaches them through another item's page or API answer: its children,
its parent, the tasks linked to an indicator, the unit names of a document's items, and the organisations and groups
offered as owners are all read through duban.ledger.services.visibility."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from duban.ledger.choices import ItemKind, ItemState
from duban.ledger.models import Item, Organisation


def _hide_from_service_center(d, item: Item, **fields) -> Item:
    """Give the item to Hezhou's water bureau alone, so the service center's staff may not see it."""
    Item.objects.filter(pk=item.pk).update(lead_owner=d.water, **fields)
    item.co_owners.clear()
    item.refresh_from_db()
    return item


def test_an_items_page_and_api_list_only_the_children_the_person_may_see(demo_ledger, client_for):
    d = demo_ledger
    hidden = _hide_from_service_center(d, d.draft, parent=d.four, title="A secret child of task four")
    Item.objects.filter(pk=d.five.pk).update(parent=d.four)
    staff = client_for("service_center_staff")

    page = staff.get(reverse("web:item", args=[d.four.pk])).content.decode()
    assert reverse("web:item", args=[d.five.pk]) in page
    assert reverse("web:item", args=[hidden.pk]) not in page and "secret child" not in page
    children = staff.get(f"/api/items/{d.four.pk}/").json()["children"]
    assert d.five.pk in children and hidden.pk not in children

    office = client_for("office_supervisor")
    assert reverse("web:item", args=[hidden.pk]) in office.get(reverse("web:item", args=[d.four.pk])).content.decode()
    assert {d.five.pk, hidden.pk} <= set(office.get(f"/api/items/{d.four.pk}/").json()["children"])


def test_an_items_page_names_its_parent_only_to_whom_may_see_it(demo_ledger, client_for):
    d = demo_ledger
    parent = _hide_from_service_center(d, d.draft, title="A secret parent of task four")
    Item.objects.filter(pk=d.four.pk).update(parent=parent)

    page = client_for("service_center_staff").get(reverse("web:item", args=[d.four.pk])).content.decode()
    assert "secret parent" not in page and reverse("web:item", args=[parent.pk]) not in page
    page = client_for("office_supervisor").get(reverse("web:item", args=[d.four.pk])).content.decode()
    assert "secret parent" in page and reverse("web:item", args=[parent.pk]) in page

    staff_api, office_api = client_for("service_center_staff"), client_for("office_supervisor")
    assert staff_api.get(f"/api/items/{d.four.pk}/").json()["parent"] is None
    assert [i["parent"] for i in staff_api.get("/api/items/").json()["results"] if i["id"] == d.four.pk] == [None]
    assert office_api.get(f"/api/items/{d.four.pk}/").json()["parent"] == parent.pk


def test_an_indicators_page_lists_only_the_linked_tasks_the_person_may_see(demo_ledger, client_for):
    d = demo_ledger
    now = timezone.now()
    indicator = Item.objects.create(kind=ItemKind.INDICATOR, state=ItemState.ACTIVE, lead_owner=d.service_center,
                                    title="Share of matters handled online", created_at=now, updated_at=now)
    hidden = _hide_from_service_center(d, d.draft, title="A secret linked task")
    hidden.indicators.add(indicator)
    d.five.indicators.add(indicator)

    page = client_for("service_center_staff").get(reverse("indicators:detail", args=[indicator.pk])).content.decode()
    assert reverse("web:item", args=[d.five.pk]) in page
    assert reverse("web:item", args=[hidden.pk]) not in page and "secret linked task" not in page


def test_a_documents_unmatched_names_come_only_from_items_the_person_may_see(demo_ledger, client_for):
    d = demo_ledger
    housing = Organisation.objects.get(name="Qingshi Housing Bureau")
    drafts = list(Item.objects.filter(document=d.plan, state=ItemState.DRAFT).exclude(pk=d.draft.pk).order_by("id")[:1])
    Item.objects.filter(pk=d.draft.pk).update(lead_owner=housing)
    d.draft.co_owners.clear()
    Item.objects.filter(pk=drafts[0].pk).update(lead_owner=d.water, unit_names=["Bureau of Hidden Affairs"])
    drafts[0].co_owners.clear()

    page = client_for("qingshi_supervisor").get(reverse("documents:detail", args=[d.plan.pk])).content.decode()
    assert "Bureau of Hidden Affairs" not in page
    page = client_for("office_supervisor").get(reverse("documents:detail", args=[d.plan.pk])).content.decode()
    assert "Bureau of Hidden Affairs" in page


# --- organisations and groups: one rule for pages and API ---------------------------------------------------------

def _other_tree():
    from duban.ledger.services.organisations import create_organisation
    root = create_organisation("Neighbouring Province")
    return root, create_organisation("Neighbouring Water Bureau", parent=root)


def _user(username: str):
    from django.contrib.auth import get_user_model
    return get_user_model().objects.get(username=username)


def test_the_organisations_a_person_may_see_and_pick_are_their_trees_and_for_an_administrator_all(demo_ledger):
    from duban.ledger.services.visibility import visible_organisations
    d = demo_ledger
    root, bureau = _other_tree()
    for username in ("service_center_staff", "office_supervisor", "hezhou_supervisor"):
        seen = set(visible_organisations(_user(username)))
        assert d.service_center in seen and d.water in seen, username  # the whole of Lanshan, their tree
        assert root not in seen and bureau not in seen, username
    everything = set(visible_organisations(_user("province_admin")))
    assert {root, bureau, d.water} <= everything
    assert not visible_organisations(None).exists()


def test_the_groups_a_person_may_pick_have_no_member_outside_their_trees(demo_ledger):
    from duban.ledger.models import OrganisationGroup
    from duban.ledger.services.visibility import visible_groups
    d = demo_ledger
    _, bureau = _other_tree()
    ours = OrganisationGroup.objects.create(name="Lanshan water bureaus")
    ours.members.add(d.water)
    mixed = OrganisationGroup.objects.create(name="Water bureaus of two provinces")
    mixed.members.add(d.water, bureau)
    seen = set(visible_groups(_user("office_supervisor")))
    assert ours in seen and mixed not in seen
    assert {ours, mixed} <= set(visible_groups(_user("province_admin")))


def test_owners_outside_the_persons_trees_are_neither_offered_nor_accepted_by_pages_or_api(demo_ledger, client_for):
    from rest_framework.test import APIClient
    d = demo_ledger
    _, bureau = _other_tree()
    client = client_for("office_supervisor")
    page = client.get(reverse("web:item", args=[d.five.pk])).content.decode()
    assert "Provincial Big Data Bureau" in page and "Neighbouring Water Bureau" not in page
    assert "Neighbouring Water Bureau" not in client.get(reverse("web:items")).content.decode()

    response = client.post(reverse("web:item_assign", args=[d.five.pk]), {"lead": bureau.pk})
    assert response.status_code == 400
    api = APIClient()
    api.force_authenticate(_user("office_supervisor"))
    response = api.post(f"/api/items/{d.five.pk}/assign/", {"lead": bureau.pk, "co_owners": []}, format="json")
    assert response.status_code == 404
    response = api.post(f"/api/items/{d.five.pk}/assign/", {"lead": d.bigdata.pk, "co_owners": [bureau.pk]}, format="json")
    assert response.status_code == 404
    d.five.refresh_from_db()
    assert d.five.lead_owner == d.service_center and not d.five.co_owners.exists()


def test_a_unit_name_resolves_only_to_an_organisation_or_group_the_person_may_pick(demo_ledger, client_for):
    from duban.ledger.models import OrganisationAlias, OrganisationGroup
    d = demo_ledger
    _, bureau = _other_tree()
    mixed = OrganisationGroup.objects.create(name="Water bureaus of two provinces")
    mixed.members.add(d.water, bureau)
    client = client_for("office_supervisor")
    page = client.get(reverse("documents:detail", args=[d.plan.pk])).content.decode()
    assert "Water bureaus of two provinces" not in page and "Neighbouring Water Bureau" not in page
    for choice in ({"organisation": bureau.pk}, {"suggested": f"o{bureau.pk}"}, {"group": mixed.pk},
                   {"suggested": f"g{mixed.pk}"}):
        client.post(reverse("documents:resolve_unit", args=[d.plan.pk]), {"name": "Provincial Department of Civil Affairs", **choice})
        assert not OrganisationAlias.objects.filter(name="Provincial Department of Civil Affairs").exists(), choice
        assert not mixed.aliases.exists(), choice
