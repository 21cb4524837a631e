"""Panels on the staff pages, each contributed by the app that owns its data.

The staff home (the admin index) and the manager's dashboard are composed by
``clinic_site/sitewide`` from the panels registered here. Each feature app registers
its own in its ``staff_panels.py`` (found like ``admin.py``: sitewide's AppConfig
imports every app's ``staff_panels`` module), naming who may see the panel, so the
composing pages hold no copy of any app's rules and core knows none of the apps::

    @panels.on_home("intake.view_contactrequest", order=10)
    def staff_not_notified(request) -> dict:  # admin/intake/panels/staff_not_notified.html
        return {"count": ...}
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

HOME = "home"
DASHBOARD = "dashboard"


@dataclass(frozen=True)
class Panel:
    """One part of a staff page: ``template`` rendered with ``context(request)``, for
    users with ``permission``. Panels show in ``order``, lowest first."""

    name: str
    template: str
    permission: str
    context: Callable[[HttpRequest], dict]
    order: int = 100


_panels: dict[str, dict[str, Panel]] = {HOME: {}, DASHBOARD: {}}
_page_context: dict[str, Callable[[HttpRequest], dict]] = {}


def register(page: str, panel: Panel) -> None:
    """Add a panel to ``page`` (HOME or DASHBOARD); a second registration of the same
    name replaces the first, so importing a module twice shows nothing twice."""
    _panels[page][panel.name] = panel


def _adder(page: str):
    def add(permission: str, *, order: int = 100):
        """Decorator: the function gives the context of the panel drawn by
        templates/admin/<its app>/panels/<its name>.html."""

        def registered(context):
            app = context.__module__.split(".")[1]  # clinic_site.<app>.staff_panels
            template = f"admin/{app}/panels/{context.__name__}.html"
            name = f"{app}.{context.__name__}"
            register(page, Panel(name, template, permission, context, order))
            return context

        return registered

    return add


on_home = _adder(HOME)
on_dashboard = _adder(DASHBOARD)


def on_every_page(context: Callable[[HttpRequest], dict]):
    """Decorator: the function adds to every staff page's template context (the urgent
    count in the banner and the tab title, say), deciding for itself whom it tells what."""
    _page_context[f"{context.__module__}.{context.__name__}"] = context
    return context


def visible(page: str, user) -> list[Panel]:
    """The panels of ``page`` this user may see, in order."""
    return sorted(
        (panel for panel in _panels[page].values() if user.has_perm(panel.permission)),
        key=lambda panel: (panel.order, panel.name),
    )


def rendered(page: str, request: HttpRequest) -> list[SafeString]:
    """Each visible panel of ``page``, as HTML."""
    return [
        render_to_string(panel.template, panel.context(request), request=request)
        for panel in visible(page, request.user)
    ]


def page_context(request: HttpRequest) -> dict:
    """What every staff page's template gets from the registered apps."""
    context = {}
    for contribute in _page_context.values():
        context.update(contribute(request))
    return context
