"""Item list filtering, sorting and keyset pagination, shared by the pages and the API.

`filter_items(queryset, params)` narrows a queryset (already cut to what the person may see) by the request's
parameters: state, kind, lead owner (and its units), due range, document, red flag and a text search. Each filter
but the search and the flag is a column with an index behind it; the flag is computed by the ledger's flags service
for the items left after the other filters.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import Any

from django import forms
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from duban.ledger.choices import FlagCode, ItemKind, ItemState
from duban.ledger.models import Item, Organisation
from duban.ledger.services.flags import red_flags

PAGE_SIZE = 50
ITEM_SORTS = {
    "id": ("id",),
    "-id": ("-id",),
    "due": ("due", "id"),
    "-due": ("-due", "-id"),
}
SORT_CHOICES = [("id", "Oldest first"), ("-id", "Newest first"), ("due", "Due soonest"), ("-due", "Due latest")]
_ITEM_NUMBER = re.compile(r"#?(\d{1,18})")


class OrganisationChoiceField(forms.ModelChoiceField):
    """Organisations in tree order, indented by depth."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Organisation.objects.order_by("path"), **kwargs)

    def label_from_instance(self, obj: Organisation) -> str:
        depth = obj.path.count("/") - 2
        return "\u00a0\u00a0" * depth + obj.name


class ItemFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=200,
                        help_text="Words of the quote or title, a number such as (four), or #id")
    state = forms.MultipleChoiceField(label="State", choices=ItemState.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    kind = forms.MultipleChoiceField(label="Kind", choices=ItemKind.choices, required=False,
                                     widget=forms.CheckboxSelectMultiple)
    owner = OrganisationChoiceField(label="Lead owner and its units", required=False, empty_label="any")
    due_from = forms.DateField(label="Due from", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    due_to = forms.DateField(label="Due by", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    flag = forms.ChoiceField(label="Red flag", choices=[("", "any")] + FlagCode.choices, required=False)
    document = forms.IntegerField(label="Document", required=False, min_value=1, widget=forms.HiddenInput)
    sort = forms.ChoiceField(label="Sort", choices=SORT_CHOICES, required=False)

    def __init__(self, *args, organisations=None, **kwargs):
        """`organisations`: those the owner filter offers (visibility.visible_organisations); all when None."""
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["owner"].queryset = organisations.order_by("path")

    def clean(self):
        data = super().clean()
        if data.get("due_from") and data.get("due_to") and data["due_from"] > data["due_to"]:
            raise forms.ValidationError("'Due from' must not be after 'Due by'")
        return data


def filter_items(queryset: QuerySet[Item], params, *, day: date | None = None) -> QuerySet[Item]:
    """The items matching the parameters' valid filters (an invalid one is ignored; the form shows its error)."""
    form = params if isinstance(params, ItemFilterForm) else ItemFilterForm(params)
    if not form.is_bound:
        return queryset
    form.is_valid()  # fills cleaned_data with the fields that are valid; the others are left out
    data = form.cleaned_data
    if data.get("state"):
        queryset = queryset.filter(state__in=data["state"])
    if data.get("kind"):
        queryset = queryset.filter(kind__in=data["kind"])
    if data.get("owner"):
        units = Organisation.objects.filter(path__startswith=data["owner"].path).values("pk")
        queryset = queryset.filter(lead_owner__in=units)
    if data.get("due_from"):
        queryset = queryset.filter(due__gte=data["due_from"])
    if data.get("due_to"):
        queryset = queryset.filter(due__lte=data["due_to"])
    if data.get("document"):
        queryset = queryset.filter(document_id=data["document"])
    if text := (data.get("q") or "").strip():
        queryset = queryset.filter(_search(text))
    if data.get("flag"):
        day = day or timezone.localdate()
        flagged = [pk for pk, found in red_flags(day, queryset).items() if any(f.code == data["flag"] for f in found)]
        queryset = queryset.filter(pk__in=flagged)
    return queryset


def _search(text: str) -> Q:
    """The number, quote or title containing the text; '#12' or '12' also finds item 12."""
    found = Q(number__icontains=text) | Q(title__icontains=text) | Q(quote__icontains=text)
    if match := _ITEM_NUMBER.fullmatch(text):
        found |= Q(pk=int(match.group(1)))
    return found


def item_sort(params) -> tuple[str, ...]:
    """The sort keys the parameters ask for (oldest first by default)."""
    return ITEM_SORTS.get(params.get("sort") or "id", ITEM_SORTS["id"])


# --- keyset pagination ---------------------------------------------------------------------------------------------


@dataclass
class KeysetPage:
    rows: list
    next_cursor: str | None  # give it back as `after` for the following page
    first: bool  # this is the first page


def _encode(values: list[Any]) -> str:
    text = json.dumps([v.isoformat() if isinstance(v, date) else v for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _decode(cursor: str, fields: list, model) -> list[Any] | None:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(values, list) or len(values) != len(fields):
            return None
        return [None if v is None else model._meta.get_field(f).to_python(v) for f, v in zip(fields, values)]
    except (ValueError, binascii.Error, TypeError, forms.ValidationError):
        return None


def _after(field: str, value: Any, descending: bool) -> Q:
    """Rows strictly after `value` in this key, nulls last whichever the direction."""
    if value is None:
        return Q(pk__in=[])
    return Q(**{f"{field}__{'lt' if descending else 'gt'}": value}) | Q(**{f"{field}__isnull": True})


def _equal(field: str, value: Any) -> Q:
    return Q(**{f"{field}__isnull": True}) if value is None else Q(**{field: value})


def keyset_page(queryset: QuerySet, keys: tuple[str, ...], after: str | None, size: int = PAGE_SIZE) -> KeysetPage:
    """One page of the queryset in the order of `keys` (the last one unique, such as the id), after a cursor.

    A keyset page reads only its own rows whatever page it is, where an offset would read every row before it.
    A cursor that does not decode starts again from the first page.
    """
    fields = [key.lstrip("-") for key in keys]
    descending = [key.startswith("-") for key in keys]
    ordering = [F(f).desc(nulls_last=True) if d else F(f).asc(nulls_last=True) for f, d in zip(fields, descending)]
    values = _decode(after, fields, queryset.model) if after else None
    if values is not None:
        position = Q(pk__in=[])
        for i, (field, value) in enumerate(zip(fields, values)):
            step = _after(field, value, descending[i])
            for earlier, earlier_value in zip(fields[:i], values[:i]):
                step &= _equal(earlier, earlier_value)
            position |= step
        queryset = queryset.filter(position)
    rows = list(queryset.order_by(*ordering)[:size + 1])
    more = len(rows) > size
    rows = rows[:size]
    cursor = _encode([attrgetter(f)(rows[-1]) for f in fields]) if more else None
    return KeysetPage(rows, cursor, values is None)
