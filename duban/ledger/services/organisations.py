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


@transaction.atomic
def add_alias(organisation: Organisation, name: str, *, actor: str = "system", at=None):
    """Record another name a document uses for the organisation; a name means one organisation only."""
    from ..models import OrganisationAlias

    name = " ".join((name or "").split())
    if not name:
        raise LedgerError("an alias needs a name")
    taken = OrganisationAlias.objects.filter(name=name).select_related("organisation").first()
    if taken is not None:
        if taken.organisation_id != organisation.pk:
            raise LedgerError(f"{name!r} is already an alias of {taken.organisation.name}")
        return taken
    alias = OrganisationAlias.objects.create(organisation=organisation, name=name)
    history.record(actor, "organisation.alias", alias, after={"organisation": organisation.pk, "name": name}, at=at)
    return alias
