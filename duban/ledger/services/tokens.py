"""API tokens: one per person, issued, rotated or revoked here; each change is recorded in the history (never the key)."""

from __future__ import annotations

from django.db import transaction
from rest_framework.authtoken.models import Token

from ..errors import LedgerError
from . import history


@transaction.atomic
def issue_token(user, *, rotate: bool = False, actor: str = "system") -> str:
    """The person's API token, created when they have none; `rotate` replaces an existing one (the old key stops working).

    The key is a secret: it is returned to be shown to the person once, and never written to the history.
    """
    if user is None or user.pk is None:
        raise LedgerError("a token is issued to a stored person")
    if not user.is_active:
        raise LedgerError(f"{user.get_username()} is not an active account: activate it before issuing a token")
    existing = Token.objects.select_for_update().filter(user=user).first()
    if existing is not None and not rotate:
        return existing.key
    if existing is not None:
        existing.delete()
    token = Token.objects.create(user=user)
    history.record(actor, "person.token_rotate" if existing is not None else "person.token_issue", user,
                   after={"username": user.get_username()}, at=token.created)
    return token.key


@transaction.atomic
def revoke_token(user, *, actor: str = "system") -> bool:
    """Delete the person's token; False when they had none."""
    deleted, _ = Token.objects.filter(user=user).delete()
    if deleted:
        history.record(actor, "person.token_revoke", user, after={"username": user.get_username()})
    return bool(deleted)
