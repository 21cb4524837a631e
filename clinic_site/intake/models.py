"""Contact requests from prospective patients, and staff follow-up on them.

A request holds health information. What the person sent is never changed after it
arrives: staff change only its status and assignee, and add notes. Every view, change
and export is written to the append-only AccessLog.
"""

import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import models
from django.db.models.functions import Replace
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from . import opening_hours, risk

NAME_MAX_LENGTH = 100
EMAIL_MAX_LENGTH = 254
PHONE_MAX_LENGTH = 32
BEST_TIME_MAX_LENGTH = 100
MESSAGE_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 2000


class Status(models.TextChoices):
    NEW = "new", "New"
    IN_PROGRESS = "in_progress", "In progress"
    CONTACTED = "contacted", "Contacted"
    CLOSED = "closed", "Closed"


class Interest(models.TextChoices):
    DEPRESSION = "depression", _("Depression")
    ANXIETY = "anxiety", _("Anxiety")
    PTSD = "ptsd", _("PTSD")
    OCD = "ocd", _("OCD")
    CHRONIC_PAIN = "chronic_pain", _("Chronic pain")
    OTHER = "other", _("Something else")
    PREFER_NOT_TO_SAY = "prefer_not_to_say", _("I would prefer not to say")


class ContactMethod(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")


class Language(models.TextChoices):
    ENGLISH = "en", "English"
    SPANISH = "es", "Spanish"


# What the person sent: shown to staff read-only, never edited.
SUBMITTED_FIELDS = (
    "name",
    "email",
    "phone",
    "preferred_contact_method",
    "voicemail_ok",
    "best_time",
    "interest",
    "message",
    "preferred_language",
)

# Still waiting for the clinic to respond: these keep an urgent request at the top.
AWAITING_RESPONSE = (Status.NEW, Status.IN_PROGRESS)

# Characters people put in phone numbers that say nothing about which number it is.
PHONE_PUNCTUATION = (" ", "-", "(", ")", ".", "+", "/")
_NOT_A_PHONE_CHARACTER = re.compile(r"[^0-9 \-().+/]")


def phone_digits(value: str) -> str:
    """The digits that identify a phone number, for searching.

    Spaces, dashes, brackets, dots and a leading +1 (the North American country code)
    say nothing about which number it is: "+1 (555) 010-7788" and "5550107788" are the
    same number. Returns "" for anything that is not written like a phone number.
    """
    value = value.strip()
    if not value or _NOT_A_PHONE_CHARACTER.search(value):
        return ""
    digits = "".join(character for character in value if character.isdigit())
    if value.startswith("+1") or (len(digits) == 11 and digits.startswith("1")):
        digits = digits[1:]
    return digits


def first_response_target() -> timedelta:
    return timedelta(hours=settings.CONTACT_FIRST_RESPONSE_HOURS)


def response_due(received_at):
    """When the first response to a request received then is due: the target's hours
    later, counted in opening hours (CLINIC_OPENING_HOURS) or, without them, the clock."""
    hours = opening_hours.parse(settings.CLINIC_OPENING_HOURS)
    if hours is None:
        return received_at + first_response_target()
    return hours.add(received_at, first_response_target())


def overdue_cutoff(now=None):
    """Requests received before this moment are past the first-response target now."""
    now = now or timezone.now()
    hours = opening_hours.parse(settings.CLINIC_OPENING_HOURS)
    if hours is None:
        return now - first_response_target()
    return hours.subtract(now, first_response_target())


def assignable_staff():
    """Active staff who can work contact requests: only they may be assigned one.

    Editors and anyone else without "change contact request" (through a group or on
    their own account) cannot open a request, so offering them would be a trap.
    """
    permission = Permission.objects.filter(
        content_type__app_label="intake", codename="change_contactrequest"
    )
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True)
        .filter(
            models.Q(is_superuser=True)
            | models.Q(groups__permissions__in=permission)
            | models.Q(user_permissions__in=permission)
        )
        .distinct()
        .order_by("username")
    )


# A new request whose staff email has not gone out after this long is shown as "Staff
# not notified" (queue, admin home page) and fails the monitoring check. The first
# retries (tasks.RETRY_DELAYS) fit well inside it, so only a real outage shows.
NOTIFICATION_OVERDUE_AFTER = timedelta(minutes=10)


class ContactRequestQuerySet(models.QuerySet):
    def in_queue_order(self, *, now=None):
        """Urgent requests still awaiting a response first, then overdue ones, then new
        ones, oldest first."""
        cutoff = overdue_cutoff(now)
        return self.annotate(
            queue_rank=models.Case(
                models.When(urgent=True, status__in=AWAITING_RESPONSE, then=0),
                models.When(status=Status.NEW, created_at__lt=cutoff, then=1),
                models.When(status=Status.NEW, then=2),
                models.When(status=Status.IN_PROGRESS, then=3),
                models.When(status=Status.CONTACTED, then=4),
                default=5,
                output_field=models.IntegerField(),
            )
        ).order_by("queue_rank", "created_at", "pk")

    def from_articles(self, *, since):
        """(received at, article slug) of the requests sent from an article's link."""
        return (
            self.filter(created_at__gte=since)
            .exclude(from_article="")
            .values_list("created_at", "from_article")
        )

    def open_urgent(self):
        """Urgent requests nobody has closed or contacted yet."""
        return self.filter(urgent=True, status__in=AWAITING_RESPONSE)

    def overdue(self, *, now=None):
        """Still New (no first response) past the first-response target."""
        return self.filter(status=Status.NEW, created_at__lt=overdue_cutoff(now))

    def matching_phone(self, term: str):
        """Requests whose phone number contains ``term``'s digits, however either is
        written (see phone_digits). No phone-like term, no match."""
        digits = phone_digits(term)
        if len(digits) < 4:
            return self.none()
        stripped = models.F("phone")
        for character in PHONE_PUNCTUATION:
            stripped = Replace(stripped, models.Value(character), models.Value(""))
        return self.annotate(phone_stripped=stripped).filter(phone_stripped__contains=digits)

    def awaiting_notification(self):
        """New requests nobody has been emailed about yet.

        Once staff have moved a request on from New, somebody knows about it.
        """
        return self.filter(notified_at__isnull=True, status=Status.NEW)

    def staff_not_notified(self, *, now=None):
        """Awaiting notification for longer than NOTIFICATION_OVERDUE_AFTER."""
        cutoff = (now or timezone.now()) - NOTIFICATION_OVERDUE_AFTER
        return self.awaiting_notification().filter(created_at__lt=cutoff)

    def due_for_purge(self, *, days: int, now=None):
        """Closed requests whose closing is more than ``days`` days ago."""
        cutoff = (now or timezone.now()) - timedelta(days=days)
        return self.filter(status=Status.CLOSED, closed_at__lt=cutoff)

    def set_status(self, status: str) -> list["ContactRequest"]:
        """Change each request's status; one by one, so save() records response times."""
        return self._update_each(status=status)

    def assign(self, user) -> list["ContactRequest"]:
        return self._update_each(assigned_to=user)

    def _update_each(self, **changes) -> list["ContactRequest"]:
        changed = []
        for contact_request in self.order_by("pk"):
            for field, value in changes.items():
                setattr(contact_request, field, value)
            contact_request.save(update_fields=list(changes))
            changed.append(contact_request)
        return changed


class ContactRequest(models.Model):
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    email = models.EmailField(max_length=EMAIL_MAX_LENGTH)
    phone = models.CharField(max_length=PHONE_MAX_LENGTH, blank=True)
    preferred_contact_method = models.CharField(
        "preferred contact", max_length=10, choices=ContactMethod.choices
    )
    voicemail_ok = models.BooleanField("voicemail OK", default=False)
    best_time = models.CharField(
        "best time to reach them", max_length=BEST_TIME_MAX_LENGTH, blank=True
    )
    interest = models.CharField(max_length=20, choices=Interest.choices)
    message = models.TextField(max_length=MESSAGE_MAX_LENGTH)
    preferred_language = models.CharField(
        "language for contact",
        max_length=2,
        choices=Language.choices,
        default=Language.ENGLISH,
        help_text="The language the person asked us to use when we contact them.",
    )
    language = models.CharField(
        "form language",
        max_length=2,
        choices=Language.choices,
        default=Language.ENGLISH,
        editable=False,
        help_text="The language of the form they sent (English or Spanish pages).",
    )

    from_article = models.CharField(
        "sent from the article",
        max_length=100,
        blank=True,
        editable=False,
        help_text="The address name (slug) of the article whose link led to the form, if "
        "any: the readership figures count requests per article. No cookie is involved.",
    )

    consent_version = models.CharField(
        max_length=20, help_text="The version of the consent text the person agreed to."
    )
    consented_at = models.DateTimeField(help_text="When they agreed to it.")

    urgent = models.BooleanField(
        default=False,
        help_text="Set when the message suggests a risk of suicide or self-harm. "
        "Urgent requests awaiting a response are listed first.",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_contact_requests",
        help_text="The member of staff following this request up.",
    )

    created_at = models.DateTimeField("received", default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    first_response_at = models.DateTimeField(
        "first response",
        null=True,
        blank=True,
        editable=False,
        help_text="When the request first moved on from New.",
    )
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    notified_at = models.DateTimeField(
        "staff notified",
        null=True,
        blank=True,
        editable=False,
        help_text="When the notification email to staff was sent.",
    )
    # The form's one-time token: the same form sent twice (double click, resend after
    # a dropped connection) finds this row instead of storing a second one. Random,
    # and says nothing about the person.
    submission_token = models.CharField(
        max_length=64, null=True, blank=True, unique=True, editable=False
    )

    objects = ContactRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        permissions = [("export_contactrequest", "Can export contact requests to CSV")]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["status", "closed_at"]),
        ]

    def __str__(self):
        # Never the name: this string lands in the admin's history table and messages,
        # which outlive the request itself.
        return f"Contact request #{self.pk}"

    def save(self, *args, **kwargs):
        now = timezone.now()
        if self._state.adding:
            self.urgent = self.urgent or risk.suggests_risk(self.message)
        if self.status != Status.NEW and self.first_response_at is None:
            self.first_response_at = now
        if self.status == Status.CLOSED:
            self.closed_at = self.closed_at or now
        else:
            self.closed_at = None
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "first_response_at",
                "closed_at",
                "updated_at",
            }
        super().save(*args, **kwargs)

    def get_admin_url(self) -> str:
        return reverse("admin:intake_contactrequest_change", args=[self.pk])

    @property
    def age(self) -> str:
        return timesince(self.created_at, depth=1)

    @property
    def response_due_at(self):
        """When the first response is due (see response_due)."""
        return response_due(self.created_at)

    def is_overdue(self, *, now=None) -> bool:
        """Still New, with no first response, after the target has passed.

        Decided by the same cutoff as ContactRequestQuerySet.overdue(), so a row and
        the list's filter never disagree.
        """
        return (
            self.status == Status.NEW
            and self.first_response_at is None
            and self.created_at < overdue_cutoff(now)
        )

    @property
    def is_awaiting_response(self) -> bool:
        return self.status in AWAITING_RESPONSE

    @property
    def staff_not_notified(self) -> bool:
        return (
            self.notified_at is None
            and self.status == Status.NEW
            and self.created_at < timezone.now() - NOTIFICATION_OVERDUE_AFTER
        )


class ContactNote(models.Model):
    """A note by staff on a request. Notes are never edited: add another instead."""

    contact_request = models.ForeignKey(
        ContactRequest, on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    body = models.TextField("note", max_length=NOTE_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Note by {self.author} on {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"


class AppendOnlyError(Exception):
    """Access log entries are never changed or removed."""


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Access log entries cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Access log entries cannot be deleted.")

    def for_request(self, contact_request: ContactRequest):
        return self.filter(request_number=contact_request.pk)

    def record(self, contact_requests, action: str, *, actor=None, detail: str = ""):
        """Append one entry per request. ``detail`` must never hold patient data."""
        return self.bulk_create(
            AccessLog(request_number=contact_request.pk, action=action, actor=actor, detail=detail)
            for contact_request in contact_requests
        )


class AccessLog(models.Model):
    """Who viewed, changed, exported or deleted which contact request, and when.

    Append-only: rows can be added, never changed or deleted, and the admin offers
    nobody (superusers included) a way to do either. ``request_number`` is a plain
    number rather than a foreign key, so the record of who saw a request outlives the
    request when the retention purge deletes it.
    """

    class Action(models.TextChoices):
        CREATED = "created", "Received"
        VIEWED = "viewed", "Viewed"
        CHANGED = "changed", "Changed"
        EXPORTED = "exported", "Exported"
        DELETED = "deleted", "Deleted"

    request_number = models.PositiveBigIntegerField("contact request", db_index=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        # Staff who leave are deactivated, not deleted, so the log keeps their name.
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty for the website itself and scheduled jobs.",
    )
    detail = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField("when", default=timezone.now, db_index=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "access log entry"
        verbose_name_plural = "access log"
        # Only "view": no permission to add, change or delete entries exists to grant.
        default_permissions = ("view",)

    def __str__(self):
        who = self.actor or "system"
        return f"{self.get_action_display()} #{self.request_number} by {who}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Access log entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Access log entries cannot be deleted.")
