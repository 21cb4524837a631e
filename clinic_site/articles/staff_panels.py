"""The articles' parts of the staff pages, registered with core.panels (imported by
clinic_site/sitewide at start-up, like admin.py): the clinical-review summary on the
staff home, and readers' answers per article on the dashboard
(templates/admin/articles/panels/)."""

from django.db.models import Count, Q
from django.utils import timezone

from clinic_site.core import panels

from .models import Article, ReviewState, Status


@panels.on_home("articles.view_article", order=20)
def reviews_due(request) -> dict:
    """Counts of articles needing a clinical review, for staff who work on articles."""
    today = timezone.localdate()
    articles = Article.objects.all()
    return {
        "reviews": {
            "waiting": articles.filter(
                review_state__in=[ReviewState.SUBMITTED, ReviewState.PUBLISHED_UNREVIEWED]
            ).count(),
            "overdue": articles.review_overdue(today).count(),
            "due_soon": articles.review_due_soon(today).count(),
            "changed": articles.filter(changed_since_review=True).count(),
            "not_reviewed": articles.filter(status=Status.PUBLISHED, reviewer__isnull=True).count(),
        }
    }


@panels.on_dashboard("articles.view_feedback", order=20)
def feedback(request) -> dict:
    return {"feedback": feedback_per_article()}


def feedback_per_article() -> list:
    """Each article with at least one answer: how many said yes and no."""
    return list(
        Article.objects.annotate(
            helpful_yes=Count("feedback", filter=Q(feedback__helpful=True)),
            helpful_no=Count("feedback", filter=Q(feedback__helpful=False)),
        )
        .filter(Q(helpful_yes__gt=0) | Q(helpful_no__gt=0))
        .order_by("title")
        .values("title", "helpful_yes", "helpful_no")
    )
