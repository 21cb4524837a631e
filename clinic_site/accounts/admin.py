"""Staff accounts in the admin: invitations instead of "Add user", and a reset for a
lost authenticator instead of forms that show secret keys."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Permission
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic_site.core.staff_display import staff_datetime, yes_no

from .invitations import (
    InvitationError,
    MailNotSent,
    resend_invitation,
    reset_authenticator,
    send_invitation,
)
from .models import Invitation, StaffProfile
from .roles import ROLE_PERMISSIONS

MAIL_FAILED = (
    "The email could not be sent (the mail server did not accept it), so nothing was "
    "changed. Try again in a few minutes; if it keeps failing, tell whoever runs the site."
)

MANAGE_STAFF = "accounts.manage_staff"


class InvitationForm(forms.ModelForm):
    role = forms.ChoiceField(
        choices=[(name, name) for name in ROLE_PERMISSIONS],
        help_text="What they will be able to do. Front desk follows up contact requests; "
        "Editors write articles.",
    )

    class Meta:
        model = Invitation
        fields = ["email", "role"]

    def clean_email(self):
        """One account per person: an address that has one, or has an invitation on its
        way, is pointed at what to do instead of making a second account."""
        email = self.cleaned_data["email"]
        existing = get_user_model().objects.filter(email__iexact=email).first()
        if existing is not None:
            url = reverse("admin:auth_user_change", args=[existing.pk])
            raise forms.ValidationError(
                format_html(
                    "{} already has a staff account ({}). If they lost their phone, open "
                    '<a href="{}">their staff page</a> and reset their authenticator app: '
                    "that emails them a new set-up link.",
                    email,
                    existing.get_username(),
                    url,
                )
            )
        earlier = Invitation.objects.filter(
            email__iexact=email, accepted_at__isnull=True, user__isnull=True
        ).first()
        if earlier is not None:
            state = "still waiting" if earlier.is_usable() else "expired"
            raise forms.ValidationError(
                format_html(
                    "An invitation to {} was sent on {} and is {}. "
                    '<a href="{}">Resend it</a> instead (a new link, valid 72 hours).',
                    email,
                    staff_datetime(earlier.created_at),
                    state,
                    reverse("admin:accounts_invitation_resend", args=[earlier.pk]),
                )
            )
        return email


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    form = InvitationForm
    list_display = ["email", "role_shown", "invited_by", "sent", "state"]
    list_select_related = ["invited_by"]

    def has_module_permission(self, request):
        return request.user.has_perm(MANAGE_STAFF)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(MANAGE_STAFF)

    def has_add_permission(self, request):
        return request.user.has_perm(MANAGE_STAFF)

    def has_change_permission(self, request, obj=None):
        return False  # a sent invitation is a record: send another instead

    def has_delete_permission(self, request, obj=None):
        # Deleting a waiting invitation is how one is withdrawn: its link stops working.
        return request.user.has_perm(MANAGE_STAFF)

    actions = ["resend"]

    def save_model(self, request, obj, form, change):
        obj.invited_by = request.user
        try:
            # Stored and emailed together: no "Waiting" invitation whose link nobody got.
            with transaction.atomic():
                super().save_model(request, obj, form, change)
                send_invitation(invitation=obj)
        except MailNotSent:
            obj.pk = None
            obj.not_sent = True

    def log_addition(self, request, obj, message):
        if not getattr(obj, "not_sent", False):
            return super().log_addition(request, obj, message)
        return None

    def response_add(self, request, obj, post_url_continue=None):
        if getattr(obj, "not_sent", False):
            message = f"The invitation to {obj.email} was not sent. {MAIL_FAILED}"
            self.message_user(request, message, messages.ERROR)
            return HttpResponseRedirect(reverse("admin:accounts_invitation_add"))
        self.message_user(
            request,
            f"Invitation sent to {obj.email}. The link in it works once, for 72 hours.",
        )
        return self.response_post_save_add(request, obj)

    def get_urls(self):
        return [
            path(
                "<int:pk>/resend/",
                self.admin_site.admin_view(self.resend_view),
                name="accounts_invitation_resend",
            ),
            *super().get_urls(),
        ]

    def resend_view(self, request, pk):
        """The "Resend it" link from the invitation form: a confirmation page, then POST."""
        invitation = Invitation.objects.filter(pk=pk).first()
        if invitation is None or not self.has_add_permission(request):
            return HttpResponseRedirect(reverse("admin:accounts_invitation_changelist"))
        if request.method == "POST":
            self._resend(request, [invitation])
            return HttpResponseRedirect(reverse("admin:accounts_invitation_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Resend the invitation to {invitation.email}?",
            "opts": self.opts,
            "invitation": invitation,
        }
        return TemplateResponse(request, "admin/accounts/invitation/resend.html", context)

    @admin.action(
        description="Resend selected invitations (a new 72-hour link)", permissions=["add"]
    )
    def resend(self, request, queryset):
        self._resend(request, list(queryset))

    def _resend(self, request, invitations):
        for invitation in invitations:
            try:
                fresh = resend_invitation(invitation=invitation, by=request.user)
            except InvitationError as error:
                self.message_user(request, str(error), messages.WARNING)
            except MailNotSent:
                self.message_user(
                    request,
                    f"The invitation to {invitation.email} was not resent. {MAIL_FAILED}",
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    f"Invitation resent to {fresh.email}: a new link, valid until "
                    f"{staff_datetime(fresh.expires_at)}. The old link no longer works.",
                )

    @admin.display(description="Role")
    def role_shown(self, invitation):
        return invitation.role or "New authenticator"

    @admin.display(description="Sent", ordering="created_at")
    def sent(self, invitation):
        return staff_datetime(invitation.created_at)

    @admin.display(description="State")
    def state(self, invitation):
        if invitation.accepted_at:
            return f"Accepted {staff_datetime(invitation.accepted_at)}"
        if invitation.is_usable():
            return f"Waiting (link works until {staff_datetime(invitation.expires_at)})"
        return "Expired: select it and choose “Resend”"


User = get_user_model()
admin.site.unregister(User)


EXPORT_PERMISSION = ("intake", "export_contactrequest")


class StaffMemberForm(forms.ModelForm):
    """A staff member in words: roles as boxes to tick, and the one permission granted
    to people rather than roles (CSV export) as a yes/no, not an 80-line list."""

    can_export = forms.BooleanField(
        label="Can export contact requests to CSV",
        required=False,
        help_text="Only for people who need it: an exported file leaves the access log behind.",
    )

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "groups", "is_active"]
        labels = {"groups": "Roles", "is_active": "Active (can log in)"}
        help_texts = {
            "groups": "What they can do. Front desk follows up contact requests; Editors "
            "write articles; Clinical reviewers sign articles off.",
            "is_active": "Untick when someone leaves, instead of deleting them: the access "
            "log keeps their name.",
        }
        widgets = {"groups": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["can_export"].initial = self.instance.user_permissions.filter(
                content_type__app_label=EXPORT_PERMISSION[0], codename=EXPORT_PERMISSION[1]
            ).exists()

    def _save_m2m(self):
        super()._save_m2m()
        permission = Permission.objects.get(
            content_type__app_label=EXPORT_PERMISSION[0], codename=EXPORT_PERMISSION[1]
        )
        if self.cleaned_data.get("can_export"):
            self.instance.user_permissions.add(permission)
        else:
            self.instance.user_permissions.remove(permission)


@admin.register(User)
class ClinicUserAdmin(UserAdmin):
    """Django's user admin, without "Add user": staff join by invitation only, so no
    account exists that has no authenticator and can never log in.

    A staff member's page says who they are, their roles, whether they can log in and
    have an authenticator, and when they last logged in (read-only), in words. Password
    hashes and raw permission lists are for superusers only, under "Advanced"."""

    list_display = ["username", "email", "roles", "has_authenticator", "active", "last_seen"]
    actions = ["reset_authenticator"]
    readonly_fields = ["username", "has_authenticator", "last_seen", "joined"]

    def get_form(self, request, obj=None, **kwargs):
        if request.user.is_superuser:
            return super().get_form(request, obj, **kwargs)
        kwargs["form"] = StaffMemberForm
        kwargs["fields"] = None
        return admin.ModelAdmin.get_form(self, request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            ("Staff member", {"fields": ["username", "first_name", "last_name", "email"]}),
            (
                "What they can do",
                {"fields": ["groups", "is_active"]},
            ),
            ("Logging in", {"fields": ["has_authenticator", "last_seen", "joined"]}),
        ]
        if request.user.is_superuser:
            fieldsets.append(
                (
                    "Advanced (superusers only)",
                    {
                        "classes": ["collapse"],
                        "fields": ["password", "is_staff", "is_superuser", "user_permissions"],
                    },
                )
            )
        else:
            fieldsets[1][1]["fields"].append("can_export")
        return fieldsets

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description="Last login", ordering="last_login")
    def last_seen(self, user):
        return staff_datetime(user.last_login) if user.last_login else "Never"

    @admin.display(description="Joined")
    def joined(self, user):
        return staff_datetime(user.date_joined)

    def has_add_permission(self, request):
        return False

    def has_manage_staff_permission(self, request):
        return request.user.has_perm(MANAGE_STAFF)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="Roles")
    def roles(self, user):
        return ", ".join(group.name for group in user.groups.all()) or "-"

    @admin.display(description="Active", ordering="is_active")
    def active(self, user):
        return yes_no(user.is_active)

    @admin.display(description="Authenticator app set up")
    def has_authenticator(self, user):
        return yes_no(TOTPDevice.objects.filter(user=user, confirmed=True).exists())

    @admin.action(
        description="Reset authenticator app (lost phone) and email a new set-up link",
        permissions=["manage_staff"],
    )
    def reset_authenticator(self, request, queryset):
        if request.POST.get("confirm") != "yes":
            # They will not be able to log in until they use the link: ask first.
            context = {
                **self.admin_site.each_context(request),
                "title": "Reset the authenticator app?",
                "opts": self.opts,
                "queryset": queryset,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(
                request, "admin/auth/user/reset_authenticator_confirm.html", context
            )
        done, skipped, failed = [], [], []
        for user in queryset:
            if not user.email:
                skipped.append(user.get_username())
                continue
            try:
                reset_authenticator(user=user, by=request.user)
            except MailNotSent:
                failed.append(user.get_username())
                continue
            # The admin's own history of this account: who reset it, and when.
            self.log_change(
                request, user, "Reset the authenticator app and emailed a new set-up link."
            )
            done.append(user.get_username())
        if failed:
            self.message_user(
                request,
                f"Not reset: {', '.join(failed)}. {MAIL_FAILED} Their current authenticator "
                "app still works.",
                messages.ERROR,
            )
        if done:
            self.message_user(
                request,
                f"Reset the authenticator of {', '.join(done)}; a set-up link has been emailed.",
            )
        if skipped:
            self.message_user(
                request,
                f"Not reset (no email address to send the link to): {', '.join(skipped)}.",
                messages.WARNING,
            )


admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(admin.ModelAdmin):
    """Who has an authenticator, read-only. Secret keys are never shown: a lost phone is
    handled by the "Reset authenticator app" action on the user list."""

    list_display = ["user", "name", "confirmed_shown", "created"]
    fields = ["user", "name", "confirmed_shown", "created"]
    readonly_fields = fields
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Set up")
    def confirmed_shown(self, device):
        return yes_no(device.confirmed)

    @admin.display(description="Added")
    def created(self, device):
        return staff_datetime(device.created_at)


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "credentials", "user"]
    search_fields = ["display_name", "credentials", "user__username"]
    autocomplete_fields = ["user"]
