"""Small factories: each test says what it needs and gets sensible defaults for the rest."""

import itertools

from clinic_site.articles.models import Article, Status, Topic

_numbers = itertools.count(1)


def make_article(**overrides) -> Article:
    number = next(_numbers)
    values = {
        "title": f"Article {number}",
        "slug": f"article-{number}",
        "summary": f"Summary of article {number}.",
        "topic": Topic.TREATMENT,
        "body": "An introduction.\n\n## First section\n\nSome text.\n",
        "status": Status.PUBLISHED,
    }
    values.update(overrides)
    return Article.objects.create(**values)
