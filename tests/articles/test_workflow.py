"""Clinical review that means what it says: sign-off bound to the words, review before
publish, no lost edits (clinic_site/articles/workflow.py and its admin screens)."""

import random
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from clinic_site.accounts.roles import EDITOR, ROLE_PERMISSIONS
from clinic_site.articles import scheduling, workflow
from clinic_site.articles.models import (
    DRAFT_FIELDS,
    SIGNED_FIELDS,
    Article,
    ReviewState,
    fingerprint,
)
from tests.articles.test_admin import date_and_time, form_data
from tests.factories import make_article, make_member, make_reviewer, make_staff
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/articles/article/"
ALCOHOL = "It is safe to combine ketamine with alcohol."


def token_in(page: str) -> str:
    return re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)


def edit_token_in(page: str) -> str:
    return re.search(r'name="edit_token" value="([0-9a-f]+)"', page).group(1)


def public_page(article) -> str:
    return Client().get(article.get_absolute_url()).content.decode()


def editor():
    return make_member(EDITOR, "editor")[0]


def manager():
    user, _ = make_staff("manager")
    user.user_permissions.add(
        Permission.objects.get(codename="change_article"),
        Permission.objects.get(codename="view_article"),
        Permission.objects.get(codename="publish_without_review"),
    )
    return user


def reviewed_article(reviewer, **values):
    article = make_article(body="Ketamine can cause short-lived dizziness.\n", **values)
    workflow.sign_off(article=article, reviewer=reviewer)
    return article


# --- The sign-off names the words on screen ----------------------------------------------


def test_a_sign_off_of_text_that_changed_while_the_reviewer_read_is_refused_and_shown():
    reviewer, _ = make_reviewer(display_name="Dr R. Example", credentials="MD, psychiatrist")
    article = make_article(body="Do not drink alcohol on the day of treatment.\n")
    reviewer_client = logged_in(reviewer)
    confirm = reviewer_client.get(f"{CHANGELIST}{article.pk}/sign-off/").content.decode()

    # While the reviewer reads, an editor publishes a dangerous sentence.
    admin = make_staff("boss", superuser=True)[0]
    live = Article.objects.get(pk=article.pk)
    live.body = ALCOHOL + "\n"
    workflow.publish(article=live, user=admin)

    response = reviewer_client.post(
        f"{CHANGELIST}{article.pk}/sign-off/", {"token": token_in(confirm)}
    )

    html = response.content.decode()
    assert response.status_code == 409
    assert "This page changed while you were reading" in html
    assert "[added: </span>" in html and "alcohol." in html
    assert "Reviewed by" not in public_page(article)
    article.refresh_from_db()
    assert article.reviewer is None and not article.is_reviewed
    # The refusal shows the new text with a new token: signing it now is a real reading.
    again = reviewer_client.post(f"{CHANGELIST}{article.pk}/sign-off/", {"token": token_in(html)})
    assert again.status_code == 302
    assert "Reviewed by Dr R. Example, MD, psychiatrist" in public_page(article)


def test_a_sign_off_form_without_the_texts_identity_signs_nothing():
    reviewer, _ = make_reviewer()
    article = make_article()

    response = logged_in(reviewer).post(f"{CHANGELIST}{article.pk}/sign-off/")

    assert response.status_code == 409
    assert not Article.objects.get(pk=article.pk).is_reviewed


def test_signing_off_a_stale_copy_of_the_article_is_refused():
    reviewer, _ = make_reviewer()
    article = make_article(body="First words.\n")
    stale = Article.objects.get(pk=article.pk)
    article.body = "Other words.\n"
    article.save()

    with pytest.raises(workflow.TextChanged):
        workflow.sign_off(article=stale, reviewer=reviewer)

    assert not Article.objects.get(pk=article.pk).is_reviewed


def test_approving_a_draft_that_changed_since_the_reviewer_opened_it_is_refused():
    reviewer, _ = make_reviewer()
    article = reviewed_article(reviewer)
    values = {name: getattr(article, name) for name in DRAFT_FIELDS}
    workflow.save_draft(article=article, values={**values, "body": "Careful words.\n"})
    token = Article.objects.get(pk=article.pk).review_token()
    workflow.save_draft(article=article, values={**values, "body": ALCOHOL + "\n"})

    with pytest.raises(workflow.TextChanged) as refused:
        workflow.approve(article=article, reviewer=reviewer, token=token)

    assert refused.value.seen is not None and "Careful words." in refused.value.seen.draft["body"]
    article.refresh_from_db()
    assert "Ketamine can cause" in article.body and article.has_draft


def test_the_signed_fields_are_the_words_readers_see():
    # key_facts joins this list when the model has the field (see models.SIGNED_FIELDS).
    assert {"title", "summary", "body", "sources"} <= set(SIGNED_FIELDS)
    assert not {"order", "topic", "slug", "status"} & set(SIGNED_FIELDS)


# --- Review before publish ---------------------------------------------------------------


def test_an_editors_change_to_a_reviewed_page_reaches_readers_only_once_approved():
    reviewer, _ = make_reviewer(display_name="Dr R. Example", credentials="MD")
    article = reviewed_article(reviewer)
    editor_client = logged_in(editor())
    url = f"{CHANGELIST}{article.pk}/change/"

    page = editor_client.get(url).content.decode()
    assert "Submit for clinical review" in page and 'value="Publish changes"' not in page
    refused = editor_client.post(url, form_data(article, body="Rewritten.\n", _save="1"))
    assert refused.status_code == 200 and "cannot be published straight away" in (
        refused.content.decode()
    )
    submitted = editor_client.post(
        url,
        form_data(
            article, body="Ketamine can cause **dizziness** for an hour.\n", _submit_review="1"
        ),
    )
    assert submitted.status_code == 302

    article.refresh_from_db()
    assert article.review_state == ReviewState.SUBMITTED
    assert article in workflow.review_queue()
    assert "Reviewed by Dr R. Example, MD" in public_page(article)
    assert "for an hour" not in public_page(article)

    reviewer_client = logged_in(reviewer)
    screen = reviewer_client.get(f"{CHANGELIST}{article.pk}/review/").content.decode()
    # Rendered words, not Markdown: no asterisks; the diff marks words.
    assert "[added: </span>" in screen and "for an hour" in screen
    assert "**dizziness**" not in screen
    approved = reviewer_client.post(
        f"{CHANGELIST}{article.pk}/review/", {"token": token_in(screen), "_approve": "1"}
    )

    assert approved.status_code == 302
    told = reviewer_client.get(approved["Location"]).content.decode()
    assert "Approved and published: the page says “Reviewed by Dr R. Example, MD”." in told
    html = public_page(article)
    assert "for an hour" in html and "Reviewed by Dr R. Example, MD" in html
    article.refresh_from_db()
    assert article.review_state == ReviewState.NONE and not article.has_draft
    assert article.history.latest().history_change_reason == (
        "Approved by Dr R. Example, MD and published"
    )


def test_request_changes_shows_the_comment_to_the_editor_and_keeps_it_in_history():
    reviewer, _ = make_reviewer(display_name="Dr R. Example", credentials="MD")
    article = make_article(status="draft", body="Ketamine cures depression.\n")
    the_editor = editor()
    workflow.submit_for_review(article=article, user=the_editor)
    reviewer_client = logged_in(reviewer)
    screen = reviewer_client.get(f"{CHANGELIST}{article.pk}/review/").content.decode()
    assert "Words the clinic avoids: <strong>cure" in screen or "cures" in screen

    empty = reviewer_client.post(f"{CHANGELIST}{article.pk}/review/", {"_request_changes": "1"})
    assert empty.status_code == 400 and "Say what needs to change" in empty.content.decode()
    reviewer_client.post(
        f"{CHANGELIST}{article.pk}/review/",
        {"_request_changes": "1", "comment": "Say it helps some people, not that it cures."},
    )

    page = logged_in(the_editor).get(f"{CHANGELIST}{article.pk}/change/").content.decode()
    assert "Changes requested" in page
    assert "Say it helps some people, not that it cures." in page
    reasons = list(article.history.values_list("history_change_reason", flat=True))
    assert (
        "Changes requested by Dr R. Example, MD: Say it helps some people, not that it "
        "cures." in reasons
    )
    assert Client().get(article.get_absolute_url()).status_code in (404, 410)


def test_approving_an_unpublished_page_publishes_it_with_the_reviewers_name():
    reviewer, _ = make_reviewer(display_name="Dr R. Example", credentials="MD")
    article = make_article(status="draft")
    workflow.submit_for_review(article=article, user=editor())

    workflow.approve(article=article, reviewer=reviewer, token=article.review_token())

    assert article.is_public
    assert "Reviewed by Dr R. Example, MD" in public_page(article)


def test_an_editor_cannot_approve():
    article = make_article(status="draft")
    with pytest.raises(PermissionDenied):
        workflow.approve(article=article, reviewer=editor(), token=article.review_token())


# --- Urgent corrections ------------------------------------------------------------------


def test_the_editor_role_cannot_publish_without_clinical_review():
    assert "articles.publish_without_review" not in ROLE_PERMISSIONS[EDITOR]
    reviewer, _ = make_reviewer()
    article = reviewed_article(reviewer)
    article.body = ALCOHOL + "\n"

    with pytest.raises(workflow.NeedsReview):
        workflow.publish(article=article, user=editor())

    assert "alcohol" not in Article.objects.get(pk=article.pk).body


def test_publishing_without_review_warns_first_then_says_last_updated_and_emails_reviewers(
    django_capture_on_commit_callbacks,
):
    reviewer, _ = make_reviewer(display_name="Dr R. Example", credentials="MD")
    article = reviewed_article(reviewer, title="Side effects")
    other = make_article(status="draft")
    workflow.submit_for_review(article=other, user=editor())
    client = logged_in(manager())
    url = f"{CHANGELIST}{article.pk}/change/"

    page = client.get(url).content.decode()
    assert 'value="Publish without clinical review"' in page
    assert "its “Reviewed by” line disappears" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, form_data(article, body="Corrected dose.\n", _save="1"))

    assert response.status_code == 302
    html = public_page(article)
    assert "Corrected dose." in html and "Reviewed by" not in html and "Last updated" in html
    article.refresh_from_db()
    assert article.review_state == ReviewState.PUBLISHED_UNREVIEWED
    assert workflow.review_queue()[0] == article  # before what was merely submitted
    assert [message.to for message in mail.outbox] == [[reviewer.email]]
    assert mail.outbox[0].subject == "Published without clinical review: Side effects"
    assert "Last updated" in mail.outbox[0].body


# --- No lost edits -----------------------------------------------------------------------


def test_a_save_on_top_of_someone_elses_newer_save_is_refused_with_their_changes():
    article = make_article(body="Original words.\n", status="draft")
    first = logged_in(make_staff("first", superuser=True)[0])
    second = logged_in(make_staff("second", superuser=True)[0])
    url = f"{CHANGELIST}{article.pk}/change/"
    first_token = edit_token_in(first.get(url).content.decode())
    second_token = edit_token_in(second.get(url).content.decode())

    saved = first.post(
        url, form_data(article, body="First editor's words.\n", edit_token=first_token)
    )
    refused = second.post(
        url, form_data(article, body="Second editor's words.\n", edit_token=second_token)
    )

    assert saved.status_code == 302
    html = refused.content.decode()
    assert refused.status_code == 200
    assert "Someone else saved this article while you were editing it" in html
    assert "What the other person changed" in html and "First" in html
    assert Article.objects.get(pk=article.pk).body == "First editor's words.\n"


# --- Checks on the draft -----------------------------------------------------------------


def test_writing_checks_read_the_draft_not_the_live_text(admin_client_with_otp):
    article = make_article(body="Calm and careful words about the treatment.\n")
    values = {name: getattr(article, name) for name in DRAFT_FIELDS}
    workflow.save_draft(
        article=article, values={**values, "body": "A guaranteed cure with instant results.\n"}
    )

    page = admin_client_with_otp.get(f"{CHANGELIST}{article.pk}/change/").content.decode()

    assert "Words the clinic avoids: <strong>" in page
    assert "guaranteed" in page.split("Words the clinic avoids:")[1][:200]


# --- The invariant -----------------------------------------------------------------------

SENTENCES = [
    "Ketamine can cause short-lived dizziness.",
    ALCOHOL,
    "Most people feel back to normal within two hours.",
    "Tell us about every medicine you take.",
]


@pytest.mark.parametrize("seed", range(12))
def test_the_public_page_says_reviewed_by_x_only_above_words_x_approved(seed):
    """Random interleavings of editors and reviewers, with reviewers often confirming
    a screen they opened several steps earlier."""
    rng = random.Random(seed)
    reviewers = [
        make_reviewer(f"reviewer{n}", display_name=f"Dr {name} Example", credentials="MD")[0]
        for n, name in enumerate(["Ana", "Ben"])
    ]
    names = {user.pk: f"{user.staff_profile.display_name}, MD" for user in reviewers}
    the_editor, the_manager = editor(), manager()
    article = make_article(body=SENTENCES[0] + "\n")
    approvals: set[tuple[str, str]] = set()  # (name on the page, fingerprint of the words)
    screens: list[tuple[str, dict, dict]] = []  # what reviewers opened: token, live, pending

    def words(values: dict) -> str:
        return fingerprint({name: values[name] for name in SIGNED_FIELDS})

    for _step in range(30):
        current = Article.objects.get(pk=article.pk)
        action = rng.choice(
            ["draft", "draft", "publish", "urgent", "submit", "open", "approve", "sign", "restore"]
        )
        new_body = " ".join(rng.sample(SENTENCES, rng.randint(1, 3))) + "\n"
        try:
            if action == "draft" and current.is_public:
                values = {name: getattr(current, name) for name in DRAFT_FIELDS}
                workflow.save_draft(
                    article=current, values={**values, "body": new_body}, user=the_editor
                )
            elif action in ("publish", "urgent"):
                current.body = new_body
                user = the_editor if action == "publish" else the_manager
                workflow.publish(article=current, user=user)
            elif action == "submit":
                workflow.submit_for_review(article=current, user=the_editor)
            elif action == "open":
                screens.append(
                    (
                        current.review_token(),
                        current.signed_values(),
                        current.signed_values(pending=True),
                    )
                )
            elif action in ("approve", "sign") and screens:
                token, live, pending = rng.choice(screens)
                reviewer = rng.choice(reviewers)
                if action == "approve":
                    workflow.approve(article=current, reviewer=reviewer, token=token)
                    approvals.add((names[reviewer.pk], words(pending)))
                else:
                    workflow.sign_off(article=current, reviewer=reviewer, token=token)
                    approvals.add((names[reviewer.pk], words(live)))
            elif action == "restore":
                version = rng.choice(list(current.history.all()))
                workflow.restore(article=current, version=version, user=the_editor)
        except (workflow.TextChanged, workflow.NeedsReview, ValueError):
            pass  # refused: nothing changed, which the check below also holds to

        live = Article.objects.get(pk=article.pk)
        html = public_page(live)
        shown = re.search(r"Reviewed by (Dr \w+ Example, MD) on", html)
        if shown:
            assert (shown.group(1), words(live.signed_values())) in approvals, (seed, _step)
            assert live.body_html in html


# --- Who is editing ----------------------------------------------------------------------


def on_2_december(hour: int, minute: int):
    """The clock fixed at that local time of day."""
    when = datetime(2026, 12, 2, hour, minute, tzinfo=ZoneInfo(django_settings.TIME_ZONE))
    return time_machine.travel(when, tick=False)


def opens(browser: Client, url: str, *, at: tuple[int, int]) -> str:
    with on_2_december(*at):
        return browser.get(url).content.decode()


def two_editors_on_a_draft():
    """A draft, the browsers of Alex Editor and of "second", and the draft's edit page."""
    article = make_article(status="draft")
    alex = make_staff("first", superuser=True)[0]
    alex.first_name, alex.last_name = "Alex", "Editor"
    alex.save()
    second = make_staff("second", superuser=True)[0]
    return article, logged_in(alex), logged_in(second), f"{CHANGELIST}{article.pk}/change/"


def test_an_article_open_in_someone_elses_editor_says_who_and_since_when():
    article, first, second, url = two_editors_on_a_draft()

    opens(first, url, at=(10, 42))
    page = opens(second, url, at=(11, 5))
    own = opens(first, url, at=(11, 5))
    assert "Being edited by Alex Editor since 10:42" in page
    assert "Being edited by Alex Editor" not in own  # not about yourself
    assert "Being edited by second since 11:05" in own

    with on_2_december(11, 6):
        first.post(url, form_data(article, body="Saved.\n"))
        page = second.get(url).content.decode()
    assert "Being edited by Alex Editor" not in page


def test_an_editor_who_left_long_ago_is_no_longer_shown():
    _article, first, second, url = two_editors_on_a_draft()

    opens(first, url, at=(9, 0))

    assert "Being edited by" not in opens(second, url, at=(9, 31))


# --- Private means private ---------------------------------------------------------------


def test_staff_previews_of_unpublished_words_are_never_stored(admin_client_with_otp):
    unpublished = make_article(status="draft")
    live = make_article()
    values = {name: getattr(live, name) for name in DRAFT_FIELDS}
    workflow.save_draft(article=live, values={**values, "body": "Not yet public.\n"})

    preview = admin_client_with_otp.get(unpublished.get_absolute_url())
    draft = admin_client_with_otp.get(f"/articles/{live.slug}/draft/")
    public = Client().get(live.get_absolute_url())

    assert preview.status_code == 200 and "no-store" in preview["Cache-Control"]
    assert draft.status_code == 200 and "no-store" in draft["Cache-Control"]
    assert "no-store" not in public.get("Cache-Control", "")


# --- Scheduled changes -----------------------------------------------------------------


def test_an_editor_cannot_schedule_changes_to_a_reviewed_page():
    reviewer, _ = make_reviewer()
    article = reviewed_article(reviewer)
    url = f"{CHANGELIST}{article.pk}/change/"
    tomorrow = timezone.localtime() + timezone.timedelta(days=1)

    response = logged_in(editor()).post(
        url,
        form_data(
            article,
            body=ALCOHOL + "\n",
            _save_draft="1",
            **date_and_time("changes_publish_at", tomorrow),
        ),
    )

    assert response.status_code == 200
    assert "changes to its words cannot be scheduled" in response.content.decode()
    assert not Article.objects.get(pk=article.pk).has_draft


def test_scheduled_changes_to_a_reviewed_page_go_live_as_unreviewed(
    django_capture_on_commit_callbacks,
):
    reviewer, _ = make_reviewer()
    article = reviewed_article(reviewer, title="Side effects")
    values = {name: getattr(article, name) for name in DRAFT_FIELDS}
    soon = timezone.now() + timezone.timedelta(minutes=5)
    workflow.save_draft(
        article=article, values={**values, "body": "Corrected.\n"}, user=manager(), publish_at=soon
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert scheduling.publish_due_changes(now=soon + timezone.timedelta(seconds=1)) == 1

    article.refresh_from_db()
    assert article.body == "Corrected.\n" and not article.is_reviewed
    assert article.review_state == ReviewState.PUBLISHED_UNREVIEWED
    assert mail.outbox[0].subject == "Published without clinical review: Side effects"


# --- Taking an English page offline ------------------------------------------------------


@pytest.mark.parametrize(("choice", "spanish_stays"), [("keep", True), ("offline", False)])
def test_taking_an_english_page_offline_asks_about_its_translation(
    admin_client_with_otp, choice, spanish_stays
):
    original = make_article(title="How long does relief last?", slug="how-relief-lasts")
    spanish = make_article(
        title="¿Cuánto dura el alivio?",
        slug="cuanto-dura-el-alivio",
        language="es",
        translation_of=original,
    )
    url = f"{CHANGELIST}{original.pk}/change/"
    offline = form_data(original, status="draft", confirm_take_offline="on")

    asked = admin_client_with_otp.post(url, offline)
    answered = admin_client_with_otp.post(url, {**offline, "translations_when_offline": choice})

    assert "This page has a translation online" in asked.content.decode()
    assert answered.status_code == 302
    assert not Article.objects.get(pk=original.pk).is_public
    assert Article.objects.get(pk=spanish.pk).is_public is spanish_stays


def test_the_admin_home_links_to_what_is_waiting_for_review():
    reviewer, _ = make_reviewer()
    article = make_article(status="draft", title="A new page")
    workflow.submit_for_review(article=article, user=editor())

    home = logged_in(reviewer).get("/admin/").content.decode()
    queue = logged_in(reviewer).get(f"{CHANGELIST}review-queue/").content.decode()

    assert "1 article waiting for clinical review" in home
    assert "A new page" in queue and "Waiting for clinical review" in queue


def test_a_reviewer_reading_an_article_is_not_shown_as_editing_it():
    reviewer, _ = make_reviewer(display_name="Dr R. Example")
    article = make_article(status="draft")
    url = f"{CHANGELIST}{article.pk}/change/"

    logged_in(reviewer).get(url)
    page = logged_in(editor()).get(url).content.decode()

    assert "Being edited by" not in page


def test_a_long_review_comment_is_kept_whole_in_the_history():
    reviewer, _ = make_reviewer(display_name="Dr R. Example", credentials="MD")
    article = make_article(status="draft")
    comment = "Please cite the 2023 guideline for every dose you give. " * 6

    workflow.request_changes(article=article, reviewer=reviewer, comment=comment)

    reason = article.history.latest().history_change_reason
    assert reason == f"Changes requested by Dr R. Example, MD: {comment.strip()}"
