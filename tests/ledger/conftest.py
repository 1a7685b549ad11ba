"""A small organisation tree and its people, shared by the ledger's tests.

Lanshan Province (CN-SC calendar)
├── Provincial Supervision Office      supervisor: sup, verifier: ver
├── Provincial Big Data Bureau         owner: bigdata_staff
└── Qingshi City                       supervisor: city_sup
    ├── Qingshi Housing Bureau         owner: housing_staff, verifier: housing_ver
    └── Songxi County                  owner: county_staff
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from duban.ledger.choices import OrganisationKind as K, Role
from duban.ledger.services.organisations import create_organisation, create_person


@pytest.fixture
def tree(db):
    province = create_organisation("Lanshan Province", kind=K.PROVINCE, country="CN", region="SC")
    office = create_organisation("Provincial Supervision Office", parent=province, kind=K.OFFICE)
    bigdata = create_organisation("Provincial Big Data Bureau", parent=province, kind=K.DEPARTMENT)
    city = create_organisation("Qingshi City", parent=province, kind=K.CITY)
    housing = create_organisation("Qingshi Housing Bureau", parent=city, kind=K.DEPARTMENT)
    county = create_organisation("Songxi County", parent=city, kind=K.COUNTY)
    people = {
        "sup": [(office, Role.SUPERVISOR)],
        "ver": [(office, Role.VERIFIER)],
        "city_sup": [(city, Role.SUPERVISOR)],
        "bigdata_staff": [(bigdata, Role.OWNER_STAFF)],
        "housing_staff": [(housing, Role.OWNER_STAFF)],
        "housing_ver": [(housing, Role.VERIFIER)],
        "county_staff": [(county, Role.OWNER_STAFF)],
    }
    users = {name: create_person(name, roles=roles) for name, roles in people.items()}
    return SimpleNamespace(province=province, office=office, bigdata=bigdata, city=city, housing=housing,
                           county=county, **users)
