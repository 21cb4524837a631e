"""The article's way to readers: draft, submit, approve or request changes, publish.

Each transition is one keyword-only function here; the admin, the import and the tests
call them, and the admin only wires buttons to them. The words a reader sees next to
the text ("Reviewed by Dr X" or "Last updated") are never stored: ``Article.is_reviewed``
compares the fingerprint of the words X approved with the fingerprint of the live words,
so the label is true by construction. What this module adds is that an approval names
the text the reviewer had on screen (``Article.review_token``), and is refused when that
text changed while they were reading.
"""

import contextlib

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from clinic_site.core.staff_display import staff_datetime

from . import review
from .drafts import DRAFT_FIELDS
from .fingerprints import fingerprint
from .models import Article, Status
from .signoff import ReviewState, review_token, signed_print

PUBLISH_WITHOUT_REVIEW_PERMISSION = "articles.publish_without_review"
CHANGED_WHILE_READING = "This page changed while you were reading."
SAVED_BY_SOMEONE_ELSE = (
    "Someone else saved this article while you were editing it, so your changes were "
    "not saved. Their changes are shown below: copy what you need, reload the page, and "
    "make your changes again on top of theirs."
)


class TextChanged(Exception):
    """The text on the reviewer's screen is no longer the article's text."""

    def __init__(self, *, article: Article, seen):
        super().__init__(CHANGED_WHILE_READING)
        self.article = article  # as it is now
        self.seen = seen  # the history record the reviewer was reading, or None


class NeedsReview(PermissionDenied):
    """Publishing would replace words a clinical reviewer signed off."""


def may_publish_without_review(user) -> bool:
    return user.has_perm(PUBLISH_WITHOUT_REVIEW_PERMISSION)


def replaces_reviewed_text(article: Article, new_values: dict) -> bool:
    """Would publishing these signed-field values take "Reviewed by" off a live page?"""
    if not (article.is_public and article.is_reviewed):
        return False
    after = {**article.signed_values(), **new_values}
    return fingerprint(after) != article.reviewed_print()


def seen_version(article: Article, token: str):
    """The newest history record whose text had this review token (None if none)."""
    for record in article.history.order_by("-history_date", "-history_id")[:200]:
        if review_token(record) == token:
            return record
    return None


def last_reviewed_version(article: Article):
    """The newest history record holding the words last signed off (None if never)."""
    if not article.reviewed_fingerprint:
        return None
    for record in article.history.order_by("-history_date", "-history_id"):
        if signed_print(record) == article.reviewed_fingerprint:
            return record
    return None


def _locked(article: Article) -> Article:
    return Article.objects.select_for_update().get(pk=article.pk)


def _check_token(current: Article, token: str) -> None:
    if current.review_token() != token:
        raise TextChanged(article=current, seen=seen_version(current, token))


@contextlib.contextmanager
def _changing(article: Article):
    """The article's row, locked for one transition; once it is saved, the caller's
    instance is brought up to date with what was saved."""
    with transaction.atomic():
        current = _locked(article)
        yield current
    article.refresh_from_db()
    article._change_reason = getattr(current, "_change_reason", "")


def _save_version(article: Article, *, by, reason: str, fields=None) -> None:
    """Save the transition as one version in the history, saying in words what happened
    and who did it."""
    article._change_reason = reason
    if by is not None:
        article._history_user = by
    article.save(update_fields=fields)


def _require_reviewer(user, refusal: str) -> None:
    if not review.can_sign_off(user):
        raise PermissionDenied(review.why_cannot_sign_off(user) or refusal)


# --- Editors ---------------------------------------------------------------------------


def save_draft(*, article: Article, values: dict, user=None, publish_at=None) -> Article:
    """Keep changes to a live article as its draft; readers still see the live text."""
    with _changing(article) as current:
        current.draft = {name: values[name] for name in DRAFT_FIELDS if name in values}
        current.draft_publish_at = publish_at
        _save_version(
            current,
            by=user,
            reason=f"Saved as draft, scheduled to publish on {staff_datetime(publish_at)}"
            if publish_at
            else "Saved as draft (readers still see the published version)",
            fields=["draft", "draft_publish_at"],
        )
    return article


def submit_for_review(*, article: Article, user) -> Article:
    """Put the article's pending text (its draft, or an unpublished page) in the
    reviewers' queue."""
    with _changing(article) as current:
        if current.is_public and not current.has_draft and current.is_reviewed:
            raise ValueError("There are no changes to review: the page is already signed off.")
        current.review_state = ReviewState.SUBMITTED
        current.submitted_by = user
        current.submitted_at = timezone.now()
        current.review_comment = ""
        _save_version(current, by=user, reason=f"Submitted for clinical review by {_name(user)}")
    return article


def publish(*, article: Article, user, reason: str = "") -> Article:
    """Make ``article`` (an instance holding the new words) the live version now.

    Replacing words a reviewer signed off needs "Publish without clinical review"; then
    the page says "Last updated", the reviewers are emailed and the article goes to the
    top of their queue.
    """
    with transaction.atomic():
        live = Article.objects.select_for_update().filter(pk=article.pk).first()
        unreviewed = live is not None and replaces_reviewed_text(live, article.signed_values())
        if unreviewed and not may_publish_without_review(user):
            raise NeedsReview(
                "A clinical reviewer signed off this page. Press “Submit for clinical "
                "review”: your changes go live when a reviewer approves them."
            )
        article.draft = None
        article.draft_publish_at = None
        if unreviewed:
            article.review_state = ReviewState.PUBLISHED_UNREVIEWED
            article._change_reason = "Published without clinical review"
        else:
            if article.review_state != ReviewState.PUBLISHED_UNREVIEWED:
                # What was waiting for review has been replaced by what is live now.
                article.review_state = ReviewState.NONE
            if reason:
                article._change_reason = reason
        article._history_user = user
        article.save()
        if unreviewed:
            transaction.on_commit(lambda: notify_reviewers_of_unreviewed_change(article))
    return article


def take_translations_offline(*, article: Article, user) -> int:
    """Take an article's public translations offline with it (the editor chose so)."""
    taken = 0
    for translation in article.translations.published():
        translation.status = Status.DRAFT
        _save_version(
            translation,
            by=user,
            reason="Taken offline with its English original: readers see “page removed”",
        )
        taken += 1
    return taken


def restore(*, article: Article, version, user) -> Article:
    """Bring an old version's words back as a draft (submit or publish it as usual);
    an unpublished page takes them straight away, since nobody reads it."""
    values = {name: getattr(version, name) for name in DRAFT_FIELDS}
    when = staff_datetime(version.history_date)
    with _changing(article) as current:
        if current.is_public:
            current.draft = values
            current.draft_publish_at = None
            reason = f"Restored the version of {when} as a draft"
            fields = ["draft", "draft_publish_at"]
        else:
            for name, value in values.items():
                setattr(current, name, value)
            reason, fields = f"Restored the version of {when}", None
        _save_version(current, by=user, reason=reason, fields=fields)
    return article


# --- Clinical reviewers ------------------------------------------------------------------


def approve(*, article: Article, reviewer, token: str, today=None) -> Article:
    """ "Approve and publish": the pending words go live, signed off by this reviewer.

    ``token`` is ``review_token()`` of the text on the reviewer's screen; if the live
    or the pending text changed since, nothing happens and ``TextChanged`` says so.
    """
    _require_reviewer(reviewer, "Cannot sign off.")
    with _changing(article) as current:
        _check_token(current, token)
        current.apply_draft()
        if not current.is_public and not current.is_scheduled:
            current.status = Status.PUBLISHED
            current.published_at = None  # save() stamps now
        review.record_sign_off(article=current, reviewer=reviewer, today=today)
        current.review_state = ReviewState.NONE
        current.review_comment = ""
        reason = f"Approved by {current.reviewed_by} and published"
        _save_version(current, by=reviewer, reason=reason)
    return article


def sign_off(*, article: Article, reviewer, token: str | None = None, today=None) -> Article:
    """Sign off the live words as they are (no draft involved).

    ``token`` is the review token of the text the reviewer read; without one, the text
    of the ``article`` instance the caller holds is what they vouch for.
    """
    _require_reviewer(reviewer, "Cannot sign off.")
    token = token or article.review_token()
    with _changing(article) as current:
        _check_token(current, token)
        review.record_sign_off(article=current, reviewer=reviewer, today=today)
        if current.review_state == ReviewState.PUBLISHED_UNREVIEWED or not current.has_draft:
            current.review_state = ReviewState.NONE
        reason = f"Clinical sign-off by {current.reviewed_by}"
        _save_version(current, by=reviewer, reason=reason)
    return article


def request_changes(*, article: Article, reviewer, comment: str) -> Article:
    """Send the pending text back to the editors with a comment they see on the
    article (and that stays in its history)."""
    comment = (comment or "").strip()
    if not comment:
        raise ValueError("Say what needs to change: the editor sees your comment.")
    _require_reviewer(reviewer, "Cannot review.")
    with _changing(article) as current:
        current.review_state = ReviewState.CHANGES_REQUESTED
        current.review_comment = comment
        reason = f"Changes requested by {review.reviewer_name(reviewer)}: {comment}"
        _save_version(current, by=reviewer, reason=reason)
    return article


def review_queue():
    """What reviewers should read, most urgent first: reviewed pages changed without
    review, then text submitted for review (oldest first)."""
    waiting = Article.objects.filter(
        review_state__in=[ReviewState.PUBLISHED_UNREVIEWED, ReviewState.SUBMITTED]
    )
    return sorted(
        waiting,
        key=lambda article: (
            article.review_state != ReviewState.PUBLISHED_UNREVIEWED,
            article.submitted_at or article.updated_at,
        ),
    )


def notify_reviewers_of_unreviewed_change(article: Article) -> int:
    """Plain email with the title and a link: articles are public, nothing private."""
    link = settings.SITE_URL + reverse("admin:articles_article_review", args=[article.pk])
    body = (
        f"“{article.title}” was signed off by {article.reviewed_by}, and its text has "
        "just been changed and published without clinical review. The page now says "
        "“Last updated” instead of “Reviewed by”.\n\n"
        f"Please read the changes and sign the page off again: {link}\n"
    )
    sent = 0
    for reviewer in review.reviewers():
        if reviewer.email:
            EmailMessage(
                subject=f"Published without clinical review: {article.title}",
                body=body,
                to=[reviewer.email],
            ).send()
            sent += 1
    return sent


def _name(user) -> str:
    return review.reviewer_name(user) or user.get_full_name() or user.get_username()
