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
