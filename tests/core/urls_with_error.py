"""The site's URLs plus one view that fails, to see what a 500 looks like."""

from django.urls import path

from clinic_site import urls as site_urls

handler400 = site_urls.handler400
handler403 = site_urls.handler403
handler404 = site_urls.handler404
handler500 = site_urls.handler500


def boom(request):
    raise RuntimeError("something broke")


urlpatterns = [*site_urls.urlpatterns, path("boom/", boom), path("es/boom/", boom)]
