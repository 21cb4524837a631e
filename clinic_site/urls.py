from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from clinic_site.articles import editor
from clinic_site.articles import views as article_views
from clinic_site.core import views as core_views
from clinic_site.core.pagecache import cache_public_page
from clinic_site.sitewide.sitemaps import SITEMAPS

urlpatterns = [
    path("sitemap.xml", cache_public_page(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", core_views.robots_txt, name="robots_txt"),
    path(".well-known/security.txt", core_views.security_txt, name="security_txt"),
    path("healthz", core_views.healthz, name="healthz"),
    path("monitor", core_views.monitor, name="monitor"),
    # Uploaded images (PNG, JPEG, WebP only), when they are on this host's disk.
    path(f"{settings.MEDIA_URL.lstrip('/')}<path:path>", core_views.media_file, name="media"),
    # The markdownx editor's endpoints, staff-only (never markdownx.urls as shipped).
    path("editor/markdownify/", editor.markdownify, name="markdownx_markdownify"),
    path("editor/upload/", editor.upload, name="markdownx_upload"),
    # Invitation links for new staff (and new authenticators after a lost phone).
    path("staff/", include("clinic_site.accounts.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]

# The patient side, in English at today's addresses and in Spanish under /es/. Staff
# pages above stay English and unprefixed.
urlpatterns += i18n_patterns(
    path("", article_views.home, name="home"),
    path("articles/", include("clinic_site.articles.urls")),
    path("contact/", include("clinic_site.intake.urls")),
    path("", include("clinic_site.core.urls")),
    path("", include("clinic_site.sitewide.urls")),
    prefix_default_language=False,
)

handler400 = "clinic_site.core.views.bad_request"
handler403 = "clinic_site.core.views.permission_denied"
handler404 = "clinic_site.core.views.page_not_found"
handler500 = "clinic_site.core.views.server_error"
