"""The demo: the fictional Lanshan Province of examples/, its people in every role, and two of its documents."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from .choices import OrganisationKind as K, Role
from .errors import LedgerError
from .models import Organisation, OrganisationAlias
from .services import history
from .services.ingest import ingest_files
from .services.organisations import add_member, create_organisation, create_person

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DOCUMENTS = ("plan_digital_services.txt", "inspection_feedback.txt")
SUPERVISING_OFFICE = "Provincial Supervision Office"


@dataclass(frozen=True)
class Unit:
    name: str
    kind: str
    children: tuple["Unit", ...] = ()
    aliases: tuple[str, ...] = field(default=())  # the names the example documents use for it


def _departments(*names: str) -> tuple[Unit, ...]:
    return tuple(Unit(name, K.DEPARTMENT) for name in names)


LANSHAN = Unit("Lanshan Province", K.PROVINCE, aliases=("Lanshan Provincial People’s Government",), children=(
    Unit(SUPERVISING_OFFICE, K.OFFICE),
    Unit("General Office of the Provincial Government", K.DEPARTMENT,
         aliases=("General Office of Lanshan Provincial People’s Government",)),
    *_departments(
        "Provincial Government Affairs Service Center", "Provincial Big Data Bureau", "Provincial Department of Justice",
        "Provincial Department of Finance", "Provincial Development and Reform Commission",
        "Provincial Market Supervision Administration", "Provincial Public Security Department",
        "Provincial Department of Human Resources and Social Security", "Provincial Health Commission",
    ),
    Unit("Qingshi City", K.CITY, children=(
        *_departments("Qingshi Housing Bureau", "Qingshi City Government Affairs Service Bureau"),
        Unit("Songxi County", K.COUNTY, aliases=("People’s Government of Songxi County of Qingshi City",)),
    )),
    Unit("Hezhou City", K.CITY, aliases=("Hezhou Municipal People's Government",), children=(
        *_departments(
            "Hezhou Municipal Development and Reform Commission", "Hezhou Ecological Environment Bureau",
            "Hezhou Water Affairs Bureau", "Hezhou Natural Resources and Planning Bureau",
            "Hezhou City Data Resources Bureau",
        ),
        Unit("Hexi County", K.COUNTY, aliases=("Hexi County People's Government",)),
        Unit("Luyuan District", K.COUNTY, aliases=("People’s Government of Luyuan District of Hezhou City",)),
    )),
    Unit("Baiyun Prefecture", K.CITY, children=(
        Unit("Yunling County", K.COUNTY, aliases=("People’s Government of Yunling County of Baiyun Prefecture",)),
    )),
))

# username → (organisation, role) pairs; they get one shared password when `make run` creates the admin.
PEOPLE: dict[str, list[tuple[str, str]]] = {
    "province_admin": [("Lanshan Province", Role.ADMINISTRATOR)],
    "office_supervisor": [(SUPERVISING_OFFICE, Role.SUPERVISOR)],
    "office_verifier": [(SUPERVISING_OFFICE, Role.VERIFIER)],
    "service_center_staff": [("Provincial Government Affairs Service Center", Role.OWNER_STAFF)],
    "service_center_verifier": [("Provincial Government Affairs Service Center", Role.VERIFIER)],
    "bigdata_staff": [("Provincial Big Data Bureau", Role.OWNER_STAFF)],
    "justice_staff": [("Provincial Department of Justice", Role.OWNER_STAFF)],
    "qingshi_supervisor": [("Qingshi City", Role.SUPERVISOR)],
    "qingshi_housing_staff": [("Qingshi Housing Bureau", Role.OWNER_STAFF)],
    "songxi_staff": [("Songxi County", Role.OWNER_STAFF)],
    "hezhou_supervisor": [("Hezhou City", Role.SUPERVISOR)],
    "hezhou_verifier": [("Hezhou City", Role.VERIFIER)],
    "hezhou_water_staff": [("Hezhou Water Affairs Bureau", Role.OWNER_STAFF)],
    "hezhou_ecology_staff": [("Hezhou Ecological Environment Bureau", Role.OWNER_STAFF)],
    "hexi_staff": [("Hexi County", Role.OWNER_STAFF)],
    "baiyun_supervisor": [("Baiyun Prefecture", Role.SUPERVISOR)],
}


@dataclass
class DemoReport:
    organisations_added: int = 0
    people_added: int = 0
    documents: list[str] = field(default_factory=list)  # one line per file ingested


def _add_alias(organisation: Organisation, name: str) -> None:
    if not OrganisationAlias.objects.filter(name=name).exists():
        alias = OrganisationAlias.objects.create(organisation=organisation, name=name)
        history.record("system", "organisation.alias", alias, after={"organisation": organisation.pk, "name": name})


def _unit(unit: Unit, parent: Organisation | None, report: DemoReport, by_name: dict[str, Organisation]) -> None:
    organisation = Organisation.objects.filter(parent=parent, name=unit.name).first()
    if organisation is None:
        organisation = create_organisation(unit.name, parent=parent, kind=unit.kind)
        report.organisations_added += 1
    by_name[unit.name] = organisation
    for alias in unit.aliases:
        _add_alias(organisation, alias)
    for child in unit.children:
        _unit(child, organisation, report, by_name)


@transaction.atomic
def load_people() -> DemoReport:
    """The organisation tree and the demo people; what exists already is left as it is."""
    report = DemoReport()
    by_name: dict[str, Organisation] = {}
    _unit(LANSHAN, None, report, by_name)
    users = get_user_model().objects
    for username, roles in PEOPLE.items():
        user = users.filter(username=username).first()
        if user is None:
            user = create_person(username)
            report.people_added += 1
        for organisation, role in roles:
            add_member(user, by_name[organisation], role)
    return report


def load(*, documents: bool = True) -> DemoReport:
    """Load the demo; running it again adds nothing."""
    report = load_people()
    if documents:
        report.documents = load_documents()
    return report


def load_documents() -> list[str]:
    """Ingest the example plan and inspection feedback, supervised by the Provincial Supervision Office."""
    office = Organisation.objects.get(name=SUPERVISING_OFFICE, parent__name=LANSHAN.name, parent__parent=None)
    batch = ingest_files([str(EXAMPLES / name) for name in DOCUMENTS], supervising_office=office)
    for path, error in batch.failures:
        raise LedgerError(f"the demo could not ingest {path}: {error}")
    return [f"{Path(result.path).name}: {result.status.replace('_', ' ')}, "
            f"{sum(len(changes.added) for changes in result.documents)} drafts" for result in batch.results]


ADMIN = "admin"


@transaction.atomic
def create_admin() -> tuple[str, str] | None:
    """The superuser `admin` and one password for the demo people, both generated and returned to be shown once;
    None when `admin` exists already. The demo people then log in to try each role in the browser."""
    users = get_user_model().objects
    if users.filter(username=ADMIN).exists():
        return None
    password = secrets.token_urlsafe(18)
    user = users.create_superuser(username=ADMIN, email="", password=password)
    history.record("system", "person.create", user, after={"username": ADMIN, "superuser": True})
    demo_password = secrets.token_urlsafe(12)
    for person in users.filter(username__in=list(PEOPLE)):
        if not person.has_usable_password():
            person.set_password(demo_password)
            person.save(update_fields=["password"])
            history.record("system", "person.set_password", person, after={"username": person.username})
    return password, demo_password
