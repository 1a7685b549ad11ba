"""The API's views: each resolves what the request names among what the person may see, calls a ledger service, and
answers with the result; a LedgerError becomes 403 (NotAllowed), 409 (InvalidState) or 400, with {"detail": message}.

No rule lives here. Reads start from duban.ledger.services.visibility (all derived from visible_items), so an
object the person may not see is a 404, in a list as in a lookup; writes call duban.ledger.services.workflow, which
decides who may do what.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers as drf_serializers, status, viewsets
from rest_framework.decorators import action, api_view, authentication_classes, permission_classes
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import BasePagination, CursorPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from duban.ledger.choices import ChangeKind, ClaimStatus, FlagCode, Genre, ItemKind, ItemState, RequestStatus
from duban.ledger.errors import InvalidState, LedgerError
from duban.ledger.models import (
    ChangeRequest, CompletionClaim, Event, Evidence, Item, Membership, ProgressReport,
)
from duban.ledger.services import evidence as evidence_store, workflow
from duban.ledger.services.flags import red_flags
from duban.ledger.services.visibility import visible_items
from duban.web.filters import SORT_CHOICES, ItemFilterForm, filter_items, item_sort, keyset_page

from duban.ledger.services import visibility as scope
from . import serializers as s
from ..refusals import refusal_status
from .schema import LedgerSchema


# --- shared behaviour ------------------------------------------------------------------------------------------------

MAX_ID = 2**63 - 1  # the largest id a database column holds; a larger one names nothing
PAGE_SIZE = settings.REST_FRAMEWORK.get("PAGE_SIZE", 50)
MAX_PAGE_SIZE = 200
PAGE_SIZE_PARAMETER = {
    "name": "page_size", "required": False, "in": "query",
    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
    "description": f"rows per page (default {PAGE_SIZE})",
}


def page_size(request) -> int:
    """The page size asked for, 1 to MAX_PAGE_SIZE (400 otherwise), or the default."""
    given = request.query_params.get("page_size")
    if given is None:
        return PAGE_SIZE
    if not (given.isascii() and given.isdigit()) or not 1 <= int(given) <= MAX_PAGE_SIZE:
        raise exceptions.ValidationError({"page_size": [f"a whole number from 1 to {MAX_PAGE_SIZE}"]})
    return int(given)


class IdCursorPagination(CursorPagination):
    """Keyset pagination on the primary key: a page costs the same at the millionth row as at the first."""

    ordering = "id"
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        return page_size(request)

    def decode_cursor(self, request):
        """DRF's cursor, whose position must be an id: a crafted one holding anything else is an invalid cursor
        (404, as DRF answers any cursor it cannot read), not a failed query."""
        cursor = super().decode_cursor(request)
        position = cursor.position if cursor is not None else None
        if position is not None and not (position.isascii() and position.isdigit() and int(position) <= MAX_ID):
            raise exceptions.NotFound(self.invalid_cursor_message)
        return cursor

    def get_schema_operation_parameters(self, view):
        return [*(p for p in super().get_schema_operation_parameters(view) if p["name"] != "page_size"),
                PAGE_SIZE_PARAMETER]


class ItemKeysetPagination(BasePagination):
    """The pages' keyset pagination (duban.web.filters.keyset_page) in the pages' sort orders: `after` is the
    cursor a page's `next` link carries; one that does not decode starts again from the first page."""

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page = keyset_page(queryset, item_sort(request.query_params), request.query_params.get("after"),
                                page_size(request))
        return self.page.rows

    def get_paginated_response(self, data):
        url = self.request.build_absolute_uri()
        following = replace_query_param(url, "after", self.page.next_cursor) if self.page.next_cursor else None
        return Response({"next": following, "results": data})

    def get_paginated_response_schema(self, schema):
        return {"type": "object", "required": ["next", "results"], "properties": {
            "next": {"type": "string", "nullable": True, "format": "uri"},
            "results": schema,
        }}

    def get_schema_operation_parameters(self, view):
        return [
            {"name": "after", "required": False, "in": "query", "schema": {"type": "string"},
             "description": "the cursor of the page to read, from the previous page's `next` link"},
            PAGE_SIZE_PARAMETER,
        ]


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "the request is larger than the evidence files it may carry"
    default_code = "payload_too_large"


class LedgerViewMixin:
    """What every API view shares: keyset pages, the ledger's refusals as HTTP answers, and their documentation."""

    schema = LedgerSchema()
    pagination_class = IdCursorPagination

    def handle_exception(self, exc):
        if isinstance(exc, LedgerError):
            return Response({"detail": str(exc)}, status=refusal_status(exc))
        response = super().handle_exception(exc)
        if isinstance(exc, exceptions.ValidationError):
            # One shape for every refusal: a sentence in "detail", and what each field got wrong in "errors".
            errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
            response.data = {"detail": _summary(errors), "errors": errors}
        return response

    def get_object(self):
        """The object the path names among those the person may see; 404 for any other, and for an id no column
        could hold."""
        value = str(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, ""))
        if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_ID:
            raise exceptions.NotFound("no such object")
        return super().get_object()

    def validated(self, serializer_class, data=None) -> dict:
        """The body, shape-checked by the serializer (400 otherwise); a JSON body is held to its JSON types."""
        typed = (self.request.content_type or "").split(";")[0].strip() == "application/json"
        serializer = serializer_class(data=self.request.data if data is None else data, context={"typed": typed})
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


def _summary(errors) -> str:
    """The field errors in one sentence: "due: Date has wrong format…; evidence_ids[0]: A valid integer is required."."""
    def lines(where: str, found):
        if isinstance(found, dict):
            for key, inner in found.items():
                name = key if not where else (f"{where}[{key}]" if str(key).isdigit() else f"{where}.{key}")
                yield from lines("" if key in ("non_field_errors", "__all__") and not where else name, inner)
        elif isinstance(found, list):
            for inner in found:
                yield from lines(where, inner)
        else:
            yield f"{where}: {found}" if where else str(found)
    return "the request is not valid: " + "; ".join(lines("", errors))


def _enum(values) -> dict:
    return {"type": "string", "enum": list(values)}


def _many(name: str, values, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, {"type": "array", "items": _enum(values)}, OpenApiParameter.QUERY, required=False,
                            explode=True, style="form", description=description)


def _id(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, {"type": "integer", "minimum": 1, "maximum": MAX_ID}, OpenApiParameter.QUERY,
                            required=False, description=description)


def _date(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.DATE, OpenApiParameter.QUERY, required=False, description=description)


ITEM_FILTERS = [
    OpenApiParameter("q", {"type": "string", "maxLength": 200}, OpenApiParameter.QUERY, required=False,
                     description="text of the item's number, title or quote; '#12' also finds item 12"),
    _many("state", ItemState.values, "only items in these states (repeatable)"),
    _many("kind", ItemKind.values, "only items of these kinds (repeatable)"),
    _id("owner", "only items led by this organisation or one of its units"),
    _date("due_from", "only items due on or after this date"),
    _date("due_to", "only items due on or before this date (not before due_from)"),
    OpenApiParameter("flag", _enum(FlagCode.values), OpenApiParameter.QUERY, required=False,
                     description="only items with this red flag today"),
    _id("document", "only items of this document"),
    OpenApiParameter("sort", _enum([value for value, _ in SORT_CHOICES]), OpenApiParameter.QUERY, required=False,
                     description="id (default), -id, due or -due (no due date last)"),
]

ITEM_FILTER_NAMES = {parameter.name for parameter in ITEM_FILTERS}


def filtered_items(queryset, request, *, day=None):
    """The items matching the query's filters, through the pages' filter form and duban.web.filters.filter_items.

    A malformed filter is a 400 (the pages ignore it and show the form's error). A well-formed filter that matches
    nothing gives an empty list, as a filter should: an owner id that names no organisation, a due range that ends
    before it starts.
    """
    params = request.query_params.copy()
    blank = sorted(name for name in ITEM_FILTER_NAMES - {"q"} if "" in params.getlist(name))
    if blank:  # the pages' form reads an empty field as "any"; the API asks for a value or no parameter
        raise exceptions.ValidationError({name: ["give a value, or leave the parameter out"] for name in blank})
    # the owners one may filter by: those one may see (read only when the query names one; the API renders no form)
    organisations = scope.visible_organisations(request.user) if params.get("owner") else None
    if (owner := params.get("owner")) and owner.isascii() and owner.isdigit() and 1 <= int(owner) <= MAX_ID:
        if not organisations.filter(pk=int(owner)).exists():
            params.pop("owner")
            queryset = queryset.none()
    for name in ("owner", "document"):  # ids: a number no column could hold is malformed, not a lookup
        value = params.get(name)
        if value and (not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= MAX_ID):
            raise exceptions.ValidationError({name: ["an id: a whole number from 1"]})
    form = ItemFilterForm(params, organisations=organisations)
    if not form.is_valid():
        errors = {field: [str(message) for message in messages] for field, messages in form.errors.items()}
        due_range_only = set(errors) == {"__all__"} and form.cleaned_data.get("due_from") and form.cleaned_data.get("due_to")
        if not due_range_only:
            raise exceptions.ValidationError(errors)
        queryset = queryset.none()
    return filter_items(queryset, form, day=day)


class _QueryParams(drf_serializers.Serializer):
    """The shapes of the simple query parameters of the other lists (the items' are filters.filter_items')."""

    item = drf_serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    status = drf_serializers.CharField(required=False)
    kind = drf_serializers.CharField(required=False)
    as_of = drf_serializers.DateField(required=False)


def query_param(request, name: str, choices=None):
    """One simple query parameter, shape-checked (400 when malformed); None when absent."""
    value = request.query_params.get(name)
    if value is None:
        return None
    checked = _QueryParams(data={name: value})
    if not checked.is_valid():
        raise exceptions.ValidationError(checked.errors)
    value = checked.validated_data[name]
    if choices is not None and value not in choices:
        raise exceptions.ValidationError({name: [f"{value!r} is not one of {', '.join(choices)}"]})
    return value


def _today():
    return timezone.localdate()


# --- the person asking -----------------------------------------------------------------------------------------------

class MeView(LedgerViewMixin, GenericAPIView):
    """Who the token or session belongs to, and their roles."""

    serializer_class = s.MeSerializer
    pagination_class = None

    @extend_schema(summary="The person the token or session belongs to, with their roles")
    def get(self, request):
        memberships = Membership.objects.filter(user=request.user).select_related("organisation").order_by(
            "organisation__path", "role")
        return Response(s.MeSerializer({"username": request.user.get_username(),
                                        "is_superuser": request.user.is_superuser,
                                        "memberships": memberships}).data)


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@permission_classes([AllowAny])
@authentication_classes([])
def not_found(request, path=""):
    """Any other path under /api/: a JSON 404, like every other answer of the API (not Django's HTML page)."""
    raise exceptions.NotFound(f"no API endpoint at /api/{path}")


# --- items -----------------------------------------------------------------------------------------------------------

EVIDENCE_ACTIONS = {"progress", "claim", "verify"}
FORM_PARSERS = [JSONParser, FormParser]  # the media types of an action's body, as documented: JSON or an HTML form
UPLOAD_PARSERS = [JSONParser, MultiPartParser]  # …and for actions taking files, JSON (ids) or multipart (files)
UPLOAD_LIMIT = 64 * 1024  # form fields around the files


def _upload_bound() -> int:
    return s.MAX_EVIDENCE_FILES * settings.DUBAN_EVIDENCE_MAX_BYTES + UPLOAD_LIMIT


def _action_schema(summary: str, request, response, created: bool = False, uploads: bool = False):
    """An action's OpenAPI entry: its request (JSON, and multipart when it takes files) and its answers."""
    if uploads:
        json_form, multipart_form = request
        body = {"application/json": json_form, "multipart/form-data": multipart_form}
    else:
        body = {"application/json": request, "application/x-www-form-urlencoded": request}
    responses = {201 if created else 200: response}
    if uploads:
        responses[413] = OpenApiResponse(s.ErrorSerializer, description="larger than the evidence files it may carry")
    return extend_schema(summary=summary, request=body, responses=responses)


@extend_schema_view(
    list=extend_schema(summary="Items the person may see, filtered, by keyset pages", parameters=ITEM_FILTERS),
    retrieve=extend_schema(summary="One item with its reports, claims, requests, red flags today and history"),
)
class ItemViewSet(LedgerViewMixin, viewsets.ReadOnlyModelViewSet):
    """Items: read those the person may see; act on them through the ledger's workflow, which decides who may."""

    serializer_class = s.ItemSerializer
    pagination_class = ItemKeysetPagination

    def initial(self, request, *args, **kwargs):
        # Refuse an oversized upload before anything reads the body into temporary files.
        if request.method == "POST" and getattr(self, "action", None) in EVIDENCE_ACTIONS:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > _upload_bound():
                raise PayloadTooLarge(f"the request ({length:,} bytes) is larger than {s.MAX_EVIDENCE_FILES} evidence "
                                      f"files of at most {settings.DUBAN_EVIDENCE_MAX_BYTES:,} bytes may be")
        super().initial(request, *args, **kwargs)

    def get_queryset(self):
        items = Item.objects.select_related("lead_owner")
        if self.action == "list":
            items = items.prefetch_related("co_owners")
        elif self.action == "retrieve":
            items = items.prefetch_related(
                "co_owners",
                Prefetch("children", visible_items(self.request.user, Item.objects.order_by("id"))),
                Prefetch("progress_reports", ProgressReport.objects.select_related("author").prefetch_related("evidence")),
                Prefetch("claims", CompletionClaim.objects.select_related("claimant", "verification__verifier")
                         .prefetch_related("evidence", "verification__evidence")),
                Prefetch("change_requests", ChangeRequest.objects.select_related("requested_by", "decided_by").order_by("id")),
            )
        return scope_items(self.request.user, items)

    def filter_queryset(self, queryset):
        if self.action == "list":
            return filtered_items(queryset, self.request)
        return queryset

    def get_serializer_class(self):
        return s.ItemDetailSerializer if self.action == "retrieve" else s.ItemSerializer

    def retrieve(self, request, *args, **kwargs):
        item = self.get_object()
        user = request.user
        context = {
            "request": request,
            "flags": red_flags(_today(), [item]).get(item.pk, []),
            "history": Event.objects.filter(item_id=item.pk).order_by("at", "id"),
            "permissions": _permissions(workflow.available_actions(user, item, claims=item.claims.all(),
                                                                   requests=item.change_requests.all())),
        }
        return Response(s.ItemDetailSerializer(item, context=context).data)

    # The actions: the item is looked up among those the person may see (404 otherwise), then the service decides.

    def _item(self) -> Item:
        return self.get_object()

    def _answer_item(self, item: Item) -> Response:
        fresh = scope_items(self.request.user, Item.objects.select_related("lead_owner").prefetch_related("co_owners"))
        return Response(s.ItemSerializer(fresh.get(pk=item.pk), context={"request": self.request}).data)

    def _evidence(self, data: dict) -> list[Evidence]:
        """Store the uploaded files (size- and type-checked by the store) and look up the cited ids among the
        evidence the person can see; call inside the action's transaction, so a refused action stores nothing."""
        ids = list(dict.fromkeys(data.get("evidence_ids", [])))
        found = scope.visible_evidence(self.request.user).in_bulk(ids)
        missing = [str(pk) for pk in ids if pk not in found]
        if missing:
            raise exceptions.NotFound(f"no evidence {', '.join('#' + pk for pk in missing)} among the files cited for "
                                      "items you can see")
        stored = [evidence_store.store_evidence(upload, upload.name, content_type=upload.content_type, actor=self.request.user)
                  for upload in data.get("evidence", [])]
        return stored + [found[pk] for pk in ids]

    def _claim(self, item: Item, claim_id: int | None) -> CompletionClaim:
        claims = CompletionClaim.objects.filter(item=item)
        if claim_id is not None:
            claim = claims.filter(pk=claim_id).first()
            if claim is None:
                raise exceptions.NotFound(f"item #{item.pk} has no claim #{claim_id}")
            return claim
        claim = claims.filter(status=ClaimStatus.PENDING).order_by("-id").first()
        if claim is None:
            raise InvalidState(f"item #{item.pk} has no completion claim awaiting verification")
        return claim

    @_action_schema("Give a draft or active item its lead owner and co-owners", s.AssignSerializer, s.ItemSerializer)
    @action(detail=True, methods=["post"], parser_classes=FORM_PARSERS)
    def assign(self, request, pk=None):
        item = self._item()
        data = self.validated(s.AssignSerializer)
        wanted = [data["lead"], *data["co_owners"]]
        found = scope.visible_organisations(request.user).in_bulk(wanted)
        missing = [str(pk) for pk in wanted if pk not in found]
        if missing:
            raise exceptions.NotFound(f"no organisation {', '.join('#' + pk for pk in missing)}")
        item = workflow.assign_owner(request.user, item, found[data["lead"]], [found[pk] for pk in data["co_owners"]])
        return self._answer_item(item)

    @_action_schema("Confirm a draft: it becomes active", s.EmptySerializer, s.ItemSerializer)
    @action(detail=True, methods=["post"], parser_classes=FORM_PARSERS)
    def confirm(self, request, pk=None):
        return self._answer_item(workflow.confirm(request.user, self._item()))

    @_action_schema("Reject a draft as an extraction error, with a reason", s.ReasonSerializer, s.ItemSerializer)
    @action(detail=True, methods=["post"], url_path="reject-draft", parser_classes=FORM_PARSERS)
    def reject_draft(self, request, pk=None):
        item = self._item()
        data = self.validated(s.ReasonSerializer)
        return self._answer_item(workflow.reject_draft(request.user, item, data["reason"]))

    @_action_schema("Report progress today, with evidence", (s.ProgressJSONSerializer, s.ProgressSerializer),
                    s.ProgressReportSerializer, created=True, uploads=True)
    @action(detail=True, methods=["post"], parser_classes=UPLOAD_PARSERS)
    def progress(self, request, pk=None):
        item = self._item()
        data = self.validated(s.ProgressSerializer)
        with transaction.atomic():
            report = workflow.report_progress(request.user, item, data["text"], evidence=self._evidence(data), on=_today())
        report = ProgressReport.objects.select_related("author").prefetch_related("evidence").get(pk=report.pk)
        return Response(s.ProgressReportSerializer(report, context={"request": request}).data, status=status.HTTP_201_CREATED)

    @_action_schema("Claim completion today, with evidence (the item closes only when verified)",
                    (s.ClaimJSONSerializer, s.ClaimInputSerializer), s.ClaimSerializer, created=True, uploads=True)
    @action(detail=True, methods=["post"], parser_classes=UPLOAD_PARSERS)
    def claim(self, request, pk=None):
        item = self._item()
        data = self.validated(s.ClaimInputSerializer)
        with transaction.atomic():
            claim = workflow.claim_completion(request.user, item, evidence=self._evidence(data), note=data["note"], on=_today())
        return self._answer_claim(claim, status.HTTP_201_CREATED)

    @_action_schema("Verify a completion claim today, citing evidence: the item closes",
                    (s.VerifyJSONSerializer, s.VerifySerializer), s.ClaimSerializer, uploads=True)
    @action(detail=True, methods=["post"], parser_classes=UPLOAD_PARSERS)
    def verify(self, request, pk=None):
        item = self._item()
        data = self.validated(s.VerifySerializer)
        claim = self._claim(item, data["claim"])
        with transaction.atomic():
            workflow.verify_claim(request.user, claim, evidence=self._evidence(data), on=_today(), note=data["note"])
        return self._answer_claim(claim)

    @_action_schema("Reject a completion claim, with a reason: the item is active again", s.RejectClaimSerializer,
                    s.ClaimSerializer)
    @action(detail=True, methods=["post"], url_path="reject-claim", parser_classes=FORM_PARSERS)
    def reject_claim(self, request, pk=None):
        item = self._item()
        data = self.validated(s.RejectClaimSerializer)
        claim = self._claim(item, data["claim"])
        workflow.reject_claim(request.user, claim, data["reason"], on=_today())
        return self._answer_claim(claim)

    @_action_schema("Ask for a new due date (it applies once approved)", s.DeadlineRequestSerializer,
                    s.ChangeRequestSerializer, created=True)
    @action(detail=True, methods=["post"], url_path="request-deadline", parser_classes=FORM_PARSERS)
    def request_deadline(self, request, pk=None):
        item = self._item()
        data = self.validated(s.DeadlineRequestSerializer)
        change = workflow.request_deadline_change(request.user, item, data["due"], data["reason"], on=_today())
        return _answer_change(change, request, status.HTTP_201_CREATED)

    @_action_schema("Ask to cancel the item (it is cancelled once approved)", s.ReasonSerializer,
                    s.ChangeRequestSerializer, created=True)
    @action(detail=True, methods=["post"], url_path="request-cancellation", parser_classes=FORM_PARSERS)
    def request_cancellation(self, request, pk=None):
        item = self._item()
        data = self.validated(s.ReasonSerializer)
        change = workflow.request_cancellation(request.user, item, data["reason"], on=_today())
        return _answer_change(change, request, status.HTTP_201_CREATED)

    def _answer_claim(self, claim: CompletionClaim, code: int = status.HTTP_200_OK) -> Response:
        claim = claims_loaded(CompletionClaim.objects).get(pk=claim.pk)
        return Response(s.ClaimSerializer(claim, context={"request": self.request}).data, status=code)


def _permissions(actions: frozenset[str]) -> dict:
    """The API's permissions block: the actions the person may take now (workflow.available_actions), by group."""
    return {"manage": bool(actions & {"assign", "confirm", "reject_draft"}), "report": "report" in actions,
            "claim": bool(actions & {"claim", "request_deadline", "request_cancellation"}),
            "verify": "verify" in actions, "approve": bool(actions & {"decide", "record_checks"}),
            "actions": sorted(actions)}


def scope_items(user, queryset=None):
    return scope.visible_items_naming_parents(user, queryset)


def claims_loaded(queryset):
    return queryset.select_related("claimant", "verification__verifier").prefetch_related("evidence", "verification__evidence")


def _answer_change(change: ChangeRequest, request, code: int = status.HTTP_200_OK) -> Response:
    change = ChangeRequest.objects.select_related("requested_by", "decided_by").get(pk=change.pk)
    return Response(s.ChangeRequestSerializer(change, context={"request": request}).data, status=code)


# --- claims and change requests --------------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="Completion claims on items the person may see", parameters=[
        _id("item", "only the claims of this item"),
        OpenApiParameter("status", _enum(ClaimStatus.values), OpenApiParameter.QUERY, required=False),
    ]),
    retrieve=extend_schema(summary="One completion claim, with its verification"),
)
class ClaimViewSet(LedgerViewMixin, viewsets.ReadOnlyModelViewSet):
    """Completion claims; they are made, verified and rejected through their item (/api/items/{id}/claim/, …)."""

    serializer_class = s.ClaimSerializer

    def get_queryset(self):
        claims = scope.visible_claims(self.request.user, claims_loaded(CompletionClaim.objects))
        if self.action == "list":
            if (item := query_param(self.request, "item")) is not None:
                claims = claims.filter(item_id=item)
            if (wanted := query_param(self.request, "status", ClaimStatus.values)) is not None:
                claims = claims.filter(status=wanted)
        return claims


@extend_schema_view(
    list=extend_schema(summary="Deadline change and cancellation requests on items the person may see", parameters=[
        _id("item", "only the requests of this item"),
        OpenApiParameter("status", _enum(RequestStatus.values), OpenApiParameter.QUERY, required=False),
        OpenApiParameter("kind", _enum(ChangeKind.values), OpenApiParameter.QUERY, required=False),
    ]),
    retrieve=extend_schema(summary="One change request"),
)
class ChangeRequestViewSet(LedgerViewMixin, viewsets.ReadOnlyModelViewSet):
    """Deadline change and cancellation requests: asked through their item, approved or refused here."""

    serializer_class = s.ChangeRequestSerializer

    def get_queryset(self):
        changes = scope.visible_change_requests(
            self.request.user, ChangeRequest.objects.select_related("requested_by", "decided_by"))
        if self.action == "list":
            if (item := query_param(self.request, "item")) is not None:
                changes = changes.filter(item_id=item)
            if (wanted := query_param(self.request, "status", RequestStatus.values)) is not None:
                changes = changes.filter(status=wanted)
            if (kind := query_param(self.request, "kind", ChangeKind.values)) is not None:
                changes = changes.filter(kind=kind)
        return changes

    @_action_schema("Approve the request today: the deadline moves, or the item is cancelled", s.NoteSerializer,
                    s.ChangeRequestSerializer)
    @action(detail=True, methods=["post"], parser_classes=FORM_PARSERS)
    def approve(self, request, pk=None):
        change = self.get_object()
        data = self.validated(s.NoteSerializer)
        return _answer_change(workflow.approve_request(request.user, change, on=_today(), note=data["note"]), request)

    @_action_schema("Refuse the request today, with a reason", s.ReasonSerializer, s.ChangeRequestSerializer)
    @action(detail=True, methods=["post"], parser_classes=FORM_PARSERS)
    def refuse(self, request, pk=None):
        change = self.get_object()
        data = self.validated(s.ReasonSerializer)
        return _answer_change(workflow.refuse_request(request.user, change, data["reason"], on=_today()), request)


# --- documents and organisations -------------------------------------------------------------------------------------

@extend_schema_view(
    list=extend_schema(summary="Documents with an item the person may see", parameters=[
        OpenApiParameter("genre", _enum(Genre.values), OpenApiParameter.QUERY, required=False),
    ]),
    retrieve=extend_schema(summary="One document: its text (untrusted, plain text) and the items the person may see"),
)
class DocumentViewSet(LedgerViewMixin, viewsets.ReadOnlyModelViewSet):
    """Source documents, as ingested: their text is untrusted and returned as plain text."""

    serializer_class = s.DocumentSerializer

    def get_queryset(self):
        documents = scope.visible_documents(self.request.user).select_related("file", "supervising_office")
        if self.action == "list":
            documents = documents.defer("text")
            if (genre := self.request.query_params.get("genre")) is not None:
                if genre not in Genre.values:
                    raise exceptions.ValidationError({"genre": [f"{genre!r} is not one of {', '.join(Genre.values)}"]})
                documents = documents.filter(genre=genre)
        return documents

    def get_serializer_class(self):
        return s.DocumentDetailSerializer if self.action == "retrieve" else s.DocumentSerializer

    def retrieve(self, request, *args, **kwargs):
        document = self.get_object()
        items = scope_items(request.user, Item.objects.filter(document=document)).order_by("line_start", "id").only(
            "id", "kind", "state", "number", "title", "line_start", "line_end")
        return Response(s.DocumentDetailSerializer(document, context={"request": request, "items": items}).data)


@extend_schema_view(
    list=extend_schema(summary="The organisations of the person's tree(s)", parameters=[
        _id("parent", "only the direct units of this organisation"),
    ]),
    retrieve=extend_schema(summary="One organisation"),
)
class OrganisationViewSet(LedgerViewMixin, viewsets.ReadOnlyModelViewSet):
    """The organisation tree: owners, supervising offices and their units."""

    serializer_class = s.OrganisationSerializer

    def get_queryset(self):
        organisations = scope.visible_organisations(self.request.user)
        if self.action == "list" and "parent" in self.request.query_params:
            checked = _QueryParams(data={"item": self.request.query_params["parent"]})
            if not checked.is_valid():
                raise exceptions.ValidationError({"parent": checked.errors["item"]})
            organisations = organisations.filter(parent_id=checked.validated_data["item"])
        return organisations


# --- evidence ---------------------------------------------------------------------------------------------------------

class FileRenderer(JSONRenderer):
    """Lets a download be asked for with any Accept header: the file itself is a FileResponse DRF never renders, and
    a refusal (404) is still written as JSON."""

    media_type = "*/*"
    format = "bin"


@extend_schema_view(
    list=extend_schema(summary="Evidence files cited for items the person may see (metadata)", parameters=[
        OpenApiParameter("sha256", {"type": "string", "pattern": "^[0-9a-f]{64}$"}, OpenApiParameter.QUERY, required=False),
    ]),
    retrieve=extend_schema(summary="One evidence file's metadata"),
)
class EvidenceViewSet(LedgerViewMixin, viewsets.ReadOnlyModelViewSet):
    """Evidence files, stored once by sha256: their metadata, and the file for those who may see an item citing it."""

    serializer_class = s.EvidenceSerializer

    def get_queryset(self):
        pieces = scope.visible_evidence(self.request.user)
        if self.action == "list" and (digest := self.request.query_params.get("sha256")) is not None:
            if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
                raise exceptions.ValidationError({"sha256": ["64 lower-case hexadecimal characters"]})
            pieces = pieces.filter(sha256=digest)
        return pieces

    @extend_schema(
        summary="Download an evidence file (as an attachment, never rendered inline)",
        responses={(200, content_type): OpenApiTypes.BINARY for content_type in settings.DUBAN_EVIDENCE_TYPES},
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, FileRenderer])
    def download(self, request, pk=None):
        piece = self.get_object()
        try:
            stream = evidence_store.open_evidence(piece)
        except LedgerError as error:  # the row is there but the file is not: the store needs reconciling
            raise exceptions.NotFound(str(error)) from None
        return FileResponse(stream, as_attachment=True, filename=piece.original_name, content_type=piece.content_type)


# --- red flags --------------------------------------------------------------------------------------------------------

@extend_schema_view(list=extend_schema(
    summary="Red flags of the items the person may see, as of a date, by keyset pages of items",
    description="Each page holds the flagged items among one page of the filtered items, so a page may hold fewer "
                "entries than its size, and follows by `next` like any other list.",
    parameters=[*ITEM_FILTERS, _date("as_of", "the day the flags are computed for (default today)")],
    responses=s.FlaggedItemSerializer(many=True),
))
class FlagViewSet(LedgerViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Red flags, computed as of a date and never stored, each with its reason."""

    serializer_class = s.FlaggedItemSerializer
    pagination_class = ItemKeysetPagination

    def get_queryset(self):
        return scope_items(self.request.user, Item.objects.select_related("lead_owner").prefetch_related("co_owners"))

    def list(self, request, *args, **kwargs):
        day = query_param(request, "as_of") or _today()
        items = filtered_items(self.get_queryset(), request, day=day)
        page = self.paginate_queryset(items)
        flags = red_flags(day, page)
        entries = [{"item": item, "flags": flags.get(item.pk, [])} for item in page if flags.get(item.pk)]
        return self.get_paginated_response(s.FlaggedItemSerializer(entries, many=True, context={"request": request}).data)
