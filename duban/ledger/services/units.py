"""Matching the extractor's unit names to the organisation tree, and giving items their owners from them.

A name as written ("the Provincial Big Data Center", "people’s governments of cities (states)") resolves, after
normalisation (case, spaces, quotes, a leading "the"), to
  1. the one organisation of that name, else
  2. the one organisation a recorded alias gives it, else
  3. the organisation group a person confirmed the phrase to name.
Nothing else resolves: fuzzy matches are only suggestions (rapidfuzz), which a person confirms once with
`confirm_alias` or `confirm_group`, and names that resolve to nothing, or to several organisations, are listed by
`unmatched_names` for a person to settle. A name is never guessed silently.

`apply_units` gives an item its owners from its names, only once every name resolves: the first name is the
lead owner, the others co-owners. A group named first makes the lead the organisation its members share (the
nearest common ancestor, e.g. the province over its cities), and its members get their own items by fan-out
(services/fanout.py); a group named later has no co-owner of its own on the item: it too is fanned out.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from rapidfuzz import fuzz, process

from ..choices import ItemState, OrganisationKind, Role
from ..errors import LedgerError, NotAllowed
from ..models import Item, Organisation, OrganisationAlias, OrganisationGroup, OrganisationGroupAlias, SourceDocument
from . import history, organisations, permissions, workflow

SUGGESTION_CUTOFF = 60  # the score (0–100) below which a name is not worth showing as a suggestion
_FILLER = frozenset({"of", "the", "and"})  # words that say nothing about which unit is meant
SUGGESTIONS = 5
UNIT_STATES = (ItemState.DRAFT, ItemState.ACTIVE)  # the states in which owners can still be given

_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "“": '"', "”": '"', "–": "-", "—": "-"})


def normalise(name: str) -> str:
    """The form names are compared in: NFKC, case-folded, straight quotes, one space, no leading "the" or trailing
    punctuation, "x (y)" spacing around brackets."""
    text = unicodedata.normalize("NFKC", name or "").translate(_QUOTES).casefold()
    text = re.sub(r"\s*\(\s*", " (", text)
    text = re.sub(r"\s*\)", ")", text)
    text = " ".join(text.split()).strip(" .,;:")
    text = re.sub(r"^the ", "", text)
    return text.strip()


def _words(name: str) -> str:
    return " ".join(word for word in normalise(name).split() if word not in _FILLER)


def likeness(a: str, b: str, **_) -> float:
    """How alike two names are (0–100), in word order or not ("Natural Resources Department" is "Department of
    Natural Resources"): the mean of rapidfuzz's token-sort and token-set ratios over the names' telling words.
    Takes names as `_words` gives them."""
    return (fuzz.token_sort_ratio(a, b) + fuzz.token_set_ratio(a, b)) / 2


class How:
    NAME = "name"
    ALIAS = "alias"
    GROUP = "group"
    AMBIGUOUS = "ambiguous"
    UNMATCHED = "unmatched"


@dataclass(frozen=True)
class Resolution:
    """What one name as written means: an organisation, a group, several organisations, or nothing."""

    name: str
    how: str
    organisation: Organisation | None = None
    group: OrganisationGroup | None = None
    candidates: tuple[Organisation, ...] = ()  # the organisations an ambiguous name could mean

    @property
    def resolved(self) -> bool:
        return self.how in (How.NAME, How.ALIAS, How.GROUP)


@dataclass(frozen=True)
class Suggestion:
    """A fuzzy match for a person to confirm: an organisation or a group, and how alike the names are (0–100)."""

    score: float
    matched: str  # the name or alias that matched
    organisation: Organisation | None = None
    group: OrganisationGroup | None = None

    @property
    def target(self) -> str:
        return self.organisation.name if self.organisation is not None else f"group {self.group.name}"


class Directory:
    """Every organisation's name and alias and every confirmed group phrase, read once (three queries), so that
    resolving the names of hundreds of items costs no more."""

    def __init__(self) -> None:
        self.organisations = {org.pk: org for org in Organisation.objects.all()}
        self.groups = {group.pk: group for group in OrganisationGroup.objects.all()}
        self.by_name: dict[str, set[int]] = defaultdict(set)
        self.by_alias: dict[str, set[int]] = defaultdict(set)
        self.by_group_alias: dict[str, set[int]] = defaultdict(set)
        self.labels: dict[tuple[str, int], list[str]] = defaultdict(list)  # ("org"|"group", pk) → names to match
        for org in self.organisations.values():
            self.by_name[normalise(org.name)].add(org.pk)
            self.labels["org", org.pk].append(org.name)
        for name, org_id in OrganisationAlias.objects.values_list("name", "organisation_id"):
            self.by_alias[normalise(name)].add(org_id)
            self.labels["org", org_id].append(name)
        for group in self.groups.values():
            self.labels["group", group.pk].append(group.name)
        for name, group_id in OrganisationGroupAlias.objects.values_list("name", "group_id"):
            self.by_group_alias[normalise(name)].add(group_id)
            self.labels["group", group_id].append(name)
        self._choices: dict[tuple[str, int, int], str] | None = None

    def resolve(self, name: str) -> Resolution:
        key = normalise(name)
        found = self.by_name.get(key, set())
        if len(found) == 1:
            return Resolution(name, How.NAME, organisation=self.organisations[next(iter(found))])
        aliased = self.by_alias.get(key, set())
        if len(aliased) == 1:
            return Resolution(name, How.ALIAS, organisation=self.organisations[next(iter(aliased))])
        grouped = self.by_group_alias.get(key, set())
        if len(grouped) == 1 and not found and not aliased:
            return Resolution(name, How.GROUP, group=self.groups[next(iter(grouped))])
        if found or aliased:
            candidates = sorted((self.organisations[pk] for pk in found | aliased), key=lambda org: org.path)
            return Resolution(name, How.AMBIGUOUS, candidates=tuple(candidates))
        return Resolution(name, How.UNMATCHED)

    def suggest(self, name: str, limit: int = SUGGESTIONS, cutoff: float = SUGGESTION_CUTOFF) -> list[Suggestion]:
        """The organisations and groups whose names or aliases are most like `name`, best first, one row each."""
        if self._choices is None:
            self._choices = {(what, pk, i): _words(label) for (what, pk), labels in self.labels.items()
                             for i, label in enumerate(labels)}
        found = process.extract(_words(name), self._choices, scorer=likeness, score_cutoff=cutoff, limit=None)
        best: dict[tuple[str, int], tuple[float, str]] = {}
        for _, score, (what, pk, i) in found:
            if (what, pk) not in best or score > best[what, pk][0]:
                best[what, pk] = (score, self.labels[what, pk][i])
        ranked = sorted(best.items(), key=lambda entry: (-entry[1][0], entry[1][1]))[:limit]
        return [Suggestion(round(score, 1), matched, organisation=self.organisations[pk] if what == "org" else None,
                           group=self.groups[pk] if what == "group" else None)
                for (what, pk), (score, matched) in ranked]


def resolve(name: str, directory: Directory | None = None) -> Resolution:
    return (directory or Directory()).resolve(name)


def suggest(name: str, *, limit: int = SUGGESTIONS, directory: Directory | None = None) -> list[Suggestion]:
    """Fuzzy suggestions for a name; none of them is applied until a person confirms it."""
    return (directory or Directory()).suggest(name, limit)


# --- who may name things ----------------------------------------------------------------------------------------

def _require_curator(user, targets: Iterable[Organisation], action: str) -> None:
    """An administrator, or a supervisor at or above every target (a supervising office stands at its parent's
    level): a name or a group decides who owns items, so only someone answerable for those units sets it."""
    roles = permissions.roles_of(user)
    if getattr(user, "is_superuser", False) or any(role == Role.ADMINISTRATOR for _, role in roles):
        return
    roots = [org.parent if org.kind == OrganisationKind.OFFICE and org.parent_id else org
             for org, role in roles if role == Role.SUPERVISOR]
    outside = [org for org in targets if not any(org.is_within(root) for root in roots)]
    if outside or not roots:
        names = ", ".join(org.name for org in outside[:3]) or "these units"
        raise NotAllowed(f"{getattr(user, 'username', None) or 'an anonymous user'} may not {action}: only an "
                         f"administrator, or a supervisor at or above {names}, may")


def _actor(user) -> str:
    return user.get_username()


# --- names and groups confirmed by a person -------------------------------------------------------------------

@transaction.atomic
def confirm_alias(user, name: str, organisation: Organisation, *, at: datetime | None = None) -> OrganisationAlias | None:
    """A person confirms that `name` means `organisation`: from now on the name resolves to it.

    Refused when the name already means another organisation or a group. Confirming what already holds changes
    nothing (None when the name is the organisation's own).
    """
    if not isinstance(organisation, Organisation) or organisation.pk is None:
        raise LedgerError("an alias names one organisation")
    name = " ".join((name or "").split())
    if not normalise(name):
        raise LedgerError("an alias needs a name")
    _require_curator(user, [organisation], "record another name of an organisation")
    current = Directory().resolve(name)
    if current.organisation is not None:
        if current.organisation.pk != organisation.pk:
            raise LedgerError(f"{name!r} already means {current.organisation.name} "
                              f"(by its {'name' if current.how == How.NAME else 'alias'})")
        if current.how == How.NAME:
            return None
        return next(a for a in organisation.aliases.all() if normalise(a.name) == normalise(name))
    if current.how == How.GROUP:
        raise LedgerError(f"{name!r} already names the group {current.group.name}")
    return organisations.add_alias(organisation, name, actor=_actor(user), at=at or timezone.now())


def _members(group: OrganisationGroup) -> list[Organisation]:
    return list(group.members.order_by("path"))


@transaction.atomic
def create_group(user, name: str, members: Iterable[Organisation], *, rule: dict | None = None,
                 at: datetime | None = None) -> OrganisationGroup:
    """A named class of organisations, e.g. every city of a province; `rule` records how it was drawn."""
    name = " ".join((name or "").split())
    if not name:
        raise LedgerError("a group needs a name")
    chosen = {org.pk: org for org in members}
    if not chosen:
        raise LedgerError(f"the group {name!r} would have no members")
    _require_curator(user, chosen.values(), "define a group of organisations")
    if OrganisationGroup.objects.filter(name=name).exists():
        raise LedgerError(f"a group called {name!r} exists already")
    group = OrganisationGroup.objects.create(name=name)
    group.members.set(chosen)
    history.record(_actor(user), "group.create", group, at=at or timezone.now(),
                   after={"name": name, "members": sorted(chosen), **({"rule": rule} if rule else {})})
    return group


def group_from_rule(user, name: str, *, kind: str, parent: Organisation, descendants: bool = False,
                    at: datetime | None = None) -> OrganisationGroup:
    """A group of every organisation of `kind` directly under `parent` (or anywhere under it)."""
    if kind not in OrganisationKind.values:
        raise LedgerError(f"unknown kind {kind!r}; one of {', '.join(OrganisationKind.values)}")
    found = Organisation.objects.filter(kind=kind, path__startswith=parent.path).exclude(pk=parent.pk)
    if not descendants:
        found = found.filter(parent=parent)
    members = list(found.order_by("path"))
    if not members:
        where = "anywhere under" if descendants else "directly under"
        raise LedgerError(f"no organisation of kind {kind} {where} {parent.name}")
    rule = {"kind": kind, "parent": parent.pk, "descendants": descendants}
    return create_group(user, name, members, rule=rule, at=at)


@transaction.atomic
def add_group_members(user, group: OrganisationGroup, members: Iterable[Organisation], *,
                      at: datetime | None = None) -> list[Organisation]:
    """Add organisations to a group; those already in it are left as they are. Returns those added."""
    present = set(group.members.values_list("pk", flat=True))
    added = {org.pk: org for org in members if org.pk not in present}
    if not added:
        return []
    _require_curator(user, added.values(), "add organisations to a group")
    group.members.add(*added)
    history.record(_actor(user), "group.add_members", group, at=at or timezone.now(),
                   before={"members": sorted(present)}, after={"members": sorted(present | set(added))})
    return sorted(added.values(), key=lambda org: org.path)


@transaction.atomic
def confirm_group(user, phrase: str, group: OrganisationGroup, *, at: datetime | None = None) -> OrganisationGroupAlias:
    """A person confirms that a unit phrase names this class of organisations: items naming it fan out to them.

    Refused when the phrase already means an organisation or another group.
    """
    if not isinstance(group, OrganisationGroup) or group.pk is None:
        raise LedgerError("a phrase names one group")
    phrase = " ".join((phrase or "").split())
    if not normalise(phrase):
        raise LedgerError("a group phrase needs some words")
    _require_curator(user, _members(group), "say which organisations a phrase names")
    current = Directory().resolve(phrase)
    if current.organisation is not None or current.how == How.AMBIGUOUS:
        meant = current.organisation.name if current.organisation else "several organisations"
        raise LedgerError(f"{phrase!r} names {meant}, not a group: it cannot name a group as well")
    if current.how == How.GROUP:
        if current.group.pk != group.pk:
            raise LedgerError(f"{phrase!r} already names the group {current.group.name}")
        return next(a for a in group.aliases.all() if normalise(a.name) == normalise(phrase))
    alias = OrganisationGroupAlias.objects.create(group=group, name=phrase)
    history.record(_actor(user), "group.alias", alias, at=at or timezone.now(), after={"group": group.pk, "name": phrase})
    return alias


# --- what is left to resolve ----------------------------------------------------------------------------------

@dataclass
class Unmatched:
    """A name (in all the spellings that normalise alike) no organisation or group answers to, and where it occurs."""

    name: str
    how: str  # unmatched or ambiguous
    count: int = 0
    items: list[int] = field(default_factory=list)
    spellings: list[str] = field(default_factory=list)
    candidates: tuple[Organisation, ...] = ()
    suggestions: list[Suggestion] = field(default_factory=list)


def _named_items(document: SourceDocument | None, items=None):
    items = (Item.objects.all() if items is None else items).exclude(state=ItemState.REJECTED).exclude(unit_names=[])
    if document is not None:
        items = items.filter(document=document)
    return items.order_by("id").values_list("pk", "unit_names")


def unmatched_names(document: SourceDocument | None = None, *, suggestions: int = 3, items=None) -> list[Unmatched]:
    """Every name, in the document's items (or all items), that resolves to no one organisation or group, with how
    often it occurs, the items it occurs in and the best suggestions; most frequent first.

    `items`, a queryset of items, narrows what is read (a page passes the items the person may see, so a name
    written only in an item they may not see is never shown to them)."""
    directory = Directory()
    found: dict[str, Unmatched] = {}
    resolved: set[str] = set()
    for pk, names in _named_items(document, items):
        for name in names:
            key = normalise(name)
            if key in resolved:
                continue
            entry = found.get(key)
            if entry is None:
                resolution = directory.resolve(name)
                if resolution.resolved:
                    resolved.add(key)
                    continue
                entry = found[key] = Unmatched(name, resolution.how, candidates=resolution.candidates)
            entry.count += 1
            if not entry.items or entry.items[-1] != pk:
                entry.items.append(pk)
            if name not in entry.spellings:
                entry.spellings.append(name)
    listed = sorted(found.values(), key=lambda entry: (-entry.count, normalise(entry.name)))
    for entry in listed:
        entry.suggestions = directory.suggest(entry.name, suggestions) if suggestions else []
    return listed


# --- owners from names --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class UnitPlan:
    """What an item's names say about its owners."""

    lead: Organisation
    co_owners: tuple[Organisation, ...]
    groups: tuple[OrganisationGroup, ...]  # the groups named, in order: their members get items by fan-out
    lead_from_group: bool  # the first name was a group: the lead is the organisation above its members


def common_ancestor(members: Iterable[Organisation], directory: Directory | None = None) -> Organisation:
    """The nearest organisation that is, or is above, every member."""
    paths = [org.path.strip("/").split("/") for org in members]
    if not paths:
        raise LedgerError("a group without members has no organisation above it")
    shared = []
    for parts in zip(*paths):
        if len(set(parts)) != 1:
            break
        shared.append(parts[0])
    if not shared:
        raise LedgerError("the group's members share no organisation above them: give the item its lead by hand")
    pk = int(shared[-1])
    if directory is not None and pk in directory.organisations:
        return directory.organisations[pk]
    return Organisation.objects.get(pk=pk)


def plan_units(item: Item, directory: Directory | None = None) -> UnitPlan:
    """The owners an item's names give it; refused, listing them, while any name does not resolve."""
    directory = directory or Directory()
    if not item.unit_names:
        raise LedgerError(f"item #{item.pk} names no responsible unit: give it its owner by hand")
    resolutions = [directory.resolve(name) for name in item.unit_names]
    open_names = [r for r in resolutions if not r.resolved]
    if open_names:
        listed = "; ".join(f"{r.name!r} ({'could be ' + ', '.join(c.name for c in r.candidates) if r.candidates else 'no match'})"
                           for r in open_names)
        raise LedgerError(f"item #{item.pk}: {len(open_names)} of its unit names are not resolved: {listed}. "
                          "Confirm an alias or a group for each (see `duban ledger units unmatched`)")
    organisations_named: dict[int, Organisation] = {}
    groups: dict[int, OrganisationGroup] = {}
    for r in resolutions:
        if r.organisation is not None:
            organisations_named.setdefault(r.organisation.pk, r.organisation)
        else:
            groups.setdefault(r.group.pk, r.group)
    first = resolutions[0]
    if first.organisation is not None:
        lead, from_group = first.organisation, False
    else:
        lead, from_group = common_ancestor(_members(first.group), directory), True
    co_owners = tuple(org for pk, org in organisations_named.items() if pk != lead.pk)
    return UnitPlan(lead, co_owners, tuple(groups.values()), from_group)


def apply_units(user, item: Item, *, at: datetime | None = None, directory: Directory | None = None) -> UnitPlan:
    """Give a draft or active item its owners from its names (through workflow.assign_owner, so every rule of
    assignment holds and the change is in the history): the first name leads, the others are co-owners.

    Only when every name resolves; a group named first makes the lead the organisation above its members, and
    the groups named are returned for fan-out. Applying again when nothing changed records nothing.
    """
    plan = plan_units(item, directory)
    workflow.assign_owner(user, item, plan.lead, plan.co_owners, at=at)
    return plan
