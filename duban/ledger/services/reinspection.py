"""Looking back: seeded, reproducible samples of closed items, and checks that reopen sham rectifications."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone

from ..choices import CheckResult, ItemKind, ItemState, Role
from ..errors import InvalidState, LedgerError, NotAllowed
from ..models import Item, ReinspectionCheck, ReinspectionSample
from . import history, permissions
from .texts import written
from .workflow import moment

SHAM_RECTIFICATION = "Sham rectification found on re-inspection"
MAX_SAMPLE = 1_000  # items one re-inspection sample may draw


def _seed_text(seed: str | int) -> str:
    text = str(seed).strip()
    if not text or len(text) > ReinspectionSample._meta.get_field("seed").max_length:
        raise LedgerError("a re-inspection sample needs a seed of 1 to 64 characters, so it can be drawn again")
    return text


def _population(user, population: Iterable[Item] | None) -> list[Item]:
    """The closed items the supervisor may re-inspect, sorted by id.

    Without a population, every closed item the supervisor stands outside of; a given population must hold only
    closed items the supervisor may re-inspect.
    """
    if population is None:
        closed = Item.objects.filter(state=ItemState.CLOSED).select_related("lead_owner").order_by("id")
        return [item for item in closed if permissions.may_approve(user, item)]
    items = sorted({item.pk: item for item in population}.values(), key=lambda item: item.pk)
    for item in items:
        if item.state != ItemState.CLOSED:
            raise InvalidState(f"only closed items are re-inspected; item {item.pk} is {item.get_state_display().lower()}")
        permissions.require_approve(user, item, f"re-inspect item {item.pk}")
    return items


@transaction.atomic
def draw_sample(user, *, size: int, seed: str | int, on: date, population: Iterable[Item] | None = None) -> ReinspectionSample:
    """Draw `size` closed items at random, by a supervisor outside their owners' sides.

    random.Random(seed) picks from the population sorted by id, so the same seed and population give the same items.
    """
    if not any(role == Role.SUPERVISOR for _, role in permissions.roles_of(user)):
        raise NotAllowed(f"{getattr(user, 'username', 'an anonymous user')} may not draw a re-inspection sample: "
                         "only a supervisor may")
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_SAMPLE:
        raise LedgerError(f"a re-inspection sample draws from one to {MAX_SAMPLE:,} items")
    seed = _seed_text(seed)
    pool = _population(user, population)
    if not pool:
        raise LedgerError("there is no closed item this supervisor may re-inspect")
    drawn = random.Random(seed).sample(pool, min(size, len(pool)))
    sample = ReinspectionSample.objects.create(drawn_by=user, drawn_on=on, seed=seed, population=len(pool),
                                               created_at=timezone.now())
    ReinspectionCheck.objects.bulk_create(ReinspectionCheck(sample=sample, item=item) for item in drawn)
    history.record(user.get_username(), "reinspection.draw", sample,
                   after={"seed": seed, "size": size, "population": len(pool), "items": [item.pk for item in drawn]},
                   at=moment(on))
    return sample


def sampled_items(sample: ReinspectionSample) -> list[Item]:
    """The items of a sample, in the order they were drawn."""
    return [check.item for check in sample.checks.select_related("item").order_by("id")]


def _sham_rectification_finding(user, item: Item, check: ReinspectionCheck, note: str, on: date) -> Item:
    owner = item.lead_owner
    title = f"{SHAM_RECTIFICATION}: {note}"
    now = timezone.now()
    finding = Item.objects.create(
        kind=ItemKind.FINDING, state=ItemState.ACTIVE, parent=item, lead_owner=owner, title=title, quote=title,
        source_ref=f"re-inspection sample {check.sample_id}, check {check.pk}", unit_names=[owner.name],
        data={"parties": [owner.name], "sham_rectification": True}, created_at=now, updated_at=now,
    )
    history.record(user.get_username(), "item.create", finding,
                   after={"state": ItemState.ACTIVE, "kind": ItemKind.FINDING, "lead_owner": owner.pk, "parent": item.pk,
                          "title": title, "reinspection_check": check.pk},
                   at=moment(on))
    return finding


@transaction.atomic
def record_check(user, check: ReinspectionCheck, *, passed: bool, note: str, on: date) -> ReinspectionCheck:
    """The result of re-inspecting one sampled item, by a supervisor outside the owner's side.

    A failed check reopens the item (closed → active) and records a sham-rectification finding against its owner.
    """
    check = ReinspectionCheck.objects.select_for_update(of=("self",)).select_related("sample").get(pk=check.pk)
    item = Item.objects.select_for_update(of=("self",)).select_related("lead_owner").get(pk=check.item_id)
    if check.result != CheckResult.PENDING:
        raise InvalidState(f"this re-inspection was already recorded: {check.get_result_display().lower()}")
    permissions.require_approve(user, item, "record a re-inspection")
    if item.state != ItemState.CLOSED:
        raise InvalidState(f"cannot record a re-inspection: the item is {item.get_state_display().lower()}, no longer closed")
    if on < check.sample.drawn_on:
        raise LedgerError(f"the re-inspection is dated {on.isoformat()}, before its sample was drawn "
                          f"({check.sample.drawn_on.isoformat()})")
    note = written(note, "the re-inspection note")
    if not passed and not note:
        raise LedgerError("a failed re-inspection needs a note saying what was found")

    check.result = CheckResult.PASSED if passed else CheckResult.FAILED
    check.inspector, check.checked_on, check.note = user, on, note
    after = {"result": check.result, "note": note, "sample": check.sample_id, "item": item.pk}
    if not passed:
        check.finding = _sham_rectification_finding(user, item, check, note, on)
        after["finding"] = check.finding.pk
    check.save(update_fields=["result", "inspector", "checked_on", "note", "finding"])
    history.record(user.get_username(), "reinspection.check", check, after=after, at=moment(on), item_id=item.pk)
    if not passed:
        item.state, item.updated_at = ItemState.ACTIVE, timezone.now()
        item.save(update_fields=["state", "updated_at"])
        history.record(user.get_username(), "item.reopen", item, before={"state": ItemState.CLOSED},
                       after={"state": ItemState.ACTIVE, "reinspection_check": check.pk, "finding": check.finding.pk},
                       at=moment(on))
    return check
