"""Accountability actions: interviews, warnings, accountability decisions, fines and referrals, with whom they concern."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from ..choices import AccountabilityKind, Role
from ..errors import LedgerError, NotAllowed
from ..models import AccountabilityAction, Item, Organisation
from . import history, permissions
from .texts import written
from .workflow import moment

FEN = Decimal("0.01")


def _organisations(organisations: Iterable[Organisation]) -> list[Organisation]:
    concerned = {}
    for org in organisations:
        if not isinstance(org, Organisation) or org.pk is None:
            raise LedgerError("the units an accountability action concerns must be organisations")
        concerned[org.pk] = org
    return sorted(concerned.values(), key=lambda org: org.pk)


def _amount(kind: str, amount_yuan) -> Decimal | None:
    if kind != AccountabilityKind.FINE:
        if amount_yuan is not None:
            raise LedgerError(f"only a fine has an amount, not {AccountabilityKind(kind).label.lower()}")
        return None
    if amount_yuan is None:
        raise LedgerError("a fine needs its amount in yuan")
    try:
        amount = Decimal(str(amount_yuan))
    except InvalidOperation:
        raise LedgerError(f"the amount of a fine must be a number of yuan, not {amount_yuan!r}") from None
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(FEN):
        raise LedgerError(f"the amount of a fine must be a positive number of yuan to the fen, not {amount_yuan}")
    return amount


def _require_supervisor_outside(user, item: Item | None, concerned: list[Organisation]) -> None:
    """A supervisor, outside the item's owner's side, and a member of none of the units concerned."""
    who = permissions.who(user)
    if item is not None:
        permissions.require_approve(user, item, "record accountability for this item")
    roles = permissions.roles_of(user)
    if not any(role == Role.SUPERVISOR for _, role in roles):
        raise NotAllowed(f"{who} may not record an accountability action: only a supervisor may")
    for org, _ in roles:
        for unit in concerned:
            if org.is_within(unit):
                raise NotAllowed(f"{who} may not record an accountability action concerning {unit.name}: "
                                 f"they belong to {org.name}")


@transaction.atomic
def record_accountability(user, *, kind: str, taken_on: date, description: str,
                          organisations: Iterable[Organisation] = (), people: str = "", item: Item | None = None,
                          amount_yuan: Decimal | int | str | None = None) -> AccountabilityAction:
    """An interview, warning, accountability decision, fine or referral, and the units and people it concerns.

    Recorded by a supervisor who is outside the item's owner's side (when it is about an item) and belongs to none
    of the units concerned; a fine needs its amount, and only a fine has one.
    """
    if kind not in AccountabilityKind.values:
        raise LedgerError(f"unknown accountability action {kind!r}; one of {', '.join(AccountabilityKind.values)}")
    if not isinstance(taken_on, date):
        raise LedgerError("an accountability action needs the date it was taken")
    description = written(description, "an accountability action's description", required=True)
    concerned = _organisations(organisations)
    people = written(people, "the people concerned")
    if not concerned and not people:
        raise LedgerError("an accountability action must name the units or the people it concerns")
    if item is not None and (not isinstance(item, Item) or item.pk is None):
        raise LedgerError("an accountability action can only concern a stored item")
    amount = _amount(kind, amount_yuan)
    _require_supervisor_outside(user, item, concerned)

    action = AccountabilityAction.objects.create(
        kind=kind, taken_on=taken_on, item=item, people=people, description=description, amount_yuan=amount,
        recorded_by=user, created_at=timezone.now(),
    )
    action.organisations.set(concerned)
    after = {"kind": kind, "taken_on": taken_on, "description": description,
             "organisations": [org.pk for org in concerned], "people": people}
    if item is not None:
        after["item"] = item.pk
    if amount is not None:
        after["amount_yuan"] = amount
    history.record(user.get_username(), "accountability.record", action, after=after, at=moment(taken_on),
                   item_id=item.pk if item is not None else None)
    return action
