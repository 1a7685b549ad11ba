"""Unit names matched to organisations: exact names, aliases, confirmed groups; fuzzy suggestions only confirmed by a
person; unmatched names listed; owners from the names (the first leads). One rule per test."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from duban import cli
from duban.ledger.choices import Genre, OrganisationKind as K, Role
from duban.ledger.errors import LedgerError, NotAllowed
from duban.ledger.models import Event, Item, OrganisationAlias, SourceDocument, SourceFile
from duban.ledger.services.organisations import create_organisation, create_person
from duban.ledger.services.units import (
    How, apply_units, confirm_alias, confirm_group, create_group, group_from_rule, normalise, resolve, suggest,
    unmatched_names,
)

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def world(tree):
    """The shared tree, a second city, a resource trading centre, and a plan supervised by the office."""
    tree.hezhou = create_organisation("Hezhou City", parent=tree.province, kind=K.CITY)
    tree.center = create_organisation("Resource Trading Service Center", parent=tree.province, kind=K.DEPARTMENT)
    tree.quarter = create_organisation("People’s Government of Old Quarter", parent=tree.city, kind=K.COUNTY)
    source = SourceFile.objects.create(name="plan.txt", sha256="b" * 64, size=1, format="txt",
                                       extractor_version="test", ingested_at=T0)
    tree.document = SourceDocument.objects.create(
        file=source, index=1, record_id="doc-1", title="Plan", genre=Genre.PLAN, line_start=1, line_end=9,
        first_line=1, text="Plan", supervising_office=tree.office)
    return tree


def task(world, *units: str, document=None) -> Item:
    return Item.objects.create(kind="task", document=document or world.document, unit_names=list(units),
                               line_start=3, line_end=3, quote="Do it. [Responsible units: …]", created_at=T0, updated_at=T0)


def test_names_match_exactly_whatever_their_case_spaces_quotes_and_leading_the(world):
    for written in ("Provincial Big Data Bureau", "the provincial  big data bureau.", "PROVINCIAL BIG DATA BUREAU"):
        assert resolve(written).organisation == world.bigdata and resolve(written).how == How.NAME
    assert resolve("People's Government of Old Quarter").organisation == world.quarter  # ’ and ' alike
    assert normalise("Departments(units) ") == normalise("departments ( units )") == "departments (units)"
    assert resolve("Provincial Big Data Center").how == How.UNMATCHED  # alike is not the same


def test_resource_trading_and_resource_transaction_are_one_unit_once_an_alias_says_so(world):
    assert resolve("resource transaction service center").how == How.UNMATCHED
    assert suggest("resource transaction service center")[0].organisation == world.center  # shown, not applied
    assert resolve("resource transaction service center").how == How.UNMATCHED
    confirm_alias(world.sup, "resource transaction service center", world.center, at=T0)
    for written in ("Resource Trading Service Center", "resource transaction service center",
                    "Resource Transaction Service Center"):
        assert resolve(written).organisation == world.center
    event = Event.objects.get(action="organisation.alias")
    assert event.actor == "sup" and event.after == {"organisation": world.center.pk,
                                                    "name": "resource transaction service center"}


def test_a_fuzzy_match_is_never_applied_silently(world):
    item = task(world, "Provincial Big Data Center", "Qingshi Housing Bureau")
    assert suggest("Provincial Big Data Center")[0].organisation == world.bigdata
    events = Event.objects.count()
    with pytest.raises(LedgerError, match="'Provincial Big Data Center' \\(no match\\)"):
        apply_units(world.sup, item)
    item.refresh_from_db()
    assert item.lead_owner is None and Event.objects.count() == events


def test_unmatched_names_are_listed_with_counts_items_and_suggestions(world):
    first = task(world, "Provincial Big Data Center", "Qingshi Housing Bureau")
    second = task(world, "provincial big data center", "Mystery Bureau")
    other_document = SourceDocument.objects.create(
        file=world.document.file, index=2, record_id="doc-2", title="Other", genre=Genre.PLAN, line_start=1,
        line_end=1, first_line=1, text="Other")
    task(world, "Mystery Bureau", document=other_document)
    listed = unmatched_names(world.document)
    assert [(e.name, e.count, e.items, e.how) for e in listed] == [
        ("Provincial Big Data Center", 2, [first.pk, second.pk], How.UNMATCHED),
        ("Mystery Bureau", 1, [second.pk], How.UNMATCHED),
    ]
    assert listed[0].spellings == ["Provincial Big Data Center", "provincial big data center"]
    assert listed[0].suggestions[0].organisation == world.bigdata
    assert [e.count for e in unmatched_names() if e.name == "Mystery Bureau"] == [2]


def test_a_name_two_organisations_bear_is_listed_as_ambiguous_until_an_alias_settles_it(world):
    twin = create_organisation("Housing Bureau", parent=world.hezhou, kind=K.DEPARTMENT)
    other = create_organisation("Housing Bureau", parent=world.city, kind=K.DEPARTMENT)
    item = task(world, "Housing Bureau")
    (entry,) = unmatched_names(world.document)
    assert entry.how == How.AMBIGUOUS and set(entry.candidates) == {twin, other}
    with pytest.raises(LedgerError, match="could be Housing Bureau, Housing Bureau"):
        apply_units(world.sup, item)
    confirm_alias(world.sup, "housing bureau", other, at=T0)  # a person says which one the plan means
    assert unmatched_names(world.document) == [] and apply_units(world.sup, item).lead == other


def test_a_name_means_one_organisation(world):
    confirm_alias(world.sup, "Big Data Centre", world.bigdata, at=T0)
    with pytest.raises(LedgerError, match="already means Provincial Big Data Bureau"):
        confirm_alias(world.sup, "big data centre", world.center, at=T0)
    with pytest.raises(LedgerError, match="already means Provincial Big Data Bureau"):
        confirm_alias(world.sup, "Provincial Big Data Bureau", world.center, at=T0)
    assert confirm_alias(world.sup, "Provincial Big Data Bureau", world.bigdata, at=T0) is None  # its own name
    again = confirm_alias(world.sup, "BIG DATA CENTRE", world.bigdata, at=T0)  # confirmed already: nothing new
    assert again.name == "Big Data Centre" and OrganisationAlias.objects.count() == 1
    assert Event.objects.filter(action="organisation.alias").count() == 1


def test_only_an_administrator_or_a_supervisor_at_or_above_the_unit_may_name_it(world):
    with pytest.raises(NotAllowed, match="supervisor at or above Provincial Big Data Bureau"):
        confirm_alias(world.city_sup, "Data Bureau", world.bigdata, at=T0)  # a city supervisor, a provincial unit
    with pytest.raises(NotAllowed):
        confirm_alias(world.housing_staff, "Housing", world.housing, at=T0)
    confirm_alias(world.city_sup, "Qingshi Housing", world.housing, at=T0)  # within the city
    confirm_alias(world.sup, "Data Bureau", world.bigdata, at=T0)  # the office stands at the province's level
    admin = create_person("admin", roles=[(world.county, Role.ADMINISTRATOR)])
    confirm_alias(admin, "The Centre", world.center, at=T0)


def test_a_group_phrase_names_its_group_only_once_a_person_confirms_it(world):
    phrase = "people’s governments of cities (states)"
    assert resolve(phrase).how == How.UNMATCHED
    cities = group_from_rule(world.sup, "Cities of Lanshan", kind=K.CITY, parent=world.province, at=T0)
    assert list(cities.members.order_by("path")) == [world.city, world.hezhou]
    assert suggest("cities of lanshan")[0].group == cities
    assert resolve(phrase).how == How.UNMATCHED
    confirm_group(world.sup, phrase, cities, at=T0)
    assert resolve("People's governments of cities ( states )").group == cities
    assert Event.objects.get(action="group.create").after == {
        "name": "Cities of Lanshan", "members": [world.city.pk, world.hezhou.pk],
        "rule": {"kind": "city", "parent": world.province.pk, "descendants": False}}
    assert Event.objects.get(action="group.alias").after == {"group": cities.pk, "name": phrase}


def test_a_phrase_names_an_organisation_or_a_group_never_both(world):
    cities = create_group(world.sup, "Cities", [world.city, world.hezhou], at=T0)
    with pytest.raises(LedgerError, match="names Provincial Big Data Bureau, not a group"):
        confirm_group(world.sup, "provincial big data bureau", cities, at=T0)
    confirm_group(world.sup, "all cities", cities, at=T0)
    with pytest.raises(LedgerError, match="already names the group Cities"):
        confirm_alias(world.sup, "All Cities", world.city, at=T0)
    other = create_group(world.sup, "Counties", [world.county], at=T0)
    with pytest.raises(LedgerError, match="already names the group Cities"):
        confirm_group(world.sup, "all cities", other, at=T0)


def test_groups_are_defined_by_supervisors_above_every_member(world):
    with pytest.raises(NotAllowed):
        group_from_rule(world.city_sup, "Cities", kind=K.CITY, parent=world.province, at=T0)  # Hezhou is not its
    with pytest.raises(LedgerError, match="no organisation of kind county directly under Lanshan Province"):
        group_from_rule(world.sup, "Counties", kind=K.COUNTY, parent=world.province, at=T0)
    counties = group_from_rule(world.sup, "Counties", kind=K.COUNTY, parent=world.province, descendants=True, at=T0)
    assert set(counties.members.all()) == {world.county, world.quarter}


def test_the_first_name_leads_and_the_others_co_own(world):
    confirm_alias(world.sup, "resource transaction service center", world.center, at=T0)
    item = task(world, "Provincial Big Data Bureau", "resource transaction service center", "Qingshi Housing Bureau",
                "Resource Trading Service Center")
    plan = apply_units(world.sup, item, at=T0)
    item.refresh_from_db()
    assert item.lead_owner == world.bigdata and plan.groups == ()
    assert set(item.co_owners.all()) == {world.center, world.housing} and item.co_owners.count() == 2  # once each
    event = Event.objects.get(item_id=item.pk, action="item.assign")
    assert event.after == {"lead_owner": world.bigdata.pk, "co_owners": sorted([world.center.pk, world.housing.pk])}
    apply_units(world.sup, item, at=T0)  # again: nothing changes, nothing is recorded
    assert Event.objects.filter(item_id=item.pk).count() == 1


def test_a_group_named_first_leads_from_the_organisation_above_its_members(world):
    cities = create_group(world.sup, "Cities", [world.city, world.hezhou], at=T0)
    confirm_group(world.sup, "municipal people’s governments", cities, at=T0)
    item = task(world, "municipal people's governments", "Provincial Big Data Bureau")
    plan = apply_units(world.sup, item, at=T0)
    item.refresh_from_db()
    assert plan.lead_from_group and plan.groups == (cities,)
    assert item.lead_owner == world.province and list(item.co_owners.all()) == [world.bigdata]
    later = task(world, "Provincial Big Data Bureau", "municipal people's governments")
    assert apply_units(world.sup, later, at=T0).groups == (cities,) and later.lead_owner == world.bigdata


def test_owners_are_given_from_names_only_under_the_assignment_rules(world):
    item = task(world, "Qingshi Housing Bureau")
    with pytest.raises(NotAllowed):
        apply_units(world.housing_staff, item, at=T0)
    empty = task(world)
    with pytest.raises(LedgerError, match="names no responsible unit"):
        apply_units(world.sup, empty, at=T0)


def run(capsys, *args) -> tuple[int, str, str]:
    status = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return status, out, err


def test_the_units_commands(world, capsys):
    item = task(world, "resource transaction service center", "people’s governments of cities (states)")
    status, out, _ = run(capsys, "ledger", "units", "unmatched", "--document", world.document.pk)
    assert status == 0 and "2 names to resolve" in out
    assert f"1× 'resource transaction service center' (unmatched) in item #{item.pk}" in out
    assert "Resource Trading Service Center" in out  # suggested
    status, out, _ = run(capsys, "ledger", "units", "suggest", "resource transaction service center")
    assert out.splitlines()[0].endswith(f"#{world.center.pk} Resource Trading Service Center (department, under Lanshan Province)")
    status, out, err = run(capsys, "ledger", "units", "alias", "resource transaction service center",
                           "--org", "Provincial Big Data Bureau", "--as", "city_sup")
    assert status == 1 and "may not record another name" in err
    assert run(capsys, "ledger", "units", "alias", "resource transaction service center", "--org",
               "Resource Trading Service Center", "--as", "sup")[0] == 0
    status, out, _ = run(capsys, "ledger", "units", "group-create", "Cities", "--kind", "city", "--parent",
                         "Lanshan Province", "--as", "sup")
    assert "2 members: Qingshi City, Hezhou City" in out
    assert run(capsys, "ledger", "units", "group", "people’s governments of cities (states)", "--group", "Cities",
               "--as", "sup")[0] == 0
    status, out, _ = run(capsys, "ledger", "units", "groups")
    assert "named by 'people’s governments of cities (states)'" in out
    status, out, _ = run(capsys, "ledger", "units", "apply", item.pk, "--as", "sup", "--on", "2025-03-10")
    assert status == 0 and "led by Resource Trading Service Center; fan out to Cities" in out
    assert "0 names to resolve" in run(capsys, "ledger", "units", "unmatched")[1]
