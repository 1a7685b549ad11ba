"""Django's admin over the ledger's tables, read-only: every change goes through the services, which keep the history."""

from __future__ import annotations

from django.contrib import admin

from . import models


class ReadOnlyAdmin(admin.ModelAdmin):
    """Browse without editing: an edit here would skip the services' rules and the history (Event above all)."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AliasInline(ReadOnlyInline):
    model = models.OrganisationAlias


class MembershipInline(ReadOnlyInline):
    model = models.Membership


@admin.register(models.Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "parent", "country", "region", "path"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "aliases__name"]
    inlines = [AliasInline, MembershipInline]


@admin.register(models.Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "role", "organisation"]
    list_filter = ["role"]
    list_select_related = ["user", "organisation"]
    search_fields = ["user__username", "organisation__name"]


@admin.register(models.SourceFile)
class SourceFileAdmin(ReadOnlyAdmin):
    list_display = ["name", "format", "size", "sha256", "extractor_version", "ingested_at"]


@admin.register(models.SourceDocument)
class SourceDocumentAdmin(ReadOnlyAdmin):
    list_display = ["id", "title", "genre", "date", "version", "supervising_office"]
    list_filter = ["genre"]
    list_select_related = ["supervising_office"]
    search_fields = ["title"]


@admin.register(models.Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "number", "state", "due", "original_due", "extensions", "lead_owner", "document"]
    list_filter = ["kind", "state", "due_provisional"]
    list_select_related = ["lead_owner", "document"]
    search_fields = ["number", "title", "quote"]


@admin.register(models.Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "content_type", "size", "sha256", "stored_at"]
    search_fields = ["sha256", "original_name"]


@admin.register(models.ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    list_display = ["item", "author", "reported_on"]
    list_select_related = ["item", "author"]


@admin.register(models.CompletionClaim)
class CompletionClaimAdmin(ReadOnlyAdmin):
    list_display = ["item", "claimant", "claimed_on", "status"]
    list_filter = ["status"]
    list_select_related = ["item", "claimant"]


@admin.register(models.Verification)
class VerificationAdmin(ReadOnlyAdmin):
    list_display = ["claim", "verifier", "decided_on", "verified", "same_working_day"]
    list_filter = ["verified", "same_working_day"]
    list_select_related = ["claim__item", "verifier"]


@admin.register(models.ChangeRequest)
class ChangeRequestAdmin(ReadOnlyAdmin):
    list_display = ["item", "kind", "status", "requested_by", "requested_on", "proposed_due", "decided_by", "decided_on"]
    list_filter = ["kind", "status"]
    list_select_related = ["item", "requested_by", "decided_by"]


class ReinspectionCheckInline(ReadOnlyInline):
    model = models.ReinspectionCheck
    fk_name = "sample"


@admin.register(models.ReinspectionSample)
class ReinspectionSampleAdmin(ReadOnlyAdmin):
    list_display = ["id", "drawn_by", "drawn_on", "seed", "population"]
    inlines = [ReinspectionCheckInline]


@admin.register(models.AccountabilityAction)
class AccountabilityActionAdmin(ReadOnlyAdmin):
    list_display = ["kind", "taken_on", "item", "amount_yuan", "recorded_by"]
    list_filter = ["kind"]


@admin.register(models.IndicatorObservation)
class IndicatorObservationAdmin(ReadOnlyAdmin):
    list_display = ["item", "value", "observed_on", "recorded_by"]


@admin.register(models.Event)
class EventAdmin(ReadOnlyAdmin):
    list_display = ["id", "at", "actor", "action", "object_type", "object_id", "item_id", "hash"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor", "action", "hash"]
