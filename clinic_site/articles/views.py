from django.conf import settings
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from clinic_site.core import ratelimit
from clinic_site.core.languages import current_language
from clinic_site.core.net import client_ip
from clinic_site.core.pagecache import cache_public_page
from clinic_site.readership.counting import record_unanswered_search

from . import structured_data
from .feedback import FeedbackForm
from .models import EDIT_PERMISSION, Article, PublishedSlug
from .search import clean_query, search_articles


@cache_public_page
def home(request):
    return render(
        request,
        "articles/home.html",
        {
            "topics": Article.objects.published().in_language().by_topic(),
            "structured_data": structured_data.medical_clinic(request=request),
        },
    )


@cache_public_page
def article_list(request):
    return render(
        request,
        "articles/article_list.html",
        {"topic_groups": Article.objects.published().in_language().by_topic()},
    )


@cache_public_page
def article_detail(request, slug):
    # Staff who edit articles preview drafts and scheduled pages at the same address.
    article = Article.objects.visible_to(request.user).filter(slug=slug).first()
    if article is None:
        return _moved_or_gone(request, slug)
    if article.language != current_language():
        # /articles/<a Spanish slug>/ or the reverse: the page lives under its own prefix.
        return HttpResponsePermanentRedirect(article.get_absolute_url())
    related = article.related()
    response = render(
        request,
        "articles/article_detail.html",
        {
            "article": article,
            "related": related,
            "is_preview": not article.is_public,
            "feedback_form": FeedbackForm(),
            "structured_data": structured_data.medical_web_page(article=article, request=request),
            **language_links(article),
        },
    )
    if not article.is_public:
        # A staff preview of words not yet public: no browser or proxy may keep it.
        add_never_cache_headers(response)
    return response


def language_links(article: Article) -> dict:
    """The page in each language for <head>'s hreflang list and the language link.

    An article not translated (or not yet public) in the other language links to that
    language's article list instead, and is not listed as an alternate.
    """
    pages = article.public_counterparts() if article.is_public else {}
    alternates = {language: page.get_absolute_url() for language, page in pages.items()}
    links = {}
    for language, _name in settings.LANGUAGES:
        if language in alternates:
            links[language] = alternates[language]
        else:
            with translation.override(language):
                links[language] = reverse("articles:list")
    return {"hreflang_alternates": alternates, "language_urls": links}


def _moved_or_gone(request, slug):
    """An address that was once published: 301 to where it lives now, or 410 Gone."""
    old = PublishedSlug.objects.filter(slug=slug).select_related("article").first()
    if old is None:
        raise Http404
    if old.article is not None and old.article.is_public and old.article.slug != slug:
        return HttpResponsePermanentRedirect(old.article.get_absolute_url())
    return render(request, "articles/article_gone.html", status=410)


@never_cache
def article_revision(request, slug, history_id):
    """Staff preview of one saved version, exactly as the public page would show it."""
    if not request.user.has_perm(EDIT_PERMISSION):
        raise Http404
    article = get_object_or_404(Article, slug=slug)
    version = get_object_or_404(article.history.model, history_id=history_id, id=article.pk)
    snapshot = version.instance  # an unsaved Article with that version's fields
    snapshot.pk = article.pk
    snapshot.updated_at = version.history_date
    snapshot.render_derived_fields()
    return render(
        request,
        "articles/article_detail.html",
        {"article": snapshot, "related": [], "is_preview": True, "revision": version},
    )


@never_cache
def article_draft(request, slug):
    """Staff preview of a live article's unpublished changes, at their private address."""
    if not request.user.has_perm("articles.view_article"):
        raise Http404
    article = get_object_or_404(Article, slug=slug, draft__isnull=False)
    return render(
        request,
        "articles/article_detail.html",
        {"article": article.with_draft(), "related": [], "is_preview": True, "is_draft": True},
    )


def search(request):
    query = clean_query(request.GET.get("q", ""))
    results = search_articles(query, language=current_language()) if query else []
    if query and not results:
        # Which questions the site does not answer: the words only (readership/searches.py).
        record_unanswered_search(request, request.GET.get("q", ""))
    response = render(
        request,
        "articles/search.html",
        {"query": query, "results": results, "searched": "q" in request.GET},
    )
    # What someone searched for on a health site is nobody else's business.
    response["Cache-Control"] = "no-store"
    return response


# No CSRF token: the answer is anonymous, changes nothing that belongs to anyone, and
# is rate limited; a token would make every article page uncacheable.
@csrf_exempt
@require_POST
def feedback(request, slug):
    article = get_object_or_404(Article.objects.published(), slug=slug)
    if not ratelimit.hit(
        "feedback",
        client_ip(request),
        limit=settings.FEEDBACK_RATE_LIMIT,
        window=settings.FEEDBACK_RATE_WINDOW_SECONDS,
    ):
        return render(
            request,
            "articles/feedback_thanks.html",
            {"article": article, "rate_limited": True},
            status=429,
        )
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "articles/feedback_form_page.html",
            {"article": article, "feedback_form": form},
            status=400,
        )
    form.instance.article = article
    form.save()
    return redirect("articles:feedback_thanks", slug=article.slug)


def feedback_thanks(request, slug):
    article = get_object_or_404(Article.objects.published(), slug=slug)
    return render(request, "articles/feedback_thanks.html", {"article": article})
