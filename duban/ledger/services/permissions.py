"""Who may do what to an item: the owner's side reports and claims, people outside it verify and approve."""

from __future__ import annotations

from ..choices import OrganisationKind, Role
from ..errors import NotAllowed
from ..models import Item, Membership, Organisation, SourceDocument

CHECKING_ROLES = frozenset({Role.VERIFIER, Role.SUPERVISOR})


def roles_of(user) -> list[tuple[Organisation, str]]:
    """The (organisation, role) pairs a person holds; none for an anonymous or missing user."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    memberships = Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__path", "role")
    return [(m.organisation, m.role) for m in memberships]


def _within_any(org: Organisation, roots) -> bool:
    return any(org.is_within(root) for root in roots)


def _is_proper_ancestor(org: Organisation, of: Organisation) -> bool:
    return of.path != org.path and of.is_within(org)


def _supervising_offices(item: Item) -> list[Organisation]:
    """The item's document's supervising office; for an item without one, every office."""
    office_id = None
    if item.document_id is not None:
        office_id = SourceDocument.objects.filter(pk=item.document_id).values_list("supervising_office_id", flat=True).first()
    if office_id is not None:
        return list(Organisation.objects.filter(pk=office_id))
    return list(Organisation.objects.filter(kind=OrganisationKind.OFFICE))


def _owner_staff_within(user, roots) -> bool:
    return any(role == Role.OWNER_STAFF and _within_any(org, roots) for org, role in roles_of(user))


def owner_side(user, item: Item) -> bool:
    """Owner staff of the item's lead owner or of one of its descendants."""
    return item.lead_owner is not None and _owner_staff_within(user, [item.lead_owner])


def co_owner_side(user, item: Item) -> bool:
    """Owner staff of one of the item's co-owners or of their descendants."""
    return item.pk is not None and _owner_staff_within(user, list(item.co_owners.all()))


def may_report(user, item: Item) -> bool:
    return owner_side(user, item) or co_owner_side(user, item)


def may_claim(user, item: Item) -> bool:
    """Only the lead owner's side claims completion or asks for changes; co-owners report progress only."""
    return owner_side(user, item)


def _outside_memberships(user, item: Item) -> list[tuple[Organisation, str]]:
    """The person's memberships that stand outside the owner's side: in the supervising office or above the owner.

    Any membership of the owner or its descendants, in whatever role, rules the person out entirely.
    """
    owner = item.lead_owner
    if owner is None:
        return []
    roles = roles_of(user)
    if any(org.is_within(owner) for org, _ in roles):
        return []
    offices = {office.pk for office in _supervising_offices(item)}
    return [(org, role) for org, role in roles if org.pk in offices or _is_proper_ancestor(org, owner)]


def outside_owner_side(user, item: Item) -> bool:
    """A member of the supervising office or of a proper ancestor of the lead owner, and of nothing on its side."""
    return bool(_outside_memberships(user, item))


def may_verify(user, item: Item) -> bool:
    """A verifier or supervisor holding that role outside the owner's side."""
    return any(role in CHECKING_ROLES for _, role in _outside_memberships(user, item))


def may_approve(user, item: Item) -> bool:
    """A supervisor holding that role outside the owner's side."""
    return any(role == Role.SUPERVISOR for _, role in _outside_memberships(user, item))


def _is_administrator(user, roles) -> bool:
    return bool(getattr(user, "is_superuser", False)) or any(role == Role.ADMINISTRATOR for _, role in roles)


def may_manage(user, item: Item, owner: Organisation | None = None) -> bool:
    """Assign owners and confirm or reject drafts: an administrator, or a supervisor of the supervising office
    or of a proper ancestor of the owner (the proposed one, else the item's lead owner)."""
    roles = roles_of(user)
    if _is_administrator(user, roles):
        return True
    owner = owner or item.lead_owner
    offices = {office.pk for office in _supervising_offices(item)}
    return any(role == Role.SUPERVISOR and (org.pk in offices or (owner is not None and _is_proper_ancestor(org, owner)))
               for org, role in roles)


def who(user) -> str:
    """How a refusal names the person."""
    return getattr(user, "username", None) or "an anonymous user"


def _owner_name(item: Item) -> str:
    return item.lead_owner.name if item.lead_owner is not None else "the lead owner"


def require_report(user, item: Item) -> None:
    if not may_report(user, item):
        raise NotAllowed(f"{who(user)} may not report progress: only staff of {_owner_name(item)}'s side "
                         "or of a co-owner's side may report progress")


def require_claim(user, item: Item, action: str = "claim completion") -> None:
    if not may_claim(user, item):
        raise NotAllowed(f"{who(user)} may not {action}: only staff of {_owner_name(item)}'s side may {action}")


def _outside_rule(item: Item) -> str:
    return (f"the supervising office or an organisation above {_owner_name(item)}, "
            f"and never from {_owner_name(item)} or its units")


def require_verify(user, item: Item, action: str = "verify completion") -> None:
    if not may_verify(user, item):
        raise NotAllowed(f"{who(user)} may not {action}: only a verifier or supervisor of {_outside_rule(item)} may")


def require_approve(user, item: Item, action: str = "decide on a change") -> None:
    if not may_approve(user, item):
        raise NotAllowed(f"{who(user)} may not {action}: only a supervisor of {_outside_rule(item)} may")


def require_manage(user, item: Item, owner: Organisation | None = None, action: str = "manage this item") -> None:
    if not may_manage(user, item, owner):
        target = owner or item.lead_owner
        above = f"of an organisation above {target.name}" if target is not None else "above the owner"
        raise NotAllowed(f"{who(user)} may not {action}: only an administrator, or a supervisor of the "
                         f"supervising office or {above}, may")
