"""The addresses one app's pages link to in another's, for every template.

A feature's template never names another feature's URLs (tests/core/test_architecture.py):
the article's "contact the clinic" and the contact page's "read about the treatment"
come from here, where the site is composed."""

from django.urls import reverse
from django.utils.functional import SimpleLazyObject


def _links() -> dict[str, str]:
    return {
        "articles": reverse("articles:list"),
        "contact": reverse("intake:contact"),
        "privacy": reverse("sitewide:privacy"),
        "editorial_policy": reverse("sitewide:editorial_policy"),
    }


def site_links(request):
    # Lazy: most staff pages never print one, and reverse() depends on the page's language.
    return {"site_links": SimpleLazyObject(_links)}
