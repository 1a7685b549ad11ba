"""No unit sees another unit's non-public items; supervisors see what their office supervises."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from django.contrib.auth import get_user_model

from duban.ledger.models import Item, SourceDocument, SourceFile
from duban.ledger.services.visibility import may_view, visible_items, visible_items_naming_parents

NOW = datetime(2025, 3, 1, tzinfo=timezone.utc)


def _item(lead=None, co=(), office=None, **fields):
    document = None
    if office is not None:
        source = SourceFile.objects.create(name="plan.txt", sha256="a" * 64, size=1, format="text", extractor_version="t", ingested_at=NOW)
        document = SourceDocument.objects.create(file=source, index=1, record_id="d", title="Plan", genre="plan",
                                                 line_start=1, line_end=2, first_line=1, text="x", supervising_office=office)
    item = Item.objects.create(kind="task", lead_owner=lead, document=document, created_at=NOW, updated_at=NOW, **fields)
    item.co_owners.set(co)
    return item


@pytest.mark.django_db
def test_owners_see_their_own_and_their_units_items(tree):
    housing = _item(lead=tree.housing)
    county = _item(lead=tree.county)
    bigdata = _item(lead=tree.bigdata)
    assert set(visible_items(tree.housing_staff)) == {housing}
    assert set(visible_items(tree.city_sup)) == {housing, county}  # the city sees its units' items
    assert set(visible_items(tree.bigdata_staff)) == {bigdata}
    assert not may_view(tree.county_staff, housing)


@pytest.mark.django_db
def test_an_item_names_its_parent_only_to_whom_may_see_the_parent(tree):
    parent = _item(lead=tree.bigdata)
    child = _item(lead=tree.housing, parent=parent, co=[tree.bigdata])
    flags = {item.pk: item.parent_visible for item in visible_items_naming_parents(tree.housing_staff)}
    assert flags == {child.pk: False}  # the child is seen through its lead owner; the bigdata parent is not
    flags = {item.pk: item.parent_visible for item in visible_items_naming_parents(tree.bigdata_staff)}
    assert flags == {parent.pk: False, child.pk: True}  # a co-owner of the child sees the parent too


@pytest.mark.django_db
def test_co_owners_see_the_item_once(tree):
    shared = _item(lead=tree.bigdata, co=[tree.housing, tree.county])
    assert list(visible_items(tree.housing_staff)) == [shared]
    assert list(visible_items(tree.city_sup)) == [shared]


@pytest.mark.django_db
def test_the_supervising_office_sees_what_it_supervises(tree):
    supervised = _item(lead=tree.housing, office=tree.office)
    other = _item(lead=tree.county)
    assert set(visible_items(tree.sup)) == {supervised}
    assert may_view(tree.ver, supervised) and not may_view(tree.ver, other)


@pytest.mark.django_db
def test_administrators_see_all_and_anonymous_nothing(tree):
    item = _item(lead=tree.county)
    admin = get_user_model().objects.create_superuser("root", password="x" * 16)
    assert may_view(admin, item)
    from django.contrib.auth.models import AnonymousUser

    assert not visible_items(AnonymousUser()).exists()
