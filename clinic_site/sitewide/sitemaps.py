"""The sitemap: the site's own pages (here) and every public article (articles'
ArticleSitemap), composed into one /sitemap.xml."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from clinic_site.articles.sitemaps import ArticleSitemap


class PageSitemap(Sitemap):
    """The pages that exist at the same address in both languages (/contact/,
    /es/contact/), each with both as alternates."""

    changefreq = "monthly"
    i18n = True
    alternates = True

    def items(self):
        return [
            "home",
            "articles:list",
            "intake:contact",
            "sitewide:privacy",
            "sitewide:editorial_policy",
        ]

    def location(self, name):
        return reverse(name)


SITEMAPS = {"pages": PageSitemap, "articles": ArticleSitemap}
