"""Clinical sign-off: who can give it, what it records, what readers and reviewers see."""

import io
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from clinic_site.accounts.roles import EDITOR, FRONT_DESK
from clinic_site.articles.importer import Outcome, import_content
from clinic_site.articles.models import Article, add_months, next_review_date
from clinic_site.articles.review import digest_email, digest_for, send_review_digests
from clinic_site.articles.workflow import sign_off
from clinic_site.core import periodic
from clinic_site.core.models import PeriodicJob
from tests.factories import make_article, make_member, make_reviewer, make_staff
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/articles/article/"


def token_in(page: str) -> str:
    """The identity of the text a sign-off or review form was showing."""
    return re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)


# --- Review-due arithmetic -------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 3, 15), 12, date(2027, 3, 15)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),  # no 29 February next year
        (date(2026, 8, 31), 6, date(2027, 2, 28)),  # the month's last day
        (date(2026, 11, 30), 3, date(2027, 2, 28)),  # across the year's end
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
    ],
)
def test_adding_months_keeps_the_day_or_takes_the_months_last(day, months, expected):
    assert add_months(day, months) == expected


def test_next_review_is_due_after_the_configured_interval(settings):
    assert next_review_date(date(2026, 5, 4)) == date(2027, 5, 4)  # default: 12 months
    settings.CLINICAL_REVIEW_INTERVAL_MONTHS = 6
    assert next_review_date(date(2026, 5, 4)) == date(2026, 11, 4)


# --- Sign-off ----------------------------------------------------------------------------


def test_sign_off_records_reviewer_date_and_next_review_against_this_version():
    article = make_article(body="Accurate text.\n")
    reviewer, _ = make_reviewer(display_name="Dr A. Example", credentials="MD, psychiatrist")

    sign_off(article=article, reviewer=reviewer, today=date(2026, 6, 1))

    article.refresh_from_db()
    assert article.reviewer == reviewer
    assert article.reviewed_by == "Dr A. Example, MD, psychiatrist"
    assert article.last_reviewed == date(2026, 6, 1)
    assert article.next_review_due == date(2027, 6, 1)
    assert article.is_reviewed and not article.changed_since_review
    assert article.history.latest().history_change_reason == (
        "Clinical sign-off by Dr A. Example, MD, psychiatrist"
    )


def test_editing_the_text_after_sign_off_marks_it_changed_and_queues_it_for_review():
    article = make_article(body="Accurate text.\n")
    reviewer, _ = make_reviewer()
    sign_off(article=article, reviewer=reviewer)

    article.body = "Edited text.\n"
    article.save()

    article.refresh_from_db()
    assert article.changed_since_review and not article.is_reviewed
    assert article.review_status == "Changed since review"
    assert article in Article.objects.needing_review()
    assert article in digest_for(reviewer).changed
    html = Client().get(article.get_absolute_url()).content.decode()
    assert "Reviewed by" not in html and "Last updated" in html


def test_changing_only_the_position_keeps_the_sign_off():
    article = make_article()
    reviewer, _ = make_reviewer()
    sign_off(article=article, reviewer=reviewer)

    article.order = 5
    article.save()

    assert Article.objects.get(pk=article.pk).is_reviewed


def test_an_editor_cannot_sign_off():
    editor, _ = make_member(EDITOR, "editor")
    article = make_article()

    with pytest.raises(PermissionDenied):
        sign_off(article=article, reviewer=editor)

    page = logged_in(editor).get(f"{CHANGELIST}{article.pk}/change/").content.decode()
    assert "Sign off this version" not in page
    assert logged_in(editor).post(f"{CHANGELIST}{article.pk}/sign-off/").status_code == 403
    assert not Article.objects.get(pk=article.pk).is_reviewed


def test_a_reviewer_without_credentials_on_their_profile_cannot_sign_off():
    reviewer, _ = make_reviewer(credentials="")

    with pytest.raises(PermissionDenied, match="credentials"):
        sign_off(article=make_article(), reviewer=reviewer)


def test_a_clinical_reviewer_signs_off_in_the_admin_and_readers_see_it():
    article = make_article()
    reviewer, _ = make_reviewer(display_name="Dr B. Example", credentials="MD")
    client = logged_in(reviewer)

    page = client.get(f"{CHANGELIST}{article.pk}/change/").content.decode()
    confirm = client.get(f"{CHANGELIST}{article.pk}/sign-off/").content.decode()
    response = client.post(f"{CHANGELIST}{article.pk}/sign-off/", {"token": token_in(confirm)})

    assert "Sign off this version" in page
    assert "Reviewed by Dr B. Example, MD on" in confirm
    assert response.status_code == 302
    told = client.get(response["Location"]).content.decode()
    assert "Signed off by Dr B. Example, MD on " in told and "Next review due " in told
    html = Client().get(article.get_absolute_url()).content.decode()
    assert "Reviewed by Dr B. Example, MD on" in html


def test_editors_no_longer_type_reviewer_or_review_dates(admin_client_with_otp):
    article = make_article()

    html = admin_client_with_otp.get(f"{CHANGELIST}{article.pk}/change/").content.decode()

    assert 'name="reviewed_by"' not in html
    assert 'name="last_reviewed"' not in html and 'name="next_review_due"' not in html


def test_the_public_page_never_shows_a_review_due_date_even_when_past():
    article = make_article()
    reviewer, _ = make_reviewer()
    sign_off(article=article, reviewer=reviewer, today=timezone.localdate() - timedelta(days=400))

    html = Client().get(article.get_absolute_url()).content.decode()

    assert "review due" not in html.lower()
    assert "Reviewed by" in html  # the review happened; the page says when


# --- Staff screens say it in words ---------------------------------------------------------


def test_article_list_says_overdue_in_words(admin_client_with_otp):
    article = make_article(title="Old page")
    Article.objects.filter(pk=article.pk).update(
        next_review_due=timezone.localdate() - timedelta(days=1)
    )

    html = admin_client_with_otp.get(CHANGELIST).content.decode()

    assert '<strong class="tag">Overdue</strong>' in html
    assert "icon-yes.svg" not in html and "icon-no.svg" not in html


def test_admin_home_tells_editors_how_many_reviews_are_due(admin_client_with_otp):
    for days in (-3, -1):
        article = make_article()
        Article.objects.filter(pk=article.pk).update(
            next_review_due=timezone.localdate() + timedelta(days=days)
        )
    soon = make_article()
    Article.objects.filter(pk=soon.pk).update(
        next_review_due=timezone.localdate() + timedelta(days=10)
    )

    html = admin_client_with_otp.get("/admin/").content.decode()

    assert "2 articles overdue for review" in html
    assert "1 article due for review in the next 30 days" in html


def test_front_desk_staff_do_not_see_the_review_summary():
    desk, _ = make_member(FRONT_DESK, "desk")

    html = logged_in(desk).get("/admin/").content.decode()

    assert "Clinical reviews" not in html


# --- Import -----------------------------------------------------------------------------


def write(directory: Path, name: str, front: str) -> None:
    (directory / name).write_text(
        f"---\ntitle: Page\nsummary: A page.\ntopic: treatment\n{front}---\nBody text.\n"
    )


def test_import_carries_a_sign_off_by_an_existing_reviewer(tmp_path):
    reviewer, _ = make_reviewer("drexample", display_name="Dr A. Example", credentials="MD")
    write(tmp_path, "page.md", "reviewed_by: drexample\nlast_reviewed: 2026-10-01\n")

    report = import_content(directory=tmp_path)

    assert report.count(Outcome.CREATED) == 1
    article = Article.objects.get(slug="page")
    assert article.reviewer == reviewer and article.reviewed_by == "Dr A. Example, MD"
    assert article.next_review_due == date(2027, 10, 1)
    assert article.is_reviewed


@pytest.mark.parametrize(
    ("front", "problem"),
    [
        ("reviewed_by: Dr. Nobody, MD\nlast_reviewed: 2026-10-01\n", "is not a user"),
        ("reviewed_by: editor\nlast_reviewed: 2026-10-01\n", "cannot sign off"),
        ("reviewed_by: drexample\n", "needs last_reviewed"),
        ("last_reviewed: 2026-10-01\n", "need reviewed_by"),
    ],
)
def test_import_names_the_problem_with_a_reviewer_who_cannot_sign_off(tmp_path, front, problem):
    make_reviewer("drexample")
    make_staff("editor", groups=[EDITOR])
    write(tmp_path, "page.md", front)

    report = import_content(directory=tmp_path)

    assert [result.outcome for result in report.results] == [Outcome.FAILED]
    assert problem in report.results[0].problem
    assert not Article.objects.exists()


# --- Weekly digest ---------------------------------------------------------------------------


def test_digest_lists_what_is_due_for_each_reviewer():
    today = date(2026, 6, 1)
    reviewer, _ = make_reviewer("drexample")
    other, _ = make_reviewer("drother")
    overdue = make_article(title="Overdue page")
    sign_off(article=overdue, reviewer=reviewer, today=date(2025, 5, 1))
    fresh = make_article(title="Fresh page")
    sign_off(article=fresh, reviewer=reviewer, today=date(2026, 5, 1))
    theirs = make_article(title="Someone else's page")
    sign_off(article=theirs, reviewer=other, today=date(2025, 5, 1))
    never = make_article(title="Never reviewed page")

    digest = digest_for(reviewer, today)
    body = digest_email(reviewer, digest).body

    assert digest.overdue == [overdue] and digest.never_reviewed == [never]
    assert digest.due_soon == [] and digest.changed == []
    assert "Overdue page (was due 1 May 2026)" in body
    assert "Never reviewed page" in body
    assert "Fresh page" not in body and "Someone else's page" not in body
    assert f"/admin/articles/article/{overdue.pk}/change/" in body


def test_digest_is_emailed_only_to_reviewers_with_something_due():
    reviewer, _ = make_reviewer("drexample")
    other, _ = make_reviewer("drother")
    sign_off(article=make_article(title="Overdue page"), reviewer=reviewer, today=date(2025, 1, 1))
    sign_off(article=make_article(title="Fresh page"), reviewer=other, today=date(2026, 5, 1))

    sent = send_review_digests(today=date(2026, 6, 1))

    # Every page has been signed off, so only the reviewer with an overdue page hears.
    assert sent == 1
    assert mail.outbox[0].to == ["drexample@clinic.example"]
    assert "Overdue page" in mail.outbox[0].body and "Fresh page" not in mail.outbox[0].body


def test_the_task_worker_sends_the_digest_once_a_week(mailoutbox):
    reviewer, _ = make_reviewer("drexample")
    sign_off(article=make_article(title="Overdue page"), reviewer=reviewer, today=date(2025, 1, 1))

    assert "articles.review_digest" in periodic.run_due()
    assert "articles.review_digest" not in periodic.run_due()  # not again this week

    assert [message.to for message in mailoutbox] == [["drexample@clinic.example"]]
    job = PeriodicJob.objects.get(name="articles.review_digest")
    assert job.next_run_at > timezone.now() + timedelta(days=6)


def test_the_first_digest_waits_until_a_reviewer_exists(mailoutbox):
    make_article(title="Never reviewed page")
    start = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)

    with time_machine.travel(start, tick=False):
        assert "articles.review_digest" in periodic.run_due()  # nobody to send to yet
    job = PeriodicJob.objects.get(name="articles.review_digest")
    assert job.next_run_at == start + timedelta(hours=1)  # not a week later

    reviewer, _ = make_reviewer("drnew")
    with time_machine.travel(start + timedelta(hours=1, minutes=1), tick=False):
        assert "articles.review_digest" in periodic.run_due()

    assert [message.to for message in mailoutbox] == [[reviewer.email]]
    assert "Never reviewed page" in mailoutbox[0].body


def test_send_review_digest_sends_it_now(mailoutbox):
    out = io.StringIO()
    call_command("send_review_digest", stdout=out)
    assert "No clinical reviewer can receive the digest yet" in out.getvalue()

    reviewer, _ = make_reviewer("drnow")
    make_article(title="Never reviewed page")
    out = io.StringIO()
    call_command("send_review_digest", stdout=out)

    assert "Sent 1 digest" in out.getvalue()
    assert [message.to for message in mailoutbox] == [[reviewer.email]]


def test_setup_roles_creates_the_clinical_reviewer_role():
    call_command("setup_roles", stdout=io.StringIO())

    from django.contrib.auth.models import Group

    group = Group.objects.get(name="Clinical reviewer")
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert "sign_off_article" in codenames and "change_article" not in codenames
    assert (
        not Permission.objects.get(codename="sign_off_article")
        .group_set.filter(name=EDITOR)
        .exists()
    )


def test_a_sign_off_is_in_the_admins_log_of_actions():
    from django.contrib.admin.models import LogEntry

    article = make_article()
    reviewer, _ = make_reviewer(display_name="Dr B. Example", credentials="MD")

    client = logged_in(reviewer)
    confirm = client.get(f"{CHANGELIST}{article.pk}/sign-off/").content.decode()
    client.post(f"{CHANGELIST}{article.pk}/sign-off/", {"token": token_in(confirm)})

    entry = LogEntry.objects.get()
    assert entry.user == reviewer and entry.object_id == str(article.pk)
    assert entry.get_change_message() == "Clinical sign-off by Dr B. Example, MD"


def test_a_sign_off_in_the_admin_is_not_an_edit_of_the_content_file(tmp_path):
    write(tmp_path, "page.md", "")
    import_content(directory=tmp_path)
    article = Article.objects.get(slug="page")
    reviewer, _ = make_reviewer()
    sign_off(article=article, reviewer=reviewer)

    (tmp_path / "page.md").write_text(
        "---\ntitle: Page\nsummary: A page.\ntopic: treatment\n---\nBetter body text.\n"
    )
    report = import_content(directory=tmp_path)

    article.refresh_from_db()
    assert report.count(Outcome.UPDATED) == 1  # not "kept" as an admin edit
    assert article.body == "Better body text.\n"
    assert article.reviewer == reviewer  # the sign-off stays, for the old text
    assert article.changed_since_review and not article.is_reviewed


def test_migration_keeps_imported_articles_matching_their_files(transactional_db):
    import hashlib
    import json

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("articles", "0001_initial")])
    old_apps = executor.loader.project_state([("articles", "0001_initial")]).apps
    OldArticle = old_apps.get_model("articles", "Article")
    values = {
        "title": "Page",
        "slug": "page",
        "summary": "A page.",
        "topic": "treatment",
        "order": 0,
        "body": "Body text.\n",
        "reviewed_by": "",
        "last_reviewed": None,
        "next_review_due": None,
    }
    old_print = hashlib.sha256(
        json.dumps({**values, "body": "Body text."}, sort_keys=True, default=str).encode()
    ).hexdigest()
    OldArticle.objects.create(**values, status="published", imported_fingerprint=old_print)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert not Article.objects.get(slug="page").edited_since_import


def test_a_superuser_is_not_a_clinical_reviewer():
    from clinic_site.accounts.models import StaffProfile

    admin, _ = make_staff("siteadmin", superuser=True)
    StaffProfile.objects.create(user=admin, display_name="Site Admin", credentials="IT")

    with pytest.raises(PermissionDenied, match="Only a clinical reviewer"):
        sign_off(article=make_article(), reviewer=admin)
