"""The staff queue of contact requests.

Staff read what the person sent (read-only), change the status and the assignee, and
add notes. The work on one request sits at its top ("Assign to me", "Mark contacted",
"Add note", see followup.py), under the urgent-contact procedure when it is urgent.
Every opening of a request, change and export is written to the access log, which
shows on the request itself.
"""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import (
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
)
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from clinic_site.core.staff_display import staff_datetime, tag, yes_no

from . import export, followup, services
from .forms import StaffRequestForm
from .models import (
    NOTE_MAX_LENGTH,
    SUBMITTED_FIELDS,
    AccessLog,
    AttemptChannel,
    ContactRequest,
    NotificationKind,
    Outcome,
    ReplyTemplate,
    Source,
    Status,
    assignable_staff,
)

SEARCH_SESSION_KEY = "intake:contactrequest:search"

ACCESS_HISTORY_SHOWN = 100

# What the person sent, with yes/no answers said in words instead of Django's icons.
SUBMITTED_FIELDS_SHOWN = [
    "voicemail" if field == "voicemail_ok" else field for field in SUBMITTED_FIELDS
]


def urgent_procedure(*, spanish: bool = False) -> dict:
    """The urgent-contact procedure from settings: what to do, and whom to call; the
    Spanish one (URGENT_PROCEDURE_*_ES) for a request sent in or asking for Spanish."""
    entries = settings.URGENT_PROCEDURE_PHONES_ES if spanish else settings.URGENT_PROCEDURE_PHONES
    phones = []
    for entry in entries:
        label, _, number = entry.rpartition(":")
        phones.append({"label": label.strip() or "Call", "number": number.strip()})
    text = settings.URGENT_PROCEDURE_TEXT_ES if spanish else settings.URGENT_PROCEDURE_TEXT
    return {"text": text, "phones": phones, "spanish": spanish}


class NarrowingFilter(admin.SimpleListFilter):
    """A list filter whose every choice narrows the queryset one way: ``narrowings()``
    gives {value: (label, narrow)}; no choice, or one not listed, narrows nothing."""

    def narrowings(self) -> dict:
        raise NotImplementedError

    def lookups(self, request, model_admin):
        return [(value, label) for value, (label, _narrow) in self.narrowings().items()]

    def queryset(self, request, queryset):
        _label, narrow = self.narrowings().get(self.value(), (None, None))
        return narrow(queryset) if narrow else queryset


class AttentionFilter(NarrowingFilter):
    """The two lists front desk works down first."""

    title = "needs attention"
    parameter_name = "attention"

    def narrowings(self):
        days = settings.CONTACT_RETENTION_DAYS
        return {
            "urgent": ("Open urgent requests", lambda requests: requests.open_urgent()),
            "overdue": ("Overdue (no first response)", lambda requests: requests.overdue()),
            "left_open": (
                f"Open, nothing done for {days} days: close or keep",
                lambda requests: requests.left_open(days=days),
            ),
        }


class HeldFilter(NarrowingFilter):
    """Requests stored beyond the per-address limit, for a second look."""

    title = "held"
    parameter_name = "held"

    def narrowings(self):
        return {
            "held": (
                "Held: many requests from one network",
                lambda requests: requests.exclude(held_reason=""),
            ),
            "not_held": ("Not held", lambda requests: requests.filter(held_reason="")),
        }


class StaffEmailFilter(NarrowingFilter):
    """Requests whose staff email never went out, in words (see "Staff not notified")."""

    title = "staff email"
    parameter_name = "staff_email"

    def narrowings(self):
        return {
            "not_notified": (
                "Staff not notified",
                lambda requests: requests.staff_not_notified(),
            ),
            "sent": ("Sent", lambda requests: requests.filter(notified_at__isnull=False)),
        }


def moment(attribute: str, description: str):
    """A read-only field showing a request's date and time in the staff pages' format."""

    @admin.display(description=description)
    def shown(model_admin, contact_request):
        return staff_datetime(getattr(contact_request, attribute))

    return shown


@admin.register(ContactRequest)
class ContactRequestAdmin(admin.ModelAdmin):
    # "Urgent" first: on a phone the table scrolls sideways, and this column stays seen.
    list_display = [
        "urgency",
        "received",
        "name",
        "interest",
        "languages",
        "status_shown",
        "first_response",
        "assignee",
        "age",
        "staff_email",
    ]
    list_display_links = ["received", "name"]
    list_filter = [
        AttentionFilter,
        HeldFilter,
        "status",
        "outcome",
        "source",
        "urgent",
        "interest",
        "preferred_language",
        "language",
        ("assigned_to", admin.RelatedOnlyFieldListFilter),
        StaffEmailFilter,
    ]
    # Phone numbers are matched by their digits (get_search_results), not as text.
    search_fields = ["name", "email"]
    search_help_text = (
        "Search by name, email address or phone number (spaces, dashes, brackets and +1 "
        "do not matter)."
    )
    list_select_related = ["assigned_to"]
    list_per_page = 50
    actions = ["assign_to_me", "mark_contacted", "close", "keep_open", "export_csv"]
    change_form_template = "admin/intake/contactrequest/change_form.html"
    readonly_fields = [
        *SUBMITTED_FIELDS_SHOWN,
        "source",
        "logged_by",
        "language",
        "consent_version",
        "consented_at_shown",
        "received_at",
        "urgent_shown",
        "held_shown",
        "response_due",
        "first_response_at_shown",
        "closed_at_shown",
        "notified_at_shown",
        "staff_email",
        "attempts_shown",
        "access_history",
    ]
    fieldsets = [
        (
            "Status and assignee",
            {
                "fields": ["status", "outcome", "assigned_to"],
                "description": "Closing needs an outcome. Only an outcome that needed a "
                "conversation counts as a response in the figures.",
            },
        ),
        (
            "What they sent",
            {
                "fields": SUBMITTED_FIELDS_SHOWN,
                "description": "Exactly as the person sent it. It cannot be changed.",
            },
        ),
        (
            "Record",
            {
                "fields": [
                    "received_at",
                    "urgent_shown",
                    "held_shown",
                    "response_due",
                    "attempts_shown",
                    "first_response_at_shown",
                    "closed_at_shown",
                    "notified_at_shown",
                    "staff_email",
                    "source",
                    "logged_by",
                    "language",
                    "consent_version",
                    "consented_at_shown",
                ]
            },
        ),
        (
            "Access log",
            {
                "fields": ["access_history"],
                "description": "Everyone who opened, changed or exported this request. "
                "Entries cannot be edited or removed.",
            },
        ),
    ]

    # --- Search without names in the URL -------------------------------------------------
    # The admin's own search is a GET form, which would put a patient's name or phone
    # number into the address bar, the browser history and any proxy's logs. Here the
    # search box posts, the term is kept in the staff member's session, and the list
    # URL carries only filters.

    change_list_template = "admin/intake/contactrequest/change_list.html"

    @admin.display(description="Language", ordering="preferred_language")
    def languages(self, contact_request):
        """The language to contact them in, and the form's only when it differs."""
        contact_in = contact_request.get_preferred_language_display()
        if contact_request.language == contact_request.preferred_language:
            return contact_in
        return f"{contact_in} (form in {contact_request.get_language_display()})"

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and "private_search" in request.POST:
            term = " ".join(request.POST.get("q", "").split())[:100]
            if term and "clear" not in request.POST:
                request.session[SEARCH_SESSION_KEY] = term
            else:
                request.session.pop(SEARCH_SESSION_KEY, None)
            return HttpResponseRedirect(request.get_full_path())
        if "clear_search" in request.GET:
            # The urgent banner's link: the urgent requests, whatever was searched before.
            request.session.pop(SEARCH_SESSION_KEY, None)
            params = request.GET.copy()
            del params["clear_search"]
            query = params.urlencode()
            return HttpResponseRedirect(request.path + (f"?{query}" if query else ""))
        if SEARCH_VAR in request.GET:
            # An old link or a hand-typed ?q=: move the term out of the URL.
            params = request.GET.copy()
            term = params.pop(SEARCH_VAR)[-1].strip()
            if term:
                request.session[SEARCH_SESSION_KEY] = term[:100]
            query = params.urlencode()
            return HttpResponseRedirect(request.path + (f"?{query}" if query else ""))
        days = settings.CONTACT_RETENTION_DAYS
        extra_context = {
            "title": "Contact requests",
            **self.changelist_view_context(request),
            **(extra_context or {}),
            "private_search": request.session.get(SEARCH_SESSION_KEY, ""),
            # The privacy notice promises these are looked at, not kept silently.
            "left_open_count": ContactRequest.objects.left_open(days=days).count(),
            "retention_days": days,
        }
        return super().changelist_view(request, extra_context)

    def get_search_results(self, request, queryset, search_term):
        term = search_term or request.session.get(SEARCH_SESSION_KEY, "")
        found, may_have_duplicates = super().get_search_results(request, queryset, term)
        if term:
            by_phone = queryset.matching_phone(term).values("pk")
            found = found | queryset.filter(pk__in=by_phone)
        return found, may_have_duplicates

    def get_queryset(self, request):
        # Not super(): it orders by get_ordering() before the rank below exists.
        return self.model._default_manager.in_queue_order()

    def get_ordering(self, request):
        return ["queue_rank", "created_at"]

    def has_add_permission(self, request):
        # Requests come from the website form, or from staff through "Log a phone call or
        # walk-in" (log_request_view), never from the admin's generic add form.
        return False

    def has_export_permission(self, request):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.export_{opts.model_name}")

    @admin.display(description="Assignee", ordering="assigned_to__username")
    def assignee(self, contact_request):
        return contact_request.assigned_to.get_username() if contact_request.assigned_to else "-"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assigned_to":
            kwargs["queryset"] = assignable_staff()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        wrapped = isinstance(getattr(formfield, "widget", None), RelatedFieldWidgetWrapper)
        if db_field.name == "assigned_to" and wrapped:
            # No pencil, cross and eye beside the list: they open user pages front desk
            # cannot see, which ended in a bare "403 Forbidden".
            formfield.widget = formfield.widget.widget
        return formfield

    # --- Columns ---------------------------------------------------------------------

    @admin.display(description="Urgent", ordering="urgent")
    def urgency(self, contact_request):
        if not contact_request.urgent:
            return "No"
        # An urgent request still awaiting a response highlights its whole row.
        kind = "urgent" if contact_request.is_awaiting_response else "urgent-done"
        return tag("Urgent", kind)

    @admin.display(description="Status", ordering="status")
    def status_shown(self, contact_request):
        status = contact_request.get_status_display()
        if not contact_request.held_reason:
            return status
        held = tag(f"Held: {contact_request.get_held_reason_display().lower()}", "held")
        return format_html("{} {}", status, held)

    @admin.display(description="Held")
    def held_shown(self, contact_request):
        if not contact_request.held_reason:
            return "No"
        return (
            f"Yes: {contact_request.get_held_reason_display().lower()}. It was stored like any "
            "other; check it is a real person before spending long on it."
        )

    @admin.display(description="Received", ordering="created_at")
    def received(self, contact_request):
        if contact_request.source == Source.WEBSITE:
            return staff_datetime(contact_request.created_at)
        how = contact_request.get_source_display().lower()
        return f"{staff_datetime(contact_request.created_at)} ({how})"

    @admin.display(description="First response")
    def first_response(self, contact_request):
        if contact_request.is_overdue():
            return tag("Overdue", "overdue")
        if contact_request.first_response_at is not None:
            return f"Responded {staff_datetime(contact_request.first_response_at)}"
        if contact_request.status == Status.CLOSED:
            return f"Closed: {contact_request.outcome_shown}"
        if contact_request.next_attempt_is_due():
            return tag("Next try due now", "overdue")
        if contact_request.next_attempt_due_at is not None:
            due = staff_datetime(contact_request.next_attempt_due_at)
            return f"Tried; next try by {due}"
        return f"Due by {staff_datetime(contact_request.response_due_at)}"

    @admin.display(description="Age", ordering="-created_at")
    def age(self, contact_request):
        return contact_request.age

    # --- Read-only fields, in words and one date format ---------------------------------

    @admin.display(description="Voicemail OK")
    def voicemail(self, contact_request):
        return yes_no(contact_request.voicemail_ok)

    @admin.display(description="Urgent")
    def urgent_shown(self, contact_request):
        return yes_no(contact_request.urgent)

    received_at = moment("created_at", "Received")
    response_due = moment("response_due_at", "First response due by")
    first_response_at_shown = moment("first_response_at", "First response")
    closed_at_shown = moment("closed_at", "Closed")
    notified_at_shown = moment("notified_at", "Staff notified")
    consented_at_shown = moment("consented_at", "Consented")

    @admin.display(description="Tries with no answer")
    def attempts_shown(self, contact_request):
        attempts = list(contact_request.attempts.select_related("by"))
        if not attempts:
            return "None"
        rows = format_html_join(
            "",
            "<li>{}, {} ({})</li>",
            (
                (attempt.get_channel_display(), staff_datetime(attempt.at), attempt.by)
                for attempt in attempts
            ),
        )
        due = contact_request.next_attempt_due_at
        after = format_html("<p>Next try due by {}</p>", staff_datetime(due)) if due else ""
        return format_html("<ul>{}</ul>{}", rows, after)

    @admin.display(description="Staff email")
    def staff_email(self, contact_request):
        if contact_request.notified_at:
            return "Sent"
        if contact_request.staff_not_notified:
            # Nobody was told by email: someone has to pick this one up from the queue.
            return format_html("<strong>{}</strong>", "Staff not notified")
        return "Sending" if contact_request.status == Status.NEW else "Not needed"

    @admin.display(description="Access log")
    def access_history(self, contact_request):
        entries = (
            AccessLog.objects.for_request(contact_request)
            .select_related("actor")
            .order_by("-at", "-pk")[:ACCESS_HISTORY_SHOWN]
        )
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    staff_datetime(entry.at),
                    entry.actor.get_username() if entry.actor else "website",
                    entry.get_action_display(),
                    entry.detail,
                )
                for entry in entries
            ),
        )
        return format_html(
            "<table><thead><tr><th>When</th><th>Who</th><th>What</th><th>Detail</th></tr>"
            "</thead><tbody>{}</tbody></table>",
            rows,
        )

    # --- The work at the top of a request ------------------------------------------------

    def get_urls(self):
        return [
            path(
                "urgent-status/",
                self.admin_site.admin_view(self.urgent_status_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_urgent_status",
            ),
            path(
                "log/",
                self.admin_site.admin_view(self.log_request_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_log",
            ),
            path(
                "<path:object_id>/work/",
                self.admin_site.admin_view(self.work_view),
                name=f"{self.opts.app_label}_{self.opts.model_name}_work",
            ),
            *super().get_urls(),
        ]

    def urgent_status_view(self, request):
        """How many urgent requests are open, and the newest one's number: polled by
        every open staff page (static/js/staff-live.js). Numbers only."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        open_urgent = ContactRequest.objects.open_urgent()
        newest = open_urgent.order_by("-pk").values_list("pk", flat=True).first() or 0
        return JsonResponse({"count": open_urgent.count(), "newest": newest})

    def work_view(self, request, object_id):
        """The buttons at the top of a request: assign to me, mark contacted, add note."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        contact_request = self.get_object(request, unquote(object_id))
        if contact_request is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, contact_request):
            raise PermissionDenied
        note = request.POST.get("note", "")
        try:
            # The "Tried, no answer" buttons each send their channel.
            do = request.POST.get("do") or ("tried" if "channel" in request.POST else "")
            match do:
                case "assign":
                    followup.assign(contact_request=contact_request, user=request.user)
                    self.message_user(request, "Assigned to you.")
                case "contacted":
                    followup.mark_contacted(
                        contact_request=contact_request, user=request.user, note=note
                    )
                    self.message_user(
                        request, "Marked contacted" + (", with your note." if note.strip() else ".")
                    )
                case "note":
                    followup.add_note(contact_request=contact_request, user=request.user, body=note)
                    self.message_user(request, "Note added.")
                case "keep" if contact_request.status != Status.CLOSED:
                    days = settings.CONTACT_RETENTION_DAYS
                    followup.keep_open(
                        contact_request=contact_request, user=request.user, days=days
                    )
                    self.message_user(request, f"Kept open for another {days} days.")
                case "tried":
                    attempt = followup.record_attempt(
                        contact_request=contact_request,
                        user=request.user,
                        channel=request.POST.get("channel", ""),
                        note=note,
                    )
                    self.message_user(
                        request,
                        f"Recorded: {attempt.get_channel_display()}. The request stays open; "
                        f"next try due by {staff_datetime(contact_request.next_attempt_due_at)}.",
                    )
                case "close":
                    followup.close(
                        contact_request=contact_request,
                        user=request.user,
                        outcome=request.POST.get("outcome", ""),
                        note=note,
                    )
                    self.message_user(request, f"Closed: {contact_request.outcome_shown}.")
                case _:
                    self.message_user(request, "Nothing was changed.", messages.WARNING)
        except ValueError as error:
            self.message_user(request, str(error), messages.ERROR)
        return HttpResponseRedirect(contact_request.get_admin_url())

    def can_log_requests(self, request) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.add_{self.opts.model_name}")

    def log_request_view(self, request):
        """A phone call or walk-in, typed in by staff; it joins the same queue."""
        if not self.can_log_requests(request):
            raise PermissionDenied
        form = StaffRequestForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            contact_request = services.log_staff_request(
                data=form.submission(), source=form.cleaned_data["source"], user=request.user
            )
            urgent = ""
            if contact_request.urgent:
                urgent = " It is urgent: follow the urgent procedure now."
            self.message_user(
                request,
                f"Logged as {contact_request}; it is in the queue.{urgent}",
                messages.WARNING if contact_request.urgent else messages.SUCCESS,
            )
            return HttpResponseRedirect(contact_request.get_admin_url())
        context = {
            **self.admin_site.each_context(request),
            "title": "Log a phone call or walk-in",
            "opts": self.opts,
            "form": form,
        }
        return TemplateResponse(request, "admin/intake/contactrequest/log_request.html", context)

    def changelist_view_context(self, request) -> dict:
        return {"can_log_requests": self.can_log_requests(request)}

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(
                {
                    "notes": obj.notes.select_related("author").order_by("-created_at", "-pk"),
                    "additions": obj.additions.order_by("pk"),
                    "urgent_minutes": settings.URGENT_FIRST_RESPONSE_MINUTES,
                    "note_max_length": NOTE_MAX_LENGTH,
                    "is_overdue": obj.is_overdue(),
                    "left_open": obj.is_left_open(days=settings.CONTACT_RETENTION_DAYS),
                    "retention_days": settings.CONTACT_RETENTION_DAYS,
                    "urgent_procedure": (
                        urgent_procedure(spanish=obj.involves_spanish) if obj.urgent else None
                    ),
                    "escalations": obj.notifications.filter(
                        kind=NotificationKind.ESCALATION, sent_at__isnull=False
                    ).order_by("sent_at"),
                    "assigned_to_me": obj.assigned_to_id == request.user.pk,
                    "can_work": self.has_change_permission(request, obj),
                    "work_url": reverse("admin:intake_contactrequest_work", args=[obj.pk]),
                    "reply_templates": reply_templates_for(obj, request.user),
                    "attempt_channels": AttemptChannel.choices,
                    "outcomes": Outcome.choices,
                }
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- Accountability --------------------------------------------------------------

    def history_view(self, request, object_id, extra_context=None):
        """ "History" is the request's access log: who opened, changed or exported it.

        (Django's own change history is not kept for requests: the access log is.)"""
        contact_request = self.get_object(request, unquote(object_id))
        if contact_request is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, contact_request):
            raise PermissionDenied
        entries = (
            AccessLog.objects.for_request(contact_request)
            .select_related("actor")
            .order_by("-at", "-pk")
        )
        context = {
            **self.admin_site.each_context(request),
            "title": f"History: {contact_request}",
            "opts": self.opts,
            "original": contact_request,
            "entries": entries,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/intake/contactrequest/object_history.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            # Recorded before the page renders (TemplateResponse), so it lists this view.
            contact_request = self.get_object(request, unquote(object_id))
            AccessLog.objects.record([contact_request], AccessLog.Action.VIEWED, actor=request.user)
        return response

    def save_model(self, request, obj, form, change):
        obj.acting_user = request.user
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            AccessLog.objects.record(
                [obj], AccessLog.Action.CHANGED, actor=request.user, detail=describe(form)
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            AccessLog.objects.record([obj], AccessLog.Action.DELETED, actor=request.user)
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            AccessLog.objects.record(queryset, AccessLog.Action.DELETED, actor=request.user)
            super().delete_queryset(request, queryset)

    # --- Actions ---------------------------------------------------------------------

    @admin.action(description="Assign selected requests to me", permissions=["change"])
    def assign_to_me(self, request, queryset):
        changed = self._change_and_log(
            request,
            lambda: queryset.assign(request.user),
            f"Assigned to {request.user.get_username()}",
        )
        self.message_user(request, f"Assigned {requests_count(len(changed))} to you.")

    @admin.action(description="Mark selected requests as contacted", permissions=["change"])
    def mark_contacted(self, request, queryset):
        self._set_status(request, queryset, Status.CONTACTED)

    @admin.action(
        description="Close selected requests (asks for the outcome)", permissions=["change"]
    )
    def close(self, request, queryset):
        """A page asking for the outcome first; closing happens when it is chosen."""
        chosen = request.POST.get("outcome", "")
        if chosen in Outcome.values:
            outcome = Outcome(chosen)
            changed = self._change_and_log(
                request,
                lambda: queryset.close(outcome, by=request.user),
                f"Closed: {outcome.label}",
            )
            self.message_user(request, f"Closed {requests_count(len(changed))}: {outcome.label}.")
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Close requests: what was the outcome?",
            "opts": self.opts,
            "queryset": queryset,
            "outcomes": Outcome.choices,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
            "missing": "outcome" in request.POST,
        }
        return TemplateResponse(request, "admin/intake/contactrequest/close_outcome.html", context)

    @admin.action(
        description="Keep selected open requests for another retention period",
        permissions=["change"],
    )
    def keep_open(self, request, queryset):
        days = settings.CONTACT_RETENTION_DAYS
        changed = self._change_and_log(
            request, queryset.keep_open, f"Kept open for another {days} days"
        )
        self.message_user(
            request,
            f"{len(changed)} open request(s) kept for another {days} days. "
            "Closed requests are not changed.",
        )

    def _set_status(self, request, queryset, status):
        label = Status(status).label
        changed = self._change_and_log(
            request, lambda: queryset.set_status(status, by=request.user), f"Status: {label}"
        )
        self.message_user(request, f"{requests_count(len(changed))} now {label.lower()}.")

    @staticmethod
    def _change_and_log(request, change, detail):
        """Apply a bulk change and record it in the access log, together or not at all."""
        with transaction.atomic():
            changed = change()
            AccessLog.objects.record(
                changed, AccessLog.Action.CHANGED, actor=request.user, detail=detail
            )
        return changed

    @admin.action(description="Export selected requests to CSV", permissions=["export"])
    def export_csv(self, request, queryset):
        contact_requests = list(queryset.select_related("assigned_to").order_by("created_at"))
        AccessLog.objects.record(contact_requests, AccessLog.Action.EXPORTED, actor=request.user)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        filename = f"contact-requests-{timezone.localtime():%Y%m%d-%H%M}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        export.write_csv(response, contact_requests)
        return response


def reply_templates_for(contact_request, staff_user) -> list[dict]:
    """The active reply templates, those in the person's language first, filled in."""
    templates = sorted(
        ReplyTemplate.objects.filter(active=True),
        key=lambda t: (t.language != contact_request.preferred_language, t.order, t.title),
    )
    shown = []
    for template in templates:
        subject, body = template.filled_in(contact_request, staff_user)
        shown.append(
            {
                "template": template,
                "subject": subject,
                "body": body,
                "mailto": (
                    template.mailto_url(contact_request, staff_user)
                    if contact_request.email
                    else ""
                ),
                "in_their_language": template.language == contact_request.preferred_language,
            }
        )
    return shown


def requests_count(number: int) -> str:
    return f"{number} request{pluralize(number)}"


def describe(form) -> str:
    """What staff changed, for the access log: status and assignee only, no patient data."""
    parts = []
    for name in form.changed_data:
        value = form.cleaned_data.get(name)
        if name == "status":
            parts.append(f"Status: {Status(value).label}")
        elif name == "outcome" and value:
            parts.append(f"Outcome: {Outcome(value).label}")
        elif name == "assigned_to":
            parts.append(f"Assigned to {value.get_username()}" if value else "Unassigned")
    return "; ".join(parts)[:200]


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """For whoever audits access (superusers, or anyone given "view access log")."""

    list_display = ["at", "actor", "action", "request_number", "detail"]
    list_filter = ["action", ("actor", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["=request_number"]
    search_help_text = "Search by contact request number."
    list_select_related = ["actor"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    """Replies the manager words once; staff open them in their own mail client."""

    list_display = ["title", "language", "subject", "active_shown", "order"]
    list_filter = ["language", "active"]
    fields = ["title", "language", "subject", "body", "order", "active"]

    @admin.display(description="Offered to staff", ordering="active")
    def active_shown(self, template):
        return yes_no(template.active)
