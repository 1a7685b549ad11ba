"""Every enumerated value of the ledger, with its label, in one place."""

from django.db import models


class OrganisationKind(models.TextChoices):
    PROVINCE = "province", "Province"
    CITY = "city", "Prefecture or city"
    COUNTY = "county", "County or district"
    TOWNSHIP = "township", "Township"
    DEPARTMENT = "department", "Department"
    OFFICE = "office", "Supervising office"
    ENTERPRISE = "enterprise", "Enterprise"
    OTHER = "other", "Other"


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", "Administrator"
    SUPERVISOR = "supervisor", "Supervisor"
    OWNER_STAFF = "owner", "Owner staff"
    VERIFIER = "verifier", "Verifier"


class Genre(models.TextChoices):
    PLAN = "plan", "Plan"
    OVERSIGHT = "oversight", "Oversight"
    LAW = "law", "Law"
    OTHER = "other", "Other"


class ItemKind(models.TextChoices):
    TASK = "task", "Task"
    MILESTONE = "milestone", "Milestone"
    INDICATOR = "indicator", "Indicator"
    FINDING = "finding", "Finding"
    OUTCOME = "outcome", "Outcome tally"
    TIME_LIMIT = "time_limit", "Time limit"
    RECTIFICATION = "rectification", "Rectification plan"


class ItemState(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    CLAIMED = "claimed", "Completion claimed"
    CLOSED = "closed", "Closed (verified)"
    CANCELLED = "cancelled", "Cancelled"
    REJECTED = "rejected", "Rejected as extraction error"


class ClaimStatus(models.TextChoices):
    PENDING = "pending", "Awaiting verification"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"


class ChangeKind(models.TextChoices):
    DEADLINE = "deadline", "Deadline change"
    CANCELLATION = "cancellation", "Cancellation"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Awaiting approval"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"


class CheckResult(models.TextChoices):
    PENDING = "pending", "Not yet checked"
    PASSED = "passed", "Rectification holds"
    FAILED = "failed", "Sham rectification"


class AccountabilityKind(models.TextChoices):
    INTERVIEW = "interview", "Interview"
    WARNING = "warning", "Warning"
    DECISION = "decision", "Accountability decision"
    FINE = "fine", "Fine"
    REFERRAL = "referral", "Referral"


class OwnerRole(models.TextChoices):
    LEAD = "lead", "Lead owner"
    CO_OWNER = "co", "Co-owner"


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", "Due soon"
    OVERDUE = "overdue", "Overdue"
    ESCALATION = "escalation", "Escalated to the level above"
    NOTICE = "notice", "Supervision notice"


class TimeLimitEvent(models.TextChoices):
    FEEDBACK = "feedback", "Feedback date of an inspection round"
    ACCEPTANCE = "acceptance", "Date a request was accepted"
    ISSUE = "issue", "Date a document was issued"
    NOTICE = "notice", "Date a supervision notice was issued"


class FlagCode(models.TextChoices):
    CLOSED_WITHOUT_EVIDENCE = "closed_without_evidence", "Closed without evidence"
    CLOSED_SAME_DAY = "closed_same_day", "Closed the working day it was claimed"
    SHARED_EVIDENCE = "shared_evidence", "Same evidence for unrelated items"
    EXTENDED_OFTEN = "extended_often", "Deadline extended more than twice"
    OWNER_CHANGED_LATE = "owner_changed_late", "Owner changed after the deadline"
    CANCELLED_UNAPPROVED = "cancelled_unapproved", "Cancelled without approval"
    OVERDUE = "overdue", "Overdue"
    NO_PROGRESS_REPORT = "no_progress_report", "No progress report"
    CLOSED_INDICATOR_OFF_TRACK = "closed_indicator_off_track", "Closed while its indicator is off track"
