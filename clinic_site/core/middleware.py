"""Response headers Django does not set on its own."""

from django.conf import settings
from django.utils.cache import add_never_cache_headers


class SecurityHeadersMiddleware:
    """Permissions-Policy and CORP on every response; no-store where personal data is.

    Admin pages show patients' contact requests, and the editor endpoints answer only
    staff: no browser or proxy may keep a copy of either. A view that shows personal
    data elsewhere (the contact form with its errors, the thank-you page) sets
    ``request.no_store = True``.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.private_prefixes = ("/" + settings.ADMIN_URL, "/editor/")

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if request.path.startswith(self.private_prefixes) or getattr(request, "no_store", False):
            add_never_cache_headers(response)
        return response
