from django.conf import settings
from django.contrib.sitemaps import Sitemap

from .models import Article


class ArticleSitemap(Sitemap):
    """Every public article in either language, each listing its public translations
    (and itself) as hreflang alternates, as its page's <head> does."""

    changefreq = "monthly"

    def items(self):
        return Article.objects.published().only(
            "slug", "updated_at", "language", "translation_of_id"
        )

    def lastmod(self, article):
        return article.updated_at

    def get_urls(self, page=1, site=None, protocol=None):
        urls = super().get_urls(page=page, site=site, protocol=protocol)
        families: dict[int, dict[str, str]] = {}
        for url in urls:
            article = url["item"]
            family = article.translation_of_id or article.pk
            families.setdefault(family, {})[article.language] = url["location"]
        for url in urls:
            article = url["item"]
            pages = families[article.translation_of_id or article.pk]
            if len(pages) > 1:
                url["alternates"] = [
                    {"lang_code": code, "location": pages[code]}
                    for code, _name in settings.LANGUAGES
                    if code in pages
                ]
        return urls
