"""Readership figures: counts per day, never a row per visit.

Nothing here can be traced to a reader: no address, no browser, no cookie, no session,
not even a hash of any of them. A page view is one more in the count for its day, its
address (path only, never the query string), its language and, when the visit came
from another site, that site's domain. Rows are added to by flushes from every process
(counting.py) with atomic increments, so counts from every worker and host add up.
"""

from datetime import timedelta

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

PATH_MAX_LENGTH = 200
DOMAIN_MAX_LENGTH = 100
TERM_MAX_LENGTH = 100
# Searches that found nothing are kept this long at most (the privacy notice says so).
SEARCH_KEEP_DAYS = 90


class CountQuerySet(models.QuerySet):
    def add(self, count: int, **key) -> None:
        """Add ``count`` to the row for ``key``, creating it if needed; safe when several
        processes add to the same row at once (the database does the addition)."""
        if self.filter(**key).update(count=F("count") + count):
            return
        try:
            with transaction.atomic():
                self.create(**key, count=count)
        except IntegrityError:
            # Another process created the row between our update and our insert.
            self.filter(**key).update(count=F("count") + count)

    def older_than(self, days: int, *, today=None):
        """Rows for days ``days`` or more days ago: kept ``days`` days, today included."""
        return self.filter(day__lte=(today or timezone.localdate()) - timedelta(days=days))


class DailyCount(models.Model):
    """A count for one day and what the subclass counts it by; rows are only ever added to
    (``objects.add``), by every process at once."""

    day = models.DateField(db_index=True)

    objects = CountQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.counted()} on {self.day}: {self.count}"


class PageViews(DailyCount):
    """Views of one page, in one language, on one day, from one referring site."""

    path = models.CharField(max_length=PATH_MAX_LENGTH)
    language = models.CharField(max_length=2)
    referrer = models.CharField(
        "referring site",
        max_length=DOMAIN_MAX_LENGTH,
        blank=True,
        help_text="The other site's domain only; empty when the reader came from nowhere "
        "or from this site.",
    )
    count = models.PositiveBigIntegerField("views", default=0)

    class Meta:
        verbose_name = "page views"
        verbose_name_plural = "page views"
        ordering = ["-day", "path"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "path", "language", "referrer"], name="one_page_views_row"
            )
        ]

    def counted(self) -> str:
        return self.path


class ExcludedHits(DailyCount):
    """Requests for pages that were not counted as views, per day and kind."""

    class Kind(models.TextChoices):
        ROBOT = "robot", "Search engine robots and other programs"
        PREVIEW = "preview", "Link previews and prefetches"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    count = models.PositiveBigIntegerField("requests", default=0)

    class Meta:
        verbose_name = "requests not counted"
        verbose_name_plural = "requests not counted"
        ordering = ["-day", "kind"]
        constraints = [models.UniqueConstraint(fields=["day", "kind"], name="one_excluded_row")]

    def counted(self) -> str:
        return self.get_kind_display()


class UnansweredSearch(DailyCount):
    """A search that found nothing: the cleaned term (searches.clean_term), per day."""

    language = models.CharField(max_length=2)
    term = models.CharField(max_length=TERM_MAX_LENGTH)
    count = models.PositiveBigIntegerField("searches", default=0)

    class Meta:
        verbose_name = "search that found nothing"
        verbose_name_plural = "searches that found nothing"
        ordering = ["-day", "term"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "language", "term"], name="one_unanswered_search_row"
            )
        ]

    def counted(self) -> str:
        return f"“{self.term}”"
