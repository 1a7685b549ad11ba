"""The issue's first "Done when": the Sichuan "One Network" three-year action plan of the shared corpus, ingested,
its units mapped to a Sichuan-like tree, its group phrases confirmed, its city-level tasks fanned out to all 21
cities and prefectures; through the services, then once through the command line.

Reads /work/shared/corpus (../shared/corpus from the repository) at run time; skipped when it is absent.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from duban import cli
from duban.ledger.choices import ItemKind, ItemState, OrganisationKind as K, Role
from duban.ledger.models import Event, Item, Organisation, SourceDocument
from duban.ledger.services import bulk
from duban.ledger.services.fanout import children_of, fan_out, fan_out_document, rollup
from duban.ledger.services.ingest import ingest_file
from duban.ledger.services.organisations import create_organisation, create_person
from duban.ledger.services.units import (
    Directory, confirm_alias, confirm_group, group_from_rule, normalise, suggest, unmatched_names,
)

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
PLAN = CORPUS / "003_575252aa507e0ab1.txt"
AT = datetime(2022, 9, 20, 2, 0, tzinfo=timezone.utc)

pytestmark = pytest.mark.skipif(not PLAN.is_file(), reason=f"the shared corpus is not at {CORPUS}")

DEPARTMENTS = (  # in alphabetical order
    "Department of Agriculture and Rural Affairs",
    "Department of Civil Affairs",
    "Department of Culture and Tourism",
    "Department of Education",
    "Department of Emergency Management",
    "Department of Finance",
    "Department of Housing and Urban-Rural Development",
    "Department of Human Resources and Social Security",
    "Department of Justice",
    "Department of Natural Resources",
    "Department of Science and Technology",
    "Department of Transportation",
    "General Office of the Provincial Government",
    "Provincial Big Data Center",
    "Provincial Development and Reform Commission",
    "Provincial Fire and Rescue Corps",
    "Provincial Government Affairs Service and Resource Trading Service Center",
    "Provincial Health and Wellness Commission",
    "Provincial Intellectual Property Center",
    "Provincial Market Supervision Bureau",
    "Provincial Medical Insurance Bureau",
    "Provincial Meteorological Bureau",
    "Provincial Postal Administration",
    "Provincial Seismological Bureau",
    "Provincial Sports Bureau",
    "Provincial Veterans Affairs Office",
    "Public Security Department",
    "Sichuan Provincial Taxation Bureau",
)
CITIES = (
    "Chengdu", "Zigong", "Panzhihua", "Luzhou", "Deyang", "Mianyang", "Guangyuan", "Suining", "Neijiang", "Leshan",
    "Nanchong", "Meishan", "Yibin", "Guang'an", "Dazhou", "Ya'an", "Bazhong", "Ziyang",
)
PREFECTURES = ("Aba Tibetan and Qiang", "Garzê Tibetan", "Liangshan Yi")

# How a person resolves the names the plan spells differently from the tree (each is also checked to be among
# the first three suggestions, so the person is shown it).
ALIASES = {
    "provincial government affairs service and resource transaction service center":
        "Provincial Government Affairs Service and Resource Trading Service Center",
    "provincial government service and resource trading service center":
        "Provincial Government Affairs Service and Resource Trading Service Center",
    "provincial government service and resource transaction service center":
        "Provincial Government Affairs Service and Resource Trading Service Center",
    "provincial government services and resource trading service centers":
        "Provincial Government Affairs Service and Resource Trading Service Center",
    "provincial postal administrations": "Provincial Postal Administration",
    "provincial big data centers": "Provincial Big Data Center",
    "Provincial Health and Wellness Committee": "Provincial Health and Wellness Commission",
    "Provincial Fire Rescue Corps": "Provincial Fire and Rescue Corps",
    "Human Resources and Social Security Department": "Department of Human Resources and Social Security",
    "Housing and Urban-Rural Construction Department": "Department of Housing and Urban-Rural Development",
    "Housing and Urban-Rural Development Department": "Department of Housing and Urban-Rural Development",
    "Natural Resources Department": "Department of Natural Resources",
    "Transportation Department": "Department of Transportation",
    "Science and Technology Department": "Department of Science and Technology",
    "Education Department": "Department of Education",
    "Culture and Tourism Department": "Department of Culture and Tourism",
    "Civil Affairs Department": "Department of Civil Affairs",
    "Veterans Office": "Provincial Veterans Affairs Office",
    "Emergency Department": "Department of Emergency Management",
}
CITY_PHRASES = (
    "people’s governments of cities (states)", "people’s governments of various cities (states)",
    "municipal (state) people’s governments", "relevant municipal (state) people’s governments",
)
DEPARTMENT_PHRASES = (
    "relevant departments (units) directly under the province",
    "relevant departments (units) directly under the provincial government",
    "relevant departments (units) directly under the provincial level",
    "provincial departments (units)", "relevant provincial departments (units)",
)
TASKS = 45
CITY_TASKS = 26  # tasks whose units name the cities' people's governments, as the extractor reads them today


@pytest.fixture(autouse=True)
def evidence_dir(settings, tmp_path):
    settings.EVIDENCE_DIR = tmp_path / "evidence"


@pytest.fixture
def sichuan(db):
    province = create_organisation("Sichuan Province", kind=K.PROVINCE, country="CN", region="SC")
    office = create_organisation("Provincial Government Supervision Office", parent=province, kind=K.OFFICE)
    departments = {name: create_organisation(name, parent=province, kind=K.DEPARTMENT) for name in DEPARTMENTS}
    cities = [create_organisation(f"{name} City", parent=province, kind=K.CITY) for name in CITIES]
    cities += [create_organisation(f"{name} Autonomous Prefecture", parent=province, kind=K.CITY) for name in PREFECTURES]
    supervisor = create_person("office_sup", roles=[(office, Role.SUPERVISOR)])
    return province, office, departments, cities, supervisor


def names_of(items) -> set[str]:
    return {normalise(name) for item in items for name in item.unit_names}


def test_the_one_network_plan_fans_out_to_every_city_from_the_services(sichuan):
    province, office, departments, cities, sup = sichuan
    result = ingest_file(str(PLAN), actor="office_sup", supervising_office=office, at=AT)
    (document,) = [changes.document for changes in result.documents if "One Netcom Office" in changes.document.title]
    tasks = list(document.items.filter(kind=ItemKind.TASK).order_by("id"))
    assert len(tasks) == TASKS

    # Unmatched names are listed, never guessed: every variant spelling and every group phrase.
    listed = {normalise(entry.name): entry for entry in unmatched_names(document)}
    assert set(listed) == {normalise(n) for n in (*ALIASES, *CITY_PHRASES, *DEPARTMENT_PHRASES)}
    center = listed[normalise("provincial government affairs service and resource transaction service center")]
    assert center.count > 1 and len(center.items) == center.count
    assert center.suggestions[0].organisation == departments["Provincial Government Affairs Service and Resource Trading Service Center"]

    # A person confirms the names, each once: the right organisation is among the first three suggestions.
    directory = Directory()
    for name, canonical in ALIASES.items():
        shown = [s.organisation for s in suggest(name, limit=3, directory=directory)]
        assert departments[canonical] in shown, name
        confirm_alias(sup, name, departments[canonical], at=AT)
    city_group = group_from_rule(sup, "Cities and prefectures of Sichuan", kind=K.CITY, parent=province, at=AT)
    department_group = group_from_rule(sup, "Departments directly under the province", kind=K.DEPARTMENT,
                                       parent=province, at=AT)
    assert city_group.members.count() == 21 and department_group.members.count() == len(DEPARTMENTS)
    for phrase in CITY_PHRASES:
        confirm_group(sup, phrase, city_group, at=AT)
    for phrase in DEPARTMENT_PHRASES:
        confirm_group(sup, phrase, department_group, at=AT)
    assert unmatched_names(document) == []

    # Owners from the names: all tasks and milestones naming units, in one all-or-nothing call.
    named = list(bulk.select(document).exclude(unit_names=[]))
    assert len(named) > len(tasks)  # milestones name their task's units too
    plans = dict(zip((item.pk for item in named), bulk.assign_units(sup, named, at=AT)))
    four = next(task for task in tasks if task.number == "(four)")
    four.refresh_from_db()
    assert four.lead_owner == departments["General Office of the Provincial Government"]
    assert {org.name for org in four.co_owners.all()} == {
        "Provincial Government Affairs Service and Resource Trading Service Center",
        "Department of Justice", "Provincial Big Data Center"}
    twenty_four = next(task for task in tasks if task.number == "(twenty-four)")
    assert plans[twenty_four.pk].lead_from_group and plans[twenty_four.pk].lead == province

    # Confirming every task at once is refused, listing the safeguard measures that name no unit, and changes nothing.
    with pytest.raises(bulk.BulkRefused) as refused:
        bulk.confirm(sup, bulk.select(document, kinds=[ItemKind.TASK]), at=AT)
    unnamed = [task for task in tasks if not task.unit_names]
    assert [item.pk for item, _ in refused.value.failures] == [task.pk for task in unnamed]
    assert "none was changed" in str(refused.value) and not Item.objects.filter(state=ItemState.ACTIVE).exists()
    bulk.assign(sup, unnamed, departments["General Office of the Provincial Government"], at=AT)
    assert len(bulk.confirm(sup, bulk.select(document, kinds=[ItemKind.TASK]), at=AT)) == TASKS

    # Fan out the city-level tasks: 21 active children each.
    city_tasks = [task for task in tasks if names_of([task]) & {normalise(p) for p in CITY_PHRASES}]
    assert len(city_tasks) == CITY_TASKS
    fanned = fan_out_document(sup, document, groups=[city_group], at=AT)
    assert {result.item.pk for result in fanned} == {task.pk for task in city_tasks}
    children = Item.objects.filter(parent__in=city_tasks, data__has_key="fanout")
    assert children.count() == CITY_TASKS * 21

    for task in city_tasks:
        task.refresh_from_db()
        mine = list(children_of(task).select_related("lead_owner").prefetch_related("co_owners"))
        assert sorted(child.lead_owner.pk for child in mine) == sorted(city.pk for city in cities)
        individually = {org.pk for org in (plans[task.pk].co_owners if plans[task.pk].lead_from_group
                                           else (plans[task.pk].lead, *plans[task.pk].co_owners))}
        for child in mine:
            assert child.state == ItemState.ACTIVE and child.kind == task.kind
            assert child.due == task.due and child.original_due == task.due
            assert {org.pk for org in child.co_owners.all()} == individually
        assert rollup(task).counts == {ItemState.ACTIVE: 21} and rollup(task).status == "open"
    four_children = children_of(four).select_related("lead_owner")
    chengdu = four_children.get(lead_owner__name="Chengdu City")
    assert chengdu.due == date(2024, 12, 31) and chengdu.line_start == four.line_start
    assert {org.name for org in chengdu.co_owners.all()} == {
        "Provincial Government Affairs Service and Resource Trading Service Center",
        "General Office of the Provincial Government", "Provincial Big Data Center", "Department of Justice"}

    # Every child's creation, with its state and owners, is in the history; each parent records its children.
    created = Event.objects.filter(item__in=children, action="item.create")
    assert created.count() == CITY_TASKS * 21 and Event.objects.filter(item__in=children).count() == CITY_TASKS * 21
    assert {(e.after["state"], e.after["lead_owner"]) for e in created.filter(item=chengdu)} == {("active", chengdu.lead_owner_id)}
    assert Event.objects.filter(action="item.fanout", item__in=city_tasks).count() == CITY_TASKS

    # Fanning out again adds nothing; the departments' group gives each department not named one by one its share.
    assert sum(len(r.created) for r in fan_out_document(sup, document, groups=[city_group], at=AT)) == 0
    assert len(fan_out(sup, four, groups=[department_group], at=AT).created) == len(DEPARTMENTS) - 4


def duban(capsys, *args) -> str:
    status = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert status == 0, err
    return out


def test_the_same_from_the_command_line(sichuan, capsys):
    province, office, departments, cities, sup = sichuan
    duban(capsys, "ingest", PLAN, "--office", office.name, "--as", "office_sup", "--on", "2022-09-20")
    document = SourceDocument.objects.get(title__contains="One Netcom Office")
    out = duban(capsys, "ledger", "units", "unmatched", "--document", document.pk)
    assert f"{len(ALIASES) + len(CITY_PHRASES) + len(DEPARTMENT_PHRASES)} names to resolve" in out
    assert "suggestion" in out
    for name, canonical in ALIASES.items():
        duban(capsys, "ledger", "units", "alias", name, "--org", canonical, "--as", "office_sup")
    out = duban(capsys, "ledger", "units", "group-create", "Cities and prefectures of Sichuan", "--kind", "city",
                "--parent", "Sichuan Province", "--as", "office_sup")
    assert "21 members" in out
    duban(capsys, "ledger", "units", "group-create", "Departments directly under the province", "--kind", "department",
          "--parent", "Sichuan Province", "--as", "office_sup")
    for phrase in CITY_PHRASES:
        duban(capsys, "ledger", "units", "group", phrase, "--group", "Cities and prefectures of Sichuan", "--as", "office_sup")
    for phrase in DEPARTMENT_PHRASES:
        duban(capsys, "ledger", "units", "group", phrase, "--group", "Departments directly under the province",
              "--as", "office_sup")
    assert "0 names to resolve" in duban(capsys, "ledger", "units", "unmatched", "--document", document.pk)
    out = duban(capsys, "ledger", "units", "apply", "--document", document.pk, "--as", "office_sup", "--on", "2022-09-20")
    assert "led by Sichuan Province (above the members of Cities and prefectures of Sichuan)" in out
    unnamed = Item.objects.filter(document=document, kind=ItemKind.TASK, unit_names=[]).values_list("pk", flat=True)
    duban(capsys, "ledger", "bulk", "assign", "--ids", *unnamed, "--lead", "General Office of the Provincial Government",
          "--as", "office_sup", "--on", "2022-09-20")
    out = duban(capsys, "ledger", "bulk", "confirm", "--document", document.pk, "--kind", "task", "--as", "office_sup",
                "--on", "2022-09-20")
    assert f"{TASKS} items confirmed" in out
    out = duban(capsys, "ledger", "fanout", "--document", document.pk, "--group", "Cities and prefectures of Sichuan",
                "--as", "office_sup", "--on", "2022-09-20")
    assert f"{CITY_TASKS * 21} child items added under {CITY_TASKS} items" in out and "21 active children added" in out
    four = Item.objects.get(document=document, kind=ItemKind.TASK, number="(four)")
    out = duban(capsys, "ledger", "rollup", four.pk)
    assert "0 of 21 closed (21 active): open" in out and "Chengdu City" in out and "2024-12-31" in out
    assert Item.objects.filter(parent__document=document, data__has_key="fanout").count() == CITY_TASKS * 21
    assert Organisation.objects.filter(led_items__parent=four, led_items__data__has_key="fanout").distinct().count() == 21
