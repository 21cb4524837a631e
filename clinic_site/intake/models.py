"""Contact requests from prospective patients, and staff follow-up on them.

A request holds health information. What the person sent is never changed after it
arrives: staff change only its status and assignee, and add notes. Every view, change
and export is written to the append-only AccessLog.
"""

import re
from datetime import timedelta
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Replace
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from clinic_site.core.languages import Language
from clinic_site.core.models import recorded_staff_member

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


class Outcome(models.TextChoices):
    """Why a request was closed. Only the first three mean the clinic reached the person."""

    CONSULTATION_BOOKED = "booked", "Consultation booked"
    NOT_SUITABLE = "not_suitable", "Not suitable"
    REFERRED = "referred", "Referred elsewhere"
    NO_RESPONSE = "no_response", "No response after several attempts"
    DUPLICATE = "duplicate", "Duplicate of another request"
    NOT_A_PATIENT = "not_a_patient", "Not a patient (sales, spam, wrong number)"


# Closing with one of these says the clinic spoke with the person: it counts as a
# response in the figures. The others close a request nobody was reached on.
CONTACT_OUTCOMES = (Outcome.CONSULTATION_BOOKED, Outcome.NOT_SUITABLE, Outcome.REFERRED)


class AttemptChannel(models.TextChoices):
    """A try that did not reach the person."""

    PHONE = "phone", "Phoned, no answer"
    VOICEMAIL = "voicemail", "Phoned, left voicemail"
    EMAIL = "email", "Emailed, no reply yet"


class Source(models.TextChoices):
    """How a request reached the clinic. Staff log calls and walk-ins themselves."""

    WEBSITE = "website", "Website form"
    PHONE = "phone", "Phone call"
    WALK_IN = "walk_in", "Walk-in at the front desk"


class HoldReason(models.TextChoices):
    """Why a request was stored but flagged for a second look, rather than refused."""

    MANY_REQUESTS = "many_requests", "Many requests from one network"


class TurnedAwayReason(models.TextChoices):
    BOT = "bot", "Looked like a bot (hidden field filled in)"
    FLOOD = "flood", "Far too many requests from one network"


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


def urgent_first_response_target() -> timedelta:
    return timedelta(minutes=settings.URGENT_FIRST_RESPONSE_MINUTES)


def response_due(received_at, *, urgent: bool = False):
    """When the first response to a request received then is due: the target's hours
    later, counted in opening hours (CLINIC_OPENING_HOURS) or, without them, the clock.
    Urgent: URGENT_FIRST_RESPONSE_MINUTES later, in real time, whatever the hour."""
    if urgent:
        return received_at + urgent_first_response_target()
    hours = opening_hours.parse(settings.CLINIC_OPENING_HOURS)
    if hours is None:
        return received_at + first_response_target()
    return hours.add(received_at, first_response_target())


def next_attempt_due(tried_at, *, urgent: bool = False):
    """When to try again after a try that did not reach the person: CONTACT_RETRY_HOURS
    later (an hour for an urgent request), counted in opening hours like the target."""
    delay = timedelta(hours=1 if urgent else settings.CONTACT_RETRY_HOURS)
    hours = opening_hours.parse(settings.CLINIC_OPENING_HOURS)
    if hours is None:
        return tried_at + delay
    return hours.add(tried_at, delay)


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
    def bulk_create(self, objs, *args, **kwargs):
        # An import writing many rows at once skips save(): the urgent rule still holds.
        objs = list(objs)
        for contact_request in objs:
            contact_request.flag_if_urgent()
        return super().bulk_create(objs, *args, **kwargs)

    def in_queue_order(self, *, now=None):
        """Urgent requests still awaiting a response first, then overdue ones, then new
        ones, oldest first."""
        cutoff = overdue_cutoff(now)
        return self.annotate(
            queue_rank=models.Case(
                models.When(urgent=True, status__in=AWAITING_RESPONSE, then=0),
                models.When(status=Status.NEW, created_at__lt=cutoff, then=1),
                models.When(
                    status=Status.IN_PROGRESS,
                    next_attempt_due_at__lt=now or timezone.now(),
                    then=1,
                ),
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
        """Still New (no first response) past the first-response target: minutes for
        urgent requests, opening hours for the rest."""
        urgent_cutoff = (now or timezone.now()) - urgent_first_response_target()
        return self.filter(status=Status.NEW).filter(
            models.Q(urgent=False, created_at__lt=overdue_cutoff(now))
            | models.Q(urgent=True, created_at__lt=urgent_cutoff)
        )

    def awaiting_someone_urgently(self):
        """Urgent, still New and nobody assigned: escalated until someone acts."""
        return self.filter(urgent=True, status=Status.NEW, assigned_to__isnull=True)

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

    def left_open(self, *, days: int, now=None):
        """Requests not closed, with nothing done on them (a change, a note, a "keep")
        for more than ``days`` days: staff are asked to close them or keep them."""
        cutoff = (now or timezone.now()) - timedelta(days=days)
        return self.exclude(status=Status.CLOSED).filter(updated_at__lt=cutoff)

    def keep_open(self) -> list["ContactRequest"]:
        """Staff decided to keep these open: each open one's "nothing done" period starts
        again now (closed ones are left alone: their deletion date stays)."""
        kept = []
        for contact_request in self.exclude(status=Status.CLOSED).order_by("pk"):
            contact_request.save(update_fields=["updated_at"])
            kept.append(contact_request)
        return kept

    def set_status(self, status: str, *, by=None) -> list["ContactRequest"]:
        """Change each request's status; one by one, so save() records response times
        (and ``by`` as whoever first reached the person).

        Closing needs an outcome: use close()."""
        if status == Status.CLOSED:
            raise ValueError("Closing a request needs an outcome: use close().")
        return self._update_each(by=by, status=status)

    def close(self, outcome: str, *, by=None) -> list["ContactRequest"]:
        return self._update_each(by=by, status=Status.CLOSED, outcome=Outcome(outcome))

    def assign(self, user) -> list["ContactRequest"]:
        return self._update_each(assigned_to=user)

    def _update_each(self, *, by=None, **changes) -> list["ContactRequest"]:
        changed = []
        for contact_request in self.order_by("pk"):
            contact_request.acting_user = by
            for field, value in changes.items():
                setattr(contact_request, field, value)
            contact_request.save(update_fields=list(changes))
            changed.append(contact_request)
        return changed


class ContactRequest(models.Model):
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    # Always given on the website; a caller or a walk-in may give only a phone number.
    email = models.EmailField(max_length=EMAIL_MAX_LENGTH, blank=True)
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

    source = models.CharField(
        max_length=10,
        choices=Source.choices,
        default=Source.WEBSITE,
        editable=False,
        help_text="How the request reached us: the website form, or a call or visit "
        "logged by staff.",
    )
    logged_by = recorded_staff_member(
        "Who logged a phone call or walk-in. Empty for the website form.", optional=True
    )
    held_reason = models.CharField(
        "held",
        max_length=20,
        choices=HoldReason.choices,
        blank=True,
        editable=False,
        help_text="Stored, but sent from an address that sent many requests in a short "
        "time: check it is a real person before you spend long on it.",
    )
    urgent = models.BooleanField(
        default=False,
        help_text="Set when the message suggests a risk of suicide or self-harm. "
        "Urgent requests awaiting a response are listed first.",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    outcome = models.CharField(
        max_length=20,
        choices=Outcome.choices,
        blank=True,
        help_text="Why it was closed. Needed to close a request.",
    )
    next_attempt_due_at = models.DateTimeField(
        "next try due",
        null=True,
        blank=True,
        editable=False,
        help_text="After a try that did not reach the person: when to try again.",
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_contact_requests",
        help_text="The member of staff following this request up.",
    )

    created_at = models.DateTimeField("received", default=timezone.now, editable=False)
    # The last thing staff did on it (a change, a note, "keep open"): a request left open
    # with nothing done for CONTACT_RETENTION_DAYS is listed for staff (left_open).
    updated_at = models.DateTimeField(auto_now=True)
    first_response_at = models.DateTimeField(
        "first response",
        null=True,
        blank=True,
        editable=False,
        help_text="When the clinic first reached the person (contacted, or closed with an "
        "outcome that needed a conversation). Tries with no answer do not count.",
    )
    first_response_by = recorded_staff_member(
        "Who first reached the person (for the dashboard's figures per staff member).",
        optional=True,
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
    # The same form sent again with different words (the first answer was lost, the
    # person added to their message): stored as its own request, pointing at the first.
    addition_to = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="additions",
        editable=False,
        verbose_name="addition to",
        help_text="The request this one was sent again from, with different words.",
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
            self.flag_if_urgent()
        if self.first_response_at is None and self.reached_the_person:
            self.first_response_at = now
            # Whoever made the change, when the caller says (acting_user): see followup.py.
            self.first_response_by = getattr(self, "acting_user", None)
        if self.status == Status.CLOSED:
            self.closed_at = self.closed_at or now
            self.next_attempt_due_at = None
        else:
            self.closed_at = None
            self.outcome = ""
        if self.status == Status.CONTACTED:
            self.next_attempt_due_at = None
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "first_response_at",
                "first_response_by",
                "closed_at",
                "outcome",
                "next_attempt_due_at",
                "updated_at",
            }
        super().save(*args, **kwargs)

    @staticmethod
    def message_is_urgent(message: str) -> bool:
        """The urgent-request rule, the only place it is applied: the words suggest a
        risk of suicide or self-harm (risk.py holds the phrases). A request stored any
        way (the form, staff logging a call, an import) and the words the rate-limited
        page could not store are judged here."""
        return risk.suggests_risk(message)

    def flag_if_urgent(self) -> None:
        """On arrival: urgent if its words say so. Staff may mark a request urgent
        themselves; nothing here ever clears the flag."""
        self.urgent = self.urgent or self.message_is_urgent(self.message)

    def says_the_same_as(self, submitted) -> bool:
        """True when ``submitted`` (the form's fields) is what this request already holds."""
        return all(
            getattr(self, field) == submitted[field]
            for field in SUBMITTED_FIELDS
            if field in submitted
        )

    def clean(self):
        if self.status == Status.CLOSED and not self.outcome:
            raise ValidationError({"outcome": "Choose an outcome to close this request."})

    @property
    def reached_the_person(self) -> bool:
        """Contacted, or closed with an outcome that needed a conversation. Only this
        is a response in the figures: a try with no answer, or closing a duplicate,
        is not."""
        return self.status == Status.CONTACTED or (
            self.status == Status.CLOSED and self.outcome in CONTACT_OUTCOMES
        )

    @property
    def outcome_shown(self) -> str:
        if self.outcome == Outcome.NO_RESPONSE:
            tries = self.attempts.count()
            return f"No response after {tries} attempt{pluralize(tries)}"
        if self.status == Status.CLOSED:
            return self.get_outcome_display() or "Not recorded"
        return ""

    def get_admin_url(self) -> str:
        return reverse("admin:intake_contactrequest_change", args=[self.pk])

    @property
    def age(self) -> str:
        return timesince(self.created_at, depth=1)

    @property
    def response_due_at(self):
        """When the first response is due (see response_due)."""
        return response_due(self.created_at, urgent=self.urgent)

    @property
    def involves_spanish(self) -> bool:
        """Sent from the Spanish form, or asking to be contacted in Spanish."""
        return Language.SPANISH in (self.language, self.preferred_language)

    @property
    def arrived_out_of_hours(self) -> bool:
        """Sent outside CLINIC_OPENING_HOURS (never, without opening hours)."""
        hours = opening_hours.parse(settings.CLINIC_OPENING_HOURS)
        return hours is not None and not hours.is_open(self.created_at)

    @property
    def awaits_someone_urgently(self) -> bool:
        """Urgent, still New and nobody assigned (see awaiting_someone_urgently)."""
        return self.urgent and self.status == Status.NEW and self.assigned_to_id is None

    def next_attempt_is_due(self, *, now=None) -> bool:
        return (
            self.status == Status.IN_PROGRESS
            and self.next_attempt_due_at is not None
            and self.next_attempt_due_at < (now or timezone.now())
        )

    def is_overdue(self, *, now=None) -> bool:
        """Still New, with no first response, after the target has passed.

        Decided by the same cutoff as ContactRequestQuerySet.overdue(), so a row and
        the list's filter never disagree.
        """
        if self.status != Status.NEW or self.first_response_at is not None:
            return False
        if self.urgent:
            return self.created_at < (now or timezone.now()) - urgent_first_response_target()
        return self.created_at < overdue_cutoff(now)

    def is_left_open(self, *, days: int, now=None) -> bool:
        """Not closed, nothing done for more than ``days`` days (as QuerySet.left_open)."""
        cutoff = (now or timezone.now()) - timedelta(days=days)
        return self.status != Status.CLOSED and self.updated_at < cutoff

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


class NotificationKind(models.TextChoices):
    NEW = "new", "New request"
    URGENT = "urgent", "Urgent request"
    ESCALATION = "escalation", "Escalation: nobody has acted yet"


# Kinds that announce the request itself: sending one sets ContactRequest.notified_at.
ANNOUNCEMENTS = (NotificationKind.NEW, NotificationKind.URGENT)
# Kinds that must reach someone within minutes: retried every minute, sent first.
PRESSING = (NotificationKind.URGENT, NotificationKind.ESCALATION)


class NotificationQuerySet(models.QuerySet):
    def waiting(self):
        """Neither sent nor called off: still owed to staff."""
        return self.filter(sent_at__isnull=True, cancelled_at__isnull=True)

    def due(self, *, now=None):
        return self.waiting().filter(next_attempt_at__lte=now or timezone.now())

    def pressing_first(self):
        return self.annotate(
            pressing=models.Case(
                models.When(kind__in=PRESSING, then=0),
                default=1,
                output_field=models.IntegerField(),
            )
        ).order_by("pressing", "next_attempt_at", "pk")


class Notification(models.Model):
    """One email owed to staff about one request: the outbox.

    Written in the same transaction as what causes it (a request stored, an urgent
    request nobody has acted on), so nothing that needs announcing exists without its
    row; sent by the task worker's one sender loop (notifications.send_next), which
    retries with back-off until it goes out. It holds no personal data: the email says
    only that a request needs attention and links to it.
    """

    contact_request = models.ForeignKey(
        ContactRequest, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=12, choices=NotificationKind.choices)
    created_at = models.DateTimeField("queued", default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    # While a worker sends it, this is pushed a lease ahead: a worker killed mid-send
    # leaves it due again when the lease runs out (notifications.CLAIM_LEASE).
    next_attempt_at = models.DateTimeField("next attempt", default=timezone.now)
    sent_at = models.DateTimeField("sent", null=True, blank=True)
    cancelled_at = models.DateTimeField(
        "not needed", null=True, blank=True, help_text="Someone acted before it went out."
    )
    # The exception's type only: SMTP replies quote addresses.
    last_error = models.CharField(max_length=60, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["sent_at", "cancelled_at", "next_attempt_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} for contact request #{self.contact_request_id}"

    @property
    def is_pressing(self) -> bool:
        return self.kind in PRESSING


class ContactNote(models.Model):
    """A note by staff on a request. Notes are never edited: add another instead."""

    contact_request = models.ForeignKey(
        ContactRequest, on_delete=models.CASCADE, related_name="notes"
    )
    author = recorded_staff_member()
    body = models.TextField("note", max_length=NOTE_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Note by {self.author} on {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"


class ContactAttempt(models.Model):
    """A try that did not reach the person (no answer, voicemail, an unanswered email).

    It keeps the request open and sets when to try next; it is not a response."""

    contact_request = models.ForeignKey(
        ContactRequest, on_delete=models.CASCADE, related_name="attempts"
    )
    channel = models.CharField("how", max_length=10, choices=AttemptChannel.choices)
    by = recorded_staff_member()
    at = models.DateTimeField("when", default=timezone.now, editable=False)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_channel_display()}, {timezone.localtime(self.at):%Y-%m-%d %H:%M}"


class TurnedAwayQuerySet(models.QuerySet):
    def since(self, moment):
        return self.filter(at__gte=moment)


class TurnedAway(models.Model):
    """A submission the website did not store: when and why, nothing else (no address,
    no words), so the dashboard can say how many were turned away."""

    reason = models.CharField(max_length=10, choices=TurnedAwayReason.choices)
    at = models.DateTimeField("when", default=timezone.now, db_index=True, editable=False)

    objects = TurnedAwayQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        verbose_name = "turned-away submission"
        verbose_name_plural = "turned-away submissions"
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.get_reason_display()}, {timezone.localtime(self.at):%Y-%m-%d %H:%M}"


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
        verbose_name_plural = "access log entries"
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


class ReplyTemplate(models.Model):
    """A reply the manager words once, in English or Spanish, for staff to send from
    their own mail client (a mailto: link with subject and body) or read out on a call.

    Nothing is sent by the site: a patient's name only ever meets the template in the
    staff member's own browser and mail client."""

    PLACEHOLDERS = {
        "{name}": "the person's name",
        "{clinic_name}": "the clinic's name",
        "{clinic_phone}": "the clinic's phone number",
        "{staff_name}": "your name (the staff member's first name, or username)",
    }

    title = models.CharField(
        max_length=80, help_text="What it is for, as staff will see it, e.g. “First reply”."
    )
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)
    subject = models.CharField(max_length=150)
    body = models.TextField(
        max_length=3000,
        help_text="You can use {name}, {clinic_name}, {clinic_phone} and {staff_name}; "
        "they are filled in when a member of staff opens it. Never put a patient's details "
        "here.",
    )
    order = models.PositiveSmallIntegerField(default=0, help_text="Lower numbers first.")
    active = models.BooleanField(default=True, help_text="Untick to stop offering it.")

    class Meta:
        ordering = ["order", "title", "language"]

    def __str__(self):
        return f"{self.title} ({self.get_language_display()})"

    def filled_in(self, contact_request: ContactRequest, staff_user) -> tuple[str, str]:
        """Subject and body with the placeholders filled in. Plain replacement: a stray
        brace in the manager's text is left as it is, never an error."""
        values = {
            "{name}": contact_request.name,
            "{clinic_name}": settings.CLINIC_NAME,
            "{clinic_phone}": settings.CLINIC_PHONE,
            "{staff_name}": staff_user.first_name or staff_user.get_username(),
        }
        subject, body = self.subject, self.body
        for placeholder, value in values.items():
            subject = subject.replace(placeholder, value)
            body = body.replace(placeholder, value)
        return subject, body

    def mailto_url(self, contact_request: ContactRequest, staff_user) -> str:
        subject, body = self.filled_in(contact_request, staff_user)
        query = urlencode({"subject": subject, "body": body}, quote_via=quote)
        return f"mailto:{quote(contact_request.email, safe='@')}?{query}"
