"""How long figures are kept: READERSHIP_KEEP_DAYS (default 730) for page views and
requests not counted, SEARCH_KEEP_DAYS (90) for searches that found nothing. Run daily
by the task worker (apps.py); the privacy notice states both."""

from django.conf import settings
from django.utils import timezone

from .models import SEARCH_KEEP_DAYS, ExcludedHits, PageViews, UnansweredSearch


def purge_old_figures(*, today=None) -> int:
    """Delete the rows past their keeping time; how many."""
    today = today or timezone.localdate()
    keep = settings.READERSHIP_KEEP_DAYS
    deleted = PageViews.objects.older_than(keep, today=today).delete()[0]
    deleted += ExcludedHits.objects.older_than(keep, today=today).delete()[0]
    deleted += UnansweredSearch.objects.older_than(SEARCH_KEEP_DAYS, today=today).delete()[0]
    return deleted
