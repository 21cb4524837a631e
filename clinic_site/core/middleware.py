"""Site-wide middleware: response headers Django does not set, unreadable bodies."""

import logging

from django.conf import settings
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.http import UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)


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
        private = request.path.startswith(self.private_prefixes)
        if private:
            response.headers.setdefault("X-Robots-Tag", "noindex, nofollow")
        if private or getattr(request, "no_store", False):
            add_never_cache_headers(response)
        return response


class UnreadableBodyMiddleware:
    """A form body that cannot be decoded gets a friendly 400 page, on every form.

    Django refuses a urlencoded body in any charset but UTF-8, and a multipart body it
    cannot parse, by raising while the body is read; its own 400 handling then reads the
    body again, which fails again as a 500. Reading it here, before anything else does,
    turns every such body into one clear page with the clinic's phone number.
    """

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
    # SuspiciousOperation: too many fields or files; BadRequest: a charset other than UTF-8.
    UNREADABLE = (
        BadRequest,
        SuspiciousOperation,
        MultiPartParserError,
        UnreadablePostError,
        LookupError,
        ValueError,
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.content_type in self.FORM_TYPES:
            try:
                request.POST  # noqa: B018 - parse now, where failures can be answered
            except RequestDataTooBig:
                pass  # the views that take bodies explain this one themselves
            except self.UNREADABLE:
                logger.info("form body unreadable", extra={"event": "request.unreadable_body"})
                # Above the language middleware: the page's language comes from its path.
                with translation.override(
                    translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
                ):
                    return render(request, "core/unreadable_body.html", status=400)
        return self.get_response(request)


class LanguageFromPathMiddleware:
    """The page's language is the one its address names: /es/... is Spanish, the rest
    English (the admin and staff pages included).

    Unlike Django's LocaleMiddleware, neither the browser's Accept-Language nor a cookie
    ever chooses the language or redirects: a reader always gets the page they asked
    for, and a page's content depends on its path alone (which the page cache relies on,
    so no Vary: Accept-Language either).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = translation.get_language_from_path(request.path_info)
        language = language or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            # Pages answered above this middleware (a bad body's 400) are in English,
            # whatever the thread's previous request was.
            translation.deactivate()
        response.headers.setdefault("Content-Language", language)
        return response
