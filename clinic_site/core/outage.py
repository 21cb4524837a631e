"""What a reader gets when the site cannot reach its database: never a 500.

Public pages this process has a copy of are served from it (core/pagecache.py); every
other page is the outage page, 503 with Retry-After, in the page's language, with the
clinic's phone and urgent help. It is rendered from settings alone: nothing on it may
need the database (no context processors, no template tag that queries).
"""

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.utils import translation

from .context_processors import clinic
from .languages import is_spanish

# A refused, dropped or timed-out connection, a locked or read-only SQLite file.
# Not IntegrityError or ProgrammingError: those are bugs, and stay 500s.
OUTAGE_ERRORS = (OperationalError, InterfaceError)

RETRY_AFTER_SECONDS = 60


def is_database_outage(error: BaseException | None) -> bool:
    return isinstance(error, OUTAGE_ERRORS)


def page_language(request) -> str:
    """The language the address names (/es/... is Spanish), as the pages are chosen."""
    return translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE


def standalone_context(request) -> dict:
    """For error pages that must render without the database: settings only."""
    spanish = is_spanish()
    return {**clinic(request), "home_url": "/es/" if spanish else "/"}


def render_standalone(request, template_name: str, *, status: int) -> HttpResponse:
    with translation.override(page_language(request)):
        body = loader.get_template(template_name).render(standalone_context(request))
        response = HttpResponse(body, status=status)
        response["Content-Language"] = translation.get_language()
    return response


def outage_response(request) -> HttpResponse:
    response = render_standalone(request, "503.html", status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
