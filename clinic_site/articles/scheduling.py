"""Scheduled publishing, in one place: what is due, and publishing it.

Two things happen by the clock. A *scheduled article* (published, with a future
``published_at``) needs no write at all: it becomes visible at its time, and the page
cache only has to know when, so cached pages expire then (``next_article_goes_live``,
registered with ``pagecache.register_schedule``). *Scheduled changes* to a live article
(a draft with ``draft_publish_at``) must be written into the live columns: the task
worker runs ``publish_due_changes`` every minute (``periodic.register`` in apps.py), so
they go live within a minute of their time plus ``PAGE_CACHE_CHECK_SECONDS`` on every
process. No reader's request and no view triggers it.
"""

from datetime import datetime, timedelta

from django.db import models, transaction
from django.utils import timezone

from clinic_site.core import pagecache, periodic
from clinic_site.core.staff_display import staff_datetime

from .models import Article, Status
from .signoff import ReviewState
from .workflow import notify_reviewers_of_unreviewed_change, replaces_reviewed_text

JOB = "articles.publish_scheduled_changes"
EVERY = timedelta(minutes=1)


def next_article_goes_live() -> datetime | None:
    """When a scheduled article next becomes visible by itself (None if none is)."""
    return (
        Article.objects.filter(status=Status.PUBLISHED, published_at__gt=timezone.now())
        .aggregate(first=models.Min("published_at"))
        .get("first")
    )


def changes_due(now: datetime | None = None):
    """Live articles whose scheduled draft changes should be public by now."""
    return Article.objects.filter(draft__isnull=False, draft_publish_at__lte=now or timezone.now())


def publish_due_changes(now: datetime | None = None) -> int:
    """Publish every draft whose scheduled time has come; returns how many.

    Only someone who may publish without review can schedule changes to a signed-off
    page (admin.ArticleForm); if one goes live, it is treated like any change published
    without review.
    """
    now = now or timezone.now()
    return sum(_publish_if_still_due(pk, now) for pk in list(_due_pks(now)))


def _due_pks(now: datetime):
    return changes_due(now).values_list("pk", flat=True)


def _publish_if_still_due(pk: int, now: datetime) -> bool:
    with transaction.atomic():
        # Two workers may run the job at once: only the one that still finds the draft
        # under its row lock publishes it.
        article = changes_due(now).select_for_update().filter(pk=pk).first()
        if article is None:
            return False
        scheduled = article.draft_publish_at
        unreviewed = replaces_reviewed_text(article, article.signed_values(pending=True))
        article.apply_draft()
        article._change_reason = f"Published the changes scheduled for {staff_datetime(scheduled)}"
        if unreviewed:
            article.review_state = ReviewState.PUBLISHED_UNREVIEWED
            article._change_reason += ", without clinical review"
            transaction.on_commit(lambda: notify_reviewers_of_unreviewed_change(article))
        article.save()
    return True


def register() -> None:
    """Called once from ArticlesConfig.ready()."""
    pagecache.register_schedule("articles.scheduled_articles", next_article_goes_live)
    periodic.register(JOB, every=EVERY, job=publish_due_changes)
