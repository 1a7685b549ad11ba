"""Work queues: the set-wise rules select exactly the items the one-item permission rules allow, for every person."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from django.contrib.auth import get_user_model

from duban.ledger import demo
from duban.ledger.choices import ClaimStatus, Genre, ItemState, OrganisationKind as K, Role
from duban.ledger.models import ChangeRequest, CompletionClaim, Item, Organisation, ReinspectionCheck, ReinspectionSample, SourceDocument, SourceFile
from duban.ledger.services import permissions, queues
from duban.ledger.services.organisations import add_member, create_organisation
from duban.ledger.services.visibility import visible_items

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)
ON = date(2025, 3, 3)


def _document(office: Organisation | None, n: int) -> SourceDocument:
    source = SourceFile.objects.create(name=f"doc{n}.txt", sha256=f"{n:064d}", size=1, format="txt",
                                       extractor_version="test", ingested_at=T0)
    return SourceDocument.objects.create(file=source, index=1, record_id=f"doc-{n}", title=f"Document {n}",
                                         genre=Genre.PLAN, line_start=1, line_end=1, first_line=1, text="",
                                         supervising_office=office)


@pytest.fixture
def world(db):
    """The demo's tree and people, a second supervising office, and items led at every level, with documents
    supervised by either office, by none, and without a document; some people hold two memberships, and one of
    them sees, as a co-owner's staff, items that its office may decide for want of a supervising office."""
    demo.load_people()
    org = {o.name: o for o in Organisation.objects.all()}
    province = org["Lanshan Province"]
    other_office = create_organisation("Hezhou Supervision Office", parent=org["Hezhou City"], kind=K.OFFICE)
    users = {u.username: u for u in get_user_model().objects.all()}
    add_member(users["hezhou_verifier"], other_office, Role.VERIFIER)
    add_member(users["qingshi_supervisor"], org["Qingshi Housing Bureau"], Role.OWNER_STAFF)
    add_member(users["baiyun_supervisor"], other_office, Role.SUPERVISOR)
    add_member(users["baiyun_supervisor"], org["Yunling County"], Role.OWNER_STAFF)  # sees items Yunling co-owns
    documents = [_document(org[demo.SUPERVISING_OFFICE], 1), _document(other_office, 2), _document(None, 3), None]
    leads = [None, province, org["Provincial Big Data Bureau"], org["Qingshi City"], org["Qingshi Housing Bureau"],
             org["Songxi County"], org["Hezhou Water Affairs Bureau"], org["Hexi County"], other_office]
    items = []
    for document in documents:
        for lead in leads:
            for state in (ItemState.CLAIMED, ItemState.ACTIVE, ItemState.CLOSED):
                items.append(Item.objects.create(kind="task", state=state, lead_owner=lead, document=document,
                                                 created_at=T0, updated_at=T0))
    for item in items:
        if item.lead_owner_id == org["Provincial Big Data Bureau"].pk:
            item.co_owners.add(org["Yunling County"])
        if item.state == ItemState.CLAIMED:
            CompletionClaim.objects.create(item=item, claimant=users["province_admin"], claimed_on=ON, created_at=T0)
        if item.state == ItemState.ACTIVE:
            ChangeRequest.objects.create(item=item, kind="cancellation", requested_by=users["province_admin"],
                                         requested_on=ON, reason="test", created_at=T0)
    sample = ReinspectionSample.objects.create(drawn_by=users["office_supervisor"], drawn_on=ON, seed="s", population=1,
                                               created_at=T0)
    ReinspectionCheck.objects.bulk_create(ReinspectionCheck(sample=sample, item=item)
                                          for item in items if item.state == ItemState.CLOSED)
    return users, items


def test_verifiable_items_are_those_the_person_may_verify(world):
    users, items = world
    for user in users.values():
        expected = {item.pk for item in visible_items(user) if permissions.may_verify(user, item)}
        assert set(queues.verifiable_items(user).values_list("pk", flat=True)) == expected, user.username


def test_approvable_items_are_those_the_person_may_approve(world):
    users, items = world
    for user in users.values():
        expected = {item.pk for item in visible_items(user) if permissions.may_approve(user, item)}
        assert set(queues.approvable_items(user).values_list("pk", flat=True)) == expected, user.username


def test_queues_hold_pending_work_on_items_the_person_may_decide(world):
    users, _ = world
    some = False
    for user in users.values():
        visible = set(visible_items(user).values_list("pk", flat=True))
        claims = queues.awaiting_verification(user)
        assert all(c.status == ClaimStatus.PENDING and c.item.pk in visible and permissions.may_verify(user, c.item)
                   for c in claims)
        expected = {i.pk for i in Item.objects.filter(pk__in=visible, state=ItemState.CLAIMED)
                    if permissions.may_verify(user, i)}
        assert {c.item_id for c in claims} == expected
        requests = queues.awaiting_approval(user)
        assert {r.item_id for r in requests} == {i.pk for i in Item.objects.filter(pk__in=visible, state=ItemState.ACTIVE)
                                                 if permissions.may_approve(user, i)}
        checks = queues.pending_checks(user)
        assert {c.item_id for c in checks} == {i.pk for i in Item.objects.filter(pk__in=visible, state=ItemState.CLOSED)
                                               if permissions.may_approve(user, i)}
        some = some or bool(expected)
    assert some


def test_my_items_are_those_of_the_persons_units(world):
    users, items = world
    staff = users["qingshi_housing_staff"]
    mine = set(queues.my_items(staff).values_list("pk", flat=True))
    housing = Organisation.objects.get(name="Qingshi Housing Bureau")
    assert mine == {item.pk for item in items if item.lead_owner_id == housing.pk}
    city = Organisation.objects.get(name="Qingshi City")
    supervisor_items = set(queues.my_items(users["qingshi_supervisor"]).values_list("pk", flat=True))
    assert supervisor_items == {item.pk for item in items if item.lead_owner and item.lead_owner.is_within(city)}
    item = next(item for item in items if item.lead_owner_id == city.pk)
    item.co_owners.add(housing)
    assert item.pk in set(queues.my_items(staff).values_list("pk", flat=True))
