"""Who may do what: the owner's side reports and claims; verifiers and supervisors from outside it verify and approve."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from duban.ledger.choices import Genre, OrganisationKind as K, Role
from duban.ledger.errors import NotAllowed
from duban.ledger.models import Item, SourceDocument, SourceFile
from duban.ledger.services import permissions as p
from duban.ledger.services.organisations import add_member, create_organisation, create_person

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)


def supervised_document(office, title="Rectification plan") -> SourceDocument:
    source = SourceFile.objects.create(name=f"{title}.txt", sha256=f"{office.pk:064d}", size=1, format="txt",
                                       extractor_version="test", ingested_at=T0)
    return SourceDocument.objects.create(file=source, index=1, record_id="doc-1", title=title, genre=Genre.OVERSIGHT,
                                         line_start=1, line_end=1, first_line=1, text=title, supervising_office=office)


def make_item(lead, *, co_owners=(), document=None) -> Item:
    item = Item.objects.create(kind="task", state="draft", created_at=T0, updated_at=T0, due=date(2025, 6, 30),
                               lead_owner=lead, document=document)
    item.co_owners.set(co_owners)
    return item


@pytest.fixture
def world(tree):
    """The shared tree, plus a unit under the housing bureau, a second office, and people placed to test each edge."""
    team = create_organisation("Housing Inspection Team", parent=tree.housing, kind=K.DEPARTMENT)
    city_office = create_organisation("Qingshi Supervision Office", parent=tree.city, kind=K.OFFICE)
    people = {
        "team_staff": [(team, Role.OWNER_STAFF)],
        "team_ver": [(team, Role.VERIFIER)],
        "housing_sup": [(tree.housing, Role.SUPERVISOR)],
        "city_office_sup": [(city_office, Role.SUPERVISOR)],
        "bigdata_ver": [(tree.bigdata, Role.VERIFIER)],
        "province_staff": [(tree.province, Role.OWNER_STAFF)],
        "office_staff_bigdata_ver": [(tree.office, Role.OWNER_STAFF), (tree.bigdata, Role.VERIFIER)],
        "ver_and_housing_staff": [(tree.office, Role.VERIFIER), (tree.housing, Role.OWNER_STAFF)],
        "admin": [(tree.province, Role.ADMINISTRATOR)],
    }
    for name, roles in people.items():
        setattr(tree, name, create_person(name, roles=roles))
    tree.team, tree.city_office = team, city_office
    tree.document = supervised_document(tree.office)
    tree.item = make_item(tree.housing, co_owners=[tree.county], document=tree.document)
    return tree


def test_roles_of_lists_organisation_and_role(world):
    assert set(p.roles_of(world.ver_and_housing_staff)) == {(world.office, Role.VERIFIER), (world.housing, Role.OWNER_STAFF)}
    assert p.roles_of(None) == []


def test_owner_side_is_the_lead_owner_and_its_descendants(world):
    assert p.owner_side(world.housing_staff, world.item)
    assert p.owner_side(world.team_staff, world.item)
    assert not p.owner_side(world.county_staff, world.item)  # a co-owner, not the lead's side
    assert not p.owner_side(world.province_staff, world.item)  # above the owner is not the owner's side
    assert not p.owner_side(world.housing_ver, world.item)  # a verifier is not owner staff


def test_co_owners_report_but_only_the_lead_side_claims(world):
    assert p.may_report(world.county_staff, world.item) and not p.may_claim(world.county_staff, world.item)
    assert p.may_report(world.housing_staff, world.item) and p.may_claim(world.housing_staff, world.item)
    assert not p.may_report(world.bigdata_staff, world.item)


def test_the_owners_own_unit_and_its_descendants_cannot_verify(world):
    for name in ("housing_ver", "team_ver", "housing_sup", "housing_staff", "ver_and_housing_staff"):
        assert not p.may_verify(getattr(world, name), world.item), name


def test_the_supervising_office_and_a_proper_ancestors_people_can_verify(world):
    for name in ("ver", "sup", "city_sup"):
        assert p.may_verify(getattr(world, name), world.item), name


def test_verifying_needs_the_role_where_one_stands_outside(world):
    assert not p.may_verify(world.bigdata_ver, world.item)  # a verifier, but of an unrelated department
    assert not p.may_verify(world.office_staff_bigdata_ver, world.item)  # outside, but not as a verifier
    assert not p.may_verify(world.province_staff, world.item)  # above the owner, but owner staff


def test_only_the_items_supervising_office_counts(world):
    assert not p.may_verify(world.city_office_sup, world.item)  # another office, not above the owner
    without_document = make_item(world.housing)
    assert p.may_verify(world.city_office_sup, without_document)  # no supervising office named: any office


def test_approving_needs_a_supervisor_outside_the_owners_side(world):
    assert p.may_approve(world.sup, world.item) and p.may_approve(world.city_sup, world.item)
    assert not p.may_approve(world.ver, world.item)  # a verifier, not a supervisor
    assert not p.may_approve(world.housing_sup, world.item)  # a supervisor inside the owner's side


def test_an_item_without_a_lead_owner_has_no_outside(world):
    draft = make_item(None, document=world.document)
    assert not p.outside_owner_side(world.sup, draft) and not p.may_verify(world.sup, draft)


def test_managing_is_for_administrators_and_supervisors_above_the_proposed_owner(world):
    item = make_item(None, document=world.document)
    assert p.may_manage(world.admin, item)
    assert p.may_manage(world.sup, item)  # supervisor of the supervising office
    assert p.may_manage(world.city_sup, item, world.housing)  # above the proposed owner
    assert not p.may_manage(world.city_sup, item, world.bigdata)  # not above that owner
    assert not p.may_manage(world.city_sup, item)  # no owner proposed, not the office
    assert not p.may_manage(world.ver, item)  # a verifier of the office, not a supervisor
    assert not p.may_manage(world.housing_staff, item, world.housing)


def test_require_messages_name_the_rule(world):
    with pytest.raises(NotAllowed, match="only staff of Qingshi Housing Bureau's side may claim completion"):
        p.require_claim(world.county_staff, world.item)
    with pytest.raises(NotAllowed, match="never from Qingshi Housing Bureau"):
        p.require_verify(world.housing_ver, world.item)
    with pytest.raises(NotAllowed, match="only a supervisor"):
        p.require_approve(world.ver, world.item)
    with pytest.raises(NotAllowed, match="progress"):
        p.require_report(world.bigdata_staff, world.item)
    with pytest.raises(NotAllowed, match="above Provincial Big Data Bureau"):
        p.require_manage(world.city_sup, world.item, world.bigdata)
    p.require_claim(world.housing_staff, world.item)
    p.require_verify(world.ver, world.item)
    p.require_approve(world.city_sup, world.item)
    p.require_manage(world.sup, world.item)


def test_memberships_added_later_change_the_answer(world):
    assert p.may_verify(world.ver, world.item)
    add_member(world.ver, world.team, Role.OWNER_STAFF)
    assert not p.may_verify(world.ver, world.item)
