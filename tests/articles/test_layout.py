"""The article's concerns, one home each, and no import cycles inside articles/.

``Article`` is composed of one mixin per concern (clinic_site/articles/models.py's
docstring). These tests pin where each concern's names are defined, so a helper added
to the wrong module, or a second copy of one, fails here; and they read every import
in the app (inside functions too), so a module importing one that imports it back
fails here as well.
"""

import ast
import sys
from pathlib import Path

import pytest

from clinic_site.articles.models import Article, ArticleQuerySet

APP = Path(__file__).resolve().parents[2] / "clinic_site" / "articles"
PACKAGE = "clinic_site.articles"

# {module: names defined at its top level, and nowhere else in articles/}
HOMES = {
    "drafts": {"DRAFT_FIELDS", "DraftMixin", "EditingSession", "edit_token"},
    "signoff": {
        "SIGNED_FIELDS",
        "ReviewState",
        "SignOffMixin",
        "signed_values",
        "signed_print",
        "review_token",
        "add_months",
        "next_review_date",
        "REVIEW_DUE_SOON_DAYS",
    },
    "translation": {"TranslationMixin"},
    "provenance": {"SOURCE_FIELDS", "REVIEW_FIELDS", "ProvenanceMixin"},
    "fingerprints": {"fingerprint", "LATER_FIELD_DEFAULTS"},
    "scheduling": {"publish_due_changes", "changes_due", "next_article_goes_live"},
}
# {module: what Article (or its QuerySet) gets from that concern: fields and behaviour}
ARTICLE_PARTS = {
    "drafts": {"draft", "draft_publish_at", "has_draft", "with_draft", "apply_draft", "edit_token"},
    "signoff": {
        "reviewer",
        "reviewed_fingerprint",
        "review_state",
        "is_reviewed",
        "is_review_overdue",
        "review_status",
        "reviewed_print",
        "signed_values",
        "pending_print",
        "review_token",
        "is_waiting_for_review",
        "note_review_changes",
    },
    "translation": {
        "translation_of",
        "text_fingerprint",
        "translated_from_print",
        "is_translation_out_of_date",
        "public_counterparts",
        "sources_shown",
        "note_text_changes",
        "clean",
    },
    "provenance": {
        "source_file",
        "imported_fingerprint",
        "waiting_file_fingerprint",
        "source_values",
        "fingerprint",
        "edited_since_import",
        "content_file_has_newer_changes",
    },
}
QUERYSET_PARTS = {"signoff": {"review_overdue", "review_due_soon", "needing_review"}}


def modules() -> dict[str, ast.Module]:
    """{dotted name below the app, e.g. 'models' or 'templatetags.article_history': tree}"""
    found = {}
    for path in APP.rglob("*.py"):
        relative = path.relative_to(APP).with_suffix("")
        if relative.parts[0] == "migrations":
            continue
        name = ".".join(part for part in relative.parts if part != "__init__") or "__init__"
        found[name] = ast.parse(path.read_text(), str(path))
    return found


def top_level_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                for element in target.elts if isinstance(target, ast.Tuple) else [target]:
                    if isinstance(element, ast.Name):
                        names.add(element.id)
    return names


def imported_modules(name: str, tree: ast.Module, known: set[str]) -> set[str]:
    """The modules of articles/ that module ``name`` imports, anywhere in it."""
    package = name.split(".")[:-1] if name != "__init__" else []
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                dotted = ".".join([*base, *(node.module or "").split(".")]).strip(".")
            elif (node.module or "").startswith(PACKAGE):
                dotted = node.module[len(PACKAGE) :].strip(".")
            else:
                continue
            # from . import review / from .models import Article
            candidates = [f"{dotted}.{alias.name}".strip(".") for alias in node.names]
            found |= {candidate for candidate in candidates if candidate in known}
            if dotted in known:
                found.add(dotted)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(PACKAGE + "."):
                    dotted = alias.name[len(PACKAGE) + 1 :]
                    if dotted in known:
                        found.add(dotted)
    found.discard(name)
    return found


def import_cycles(trees: dict[str, ast.Module]) -> list[list[str]]:
    """Every group of modules that import each other, directly or round a loop."""
    graph = {name: imported_modules(name, tree, set(trees)) for name, tree in trees.items()}
    cycles, index, low, stack, on_stack = [], {}, {}, [], set()

    def visit(node):  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                cycles.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def defined_in(cls, name: str) -> str:
    """The module (below the app) of the class in ``cls``'s MRO that defines ``name``:
    the abstract model declaring a field (Django copies fields onto the model), or the
    class whose body holds the attribute."""
    for klass in cls.__mro__:
        meta = getattr(klass, "_meta", None)
        if meta is not None and meta.abstract and name in {f.name for f in meta.local_fields}:
            return _module(klass)
    for klass in cls.__mro__:
        if name in vars(klass):
            return _module(klass)
    raise AssertionError(f"{cls.__name__} has no {name}")


def _module(klass) -> str:
    return klass.__module__.removeprefix(PACKAGE + ".")


def test_each_concern_s_names_are_defined_in_its_own_module_only():
    trees = modules()
    defined = {name: top_level_names(tree) for name, tree in trees.items()}

    homes = {
        name: sorted(module for module, names in defined.items() if name in names)
        for names in HOMES.values()
        for name in names
    }

    assert homes == {name: [module] for module, names in HOMES.items() for name in names}


@pytest.mark.parametrize("module", sorted(ARTICLE_PARTS))
def test_article_gets_each_concern_from_its_module(module):
    assert {name: defined_in(Article, name) for name in ARTICLE_PARTS[module]} == {
        name: module for name in ARTICLE_PARTS[module]
    }


def test_the_sign_off_queries_come_from_the_sign_off_module():
    for module, names in QUERYSET_PARTS.items():
        assert {name: defined_in(ArticleQuerySet, name) for name in names} == {
            name: module for name in names
        }


def test_no_module_in_articles_imports_one_that_imports_it_back():
    assert import_cycles(modules()) == []


def test_the_cycle_check_sees_a_cycle_through_an_import_inside_a_function(tmp_path, monkeypatch):
    (tmp_path / "models.py").write_text("from .drafts import DraftMixin\n")
    (tmp_path / "drafts.py").write_text("from . import history\n")
    (tmp_path / "history.py").write_text(
        "def f():\n    from clinic_site.articles.models import Article\n"
    )
    monkeypatch.setattr(sys.modules[__name__], "APP", tmp_path)

    assert import_cycles(modules()) == [["drafts", "history", "models"]]
