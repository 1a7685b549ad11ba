"""How the API shows the ledger's records, and what its actions take in; no rule is checked here.

Output serializers read what the views' querysets already loaded (select_related/prefetch_related), so a list
costs the same number of queries whatever its length. Input serializers only check shapes (an id is a number, a
date a date); whether the action is allowed is the ledger services' answer.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse

from duban.ledger.choices import Role
from duban.ledger.models import (
    ChangeRequest, CompletionClaim, Event, Evidence, Item, Membership, Organisation, ProgressReport, SourceDocument,
    Verification,
)
from duban.ledger.services.texts import MAX_TEXT

MAX_EVIDENCE_FILES = 5  # files one request may upload; each is bounded by DUBAN_EVIDENCE_MAX_BYTES



class ErrorSerializer(serializers.Serializer):
    """What every refusal returns: the rule that refused, in a sentence; for a malformed request, also what each
    field got wrong."""

    detail = serializers.CharField()
    errors = serializers.DictField(required=False, help_text="field name → what is wrong with it")


# --- organisations and people -------------------------------------------------------------------------------------

class OrganisationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "kind"]


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "parent", "path", "country", "region"]


class MembershipSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True)
    role = serializers.ChoiceField(choices=Role.choices, read_only=True)

    class Meta:
        model = Membership
        fields = ["organisation", "role"]


class MeSerializer(serializers.Serializer):
    username = serializers.CharField(read_only=True)
    is_superuser = serializers.BooleanField(read_only=True)
    memberships = MembershipSerializer(many=True, read_only=True)


# --- evidence ------------------------------------------------------------------------------------------------------

class EvidenceSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = ["id", "sha256", "size", "content_type", "original_name", "stored_at", "download"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_download(self, evidence: Evidence) -> str:
        return reverse("api:evidence-download", args=[evidence.pk], request=self.context.get("request"))


# --- the records of what was done to an item ------------------------------------------------------------------------

class ProgressReportSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = ProgressReport
        fields = ["id", "item", "author", "text", "reported_on", "created_at", "evidence"]


class VerificationSerializer(serializers.ModelSerializer):
    verifier = serializers.CharField(source="verifier.username", read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = Verification
        fields = ["id", "verifier", "decided_on", "created_at", "verified", "reason", "same_working_day", "evidence"]


class ClaimSerializer(serializers.ModelSerializer):
    claimant = serializers.CharField(source="claimant.username", read_only=True)
    evidence = EvidenceSerializer(many=True, read_only=True)
    verification = serializers.SerializerMethodField()

    class Meta:
        model = CompletionClaim
        fields = ["id", "item", "claimant", "claimed_on", "created_at", "note", "status", "evidence", "verification"]

    @extend_schema_field(VerificationSerializer(allow_null=True))
    def get_verification(self, claim: CompletionClaim) -> dict | None:
        decision = getattr(claim, "verification", None)  # the reverse one-to-one raises when there is none
        return VerificationSerializer(decision, context=self.context).data if decision is not None else None


class ChangeRequestSerializer(serializers.ModelSerializer):
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = ChangeRequest
        fields = ["id", "item", "kind", "status", "requested_by", "requested_on", "reason", "proposed_due",
                  "decided_by", "decided_on", "decision_note", "created_at"]


class EventSerializer(serializers.ModelSerializer):
    before = serializers.DictField(read_only=True)
    after = serializers.DictField(read_only=True)

    class Meta:
        model = Event
        fields = ["id", "at", "actor", "action", "object_type", "object_id", "before", "after", "hash"]


class FlagSerializer(serializers.Serializer):
    code = serializers.CharField()
    reason = serializers.CharField()


# --- items ---------------------------------------------------------------------------------------------------------

class ItemSerializer(serializers.ModelSerializer):
    """An item in a list: its source, state, dates and owners."""

    lead_owner = OrganisationRefSerializer(read_only=True, allow_null=True)
    co_owners = OrganisationRefSerializer(many=True, read_only=True)
    unit_names = serializers.ListField(child=serializers.CharField(), read_only=True)
    parent = serializers.SerializerMethodField()

    class Meta:
        model = Item
        fields = ["id", "kind", "state", "number", "title", "quote", "document", "parent", "line_start", "line_end",
                  "source_ref", "unit_names", "due", "original_due", "due_provisional", "extensions", "lead_owner",
                  "co_owners", "created_at", "updated_at"]


    @extend_schema_field(serializers.IntegerField(allow_null=True, help_text="null also when the person may not see it"))
    def get_parent(self, item: Item) -> int | None:
        return item.parent_id if getattr(item, "parent_visible", False) else None  # visibility.visible_items_naming_parents


class ItemPermissionsSerializer(serializers.Serializer):
    """Which actions the person asking may take now: what pages and clients offer; the services still decide."""

    manage = serializers.BooleanField(help_text="assign owners, confirm or reject a draft")
    report = serializers.BooleanField(help_text="report progress")
    claim = serializers.BooleanField(help_text="claim completion, request a deadline change or cancellation")
    verify = serializers.BooleanField(help_text="verify or reject a completion claim")
    approve = serializers.BooleanField(help_text="approve or refuse a change request, record a re-inspection")
    actions = serializers.ListField(child=serializers.CharField(), help_text=(
        "the actions by name: assign, confirm, reject_draft, report, claim, request_deadline, request_cancellation, "
        "verify, reject_claim, decide, record_checks"))


class ItemDetailSerializer(ItemSerializer):
    """One item with everything done to it, its red flags today and its history."""

    data = serializers.DictField(read_only=True)
    children = serializers.SerializerMethodField()
    progress_reports = ProgressReportSerializer(many=True, read_only=True)
    claims = ClaimSerializer(many=True, read_only=True)
    change_requests = ChangeRequestSerializer(many=True, read_only=True)
    flags = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()
    permissions = serializers.SerializerMethodField()

    class Meta(ItemSerializer.Meta):
        fields = [*ItemSerializer.Meta.fields, "data", "reporting_interval", "escalation_level", "children",
                  "progress_reports", "claims", "change_requests", "flags", "history", "permissions"]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_children(self, item: Item) -> list[int]:
        return [child.pk for child in item.children.all()]

    @extend_schema_field(FlagSerializer(many=True))
    def get_flags(self, item: Item) -> list[dict]:
        return FlagSerializer(self.context["flags"], many=True).data

    @extend_schema_field(EventSerializer(many=True))
    def get_history(self, item: Item) -> list[dict]:
        return EventSerializer(self.context["history"], many=True).data

    @extend_schema_field(ItemPermissionsSerializer)
    def get_permissions(self, item: Item) -> dict:
        return self.context["permissions"]


class FlaggedItemSerializer(serializers.Serializer):
    item = ItemSerializer()
    flags = FlagSerializer(many=True)


# --- documents -----------------------------------------------------------------------------------------------------

class DocumentSerializer(serializers.ModelSerializer):
    file_name = serializers.CharField(source="file.name", read_only=True)
    sha256 = serializers.CharField(source="file.sha256", read_only=True)
    extractor_version = serializers.CharField(source="file.extractor_version", read_only=True)
    supervising_office = OrganisationRefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = SourceDocument
        fields = ["id", "title", "genre", "date", "version", "previous", "file_name", "sha256", "extractor_version",
                  "line_start", "line_end", "supervising_office", "published"]


class DocumentItemSerializer(serializers.ModelSerializer):
    """An item as placed in its document's text (lines of the document's file)."""

    class Meta:
        model = Item
        fields = ["id", "kind", "state", "number", "title", "line_start", "line_end"]


class DocumentDetailSerializer(DocumentSerializer):
    """A document with its text (untrusted: shown as text, never as markup) and the items the person may see."""

    items = serializers.SerializerMethodField()

    class Meta(DocumentSerializer.Meta):
        fields = [*DocumentSerializer.Meta.fields, "first_line", "text", "items"]

    @extend_schema_field(DocumentItemSerializer(many=True))
    def get_items(self, document: SourceDocument) -> list[dict]:
        return DocumentItemSerializer(self.context["items"], many=True).data


# --- what actions take in ------------------------------------------------------------------------------------------
#
# A JSON body is held to its JSON types (a number is not a text, "5" or true not an id); a form's values are all text,
# read as the field's type. Texts are taken as sent (the ledger trims them), so their length is the length sent.

MAX_ID = 2**63 - 1  # the largest id a database column holds


class TextField(serializers.CharField):
    def __init__(self, **kwargs):
        super().__init__(max_length=MAX_TEXT, allow_blank=True, trim_whitespace=False, **kwargs)

    def to_internal_value(self, data):
        if self.context.get("typed") and not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class IdField(serializers.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)

    def to_internal_value(self, data):
        if self.context.get("typed") and (not isinstance(data, int) or isinstance(data, bool)):
            self.fail("invalid")
        return super().to_internal_value(data)


def _ids(most: int, **kwargs) -> serializers.ListField:
    return serializers.ListField(child=IdField(), required=False, default=list, max_length=most, **kwargs)


def _claim() -> IdField:
    return IdField(required=False, allow_null=True, default=None,
                   help_text="the claim decided (default: the item's claim awaiting verification)")


def _note() -> TextField:
    return TextField(required=False, default="")


class EvidenceIdsSerializer(serializers.Serializer):
    """An action's evidence in JSON: stored evidence, by id, that the person can see."""

    evidence_ids = _ids(50)


class EvidenceInputSerializer(EvidenceIdsSerializer):
    """An action's evidence in a multipart form: files uploaded with it, and/or stored evidence by id."""

    evidence = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True, use_url=False), required=False, default=list,
        max_length=MAX_EVIDENCE_FILES,
        help_text=f"at most {MAX_EVIDENCE_FILES} files; each is bounded in size and checked for type by its bytes",
    )


class AssignSerializer(serializers.Serializer):
    lead = IdField(help_text="the lead owner organisation's id")
    co_owners = _ids(100)


class ReasonSerializer(serializers.Serializer):
    reason = TextField(help_text="required by the ledger: a blank reason is refused with the rule")


class NoteSerializer(serializers.Serializer):
    note = _note()


class EmptySerializer(serializers.Serializer):
    pass


class ProgressJSONSerializer(EvidenceIdsSerializer):
    text = TextField()


class ProgressSerializer(EvidenceInputSerializer):
    text = TextField()


class ClaimJSONSerializer(EvidenceIdsSerializer):
    note = _note()


class ClaimInputSerializer(EvidenceInputSerializer):
    note = _note()


class VerifyJSONSerializer(EvidenceIdsSerializer):
    claim = _claim()
    note = _note()


class VerifySerializer(EvidenceInputSerializer):
    claim = _claim()
    note = _note()


class RejectClaimSerializer(ReasonSerializer):
    claim = _claim()


class DeadlineRequestSerializer(ReasonSerializer):
    due = serializers.DateField(help_text="the proposed due date")
