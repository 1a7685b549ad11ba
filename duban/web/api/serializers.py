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

    class Meta:
        model = Item
        fields = ["id", "kind", "state", "number", "title", "quote", "document", "parent", "line_start", "line_end",
                  "source_ref", "unit_names", "due", "original_due", "due_provisional", "extensions", "lead_owner",
                  "co_owners", "created_at", "updated_at"]


class ItemPermissionsSerializer(serializers.Serializer):
    """Which actions the person asking may take now: what pages and clients offer; the services still decide."""

    manage = serializers.BooleanField(help_text="assign owners, confirm or reject a draft")
    report = serializers.BooleanField(help_text="report progress")
    claim = serializers.BooleanField(help_text="claim completion, request a deadline change or cancellation")
    verify = serializers.BooleanField(help_text="verify or reject a completion claim")
    approve = serializers.BooleanField(help_text="approve or refuse a change request")


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

class EvidenceInputSerializer(serializers.Serializer):
    """Evidence for an action: files uploaded with it (multipart), and/or evidence already stored that the person
    can see (by id)."""

    evidence = serializers.ListField(
        child=serializers.FileField(allow_empty_file=True, use_url=False), required=False, default=list,
        max_length=MAX_EVIDENCE_FILES,
        help_text=f"files (multipart only), at most {MAX_EVIDENCE_FILES}; each is bounded in size and checked for type",
    )
    evidence_ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
                                         required=False, default=list, max_length=50)


class EvidenceIdsSerializer(serializers.Serializer):
    """The JSON form of an action's evidence: stored evidence by id only."""

    evidence_ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
                                         required=False, default=list, max_length=50)


class AssignSerializer(serializers.Serializer):
    lead = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="the lead owner organisation's id")
    co_owners = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
                                      required=False, default=list, max_length=100)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=20000, allow_blank=True,
                                   help_text="required by the ledger: a refusal says so when it is blank")


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=20000, allow_blank=True, required=False, default="")


class EmptySerializer(serializers.Serializer):
    pass


class ProgressJSONSerializer(EvidenceIdsSerializer):
    text = serializers.CharField(max_length=20000, allow_blank=True)


class ProgressSerializer(EvidenceInputSerializer):
    text = serializers.CharField(max_length=20000, allow_blank=True)


class ClaimJSONSerializer(EvidenceIdsSerializer):
    note = serializers.CharField(max_length=20000, allow_blank=True, required=False, default="")


class ClaimInputSerializer(EvidenceInputSerializer):
    note = serializers.CharField(max_length=20000, allow_blank=True, required=False, default="")


class VerifyJSONSerializer(EvidenceIdsSerializer):
    claim = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, allow_null=True, default=None,
                                     help_text="the claim decided (default: the item's claim awaiting verification)")
    note = serializers.CharField(max_length=20000, allow_blank=True, required=False, default="")


class VerifySerializer(EvidenceInputSerializer):
    claim = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, allow_null=True, default=None,
                                     help_text="the claim decided (default: the item's claim awaiting verification)")
    note = serializers.CharField(max_length=20000, allow_blank=True, required=False, default="")


class RejectClaimSerializer(ReasonSerializer):
    claim = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, allow_null=True, default=None,
                                     help_text="the claim decided (default: the item's claim awaiting verification)")


class DeadlineRequestSerializer(ReasonSerializer):
    due = serializers.DateField(help_text="the proposed due date")
