"""The ledger's tables: organisations and people, source documents, items and everything done to them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .choices import (
    AccountabilityKind, ChangeKind, CheckResult, ClaimStatus, Genre, ItemKind, ItemState, OrganisationKind,
    ReminderKind, RequestStatus, Role, TimeLimitEvent,
)


class Organisation(models.Model):
    """A node of the organisation tree; `path` ("/1/4/9/") makes ancestor and descendant tests one comparison."""

    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=OrganisationKind.choices, default=OrganisationKind.OTHER)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=500, editable=False, db_index=True, default="")
    country = models.CharField(max_length=2, default="CN", help_text="ISO 3166 country of the working-day calendar")
    region = models.CharField(max_length=10, blank=True, default="", help_text="subdivision code, e.g. SC for Sichuan")

    class Meta:
        ordering = ["path"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="organisation_unique_name_under_parent")]

    def __str__(self) -> str:
        return self.name

    def is_within(self, other: "Organisation") -> bool:
        """True when self is `other` or one of its descendants."""
        return self.path.startswith(other.path)


class OrganisationAlias(models.Model):
    """Another name a document uses for an organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=300, unique=True)

    def __str__(self) -> str:
        return self.name


class OrganisationGroup(models.Model):
    """A class of organisations a document names as one unit ("people's governments of cities (states)")."""

    name = models.CharField(max_length=300, unique=True)
    members = models.ManyToManyField(Organisation, related_name="groups")

    def __str__(self) -> str:
        return self.name


class OrganisationGroupAlias(models.Model):
    """A unit phrase confirmed by a person to name a group."""

    group = models.ForeignKey(OrganisationGroup, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=300, unique=True)

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person's role in an organisation."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.organisation}"


class SourceFile(models.Model):
    """A file as ingested: its content hash and the extractor version that read it."""

    name = models.CharField(max_length=500, help_text="the path as given at ingest")
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.BigIntegerField()
    format = models.CharField(max_length=10)
    extractor_version = models.CharField(max_length=20)
    ingested_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sha256", "extractor_version"], name="sourcefile_unique_read")]

    def __str__(self) -> str:
        return self.name


class SourceDocument(models.Model):
    """One document found in a file, with its text kept so any item can be shown in its source."""

    file = models.ForeignKey(SourceFile, on_delete=models.PROTECT, related_name="documents")
    index = models.PositiveIntegerField(help_text="1-based position of the document in its file")
    record_id = models.CharField(max_length=40)
    title = models.TextField()
    genre = models.CharField(max_length=12, choices=Genre.choices)
    date = models.DateField(null=True, blank=True)
    line_start = models.PositiveIntegerField()
    line_end = models.PositiveIntegerField()
    first_line = models.PositiveIntegerField(help_text="file line of the first line of `text`")
    text = models.TextField()
    version = models.PositiveIntegerField(default=1)
    previous = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version")
    supervising_office = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT,
                                           related_name="supervised_documents")
    published = models.BooleanField(default=False)

    class Meta:
        ordering = ["file_id", "index"]
        # The public list (published documents, newest first) reads this small index, however many documents there are.
        indexes = [models.Index(fields=["-date", "-id"], condition=models.Q(published=True), name="public_documents")]

    def __str__(self) -> str:
        return self.title[:80]


class Item(models.Model):
    """Anything the ledger follows: an extracted task, milestone, indicator, finding, tally or time limit, or a plan."""

    kind = models.CharField(max_length=20, choices=ItemKind.choices, db_index=True)
    document = models.ForeignKey(SourceDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="items")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    record_id = models.CharField(max_length=40, blank=True, default="", help_text="the extractor's stable id")
    source_ref = models.CharField(max_length=200, blank=True, default="", help_text="provenance outside a document, e.g. 'spreadsheet, row 12'")
    line_start = models.PositiveIntegerField(null=True, blank=True)
    line_end = models.PositiveIntegerField(null=True, blank=True)
    quote = models.TextField(blank=True, default="")
    number = models.CharField(max_length=40, blank=True, default="")
    title = models.TextField(blank=True, default="")
    data = models.JSONField(default=dict, blank=True, help_text="the kind's own fields as extracted")
    unit_names = models.JSONField(default=list, blank=True, help_text="responsible units or parties as written")

    state = models.CharField(max_length=12, choices=ItemState.choices, default=ItemState.DRAFT, db_index=True)
    due = models.DateField(null=True, blank=True, db_index=True)
    original_due = models.DateField(null=True, blank=True)
    due_provisional = models.BooleanField(default=False, help_text="computed on a calendar without official data")
    extensions = models.PositiveIntegerField(default=0)
    reporting_interval = models.PositiveIntegerField(default=20, help_text="working days between progress reports")
    lead_owner = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="led_items")
    co_owners = models.ManyToManyField(Organisation, blank=True, related_name="co_owned_items")
    escalation_level = models.PositiveIntegerField(default=0, help_text="levels above the owner an overdue item was escalated to")
    indicators = models.ManyToManyField("self", blank=True, symmetrical=False, related_name="linked_tasks",
                                        help_text="indicator items a task serves")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["state", "due"], name="item_state_due"),
            models.Index(fields=["lead_owner", "state"], name="item_owner_state"),
            models.Index(fields=["document", "kind"], name="item_document_kind"),
        ]

    def __str__(self) -> str:
        label = self.number or self.title or self.quote
        return f"{self.get_kind_display()} {label[:60]}"


class Evidence(models.Model):
    """A file stored once under its sha256, whatever reports cite it."""

    sha256 = models.CharField(max_length=64, unique=True)
    size = models.BigIntegerField()
    content_type = models.CharField(max_length=120)
    original_name = models.CharField(max_length=300)
    stored_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.original_name} ({self.sha256[:12]})"


class ProgressReport(models.Model):
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="progress_reports")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    reported_on = models.DateField()
    created_at = models.DateTimeField()
    evidence = models.ManyToManyField(Evidence, blank=True, related_name="progress_reports")

    class Meta:
        ordering = ["reported_on", "id"]


class CompletionClaim(models.Model):
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="claims")
    claimant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    claimed_on = models.DateField()
    created_at = models.DateTimeField()
    note = models.TextField(blank=True, default="")
    evidence = models.ManyToManyField(Evidence, blank=True, related_name="claims")
    status = models.CharField(max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.PENDING, db_index=True)

    class Meta:
        ordering = ["claimed_on", "id"]


class Verification(models.Model):
    """The decision on a claim: verified (closing the item) or rejected with a reason."""

    claim = models.OneToOneField(CompletionClaim, on_delete=models.PROTECT, related_name="verification")
    verifier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField()
    created_at = models.DateTimeField()
    verified = models.BooleanField()
    reason = models.TextField(blank=True, default="")
    evidence = models.ManyToManyField(Evidence, blank=True, related_name="verifications")
    same_working_day = models.BooleanField(default=False, help_text="decided on the claim's working day")


class ChangeRequest(models.Model):
    """A request to move a deadline or cancel an item; it takes effect only when approved."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="change_requests")
    kind = models.CharField(max_length=12, choices=ChangeKind.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_on = models.DateField()
    reason = models.TextField()
    proposed_due = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField(null=True, blank=True)
    decision_note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField()


class ReinspectionSample(models.Model):
    """A seeded, reproducible random draw of closed items for "looking back"."""

    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drawn_on = models.DateField()
    seed = models.CharField(max_length=64)
    population = models.PositiveIntegerField()
    created_at = models.DateTimeField()
    note = models.TextField(blank=True, default="")


class ReinspectionCheck(models.Model):
    sample = models.ForeignKey(ReinspectionSample, on_delete=models.CASCADE, related_name="checks")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="reinspections")
    result = models.CharField(max_length=10, choices=CheckResult.choices, default=CheckResult.PENDING)
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    checked_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True, default="")
    finding = models.ForeignKey(Item, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                help_text="the sham-rectification finding recorded when the check failed")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sample", "item"], name="reinspection_item_once")]


class AccountabilityAction(models.Model):
    kind = models.CharField(max_length=12, choices=AccountabilityKind.choices)
    taken_on = models.DateField()
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.PROTECT, related_name="accountability")
    organisations = models.ManyToManyField(Organisation, blank=True, related_name="accountability")
    people = models.TextField(blank=True, default="", help_text="the people concerned, as named in the decision")
    description = models.TextField()
    amount_yuan = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()


class IndicatorObservation(models.Model):
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="observations")
    value = models.FloatField()
    observed_on = models.DateField()
    note = models.TextField(blank=True, default="")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["observed_on", "id"]


class Event(models.Model):
    """One append-only entry of the history: who did what to which object, values before and after, hash-chained.

    hash = sha256(prev_hash + canonical JSON of the other fields); the first event's prev_hash is 64 zeros.
    """

    at = models.DateTimeField()
    actor = models.CharField(max_length=150, help_text="username, or 'system'")
    action = models.CharField(max_length=60)
    object_type = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="events")
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["item", "at"], name="event_item_at")]


class Reminder(models.Model):
    """A reminder, escalation or notice sent to an organisation about an item; `key` makes sending idempotent."""

    key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=12, choices=ReminderKind.choices)
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.PROTECT, related_name="reminders",
                             help_text="none for a supervision notice to a unit rather than about an item")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="reminders")
    level = models.PositiveIntegerField(default=0)
    as_of = models.DateField()
    message = models.TextField()
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-as_of", "id"]
        indexes = [models.Index(fields=["organisation", "read_at"], name="reminder_inbox")]


class SupervisionNotice(models.Model):
    """A numbered formal urging notice to a unit, rendered as PDF and DOCX, whose reply deadline is tracked."""

    number = models.CharField(max_length=60, unique=True)
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.PROTECT, related_name="notices")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="notices")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_on = models.DateField()
    reply_due = models.DateField()
    replied_on = models.DateField(null=True, blank=True)
    text = models.TextField()
    pdf = models.ForeignKey(Evidence, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    docx = models.ForeignKey(Evidence, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()


class DeadlineRule(models.Model):
    """A document's time limit turned into a rule: N units after an event, for every case of a kind."""

    name = models.CharField(max_length=200)
    source = models.ForeignKey(Item, null=True, blank=True, on_delete=models.PROTECT, related_name="deadline_rules",
                               help_text="the time_limit item the rule was read from")
    event = models.CharField(max_length=12, choices=TimeLimitEvent.choices)
    value = models.PositiveIntegerField()
    unit = models.CharField(max_length=12, help_text="working_days, days, months or years")
    applies_to_genre = models.CharField(max_length=12, choices=Genre.choices, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name
