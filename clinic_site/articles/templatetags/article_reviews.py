"""The clinical-review summary on the admin home page."""

from django import template
from django.utils import timezone

from clinic_site.articles.models import Article
from clinic_site.articles.signoff import ReviewState

register = template.Library()


@register.simple_tag(takes_context=True)
def reviews_due(context) -> dict | None:
    """Counts of articles needing a clinical review, for staff who work on articles."""
    request = context.get("request")
    if request is None or not request.user.has_perm("articles.view_article"):
        return None
    today = timezone.localdate()
    articles = Article.objects.all()
    return {
        "waiting": articles.filter(
            review_state__in=[ReviewState.SUBMITTED, ReviewState.PUBLISHED_UNREVIEWED]
        ).count(),
        "overdue": articles.review_overdue(today).count(),
        "due_soon": articles.review_due_soon(today).count(),
        "changed": articles.filter(changed_since_review=True).count(),
        "not_reviewed": articles.filter(status="published", reviewer__isnull=True).count(),
    }
