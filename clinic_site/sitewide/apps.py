from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.module_loading import autodiscover_modules


class SitewideConfig(AppConfig):
    """The top layer: composes the feature apps for staff (the admin site, the staff home,
    the dashboard) and for readers (the privacy notice, the editorial policy, the
    sitemap's pages, the links every page carries). Nothing imports it."""

    name = "clinic_site.sitewide"
    verbose_name = "Site-wide pages"

    def ready(self):
        # Each app's panels for the staff pages (core/panels.py), found like admin.py.
        autodiscover_modules("staff_panels")


class ClinicAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin, with the clinic's admin site as ``admin.site``.

    Listed in INSTALLED_APPS instead of "django.contrib.admin", so every
    ``admin.register`` in the project lands on the site that requires a second factor.
    """

    default = False  # SitewideConfig stays this module's config for clinic_site.sitewide
    default_site = "clinic_site.sitewide.admin_site.ClinicAdminSite"
