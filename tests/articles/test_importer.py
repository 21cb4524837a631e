"""`import_content`: idempotent, loud about bad files, careful with editors' work."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from clinic_site.articles.importer import Outcome, import_content
from clinic_site.articles.models import Article

pytestmark = pytest.mark.django_db

GOOD = """---
title: How long does relief last?
slug: how-long
summary: Relief varies from person to person.
topic: treatment
order: 2
---

Intro paragraph.

## What affects it

Text.
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def run_command(folder: Path, *args) -> str:
    out = StringIO()
    call_command("import_content", "--dir", str(folder), *args, stdout=out, stderr=out)
    return out.getvalue()


def test_a_new_file_creates_a_published_article(tmp_path):
    write(tmp_path, "how-long.md", GOOD)

    report = import_content(directory=tmp_path)

    assert [result.outcome for result in report.results] == [Outcome.CREATED]
    article = Article.objects.get(slug="how-long")
    assert article.title == "How long does relief last?"
    assert article.order == 2
    assert article.is_public
    assert '<h2 id="what-affects-it">' in article.body_html
    assert article.source_file == "how-long.md"


def test_importing_twice_changes_nothing(tmp_path):
    write(tmp_path, "how-long.md", GOOD)
    import_content(directory=tmp_path)
    before = Article.objects.get(slug="how-long")

    report = import_content(directory=tmp_path)

    assert [result.outcome for result in report.results] == [Outcome.UNCHANGED]
    after = Article.objects.get(slug="how-long")
    assert after.updated_at == before.updated_at
    assert after.history.count() == before.history.count()


def test_a_changed_file_updates_its_article(tmp_path):
    path = write(tmp_path, "how-long.md", GOOD)
    import_content(directory=tmp_path)
    path.write_text(GOOD.replace("Intro paragraph.", "A clearer intro."), encoding="utf-8")

    report = import_content(directory=tmp_path)

    assert [result.outcome for result in report.results] == [Outcome.UPDATED]
    assert "A clearer intro." in Article.objects.get(slug="how-long").body_html


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("---\ntitle: [unclosed\n---\nBody", "not valid YAML"),
        ("---\nsummary: s\ntopic: treatment\n---\nBody", "missing front matter: title"),
        ("---\ntitle: T\nsummary: s\ntopic: cooking\n---\nBody", "topic"),
        ("---\ntitle: T\nsummary: s\ntopic: treatment\n---\n", "no text"),
        ("---\ntitle: T\nsummary: s\ntopic: treatment\nauthor: x\n---\nBody", "unknown"),
        ("---\ntitle: T\nsummary: s\ntopic: treatment\norder: first\n---\nB", "order"),
        ("---\ntitle: T\nsummary: s\ntopic: treatment\nslug: Not a slug!\n---\nB", "slug"),
        ("---\ntitle: T\nsummary: s\ntopic: treatment\nnext_review_due: soon\n---\nB", "date"),
        ("---\ntitle: T\nsummary: " + "x" * 200 + "\ntopic: treatment\n---\nB", "summary"),
    ],
)
def test_a_malformed_file_is_reported_by_name_and_others_still_import(tmp_path, text, problem):
    write(tmp_path, "a-broken.md", text)
    write(tmp_path, "how-long.md", GOOD)

    report = import_content(directory=tmp_path)

    failed = report.failed
    assert len(failed) == 1
    assert failed[0].path.name == "a-broken.md"
    assert problem in failed[0].problem
    assert Article.objects.filter(slug="how-long").exists()
    assert Article.objects.count() == 1


def test_a_file_broken_later_leaves_its_article_as_it_was(tmp_path):
    path = write(tmp_path, "how-long.md", GOOD)
    import_content(directory=tmp_path)
    path.write_text("---\ntitle: [oops\n---\n", encoding="utf-8")

    report = import_content(directory=tmp_path)

    assert report.failed[0].path.name == "how-long.md"
    article = Article.objects.get(slug="how-long")
    assert article.title == "How long does relief last?"
    assert "Intro paragraph." in article.body


def test_an_article_edited_in_the_admin_is_kept_and_reported(tmp_path):
    path = write(tmp_path, "how-long.md", GOOD)
    import_content(directory=tmp_path)
    article = Article.objects.get(slug="how-long")
    article.body = "An editor's careful rewrite."
    article.save()
    path.write_text(GOOD.replace("Intro paragraph.", "File change."), encoding="utf-8")

    output = run_command(tmp_path)

    assert "kept" in output and "how-long.md" in output and "--force" in output
    assert Article.objects.get(slug="how-long").body == "An editor's careful rewrite.\n"


def test_an_admin_edit_is_kept_even_when_the_file_did_not_change(tmp_path):
    write(tmp_path, "how-long.md", GOOD)
    import_content(directory=tmp_path)
    Article.objects.filter(slug="how-long").update(title="Edited title")

    report = import_content(directory=tmp_path)

    assert report.results[0].outcome == Outcome.KEPT
    assert Article.objects.get(slug="how-long").title == "Edited title"


def test_force_replaces_an_edited_article_with_its_file(tmp_path):
    write(tmp_path, "how-long.md", GOOD)
    import_content(directory=tmp_path)
    article = Article.objects.get(slug="how-long")
    article.title = "Edited title"
    article.save()

    report = import_content(directory=tmp_path, force=True)

    assert report.results[0].outcome == Outcome.REPLACED
    article.refresh_from_db()
    assert article.title == "How long does relief last?"
    assert not article.edited_since_import


def edited(folder: Path, name: str, slug: str, title: str) -> Article:
    write(folder, name, GOOD.replace("slug: how-long", f"slug: {slug}"))
    import_content(directory=folder)
    article = Article.objects.get(slug=slug)
    article.title = title
    article._change_reason = "An editor's fix"
    article.save()
    return article


def test_force_with_file_names_replaces_only_those_files(tmp_path):
    one = edited(tmp_path, "one.md", "one", "Editor's title one")
    two = edited(tmp_path, "two.md", "two", "Editor's title two")

    output = run_command(tmp_path, "--force", "one.md")

    one.refresh_from_db()
    two.refresh_from_db()
    assert one.title == "How long does relief last?"
    assert two.title == "Editor's title two"
    assert "replaced one.md" in output and "kept     two.md" in output
    # The replaced edit is named and stays in the history, restorable.
    assert "in the article's history (version 2, saved" in output
    kept = one.history.order_by("history_date", "history_id")[1]
    assert kept.title == "Editor's title one" and kept.history_change_reason == "An editor's fix"
    assert one.history.latest().history_change_reason.startswith(
        "Imported from content/one.md, replacing the changes made in the admin (version 2"
    )


def test_force_all_replaces_every_edited_file(tmp_path):
    one = edited(tmp_path, "one.md", "one", "Editor's title one")
    two = edited(tmp_path, "two.md", "two", "Editor's title two")

    output = run_command(tmp_path, "--force", "--all")

    assert "replaced one.md" in output and "replaced two.md" in output
    assert {Article.objects.get(pk=a.pk).title for a in (one, two)} == {
        "How long does relief last?"
    }


def test_force_without_file_names_or_all_changes_nothing_and_says_what_to_type(tmp_path):
    one = edited(tmp_path, "one.md", "one", "Editor's title one")

    with pytest.raises(CommandError, match="Name the files to replace"):
        run_command(tmp_path, "--force")
    with pytest.raises(CommandError, match="no such content file"):
        run_command(tmp_path, "--force", "oen.md")

    assert Article.objects.get(pk=one.pk).title == "Editor's title one"


def test_two_files_with_one_slug_fail_the_second(tmp_path):
    write(tmp_path, "a.md", GOOD)
    write(tmp_path, "b.md", GOOD)

    report = import_content(directory=tmp_path)

    assert [r.outcome for r in report.results] == [Outcome.CREATED, Outcome.FAILED]
    assert "already used by a.md" in report.failed[0].problem


def test_the_command_prints_counts_and_fails_on_a_bad_file(tmp_path):
    write(tmp_path, "how-long.md", GOOD)
    write(tmp_path, "broken.md", "no front matter at all")

    with pytest.raises(CommandError, match="1 file"):
        run_command(tmp_path)

    assert Article.objects.filter(slug="how-long").exists()


def test_the_command_summary_line(tmp_path):
    write(tmp_path, "how-long.md", GOOD)
    assert "1 created, 0 updated, 0 unchanged, 0 kept, 0 failed" in run_command(tmp_path)
    assert "0 created, 0 updated, 1 unchanged, 0 kept, 0 failed" in run_command(tmp_path)


def test_the_shipped_content_imports_cleanly():
    report = import_content(directory=Path(settings.BASE_DIR) / "content")

    assert report.failed == []
    assert report.count(Outcome.CREATED) >= 7
    assert Article.objects.published().count() == report.count(Outcome.CREATED)


def test_the_admin_says_when_the_content_file_has_newer_changes_too(
    tmp_path, admin_client_with_otp
):
    path = write(tmp_path, "how-long.md", GOOD)
    import_content(directory=tmp_path)
    article = Article.objects.get(slug="how-long")
    article.body = "An editor's careful rewrite."
    article.save()
    change_url = f"/admin/articles/article/{article.pk}/change/"
    notice = "The content file has newer changes too"
    import_content(directory=tmp_path)  # the file has not changed: nothing to say
    assert notice not in admin_client_with_otp.get(change_url).content.decode()

    path.write_text(GOOD.replace("Intro paragraph.", "File change."), encoding="utf-8")
    import_content(directory=tmp_path)

    page = admin_client_with_otp.get(change_url).content.decode()
    assert notice in page and "how-long.md" in page and "--force how-long.md" in page
    assert Article.objects.get(slug="how-long").body == "An editor's careful rewrite.\n"

    import_content(directory=tmp_path, force=["how-long.md"])

    assert notice not in admin_client_with_otp.get(change_url).content.decode()
