"""Document pages: the list of documents, and a document's text with every item it holds highlighted at its lines,
where drafts are edited, assigned, confirmed or rejected in place, many at once, and unit names resolved.

Thin views: they resolve what the request names (a document the person may see: one with an item they may see;
an item of it they may see), call a ledger service, and render. A LedgerError becomes a message, with the status it
deserves (403 not allowed, 409 wrong state, 400 otherwise). An htmx request gets the item's card alone, with the
message inside it (a refusal too, answered 200 so that htmx swaps it in), so the page never reloads; without
JavaScript every form posts and comes back to the page.

The document's text is untrusted: it is rendered escaped, line by line, never marked safe.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST

from duban.ledger.choices import ItemState
from duban.ledger.errors import LedgerError
from duban.ledger.models import Item, Organisation, OrganisationGroup, SourceDocument
from duban.ledger.services import bulk, drafts, publication, units, workflow
from duban.ledger.services.visibility import visible_documents, visible_groups, visible_items, visible_organisations

from . import forms
from .filters import OrganisationChoiceField, keyset_page
from .refusals import refusal_status

BULK_REFUSALS_SHOWN = 10


def _htmx(request) -> bool:
    return bool(request.headers.get("HX-Request"))


# --- forms ------------------------------------------------------------------------------------------------------------

class DraftForm(django_forms.Form):
    """What a person corrects in a draft before confirming it."""

    title = django_forms.CharField(label="Title", required=False, max_length=drafts.MAX_TITLE,
                                   widget=django_forms.Textarea(attrs={"rows": 2}))
    due = django_forms.DateField(label="Due date", required=False,
                                 widget=django_forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                 help_text="Empty: no due date")
    unit_names = django_forms.CharField(label="Units as written", required=False,
                                        widget=django_forms.Textarea(attrs={"rows": 3}),
                                        help_text="One unit a line; the first leads")

    def cleaned_units(self) -> list[str]:
        return [line for line in self.cleaned_data["unit_names"].splitlines() if line.strip()]


class BulkForm(django_forms.Form):
    ACTIONS = [
        ("assign_confirm", "Assign the lead owner below and confirm"),
        ("units_confirm", "Give owners from their unit names and confirm"),
        ("assign", "Assign the lead owner below"),
        ("units", "Give owners from their unit names"),
        ("confirm", "Confirm (each needs its lead owner)"),
    ]
    action = django_forms.ChoiceField(label="Action", choices=ACTIONS)
    scope = django_forms.ChoiceField(label="Which drafts", widget=django_forms.RadioSelect, initial="selected",
                                     choices=[("selected", "The drafts ticked below"), ("all", "Every draft of this document")])
    items = django_forms.ModelMultipleChoiceField(queryset=Item.objects.none(), required=False,
                                                  widget=django_forms.MultipleHiddenInput)
    lead = OrganisationChoiceField(label="Lead owner", required=False)

    def __init__(self, *args, organisations, drafts_queryset=None, **kwargs):
        """`organisations`: the lead owners the person may pick (visibility.visible_organisations)."""
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = organisations.order_by("path")
        if drafts_queryset is not None:
            self.fields["items"].queryset = drafts_queryset


class ResolveForm(django_forms.Form):
    """What a unit name means: a suggestion ("o12" an organisation, "g3" a group), or one chosen from the lists."""

    name = django_forms.CharField(max_length=300)
    suggested = django_forms.RegexField(regex=r"^[og]\d{1,18}$", required=False)
    organisation = django_forms.ModelChoiceField(queryset=Organisation.objects.none(), required=False)
    group = django_forms.ModelChoiceField(queryset=OrganisationGroup.objects.none(), required=False)

    def __init__(self, *args, user, **kwargs):
        """The choices, and the suggestion looked up, are the organisations and groups the person may pick."""
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = visible_organisations(user)
        self.fields["group"].queryset = visible_groups(user)

    def targets(self) -> list[Organisation | OrganisationGroup]:
        """Everything the person chose; one is an answer, none or several are not."""
        data = self.cleaned_data
        chosen = [target for target in (data["organisation"], data["group"]) if target is not None]
        if suggested := data["suggested"]:
            field = self.fields["organisation" if suggested[0] == "o" else "group"]
            chosen += list(field.queryset.filter(pk=int(suggested[1:])))
        return chosen


class UnpublishForm(django_forms.Form):
    reason = django_forms.CharField(label="Reason for withdrawing", required=False, max_length=2000)


# --- the list ---------------------------------------------------------------------------------------------------------

@login_required
def document_list(request):
    documents = visible_documents(request.user).select_related("supervising_office").defer("text")
    page = keyset_page(documents, ("-id",), request.GET.get("after"), size=50)
    counts: dict[int, Counter] = defaultdict(Counter)
    rows = (visible_items(request.user, Item.objects.filter(document__in=[d.pk for d in page.rows]))
            .values_list("document_id", "state").annotate(n=Count("id")).order_by())
    for document_id, state, n in rows:
        counts[document_id][state] += n
    page.rows = [(document, [(state, label, counts[document.pk][state]) for state, label in ItemState.choices
                             if counts[document.pk][state]]) for document in page.rows]
    next_url = None
    if page.next_cursor:
        next_url = f"{request.path}?after={page.next_cursor}"
    return render(request, "web/documents.html", {
        "page": page, "next_url": next_url, "first_url": None if page.first else request.path,
    })


# --- one document -----------------------------------------------------------------------------------------------------

@dataclass
class Card:
    """One item as its document's page shows it, and what the person may do with it there."""

    item: Item
    manage: bool
    co_owners: list[Organisation] = field(default_factory=list)

    @property
    def draft(self) -> bool:
        return self.item.state == ItemState.DRAFT

    @property
    def editable(self) -> bool:
        return self.manage and self.draft

    @property
    def confirmable(self) -> bool:
        return self.manage and workflow.confirmable(self.item)


@dataclass
class Line:
    number: int
    segments: list[tuple[str, bool]]  # (text, part of an item's quote)
    state: str = ""  # the state of the innermost item covering the line, for its highlight
    cards: list[Card] = field(default_factory=list)  # the items that start on this line


def _segments(text: str, quotes: list[str]) -> list[tuple[str, bool]]:
    """The line cut into plain and quoted parts (a quote found on the line as written is marked)."""
    spans = []
    for quote in quotes:
        quote = quote.strip()
        if quote and (start := text.find(quote)) >= 0:
            spans.append((start, start + len(quote)))
    if not spans:
        return [(text, False)]
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    parts, at = [], 0
    for start, end in merged:
        if start > at:
            parts.append((text[at:start], False))
        parts.append((text[start:end], True))
        at = end
    if at < len(text):
        parts.append((text[at:], False))
    return parts


def _lines(document: SourceDocument, cards: list[Card]) -> tuple[list[Line], list[Card]]:
    """The document's lines (numbered as the file's lines, as the items cite them), each with the items starting
    there; and the items that point at no line of the text."""
    text_lines = document.text.split("\n")
    first, last = document.first_line, document.first_line + len(text_lines) - 1
    starting: dict[int, list[Card]] = defaultdict(list)
    covering: dict[int, list[Card]] = defaultdict(list)
    elsewhere = []
    for card in sorted(cards, key=lambda c: (c.item.line_start or 0, -(c.item.line_end or 0), c.item.pk)):
        start, end = card.item.line_start, card.item.line_end or card.item.line_start
        if start is None or not first <= start <= last:
            elsewhere.append(card)
            continue
        starting[start].append(card)
        for number in range(start, min(end, last) + 1):
            covering[number].append(card)
    lines = []
    for offset, text in enumerate(text_lines):
        number = first + offset
        covered = covering.get(number, [])
        single = [c.item.quote for c in covered if c.item.line_start == c.item.line_end]
        lines.append(Line(number, _segments(text, single), covered[-1].item.state if covered else "",
                          starting.get(number, [])))
    return lines, elsewhere


def _visible_document(request, pk: int) -> SourceDocument:
    return get_object_or_404(visible_documents(request.user).select_related("supervising_office", "file"), pk=pk)


def _document_items(request, document: SourceDocument):
    return visible_items(request.user, Item.objects.filter(document=document))


def _cards(request, items) -> list[Card]:
    items = list(items.select_related("lead_owner").prefetch_related(
        Prefetch("co_owners", queryset=Organisation.objects.order_by("path"))).order_by("line_start", "id"))
    manageable = set(drafts.manageable_items(request.user, Item.objects.filter(pk__in=[i.pk for i in items]))
                     .values_list("pk", flat=True)) if items else set()
    return [Card(item, item.pk in manageable, list(item.co_owners.all())) for item in items]


def _unmatched(document: SourceDocument, cards: list[Card], manage_any: bool, organisations: list, groups: list) -> list:
    """The unit names no organisation or group answers, read from the items shown (those the person may see), with
    only the suggestions the person may pick (among `organisations` and `groups`)."""
    if not manage_any:
        return []
    entries = units.unmatched_names(document, items=Item.objects.filter(pk__in=[card.item.pk for card in cards]))
    org_ids, group_ids = {org.pk for org in organisations}, {group.pk for group in groups}
    for entry in entries:
        entry.suggestions = [s for s in entry.suggestions if (s.organisation.pk in org_ids if s.organisation is not None
                                                              else s.group is not None and s.group.pk in group_ids)]
    return entries


def _render_document(request, document: SourceDocument, *, bulk_form=None, status: int = 200):
    cards = _cards(request, _document_items(request, document))
    lines, elsewhere = _lines(document, cards)
    manage_any = any(card.manage for card in cards)
    drafts_here = [card for card in cards if card.editable]
    counts = Counter(card.item.state for card in cards)
    organisations = visible_organisations(request.user)
    choices = list(organisations.order_by("path")) if manage_any else []
    groups = list(visible_groups(request.user).order_by("name")) if manage_any else []
    context = {
        "document": document, "lines": lines, "elsewhere": elsewhere, "drafts": drafts_here,
        "counts": [(state, label, counts[state]) for state, label in ItemState.choices if counts[state]],
        "total": len(cards),
        "bulk_form": bulk_form or BulkForm(auto_id="id_bulk_%s", organisations=organisations) if drafts_here else None,
        "unmatched": _unmatched(document, cards, manage_any, choices, groups),
        "organisations": choices, "groups": groups,
        "manages_disclosure": publication.manages_disclosure(request.user, document),
        "publication_events": list(publication.publication_events(document)),
        "unpublish_form": UnpublishForm(auto_id="id_unpublish_%s"),
    }
    return render(request, "web/document.html", context, status=status)


@login_required
def document_detail(request, pk: int):
    return _render_document(request, _visible_document(request, pk))


# --- one draft, in place ----------------------------------------------------------------------------------------------

def _card_for(request, document: SourceDocument, item_pk: int) -> Card:
    items = _document_items(request, document)
    if not items.filter(pk=item_pk).exists():
        raise Http404("No item of this document matches.")
    return _cards(request, items.filter(pk=item_pk))[0]


def _draft_forms(request, card: Card, bound: dict | None = None) -> dict:
    item = card.item
    shown = {
        "edit": DraftForm(auto_id=f"id_edit{item.pk}_%s", initial={
            "title": item.title, "due": item.due, "unit_names": "\n".join(item.unit_names)}),
        "assign": forms.AssignForm(auto_id=f"id_assign{item.pk}_%s", organisations=visible_organisations(request.user), initial={
            "lead": item.lead_owner_id, "co_owners": [org.pk for org in card.co_owners]}),
        "reject": forms.ReasonForm(auto_id=f"id_reject{item.pk}_%s"),
    }
    shown.update(bound or {})
    return shown


def _render_card(request, document, card: Card, *, editing: bool = False, bound: dict | None = None,
                 error: str = "", done: str = "", status: int = 200):
    context = {"document": document, "card": card, "editing": editing and card.editable, "error": error, "done": done,
               "forms": _draft_forms(request, card, bound) if editing and card.editable else {}}
    if _htmx(request):
        response = render(request, "web/document_card.html", context, status=200 if status < 500 else status)
    else:
        response = render(request, "web/document_draft.html", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def draft_detail(request, pk: int, item_pk: int):
    document = _visible_document(request, pk)
    card = _card_for(request, document, item_pk)
    return _render_card(request, document, card, editing=request.GET.get("view") != "card")


def _draft_action(request, pk: int, item_pk: int, name: str, form, perform, done: str):
    """Validate, call the service, and answer: the card (htmx) or the document page at the item (a redirect)."""
    document = _visible_document(request, pk)
    card = _card_for(request, document, item_pk)
    if form is not None and not form.is_valid():
        return _render_card(request, document, card, editing=True, bound={name: form},
                            error="Please correct the form.", status=400)
    try:
        perform(card.item, form.cleaned_data if form is not None else {})
    except LedgerError as error:
        if not _htmx(request):
            messages.error(request, str(error))
        card = _card_for(request, document, item_pk)
        return _render_card(request, document, card, editing=name != "confirm", bound={name: form} if form else None,
                            error=str(error) if _htmx(request) else "", status=refusal_status(error))
    if _htmx(request):
        return _render_card(request, document, _card_for(request, document, item_pk), done=done)
    messages.success(request, done)
    return redirect(f"{reverse('documents:detail', args=[pk])}#item-{item_pk}")


@login_required
@require_POST
def draft_edit(request, pk: int, item_pk: int):
    def perform(item, data):
        drafts.edit_draft(request.user, item, title=data["title"], due=data["due"], unit_names=form.cleaned_units())

    form = DraftForm(request.POST, auto_id=f"id_edit{item_pk}_%s")
    return _draft_action(request, pk, item_pk, "edit", form, perform, "Draft corrected.")


@login_required
@require_POST
def draft_assign(request, pk: int, item_pk: int):
    def perform(item, data):
        if data["lead"] is None:
            raise LedgerError("an item has exactly one lead owner: choose one")
        workflow.assign_owner(request.user, item, data["lead"], data["co_owners"])

    form = forms.AssignForm(request.POST, auto_id=f"id_assign{item_pk}_%s", organisations=visible_organisations(request.user))
    return _draft_action(request, pk, item_pk, "assign", form, perform, "Owners assigned.")


@login_required
@require_POST
def draft_units(request, pk: int, item_pk: int):
    return _draft_action(request, pk, item_pk, "units", None,
                         lambda item, data: units.apply_units(request.user, item),
                         "Owners given from the unit names.")


@login_required
@require_POST
def draft_confirm(request, pk: int, item_pk: int):
    return _draft_action(request, pk, item_pk, "confirm", None,
                         lambda item, data: workflow.confirm(request.user, item),
                         "Confirmed: the item is active.")


@login_required
@require_POST
def draft_reject(request, pk: int, item_pk: int):
    form = forms.ReasonForm(request.POST, auto_id=f"id_reject{item_pk}_%s")
    return _draft_action(request, pk, item_pk, "reject", form,
                         lambda item, data: workflow.reject_draft(request.user, item, data["reason"]),
                         "The draft was rejected as an extraction error.")


# --- many drafts at once, unit names, publication -------------------------------------------------------------------

def _refused(request, error: LedgerError) -> None:
    if isinstance(error, bulk.BulkRefused):
        messages.error(request, str(error).splitlines()[0])
        for item, reason in error.failures[:BULK_REFUSALS_SHOWN]:
            messages.error(request, f"#{item.pk}{' ' + item.number if item.number else ''}: {reason}")
        if len(error.failures) > BULK_REFUSALS_SHOWN:
            messages.error(request, f"… and {len(error.failures) - BULK_REFUSALS_SHOWN} more")
    else:
        messages.error(request, str(error))


@login_required
@require_POST
def bulk_drafts(request, pk: int):
    document = _visible_document(request, pk)
    candidates = _document_items(request, document).filter(state=ItemState.DRAFT)
    form = BulkForm(request.POST, auto_id="id_bulk_%s", organisations=visible_organisations(request.user),
                    drafts_queryset=candidates)
    if not form.is_valid():
        messages.error(request, "Please correct the form.")
        return _render_document(request, document, bulk_form=form, status=400)
    data = form.cleaned_data
    chosen = list(candidates.order_by("id")) if data["scope"] == "all" else sorted(data["items"], key=lambda i: i.pk)
    if not chosen:
        messages.error(request, "Tick at least one draft, or choose every draft of the document.")
        return _render_document(request, document, bulk_form=form, status=400)
    action, lead, user = data["action"], data["lead"], request.user
    if action in ("assign", "assign_confirm") and lead is None:
        messages.error(request, "Choose the lead owner to assign.")
        return _render_document(request, document, bulk_form=form, status=400)
    perform = {
        "assign_confirm": lambda: drafts.assign_and_confirm(user, chosen, lead),
        "units_confirm": lambda: drafts.units_and_confirm(user, chosen),
        "assign": lambda: bulk.assign(user, chosen, lead),
        "units": lambda: bulk.assign_units(user, chosen),
        "confirm": lambda: bulk.confirm(user, chosen),
    }[action]
    try:
        perform()
    except LedgerError as error:
        _refused(request, error)
        return _render_document(request, document, bulk_form=form, status=refusal_status(error))
    label = dict(BulkForm.ACTIONS)[action]
    messages.success(request, f"{label}: done for {len(chosen)} draft{'s' if len(chosen) != 1 else ''}.")
    return redirect("documents:detail", pk=pk)


@login_required
@require_POST
def resolve_unit(request, pk: int):
    document = _visible_document(request, pk)
    form = ResolveForm(request.POST, user=request.user)
    back = f"{reverse('documents:detail', args=[pk])}#unmatched"
    if not form.is_valid():
        messages.error(request, "Choose an organisation or a group for the name.")
        return redirect(back)
    name, targets = form.cleaned_data["name"], form.targets()
    try:
        if len(targets) != 1:
            raise LedgerError("a unit name means one organisation or one group: choose one of them")
        if isinstance(targets[0], Organisation):
            units.confirm_alias(request.user, name, targets[0])
            done = f"“{name}” now means {targets[0].name}."
        else:
            units.confirm_group(request.user, name, targets[0])
            done = f"“{name}” now names the group {targets[0].name}."
    except LedgerError as error:
        messages.error(request, str(error))
        return _render_document(request, document, status=refusal_status(error))
    messages.success(request, done)
    return redirect(back)


@login_required
@require_POST
def publish(request, pk: int):
    document = _visible_document(request, pk)
    try:
        publication.publish(request.user, document)
    except LedgerError as error:
        messages.error(request, str(error))
        return _render_document(request, document, status=refusal_status(error))
    messages.success(request, "Published: the rectification list is public, linkable without login.")
    return redirect("documents:detail", pk=pk)


@login_required
@require_POST
def unpublish(request, pk: int):
    document = _visible_document(request, pk)
    form = UnpublishForm(request.POST)
    form.is_valid()
    try:
        publication.unpublish(request.user, document, reason=form.cleaned_data.get("reason", ""))
    except LedgerError as error:
        messages.error(request, str(error))
        return _render_document(request, document, status=refusal_status(error))
    messages.success(request, "Withdrawn: the document is no longer public.")
    return redirect("documents:detail", pk=pk)
