"""A small ledger for the API's tests, built through the ledger's services, and API clients holding tokens.

Lanshan Province
├── Provincial Supervision Office      supervisor: sup, verifier: ver      (supervises the feedback document)
├── Provincial Big Data Bureau         owner: bigdata_staff
└── Qingshi City                       supervisor: city_sup
    ├── Qingshi Housing Bureau         owner: housing_staff
    └── Songxi County                  owner: county_staff
Hezhou City (another tree)             supervisor: hezhou_sup, owner: hezhou_staff (supervises the Hezhou document)
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from types import SimpleNamespace

from rest_framework.test import APIClient

from duban.ledger.choices import Genre, ItemKind, ItemState, OrganisationKind as K, Role
from duban.ledger.models import Item, SourceDocument, SourceFile
from duban.ledger.services import workflow
from duban.ledger.services.organisations import create_organisation, create_person
from duban.ledger.services.tokens import issue_token

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=timezone.utc)
DUE = date(2030, 6, 30)
TEXT = "Inspection feedback\n(1) Sewage <script>alert(1)</script> pipes are not collected.\n(2) Hazardous waste.\n"


def document(name: str, office, *, genre=Genre.OVERSIGHT) -> SourceDocument:
    source = SourceFile.objects.create(name=name, sha256=name.encode().hex().ljust(64, "0")[:64], size=len(TEXT),
                                       format="txt", extractor_version="test", ingested_at=T0)
    return SourceDocument.objects.create(file=source, index=1, record_id=f"{name}-1", title=f"Feedback {name}",
                                         genre=genre, line_start=1, line_end=3, first_line=1, text=TEXT,
                                         supervising_office=office)


def draft(doc: SourceDocument, number: str = "(1)", *, kind=ItemKind.FINDING, due=DUE, line=2) -> Item:
    return Item.objects.create(kind=kind, state=ItemState.DRAFT, document=doc, number=number, title=f"Finding {number}",
                               quote=f"{number} Sewage pipes are not collected.", line_start=line, line_end=line,
                               due=due, created_at=T0, updated_at=T0)


def active(world, doc: SourceDocument, lead, number: str = "(1)", *, by=None) -> Item:
    item = draft(doc, number)
    workflow.assign_owner(by or world.sup, item, lead, at=T0)
    return workflow.confirm(by or world.sup, item, at=T0)


def client(user=None, token: str | None = None) -> APIClient:
    api = APIClient()
    if user is not None:
        api.credentials(HTTP_AUTHORIZATION=f"Token {token or issue_token(user)}")
    return api


def build_world() -> SimpleNamespace:
    province = create_organisation("Lanshan Province", kind=K.PROVINCE, country="CN", region="SC")
    office = create_organisation("Provincial Supervision Office", parent=province, kind=K.OFFICE)
    bigdata = create_organisation("Provincial Big Data Bureau", parent=province, kind=K.DEPARTMENT)
    city = create_organisation("Qingshi City", parent=province, kind=K.CITY)
    housing = create_organisation("Qingshi Housing Bureau", parent=city, kind=K.DEPARTMENT)
    county = create_organisation("Songxi County", parent=city, kind=K.COUNTY)
    hezhou = create_organisation("Hezhou City", kind=K.CITY)
    hezhou_water = create_organisation("Hezhou Water Affairs Bureau", parent=hezhou, kind=K.DEPARTMENT)
    people = {
        "sup": [(office, Role.SUPERVISOR)],
        "ver": [(office, Role.VERIFIER)],
        "city_sup": [(city, Role.SUPERVISOR)],
        "bigdata_staff": [(bigdata, Role.OWNER_STAFF)],
        "housing_staff": [(housing, Role.OWNER_STAFF)],
        "county_staff": [(county, Role.OWNER_STAFF)],
        "hezhou_sup": [(hezhou, Role.SUPERVISOR)],
        "hezhou_staff": [(hezhou_water, Role.OWNER_STAFF)],
        "admin_person": [(province, Role.ADMINISTRATOR)],
    }
    users = {name: create_person(name, roles=roles) for name, roles in people.items()}
    world = SimpleNamespace(province=province, office=office, bigdata=bigdata, city=city, housing=housing,
                            county=county, hezhou=hezhou, hezhou_water=hezhou_water, **users)
    world.feedback = document("feedback.txt", office)
    world.hezhou_doc = document("hezhou.txt", hezhou)
    world.housing_item = active(world, world.feedback, housing, "(1)")
    world.bigdata_item = active(world, world.feedback, bigdata, "(2)")
    world.draft_item = draft(world.feedback, "(3)")
    world.hezhou_item = active(world, world.hezhou_doc, hezhou_water, "(1)", by=users["hezhou_sup"])
    return world
