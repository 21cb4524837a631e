"""Staff accounts in the admin: invitations instead of "Add user", and a reset for a
lost authenticator instead of forms that show secret keys."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic_site.core.staff_display import staff_datetime, yes_no

from .invitations import reset_authenticator, send_invitation
from .models import Invitation, StaffProfile
from .roles import ROLE_PERMISSIONS

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

    def save_model(self, request, obj, form, change):
        obj.invited_by = request.user
        super().save_model(request, obj, form, change)
        send_invitation(invitation=obj)

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(
            request,
            f"Invitation sent to {obj.email}. The link in it works once, for 72 hours.",
        )
        return self.response_post_save_add(request, obj)

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
        return "Waiting" if invitation.is_usable() else "Expired"


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class ClinicUserAdmin(UserAdmin):
    """Django's user admin, without "Add user": staff join by invitation only, so no
    account exists that has no authenticator and can never log in."""

    list_display = ["username", "email", "roles", "has_authenticator", "active", "last_login"]
    actions = ["reset_authenticator"]

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

    @admin.display(description="Authenticator app")
    def has_authenticator(self, user):
        return yes_no(TOTPDevice.objects.filter(user=user, confirmed=True).exists())

    @admin.action(
        description="Reset authenticator app (lost phone) and email a new set-up link",
        permissions=["manage_staff"],
    )
    def reset_authenticator(self, request, queryset):
        done, skipped = [], []
        for user in queryset:
            if not user.email:
                skipped.append(user.get_username())
                continue
            reset_authenticator(user=user, by=request.user)
            # The admin's own history of this account: who reset it, and when.
            self.log_change(
                request, user, "Reset the authenticator app and emailed a new set-up link."
            )
            done.append(user.get_username())
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
