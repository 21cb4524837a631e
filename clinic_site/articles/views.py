from django.shortcuts import get_object_or_404, render

from .models import Article, Topic


def article_list(request):
    articles = list(Article.objects.published().only("title", "slug", "summary", "topic"))
    groups = [
        (label, [article for article in articles if article.topic == value])
        for value, label in Topic.choices
    ]
    return render(
        request,
        "articles/article_list.html",
        {"topic_groups": [(label, items) for label, items in groups if items]},
    )


def article_detail(request, slug):
    # Staff who edit articles preview drafts and scheduled pages at the same address.
    article = get_object_or_404(Article.objects.visible_to(request.user), slug=slug)
    related = (
        Article.objects.published()
        .filter(topic=article.topic)
        .exclude(pk=article.pk)
        .only("title", "slug", "summary")[:3]
    )
    return render(
        request,
        "articles/article_detail.html",
        {"article": article, "related": related, "is_preview": not article.is_public},
    )
