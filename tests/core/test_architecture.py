"""Dependencies point one way: core imports no feature app, readership imports only core,
and articles and intake never import each other (STYLE.md, "Shape"). Read from the
source, so a new import anywhere in those packages, even inside a function, fails here."""

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "clinic_site"
FEATURE_APPS = {"articles", "intake", "accounts"}

FORBIDDEN = {
    "core": FEATURE_APPS | {"readership"},
    # Features report to readership (searches, contact requests, articles); it knows none.
    "readership": FEATURE_APPS,
    "articles": {"intake"},
    "intake": {"articles"},
}


def imported_apps(app: str) -> dict[str, set[str]]:
    """{file: the clinic_site apps it imports}, for every module of ``app``."""
    found = {}
    for path in (PACKAGE / app).rglob("*.py"):
        names = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
            elif isinstance(node, ast.ImportFrom) and node.level >= 2:
                # from ..intake import x, inside clinic_site/<app>/
                names.add("clinic_site." + (node.module or ""))
        apps = {name.split(".")[1] for name in names if name.startswith("clinic_site.")}
        found[str(path.relative_to(PACKAGE))] = {a for a in apps if a}
    return found


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_an_app_never_imports_the_apps_above_or_beside_it(app):
    offending = {
        path: sorted(apps & FORBIDDEN[app])
        for path, apps in imported_apps(app).items()
        if apps & FORBIDDEN[app]
    }

    assert offending == {}


def test_the_check_sees_an_import_inside_a_function(tmp_path, monkeypatch):
    fake = tmp_path / "clinic_site" / "core"
    fake.mkdir(parents=True)
    (fake / "views.py").write_text("def f():\n    from clinic_site.articles.models import A\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", tmp_path / "clinic_site")

    assert imported_apps("core") == {"core/views.py": {"articles"}}
