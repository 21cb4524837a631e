"""Clinical sign-off on the article: which words a sign-off covers, whether the live
words are still the ones signed off, where the text stands in review, and when the next
review is due.

The transitions that change this state are in workflow.py; who may sign off and the
reviewers' weekly digest are in review.py. Both build on this module, never the reverse.
"""

import calendar
from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from .choices import Status
from .fingerprints import fingerprint

# What a clinical sign-off vouches for: the words readers see. Editing any of these
# afterwards needs a new review. The one list: the sign-off's fingerprint, the review
# token on the reviewer's screen and the reviewer's diff all read it. A field added
# here later needs its empty value in fingerprints.LATER_FIELD_DEFAULTS, so existing
# sign-offs still match.
SIGNED_FIELDS = ("title", "summary", "body", "key_facts", "sources")
# Articles due for review within this many days count as "due soon".
REVIEW_DUE_SOON_DAYS = 30


class ReviewState(models.TextChoices):
    """Where the article's text stands in clinical review (see workflow.py)."""

    NONE = "", "Nothing waiting"
    SUBMITTED = "submitted", "Waiting for clinical review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    # A reviewed page changed without review (the urgent-correction permission): first
    # in the reviewers' queue until one of them signs the new text off.
    PUBLISHED_UNREVIEWED = "published_unreviewed", "Published without clinical review"


def signed_values(record, *, pending: bool = False) -> dict:
    """SIGNED_FIELDS of an article or one of its history records; with ``pending``, as
    they will be once its draft is published."""
    values = {name: getattr(record, name) for name in SIGNED_FIELDS}
    if pending and record.draft:
        values.update({k: v for k, v in record.draft.items() if k in SIGNED_FIELDS})
    return values


def signed_print(record) -> str:
    return fingerprint(signed_values(record))


def review_token(record) -> str:
    return fingerprint(
        {"live": signed_print(record), "pending": fingerprint(signed_values(record, pending=True))}
    )


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the 31st becomes the month's last day (Feb 28/29)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_review_date(reviewed_on: date) -> date:
    return add_months(reviewed_on, settings.CLINICAL_REVIEW_INTERVAL_MONTHS)


# Columns note_review_changes() sets on every save (also when the caller names update_fields).
DERIVED_FIELDS = ("changed_since_review",)


class SignOffQuerySet(models.QuerySet):
    def review_overdue(self, today: date | None = None):
        return self.filter(next_review_due__lt=today or timezone.localdate())

    def review_due_soon(self, today: date | None = None):
        today = today or timezone.localdate()
        return self.filter(
            next_review_due__gte=today,
            next_review_due__lte=today + timezone.timedelta(days=REVIEW_DUE_SOON_DAYS),
        )

    def needing_review(self, today: date | None = None):
        """A clinical reviewer's queue: overdue, due soon, changed since sign-off, or
        published and never signed off."""
        today = today or timezone.localdate()
        return self.filter(
            models.Q(next_review_due__lte=today + timezone.timedelta(days=REVIEW_DUE_SOON_DAYS))
            | models.Q(changed_since_review=True)
            | models.Q(status=Status.PUBLISHED, reviewer__isnull=True)
        )


def _user_named(*, related_name: str) -> models.ForeignKey:
    """A staff member the review record names. Set by the workflow, never typed; if
    their account is deleted the record keeps the name it printed (reviewed_by)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name=related_name,
    )


class SignOffMixin(models.Model):
    """The sign-off's record on the article, and the review step's state."""

    # Set only by a clinical reviewer (workflow.sign_off, workflow.approve) or by
    # import_content for a reviewer who exists as a user; never typed by editors.
    reviewer = _user_named(related_name="reviewed_articles")
    # The reviewer's name and credentials as they were at sign-off, as readers see them.
    reviewed_by = models.CharField("reviewed by", max_length=120, blank=True, editable=False)
    last_reviewed = models.DateField("last reviewed", null=True, blank=True, editable=False)
    next_review_due = models.DateField("next review due", null=True, blank=True, editable=False)
    # Fingerprint of SIGNED_FIELDS as signed off, so the sign-off belongs to that version.
    reviewed_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    changed_since_review = models.BooleanField(default=False, editable=False)
    # The review step (workflow.py moves it): what is waiting, who asked, and the
    # reviewer's last comment. History keeps every earlier state and comment.
    review_state = models.CharField(
        max_length=24,
        choices=ReviewState.choices,
        default=ReviewState.NONE,
        blank=True,
        editable=False,
    )
    submitted_by = _user_named(related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    review_comment = models.TextField(blank=True, editable=False)

    class Meta:
        abstract = True

    def note_review_changes(self) -> None:
        """Called by save(): have the signed words changed since the sign-off?"""
        self.changed_since_review = bool(
            self.reviewed_fingerprint and self.reviewed_fingerprint != self.reviewed_print()
        )

    @property
    def is_reviewed(self) -> bool:
        """Signed off by a clinical reviewer, and unchanged since: only then may the page
        say "Reviewed by"."""
        return bool(
            self.reviewer_id
            and self.reviewed_by
            and self.last_reviewed
            and self.reviewed_fingerprint == self.reviewed_print()
        )

    @property
    def is_review_overdue(self) -> bool:
        return bool(self.next_review_due and self.next_review_due < timezone.localdate())

    @property
    def review_status(self) -> str:
        """The review state in words, for staff screens."""
        today = timezone.localdate()
        if self.next_review_due and self.next_review_due < today:
            return "Overdue"
        if self.changed_since_review:
            return "Changed since review"
        if not self.reviewer_id:
            return "Not reviewed"
        if self.next_review_due and (self.next_review_due - today).days <= REVIEW_DUE_SOON_DAYS:
            return "Due soon"
        return "Reviewed"

    @property
    def is_waiting_for_review(self) -> bool:
        return self.review_state == ReviewState.SUBMITTED

    def reviewed_print(self) -> str:
        """Fingerprint of the live signed words (SIGNED_FIELDS)."""
        return signed_print(self)

    def signed_values(self, *, pending: bool = False) -> dict:
        """The signed fields' values: live, or with the draft applied (``pending``)."""
        return signed_values(self, pending=pending)

    def pending_print(self) -> str:
        """Fingerprint of the words that would go live next (the draft, if any)."""
        return fingerprint(self.signed_values(pending=True))

    def review_token(self) -> str:
        """Identity of the text on a reviewer's screen: the live and the pending words.
        A sign-off or approval names it, and is refused if either changed since."""
        return review_token(self)
