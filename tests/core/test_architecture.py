"""Dependencies point one way (STYLE.md, "Shape"; docs/architecture.md, "The layers").

    sitewide                 composes the features for staff and for readers (top)
    articles | intake        the features: never each other
    accounts                 staff identity
    readership               figures; the features report to it, it knows none of them
    core                     plumbing (bottom)

An app may use only the apps below it. "Use" is more than an import: this test reads the
source, so it also sees a model looked up by name (``apps.get_model("intake", ...)``), a
URL named by another app's namespace (``reverse("intake:...")``, ``{% url 'intake:...' %}``,
``admin:intake_...``), another app's template tags (``{% load contact_requests %}``) and
a setting another app owns (SETTING_OWNERS), even inside a function.
"""

import ast
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "clinic_site"
TEMPLATES = ROOT / "templates"

LAYER = {"core": 0, "readership": 1, "accounts": 2, "articles": 3, "intake": 3, "sitewide": 4}
APPS = set(LAYER)

# The settings a feature owns, by name prefix: only that app and the apps above it read
# them (the privacy notice in sitewide may state intake's retention). Everything else in
# settings.py (the clinic's name and phone, security, caching) is core's, for everyone.
SETTING_OWNERS = {
    "articles": (
        "ARTICLE_",
        "AVOID_WORDS",
        "CLINICAL_REVIEW_",
        "CLINIC_FEES_PAGE",
        "FEEDBACK_RATE_",
        "READABILITY_",
    ),
    "intake": (
        "CLINIC_OPENING_HOURS",
        "CONTACT_",
        "STAFF_POLL_SECONDS",
        "URGENT_ESCALATION_",
        "URGENT_FIRST_RESPONSE_",
        "URGENT_PROCEDURE_",
    ),
    "readership": ("READERSHIP_",),
    "accounts": ("AXES_",),
}

URL_CALLS = {"reverse", "reverse_lazy", "redirect", "resolve_url"}


def may_use(app: str, other: str) -> bool:
    return other == app or LAYER[other] < LAYER[app]


def setting_owner(name: str) -> str | None:
    for owner, prefixes in SETTING_OWNERS.items():
        if name.startswith(prefixes):
            return owner
    return None


def url_owner(name: str) -> str | None:
    """The clinic app a URL name belongs to: its namespace, or for the admin's model pages
    ("admin:intake_contactrequest_change") the model's app."""
    namespace, _, rest = name.partition(":")
    if namespace == "admin":
        label = rest.split("_", 1)[0]
        return label if "_" in rest and label in APPS else None
    return namespace if namespace in APPS else None


def _first_string(call: ast.Call) -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def _called_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def uses_in_python(source: str, filename: str = "<source>") -> set[tuple[str, str]]:
    """{(what, the app it belongs to)} for one module's source."""
    used = set()
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.ImportFrom) and node.level >= 2:
            names = ["clinic_site." + (node.module or "")]  # from ..intake import x
        else:
            names = []
        for name in names:
            parts = name.split(".")
            if parts[0] == "clinic_site" and len(parts) > 1 and parts[1] in APPS:
                used.add((f"import {name}", parts[1]))
        if isinstance(node, ast.Call):
            called, text = _called_name(node), _first_string(node)
            if called == "get_model" and text:
                used.add((f'get_model("{text}")', text.split(".")[0]))
            elif called in URL_CALLS and text and ":" in text and url_owner(text):
                used.add((f'{called}("{text}")', url_owner(text)))
            elif called == "getattr" and len(node.args) > 1:
                target, key = node.args[0], node.args[1]
                if (
                    isinstance(target, ast.Name)
                    and target.id == "settings"
                    and isinstance(key, ast.Constant)
                    and setting_owner(str(key.value))
                ):
                    used.add((f"settings.{key.value}", setting_owner(str(key.value))))
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "settings"
            and setting_owner(node.attr)
        ):
            used.add((f"settings.{node.attr}", setting_owner(node.attr)))
    # Labels Django owns (auth, sessions) and the project's own names are nobody's app.
    return {(what, app) for what, app in used if app in APPS}


def tag_libraries() -> dict[str, str]:
    """{template tag library: the app that defines it}."""
    return {
        path.stem: path.parts[-3]
        for path in PACKAGE.glob("*/templatetags/*.py")
        if path.stem != "__init__"
    }


URL_TAG = re.compile(r"""{%\s*url\s+["']([\w-]+:[\w-]+)["']""")
LOAD_TAG = re.compile(r"{%\s*load\s+([^%]+?)\s*%}")


def uses_in_template(source: str, libraries: dict[str, str]) -> set[tuple[str, str]]:
    used = set()
    for name in URL_TAG.findall(source):
        if url_owner(name):
            used.add((f"{{% url '{name}' %}}", url_owner(name)))
    for loaded in LOAD_TAG.findall(source):
        names = loaded.split()
        if "from" in names:  # {% load tag from library %}
            names = names[names.index("from") + 1 :]
        used |= {(f"{{% load {lib} %}}", libraries[lib]) for lib in names if lib in libraries}
    return used


def template_owner(relative: Path) -> str:
    """templates/<app>/... and templates/admin/<app>/... are the app's; Django's user
    admin (admin/auth/) and the staff login pages are accounts'. The rest (base.html,
    includes/, the error pages, the staff frame) is the site's frame, composed on top."""
    parts = relative.parts
    if parts[0] in APPS:
        return parts[0]
    if parts[0] == "admin" and len(parts) > 2 and parts[1] in APPS:
        return parts[1]
    if parts[0] == "admin" and (
        parts[1] == "auth" or parts[1] in {"login.html", "login_base.html", "locked_out.html"}
    ):
        return "accounts"
    if parts == ("admin", "readership.html"):
        return "readership"
    return "sitewide"


def wrong_uses() -> dict[str, list[str]]:
    """{file: what it uses of an app above or beside it}, over the code and templates."""
    found = {}
    for path in sorted(PACKAGE.glob("*/**/*.py")):
        app = path.relative_to(PACKAGE).parts[0]
        if app not in APPS or "migrations" in path.parts:
            continue
        uses = uses_in_python(path.read_text(), str(path))
        if wrong := sorted(what for what, other in uses if not may_use(app, other)):
            found[str(path.relative_to(ROOT))] = wrong
    libraries = tag_libraries()
    for path in sorted(TEMPLATES.rglob("*.html")):
        app = template_owner(path.relative_to(TEMPLATES))
        uses = uses_in_template(path.read_text(), libraries)
        if wrong := sorted(what for what, other in uses if not may_use(app, other)):
            found[str(path.relative_to(ROOT))] = wrong
    return found


def test_no_app_uses_an_app_above_or_beside_it():
    assert wrong_uses() == {}


def test_every_app_has_a_layer():
    apps = {path.parent.name for path in PACKAGE.glob("*/apps.py")}

    assert apps == APPS


# --- The check itself: each kind of use is seen, in code it has never read ------------


@pytest.mark.parametrize(
    ("source", "seen"),
    [
        ("def f():\n    from clinic_site.articles.models import A\n", "import"),
        ("from django.apps import apps\nM = apps.get_model('articles', 'Article')\n", "get_model"),
        ("def f():\n    return apps.get_model('articles.Article')\n", "get_model"),
        ("from django.urls import reverse\nURL = reverse('articles:list')\n", "reverse"),
        ("URL = reverse('admin:articles_article_changelist')\n", "reverse"),
        (
            "from django.conf import settings\nN = settings.CLINICAL_REVIEW_INTERVAL_MONTHS\n",
            "settings",
        ),
        ("N = getattr(settings, 'AVOID_WORDS', ())\n", "settings"),
    ],
)
def test_the_check_sees_intake_using_articles(source, seen):
    uses = uses_in_python(source)

    assert [what for what, app in uses if app == "articles"], uses
    assert any(what.startswith(seen) for what, _ in uses)


def test_the_check_passes_what_an_app_may_use():
    source = (
        "from clinic_site.core import panels\n"
        "M = apps.get_model('auth', 'User')\n"
        "URL = reverse('admin:index')\n"
        "N = settings.CLINIC_NAME\n"
    )

    assert {app for _, app in uses_in_python(source)} == {"core"}


def test_the_check_fails_on_a_planted_cross_feature_get_model(tmp_path, monkeypatch):
    planted = tmp_path / "clinic_site" / "intake"
    planted.mkdir(parents=True)
    (planted / "views.py").write_text(
        "from django.apps import apps\n\n\n"
        "def latest():\n"
        "    return apps.get_model('articles', 'Article').objects.last()\n"
    )
    (tmp_path / "templates").mkdir()
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", tmp_path / "clinic_site")
    monkeypatch.setattr(sys.modules[__name__], "TEMPLATES", tmp_path / "templates")

    assert wrong_uses() == {"clinic_site/intake/views.py": ['get_model("articles")']}


@pytest.mark.parametrize(
    ("owner_path", "source"),
    [
        ("intake/contact_thanks.html", "<a href=\"{% url 'articles:list' %}\">"),
        ("articles/feedback_thanks.html", '{% url "intake:contact" as contact_url %}'),
        ("admin/articles/review.html", "{% url 'admin:intake_contactrequest_changelist' %}"),
        ("admin/intake/x.html", "{% load static article_history %}"),
        ("accounts/join.html", "{% load reviewed from article_history %}"),
        ("core/unreadable_body.html", "{% url 'sitewide:privacy' %}"),
    ],
)
def test_the_check_sees_a_template_using_an_app_above_or_beside_its_own(owner_path, source):
    app = template_owner(Path(owner_path))
    uses = uses_in_template(source, tag_libraries())

    assert uses
    assert not all(may_use(app, other) for _, other in uses)


def test_the_site_frame_and_sitewide_may_link_to_every_app():
    source = "{% load contact_requests %}{% url 'articles:list' %}{% url 'intake:contact' %}"
    uses = uses_in_template(source, tag_libraries())

    assert template_owner(Path("includes/footer.html")) == "sitewide"
    assert all(may_use("sitewide", other) for _, other in uses)
