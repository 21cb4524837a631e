"""The staff queue of contact requests.

Staff read what the person sent (read-only), change the status and the assignee, and
add notes. Every opening of a request, change and export is written to the access log,
which shows on the request itself.
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.auth import get_user_model
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from . import export
from .models import SUBMITTED_FIELDS, AccessLog, ContactNote, ContactRequest, Status

SEARCH_SESSION_KEY = "intake:contactrequest:search"

ACCESS_HISTORY_SHOWN = 100


class ContactNoteInline(admin.StackedInline):
    model = ContactNote
    extra = 1
    fields = ["body", "author", "created_at"]
    readonly_fields = ["author", "created_at"]
    can_delete = False
    verbose_name = "internal note"
    verbose_name_plural = "internal notes (staff only; saved notes cannot be edited)"

    def has_change_permission(self, request, obj=None):
        # Saved notes are a record: they show read-only, and new ones can be added.
        return False


class StaffEmailFilter(admin.SimpleListFilter):
    """Requests whose staff email never went out, in words (see "Staff not notified")."""

    title = "staff email"
    parameter_name = "staff_email"

    def lookups(self, request, model_admin):
        return [("not_notified", "Staff not notified"), ("sent", "Sent")]

    def queryset(self, request, queryset):
        if self.value() == "not_notified":
            return queryset.staff_not_notified()
        if self.value() == "sent":
            return queryset.filter(notified_at__isnull=False)
        return queryset


@admin.register(ContactRequest)
class ContactRequestAdmin(admin.ModelAdmin):
    list_display = [
        "received",
        "name",
        "interest",
        "urgent",
        "status",
        "assigned_to",
        "age",
        "staff_email",
    ]
    list_display_links = ["received", "name"]
    list_filter = [
        "status",
        "urgent",
        "interest",
        ("assigned_to", admin.RelatedOnlyFieldListFilter),
        StaffEmailFilter,
    ]
    search_fields = ["name", "email", "phone"]
    search_help_text = "Search by name, email address or phone number."
    list_select_related = ["assigned_to"]
    list_per_page = 50
    actions = ["assign_to_me", "mark_contacted", "close", "export_csv"]
    inlines = [ContactNoteInline]
    readonly_fields = [
        "urgent_notice",
        *SUBMITTED_FIELDS,
        "consent_version",
        "consented_at",
        "created_at",
        "urgent",
        "first_response_at",
        "closed_at",
        "notified_at",
        "staff_email",
        "access_history",
    ]
    fieldsets = [
        (None, {"fields": ["urgent_notice", "status", "assigned_to"]}),
        (
            "What they sent",
            {
                "fields": [*SUBMITTED_FIELDS],
                "description": "Exactly as the person sent it. It cannot be changed.",
            },
        ),
        (
            "Record",
            {
                "fields": [
                    "created_at",
                    "urgent",
                    "first_response_at",
                    "closed_at",
                    "notified_at",
                    "staff_email",
                    "consent_version",
                    "consented_at",
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

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and "private_search" in request.POST:
            term = " ".join(request.POST.get("q", "").split())[:100]
            if term and "clear" not in request.POST:
                request.session[SEARCH_SESSION_KEY] = term
            else:
                request.session.pop(SEARCH_SESSION_KEY, None)
            return HttpResponseRedirect(request.get_full_path())
        if SEARCH_VAR in request.GET:
            # An old link or a hand-typed ?q=: move the term out of the URL.
            params = request.GET.copy()
            term = params.pop(SEARCH_VAR)[-1].strip()
            if term:
                request.session[SEARCH_SESSION_KEY] = term[:100]
            query = params.urlencode()
            return HttpResponseRedirect(request.path + (f"?{query}" if query else ""))
        extra_context = {
            **(extra_context or {}),
            "private_search": request.session.get(SEARCH_SESSION_KEY, ""),
        }
        return super().changelist_view(request, extra_context)

    def get_search_results(self, request, queryset, search_term):
        term = search_term or request.session.get(SEARCH_SESSION_KEY, "")
        return super().get_search_results(request, queryset, term)

    def get_queryset(self, request):
        # Not super(): it orders by get_ordering() before the rank below exists.
        return self.model._default_manager.in_queue_order()

    def get_ordering(self, request):
        return ["queue_rank", "created_at"]

    def has_add_permission(self, request):
        # Requests come only from the website form.
        return False

    def has_export_permission(self, request):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.export_{opts.model_name}")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assigned_to":
            kwargs["queryset"] = (
                get_user_model().objects.filter(is_active=True, is_staff=True).order_by("username")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- Columns ---------------------------------------------------------------------

    @admin.display(description="Received", ordering="created_at")
    def received(self, contact_request):
        return f"{timezone.localtime(contact_request.created_at):%b %d, %Y %H:%M}"

    @admin.display(description="Age", ordering="-created_at")
    def age(self, contact_request):
        return contact_request.age

    @admin.display(description="Staff email")
    def staff_email(self, contact_request):
        if contact_request.notified_at:
            return "Sent"
        if contact_request.staff_not_notified:
            # Nobody was told by email: someone has to pick this one up from the queue.
            return format_html("<strong>{}</strong>", "Staff not notified")
        return "Sending" if contact_request.status == Status.NEW else "Not needed"

    @admin.display(description="")
    def urgent_notice(self, contact_request):
        if not contact_request.urgent:
            return "-"
        return format_html(
            "<strong>{}</strong> {}",
            "Urgent: the message suggests a risk of suicide or self-harm.",
            "Follow the clinic's urgent-contact procedure now.",
        )

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
                    f"{timezone.localtime(entry.at):%Y-%m-%d %H:%M:%S}",
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

    # --- Accountability --------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            # Recorded before the page renders (TemplateResponse), so it lists this view.
            contact_request = self.get_object(request, unquote(object_id))
            AccessLog.objects.record([contact_request], AccessLog.Action.VIEWED, actor=request.user)
        return response

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            AccessLog.objects.record(
                [obj], AccessLog.Action.CHANGED, actor=request.user, detail=describe(form)
            )

    def save_formset(self, request, form, formset, change):
        notes = formset.save(commit=False)
        for note in notes:
            note.author = request.user
            note.save()
        if notes:
            AccessLog.objects.record(
                [form.instance],
                AccessLog.Action.CHANGED,
                actor=request.user,
                detail="Added a note" if len(notes) == 1 else f"Added {len(notes)} notes",
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
        self.message_user(request, f"Assigned {len(changed)} request(s) to you.")

    @admin.action(description="Mark selected requests as contacted", permissions=["change"])
    def mark_contacted(self, request, queryset):
        self._set_status(request, queryset, Status.CONTACTED)

    @admin.action(description="Close selected requests", permissions=["change"])
    def close(self, request, queryset):
        self._set_status(request, queryset, Status.CLOSED)

    def _set_status(self, request, queryset, status):
        label = Status(status).label
        changed = self._change_and_log(
            request, lambda: queryset.set_status(status), f"Status: {label}"
        )
        self.message_user(request, f"{len(changed)} request(s) now {label.lower()}.")

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


def describe(form) -> str:
    """What staff changed, for the access log: status and assignee only, no patient data."""
    parts = []
    for name in form.changed_data:
        value = form.cleaned_data.get(name)
        if name == "status":
            parts.append(f"Status: {Status(value).label}")
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
