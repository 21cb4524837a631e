"""The staff pages' panels come from the apps that own their data (core/panels.py): each
shown only to whoever holds its permission, in its order, drawn by the app's template."""

from types import SimpleNamespace

import pytest

from clinic_site.core import panels


class Someone:
    def __init__(self, *permissions):
        self.permissions = set(permissions)

    def has_perm(self, permission):
        return permission in self.permissions


@pytest.fixture
def empty(monkeypatch):
    monkeypatch.setattr(panels, "_panels", {panels.HOME: {}, panels.DASHBOARD: {}})
    monkeypatch.setattr(panels, "_page_context", {})


def test_a_panel_is_shown_only_to_whoever_holds_its_permission_in_its_order(empty):
    panels.register(panels.HOME, panels.Panel("b", "b.html", "app.see_b", dict, order=20))
    panels.register(panels.HOME, panels.Panel("a", "a.html", "app.see_a", dict, order=10))
    panels.register(panels.HOME, panels.Panel("c", "c.html", "app.see_c", dict, order=15))

    shown = panels.visible(panels.HOME, Someone("app.see_a", "app.see_b"))

    assert [panel.name for panel in shown] == ["a", "b"]
    assert panels.visible(panels.DASHBOARD, Someone("app.see_a")) == []


def test_the_decorator_names_the_panel_and_its_template_after_the_app(empty):
    def waiting(request):
        return {"count": 3}

    waiting.__module__ = "clinic_site.intake.staff_panels"
    panels.on_dashboard("intake.view_contactrequest", order=5)(waiting)

    (panel,) = panels.visible(panels.DASHBOARD, Someone("intake.view_contactrequest"))
    assert panel.name == "intake.waiting"
    assert panel.template == "admin/intake/panels/waiting.html"
    assert panel.context(None) == {"count": 3}


def test_registering_again_replaces_rather_than_repeats(empty):
    for _ in range(2):
        panels.register(panels.HOME, panels.Panel("a", "a.html", "p", dict))

    assert len(panels.visible(panels.HOME, Someone("p"))) == 1


def test_every_staff_page_gets_what_each_app_adds(empty):
    @panels.on_every_page
    def one(request):
        return {"one": request.user}

    @panels.on_every_page
    def two(request):
        return {"two": 2}

    assert panels.page_context(SimpleNamespace(user="u")) == {"one": "u", "two": 2}


def test_the_features_register_their_own_panels():
    names = {
        page: [panel.name for panel in panels._panels[page].values()]
        for page in (panels.HOME, panels.DASHBOARD)
    }

    assert sorted(names[panels.HOME]) == ["articles.reviews_due", "intake.staff_not_notified"]
    assert sorted(names[panels.DASHBOARD]) == ["articles.feedback", "intake.request_figures"]
