from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Article


class ArticleSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Article.objects.published().only("slug", "updated_at")

    def lastmod(self, article):
        return article.updated_at


class PageSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return ["home", "articles:list", "intake:contact", "core:privacy", "core:editorial_policy"]

    def location(self, name):
        return reverse(name)
