"""The contact form and its thank-you page.

Both can show what a person is going through, so neither may be cached anywhere
(never_cache), and nothing personal ever goes into a URL. The thank-you page learns
which request was just sent from a short-lived signed cookie that holds only the
request's number (no session row is written for it, and the cookie says nothing by
itself); it looks up whether that request is urgent and removes the cookie, so the
outcome is shown once.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError
from django.http import UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from clinic_site.core.logging import failure
from clinic_site.core.net import client_ip

from .forms import ContactForm
from .models import ContactRequest, TurnedAwayReason
from .services import RateLimited, record_contact_request, record_turned_away

logger = logging.getLogger(__name__)

RECEIPT_SALT = "intake.thanks"
RECEIPT_MAX_AGE = settings.CONTACT_RECEIPT_MINUTES * 60  # long enough to follow the redirect


def receipt_cookie_name() -> str:
    # __Host- (HTTPS only, this host, path /) wherever the other cookies use it.
    return ("__Host-" if settings.SESSION_COOKIE_SECURE else "") + "contact_receipt"


# The form's largest honest submission is about 30 KB (2,000 non-Latin characters,
# percent-encoded); anything much bigger is not from this form.
MAX_BODY_BYTES = 64 * 1024
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class BodyProblem:
    status: int
    heading: str
    explanation: str


TOO_LARGE = BodyProblem(
    413,
    _("What you sent was too large"),
    _(
        "Your message may be longer than the form allows. Go back, shorten it to 2,000 "
        "characters or fewer, and send it again."
    ),
)
WRONG_TYPE = BodyProblem(
    415,
    _("We could not read what you sent"),
    _("Please use the contact form on our website to send your request."),
)
UNREADABLE = BodyProblem(
    400,
    _("We could not read what you sent"),
    _("Something went wrong while your request was being sent. Please try again."),
)


@never_cache
@csrf_exempt  # CSRF is checked in contact_form, once the body is known to be readable
@require_http_methods(["GET", "POST"])
def contact(request):
    # The CSRF middleware would read the body first, and answer an oversized or
    # malformed one with a bare "Bad Request": check it here and explain instead.
    if request.method == "POST" and (problem := body_problem(request)):
        logger.info(
            "contact form body refused",
            extra={"event": "contact_request.received", "status": problem.status},
        )
        return render(
            request, "intake/contact_problem.html", {"problem": problem}, status=problem.status
        )
    return contact_form(request)


@csrf_protect
def contact_form(request):
    if request.method == "POST":
        form = ContactForm(request.POST)
    else:
        form = ContactForm(initial={"from_article": request.GET.get("from", "")[:100]})
    if form.is_bound and form.is_from_bot():
        # The same answer a person gets, so the bot learns nothing; nothing is stored
        # but the count of turned-away submissions (the dashboard's).
        record_turned_away(reason=TurnedAwayReason.BOT)
        return redirect("intake:thanks")
    if form.is_bound and form.is_valid():
        try:
            contact_request = record_contact_request(
                data=form.submission(),
                client_ip=client_ip(request),
                submission_token=form.cleaned_data["submission_token"],
                language=translation.get_language(),
                from_article=form.cleaned_data["from_article"],
            )
        except RateLimited:
            return render(
                request,
                "intake/contact_rate_limited.html",
                {"urgent": ContactRequest.message_is_urgent(form.cleaned_data["message"])},
                status=429,
            )
        except DatabaseError as error:
            # Nothing was stored (one transaction). Say so plainly, with the phone
            # number, and hand back what they typed: it is in this response only.
            logger.error(
                "contact request not stored: database unavailable",
                extra=failure(error, event="contact_request.received", outcome="not_stored"),
            )
            return render(
                request, "intake/contact_form.html", {"form": form, "not_sent": True}, status=503
            )
        response = redirect("intake:thanks")
        response.set_signed_cookie(
            receipt_cookie_name(),
            str(contact_request.pk),
            salt=RECEIPT_SALT,
            max_age=RECEIPT_MAX_AGE,
            path="/",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response
    return render(request, "intake/contact_form.html", {"form": form})


@never_cache
@require_GET
def thanks(request):
    name = receipt_cookie_name()
    number = request.get_signed_cookie(
        name, default=None, salt=RECEIPT_SALT, max_age=RECEIPT_MAX_AGE
    )
    try:
        urgent = bool(number) and ContactRequest.objects.filter(pk=number, urgent=True).exists()
    except DatabaseError:
        # The request was stored before the redirect; only this lookup failed. Unsure
        # whether it was urgent, show the crisis box rather than an error page.
        urgent = bool(number)
    response = render(request, "intake/contact_thanks.html", {"urgent": urgent})
    if name in request.COOKIES:
        response.delete_cookie(name, path="/", samesite="Lax")
    return response


def body_problem(request) -> BodyProblem | None:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return UNREADABLE
    # An empty body is an empty form (every required field missing), whatever its type.
    if length and request.content_type not in FORM_CONTENT_TYPES:
        return WRONG_TYPE
    if length > MAX_BODY_BYTES:
        return TOO_LARGE
    try:
        request.POST  # noqa: B018 - parse now, where failures can be answered clearly
    except (SuspiciousOperation, MultiPartParserError, UnreadablePostError):
        return UNREADABLE
    return None
