"""The clinic manager's dashboard and the readership page, inside the staff admin.

The dashboard shows each app's dashboard panels (core/panels.py) that this person may
see: request figures need "view contact request" (an Editor never sees them), readers'
answers need "view feedback". Whoever sees any panel sees the readership figures too.
Charts are SVG drawn on the server (core/charts.py): no script, no third-party request,
and every chart has a title, a description and its numbers as a table.
"""

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from clinic_site.core import panels
from clinic_site.readership.views import readership_csv, readership_page


def can_see_dashboard(user) -> bool:
    return bool(panels.visible(panels.DASHBOARD, user))


def dashboard_view(request, *, admin_site):
    if not can_see_dashboard(request.user):
        raise PermissionDenied
    context = {
        **admin_site.each_context(request),
        "title": "Dashboard",
        "panels": panels.rendered(panels.DASHBOARD, request),
    }
    return TemplateResponse(request, "admin/dashboard.html", context)


def readership_view(request, *, admin_site, as_csv=False):
    """The readership figures (clinic_site/readership), for the dashboard's people."""
    if not can_see_dashboard(request.user):
        raise PermissionDenied
    if as_csv:
        return readership_csv(request)
    return readership_page(request, context=admin_site.each_context(request))
