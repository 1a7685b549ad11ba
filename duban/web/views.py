"""Page views: thin, they resolve what a request names, call a service, and render; no rule lives here.

What a person may see is duban.ledger.services.visibility (an item they may not see is a 404); what they may do is
decided by the ledger's services, and permissions.may_* only chooses which forms to show. A refusal re-renders the
item page with the service's message and the status it deserves: 403 not allowed, 409 wrong state, 400 otherwise.
"""

from __future__ import annotations

from collections import Counter
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from duban.ledger.choices import ClaimStatus, FlagCode, ItemState
from duban.ledger.errors import InvalidState, LedgerError
from duban.ledger.models import ChangeRequest, Event, Evidence, Item, ReinspectionCheck
from duban.ledger.services import dashboard as figures, queues, reinspection, reminders, workflow
from duban.ledger.services.evidence import open_evidence, store_evidence
from duban.ledger.services.flags import red_flags
from duban.ledger.services.scorecard import unit_scorecards
from duban.ledger.services.visibility import visible_items, visible_organisations

from . import forms
from .filters import ItemFilterForm, filter_items, item_sort, keyset_page
from .timeline import timeline
from .refusals import refusal_status

FLAGGED_SHOWN = 20


def _today():
    return timezone.localdate()


def _next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


def _page_url(request, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    query = request.GET.copy()
    query["after"] = cursor
    return f"{request.path}?{query.urlencode()}"


def _first_page_url(request) -> str:
    query = request.GET.copy()
    query.pop("after", None)
    return f"{request.path}?{query.urlencode()}" if query else request.path


def _paged(request, page) -> dict:
    return {"page": page, "next_url": _page_url(request, page.next_cursor),
            "first_url": None if page.first else _first_page_url(request)}


# --- dashboard ------------------------------------------------------------------------------------------------------


@login_required
def dashboard(request):
    form = forms.AsOfForm(request.GET or None)
    day = (form.cleaned_data.get("on") if form.is_valid() else None) or _today()
    items = visible_items(request.user)
    found = figures.dashboard(items, day)
    flags = red_flags(day, items)
    by_code = Counter(flag.code for item_flags in flags.values() for flag in item_flags)
    flagged_ids = sorted(pk for pk, item_flags in flags.items() if item_flags)
    flagged_items = Item.objects.in_bulk(flagged_ids[:FLAGGED_SHOWN])
    return render(request, "web/dashboard.html", {
        "form": form, "day": day, "figures": found,
        "states": [(state, label, found.counts[state]) for state, label in ItemState.choices],
        "flag_counts": [(code, label, by_code[code]) for code, label in FlagCode.choices if by_code[code]],
        "flagged": [(flagged_items[pk], flags[pk]) for pk in flagged_ids[:FLAGGED_SHOWN]],
        "flagged_total": len(flagged_ids),
        "scores": unit_scorecards(items, day),
    })


# --- item lists -----------------------------------------------------------------------------------------------------


def _item_list(request, items, *, title: str, intro: str = ""):
    form = ItemFilterForm(request.GET, organisations=visible_organisations(request.user))
    items = filter_items(items.select_related("lead_owner", "document"), form)
    page = keyset_page(items, item_sort(request.GET), request.GET.get("after"))
    flags = red_flags(_today(), page.rows)
    page.rows = [(item, flags[item.pk]) for item in page.rows]
    context = {"title": title, "intro": intro, "form": form, **_paged(request, page)}
    if request.headers.get("HX-Request"):
        response = render(request, "web/_item_table.html", context)
    else:
        response = render(request, "web/items.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def item_list(request):
    return _item_list(request, visible_items(request.user), title="Items")


@login_required
def my_items(request):
    return _item_list(request, queues.my_items(request.user), title="My items",
                      intro="Items led or co-owned by your organisations and the units below them.")


# --- one item -------------------------------------------------------------------------------------------------------


def _visible_item(request, pk: int) -> Item:
    items = visible_items(request.user, Item.objects.select_related("lead_owner", "document"))
    return get_object_or_404(items, pk=pk)


def _cited_evidence(item: Item):
    cited = Q(progress_reports__item=item) | Q(claims__item=item) | Q(verifications__claim__item=item)
    return Evidence.objects.filter(pk__in=Evidence.objects.filter(cited).values("pk")).order_by("original_name", "pk")


def _form(name: str, form_class, *args, **kwargs):
    """A form whose element ids carry its name, so several forms on one page never share an id."""
    return form_class(*args, auto_id=f"id_{name}_%s", **kwargs)


def _with_decision_forms(changes):
    changes = list(changes)
    for change in changes:
        change.approve_form = _form(f"approve{change.pk}", forms.DecisionForm)
        change.refuse_form = _form(f"refuse{change.pk}", forms.RefusalForm)
    return changes


def _with_check_forms(checks):
    checks = list(checks)
    for check in checks:
        check.record_form = _form(f"check{check.pk}", forms.CheckForm)
    return checks


def _item_forms(user, item: Item, actions: frozenset[str], pending_claim) -> dict:
    """The forms of the actions the person may take on the item as it stands (workflow.available_actions)."""
    shown = {}
    if "assign" in actions:
        shown["assign"] = _form("assign", forms.AssignForm, organisations=visible_organisations(user), initial={
            "lead": item.lead_owner_id, "co_owners": [org.pk for org in item.co_owners.all()]})
    if "reject_draft" in actions:
        shown["reject_draft"] = _form("reject_draft", forms.ReasonForm)
    if "report" in actions:
        shown["progress"] = _form("progress", forms.ProgressForm)
    if "claim" in actions:
        shown["claim"] = _form("claim", forms.ClaimForm)
    if "request_deadline" in actions:
        shown["deadline"] = _form("deadline", forms.DeadlineRequestForm)
    if "request_cancellation" in actions:
        shown["cancel"] = _form("cancel", forms.ReasonForm)
    if "verify" in actions:
        shown["verify"] = _form("verify", forms.VerifyForm, evidence=_cited_evidence(item),
                                initial={"cited": [piece.pk for piece in pending_claim.evidence.all()]})
        shown["reject_claim"] = _form("reject_claim", forms.ReasonForm)
    return shown


def _render_item(request, pk: int, *, bound: dict | None = None, status: int = 200):
    item = _visible_item(request, pk)
    user = request.user
    claims = list(item.claims.select_related("claimant", "verification__verifier")
                  .prefetch_related("evidence", "verification__evidence").order_by("claimed_on", "id"))
    pending_claim = next((claim for claim in claims if claim.status == ClaimStatus.PENDING), None)
    requests = _with_decision_forms(item.change_requests.select_related("requested_by", "decided_by")
                                    .order_by("requested_on", "id"))
    checks = _with_check_forms(item.reinspections.select_related("sample", "inspector").order_by("sample_id"))
    actions = workflow.available_actions(user, item, claims=claims, requests=requests)
    shown = _item_forms(user, item, actions, pending_claim)
    seen = visible_items(user)  # the parent and children shown are those the person may see
    for name, form in (bound or {}).items():
        if name in shown:
            shown[name] = form
    context = {
        "item": item, "actions": actions, "forms": shown,
        "parent": seen.filter(pk=item.parent_id).first() if item.parent_id else None,
        "co_owners": list(item.co_owners.all()),
        "flags": red_flags(_today(), [item])[item.pk],
        "reports": item.progress_reports.select_related("author").prefetch_related("evidence"),
        "claims": claims, "pending_claim": pending_claim, "requests": requests,
        "decide": "decide" in actions,
        "checks": checks,
        "record_checks": "record_checks" in actions,
        "children": seen.filter(parent=item).select_related("lead_owner").order_by("id"),
        "entries": timeline(list(Event.objects.filter(item=item).order_by("at", "id"))),
    }
    return render(request, "web/item.html", context, status=status)


@login_required
def item_detail(request, pk: int):
    return _render_item(request, pk)


def _uploaded(request, files) -> list[Evidence]:
    """Store the uploaded files as evidence (inside the action's transaction: a refusal stores nothing)."""
    return [store_evidence(f, f.name, content_type=f.content_type, actor=request.user) for f in files]


def _act(request, pk: int, name: str, form, perform, done: str):
    """Validate the form, run the service call in one transaction, and report: a message and the item page."""
    if form is not None and not form.is_valid():
        messages.error(request, "Please correct the form.")
        return _render_item(request, pk, bound={name: form}, status=400)
    too_large = getattr(request, "evidence_too_large", [])
    if too_large:
        limit = filesizeformat(settings.DUBAN_EVIDENCE_MAX_BYTES)
        messages.error(request, f"{', '.join(too_large)}: larger than the {limit} an evidence file may be")
        return _render_item(request, pk, bound={name: form}, status=400)
    try:
        with transaction.atomic():
            perform(form.cleaned_data if form is not None else {})
    except LedgerError as error:
        messages.error(request, str(error))
        return _render_item(request, pk, bound={name: form} if form is not None else None, status=refusal_status(error))
    messages.success(request, done)
    return redirect(_next(request, reverse("web:item", args=[pk])))


def bounded_uploads(view):
    """Put the evidence size limit in front of the upload handlers before the CSRF check reads the body."""
    protected = csrf_protect(view)

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        limit = forms.EvidenceSizeLimit(request)
        request.upload_handlers.insert(0, limit)
        request.evidence_too_large = limit.too_large
        return protected(request, *args, **kwargs)

    return wrapper


@login_required
@require_POST
def item_assign(request, pk: int):
    item = _visible_item(request, pk)
    form = _form("assign", forms.AssignForm, request.POST, organisations=visible_organisations(request.user))
    return _act(request, pk, "assign", form,
                lambda data: workflow.assign_owner(request.user, item, data["lead"], data["co_owners"]),
                "Owners assigned.")


@login_required
@require_POST
def item_confirm(request, pk: int):
    item = _visible_item(request, pk)
    return _act(request, pk, "confirm", None, lambda data: workflow.confirm(request.user, item),
                "Confirmed: the item is active.")


@login_required
@require_POST
def item_reject_draft(request, pk: int):
    item = _visible_item(request, pk)
    return _act(request, pk, "reject_draft", _form("reject_draft", forms.ReasonForm, request.POST),
                lambda data: workflow.reject_draft(request.user, item, data["reason"]),
                "The draft was rejected as an extraction error.")


@login_required
@require_POST
@bounded_uploads
def item_progress(request, pk: int):
    item = _visible_item(request, pk)

    def perform(data):
        workflow.report_progress(request.user, item, data["text"], evidence=_uploaded(request, data["evidence"]),
                                 on=_today())

    return _act(request, pk, "progress", _form("progress", forms.ProgressForm, request.POST, request.FILES), perform, "Progress reported.")


@login_required
@require_POST
@bounded_uploads
def item_claim(request, pk: int):
    item = _visible_item(request, pk)

    def perform(data):
        workflow.claim_completion(request.user, item, evidence=_uploaded(request, data["evidence"]), note=data["note"],
                                  on=_today())

    return _act(request, pk, "claim", _form("claim", forms.ClaimForm, request.POST, request.FILES), perform,
                "Completion claimed: it now awaits verification from outside your side.")


def _pending_claim(item: Item):
    claim = item.claims.filter(status=ClaimStatus.PENDING).order_by("-id").first()
    if claim is None:
        raise InvalidState("there is no completion claim awaiting a decision on this item")
    return claim


@login_required
@require_POST
@bounded_uploads
def item_verify(request, pk: int):
    item = _visible_item(request, pk)

    def perform(data):
        cited = [*data["cited"], *_uploaded(request, data["evidence"])]
        workflow.verify_claim(request.user, _pending_claim(item), evidence=cited, on=_today(), note=data["note"])

    form = _form("verify", forms.VerifyForm, request.POST, request.FILES, evidence=_cited_evidence(item))
    return _act(request, pk, "verify", form, perform, "Verified: the item is closed.")


@login_required
@require_POST
def item_reject_claim(request, pk: int):
    item = _visible_item(request, pk)
    return _act(request, pk, "reject_claim", _form("reject_claim", forms.ReasonForm, request.POST),
                lambda data: workflow.reject_claim(request.user, _pending_claim(item), data["reason"], on=_today()),
                "The completion claim was rejected: the item is active again.")


@login_required
@require_POST
def item_request_deadline(request, pk: int):
    item = _visible_item(request, pk)
    return _act(request, pk, "deadline", _form("deadline", forms.DeadlineRequestForm, request.POST),
                lambda data: workflow.request_deadline_change(request.user, item, data["due"], data["reason"],
                                                              on=_today()),
                "Deadline change requested: it applies once approved.")


@login_required
@require_POST
def item_request_cancel(request, pk: int):
    item = _visible_item(request, pk)
    return _act(request, pk, "cancel", _form("cancel", forms.ReasonForm, request.POST),
                lambda data: workflow.request_cancellation(request.user, item, data["reason"], on=_today()),
                "Cancellation requested: it applies once approved.")


def _visible_request(request, pk: int) -> ChangeRequest:
    return get_object_or_404(ChangeRequest.objects.select_related("item"), pk=pk,
                             item__in=visible_items(request.user).values("pk"))


@login_required
@require_POST
def request_approve(request, pk: int):
    change = _visible_request(request, pk)
    return _act(request, change.item_id, "approve", forms.DecisionForm(request.POST),
                lambda data: workflow.approve_request(request.user, change, on=_today(), note=data["note"]),
                f"{change.get_kind_display()} approved.")


@login_required
@require_POST
def request_refuse(request, pk: int):
    change = _visible_request(request, pk)
    return _act(request, change.item_id, "refuse", forms.RefusalForm(request.POST),
                lambda data: workflow.refuse_request(request.user, change, data["reason"], on=_today()),
                f"{change.get_kind_display()} refused.")


@login_required
@require_POST
def check_record(request, pk: int):
    check = get_object_or_404(ReinspectionCheck.objects.select_related("item"), pk=pk,
                              item__in=visible_items(request.user).values("pk"))
    return _act(request, check.item_id, "check", forms.CheckForm(request.POST),
                lambda data: reinspection.record_check(request.user, check, passed=data["result"] == "passed",
                                                       note=data["note"], on=_today()),
                "Re-inspection recorded.")


@login_required
def evidence_download(request, pk: int, evidence_pk: int):
    """An evidence file cited on an item the person may see; offered as a download, never shown inline."""
    item = _visible_item(request, pk)
    evidence = get_object_or_404(_cited_evidence(item), pk=evidence_pk)
    try:
        stream = open_evidence(evidence)
    except LedgerError as error:
        raise Http404(str(error)) from None
    return FileResponse(stream, as_attachment=True, filename=evidence.original_name,
                        content_type=evidence.content_type)


# --- queues ---------------------------------------------------------------------------------------------------------


@login_required
def queue_verification(request):
    page = keyset_page(queues.awaiting_verification(request.user).prefetch_related("evidence"),
                       ("claimed_on", "id"), request.GET.get("after"))
    return render(request, "web/queue_verification.html", _paged(request, page))


@login_required
def queue_approval(request):
    page = keyset_page(queues.awaiting_approval(request.user), ("requested_on", "id"), request.GET.get("after"))
    _with_decision_forms(page.rows)
    return render(request, "web/queue_approval.html", _paged(request, page))


def _render_reinspection(request, sample_form, status: int = 200):
    page = keyset_page(queues.pending_checks(request.user), ("-sample_id", "id"), request.GET.get("after"))
    _with_check_forms(page.rows)
    return render(request, "web/queue_reinspection.html", {**_paged(request, page), "sample_form": sample_form},
                  status=status)


@login_required
def queue_reinspection(request):
    return _render_reinspection(request, forms.SampleForm())


@login_required
@require_POST
def reinspection_draw(request):
    form = forms.SampleForm(request.POST)
    if not form.is_valid():
        return _render_reinspection(request, form, status=400)
    try:
        sample = reinspection.draw_sample(request.user, size=form.cleaned_data["size"], seed=form.cleaned_data["seed"],
                                          on=_today())
    except LedgerError as error:
        messages.error(request, str(error))
        return _render_reinspection(request, form, status=refusal_status(error))
    drawn = sample.checks.count()
    messages.success(request, f"Sample drawn: {drawn} of {sample.population} closed item{'s' if sample.population != 1 else ''}.")
    return redirect("web:queue_reinspection")


@login_required
def inbox(request):
    unread_only = request.GET.get("show") != "all"
    page = keyset_page(reminders.inbox(request.user, unread_only=unread_only), ("-as_of", "-id"),
                       request.GET.get("after"))
    return render(request, "web/inbox.html", {**_paged(request, page), "unread_only": unread_only})


@login_required
@require_POST
def inbox_read(request, pk: int):
    reminder = get_object_or_404(reminders.inbox(request.user), pk=pk)
    try:
        reminder = reminders.mark_read(request.user, reminder)
    except LedgerError as error:
        if request.headers.get("HX-Request"):
            # the service's message is text (it may quote names people typed): never sent as markup
            return HttpResponse(str(error), status=refusal_status(error), content_type="text/plain; charset=utf-8")
        messages.error(request, str(error))
        return redirect("web:inbox")
    if request.headers.get("HX-Request"):
        return render(request, "web/_reminder.html", {"reminder": reminder})
    return redirect(_next(request, reverse("web:inbox")))
