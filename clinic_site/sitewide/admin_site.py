"""The clinic's admin site: accounts' two-factor site, plus what staff pages compose from
the feature apps: the staff home's panels, the dashboard and readership pages, and each
app's part of every page (the open-urgent count). Which panels exist and who sees them
is each app's own say (its staff_panels.py, registered with core.panels)."""

from functools import partial

from django.conf import settings
from django.urls import path

from clinic_site.accounts.admin_site import TwoFactorAdminSite
from clinic_site.core import panels

from .dashboard import can_see_dashboard, dashboard_view, readership_view


class ClinicAdminSite(TwoFactorAdminSite):
    index_title = "Contact requests and articles"

    def get_urls(self):
        return [
            path(
                "dashboard/",
                self.admin_view(partial(dashboard_view, admin_site=self)),
                name="dashboard",
            ),
            path(
                "readership/",
                self.admin_view(partial(readership_view, admin_site=self)),
                name="readership",
            ),
            path(
                "readership.csv",
                self.admin_view(partial(readership_view, admin_site=self, as_csv=True)),
                name="readership_csv",
            ),
            *super().get_urls(),
        ]

    def index(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "home_panels": panels.rendered(panels.HOME, request),
        }
        return super().index(request, extra_context)

    def each_context(self, request):
        context = super().each_context(request)
        # Not on the login page of someone who has a password but no second factor yet.
        verified = self.has_permission(request)
        if verified:
            context.update(panels.page_context(request))
        context["clinic_time_zone"] = settings.TIME_ZONE
        context["sees_dashboard"] = verified and can_see_dashboard(request.user)
        return context
