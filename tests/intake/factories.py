"""Contact requests and form submissions with sensible defaults; tests name what matters."""

import itertools
from urllib.parse import urlencode

from django.utils import timezone

from clinic_site.intake import consent
from clinic_site.intake.models import ContactMethod, ContactRequest, Interest

CONTACT_URL = "/contact/"
THANKS_URL = "/contact/thanks/"
FORM_TYPE = "application/x-www-form-urlencoded"

_numbers = itertools.count(1)


def form_data(**overrides) -> dict:
    """A valid contact form submission, as a browser sends it. None drops a field."""
    data = {
        "name": "Ana Lucía Pérez",
        "email": "ana.perez@example.com",
        "phone": "+1 (555) 010-0147",
        "preferred_contact_method": "phone",
        "voicemail_ok": "on",
        "best_time": "Weekday mornings",
        "interest": "ptsd",
        "message": "I would like to know whether infusions could help me.",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def submit(client, data: dict | None = None, **extra):
    """POST the form urlencoded, as a browser does."""
    body = urlencode(form_data() if data is None else data)
    return client.post(CONTACT_URL, body, content_type=FORM_TYPE, **extra)


def make_contact_request(**overrides) -> ContactRequest:
    number = next(_numbers)
    values = {
        "name": f"Person {number}",
        "email": f"person{number}@example.com",
        "preferred_contact_method": ContactMethod.EMAIL,
        "interest": Interest.DEPRESSION,
        "message": "I would like to know more about the treatment.",
        "consent_version": consent.CURRENT_VERSION,
        "consented_at": timezone.now(),
    }
    values.update(overrides)
    return ContactRequest.objects.create(**values)
