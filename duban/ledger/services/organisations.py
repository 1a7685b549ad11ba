"""Organisations and memberships: the tree of owners, and who belongs where in which role."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from ..choices import OrganisationKind, Role
from ..errors import LedgerError
from ..models import Membership, Organisation
from . import history


@transaction.atomic
def create_organisation(name: str, *, parent: Organisation | None = None, kind: str = OrganisationKind.OTHER,
                        country: str | None = None, region: str | None = None, actor: str = "system") -> Organisation:
    """Add a node to the tree; a child inherits its parent's jurisdiction unless given its own."""
    org = Organisation.objects.create(
        name=name, parent=parent, kind=kind,
        country=country or (parent.country if parent else "CN"),
        region=region if region is not None else (parent.region if parent else ""),
    )
    org.path = f"{parent.path if parent else '/'}{org.pk}/"
    org.save(update_fields=["path"])
    history.record(actor, "organisation.create", org, after={"name": name, "parent": parent.pk if parent else None,
                                                               "kind": kind, "country": org.country, "region": org.region})
    return org


@transaction.atomic
def add_member(user, organisation: Organisation, role: str, *, actor: str = "system") -> Membership:
    if role not in Role.values:
        raise LedgerError(f"unknown role {role!r}; one of {', '.join(Role.values)}")
    membership, created = Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    if created:
        history.record(actor, "membership.add", membership, after={"user": user.username, "organisation": organisation.pk, "role": role})
    return membership


@transaction.atomic
def create_person(username: str, *, password: str | None = None, roles: list[tuple[Organisation, str]] = (),
                  actor: str = "system"):
    """A user account with its roles; without a password the account cannot log in."""
    user = get_user_model().objects.create_user(username=username, password=password)
    history.record(actor, "person.create", user, after={"username": username})
    for organisation, role in roles:
        add_member(user, organisation, role, actor=actor)
    return user


def ancestors(org: Organisation) -> list[Organisation]:
    """Proper ancestors, nearest first."""
    ids = [int(p) for p in org.path.strip("/").split("/")[:-1]]
    by_id = Organisation.objects.in_bulk(ids)
    return [by_id[i] for i in reversed(ids) if i in by_id]
