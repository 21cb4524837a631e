"""The one place tests make things: articles, contact requests (and the form a browser
sends), staff users in each of accounts' roles, reviewers and managers. Each test says
what it needs and gets sensible defaults for the rest.

Staff need a verified second factor for every admin page, so each maker returns the user
and a function giving a code their authenticator would show (tests/helpers.py logs them
in). The role fixtures in tests/conftest.py (``front_desk``, ``editor``,
``clinical_reviewer``, ``manager``) build on these.
"""

import itertools
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic_site.accounts.models import StaffProfile
from clinic_site.accounts.roles import CLINICAL_REVIEWER, setup_roles
from clinic_site.articles.models import Article, Status, Topic
from clinic_site.intake import consent
from clinic_site.intake.models import ContactMethod, ContactRequest, Interest
from tests.helpers import STAFF_PASSWORD, totp_token

CONTACT_URL = "/contact/"
THANKS_URL = "/contact/thanks/"
FORM_TYPE = "application/x-www-form-urlencoded"

_numbers = itertools.count(1)


# --- Articles ------------------------------------------------------------------------------


def make_article(**overrides) -> Article:
    number = next(_numbers)
    values = {
        "title": f"Article {number}",
        "slug": f"article-{number}",
        "summary": f"Summary of article {number}.",
        "topic": Topic.TREATMENT,
        "body": "An introduction.\n\n## First section\n\nSome text.\n",
        "status": Status.PUBLISHED,
    }
    values.update(overrides)
    return Article.objects.create(**values)


# --- Contact requests ----------------------------------------------------------------------


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


def logged_call_data(**overrides) -> dict:
    """Staff's "Log a phone call or walk-in" form for a valid call: the contact form's
    fields, as staff fill them in for a caller, and where the request came from. None
    drops a field."""
    call = {
        "source": "phone",
        "name": "Maria Example",
        "email": "",
        "phone": "555 010 0188",
        "best_time": "Afternoons",
        "interest": "depression",
        "message": "Asked about the first consultation and the cost.",
        "preferred_language": "es",
        "website": None,  # the honeypot is the public form's alone
    }
    return form_data(**{**call, **overrides})


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


# --- Staff ---------------------------------------------------------------------------------


def make_staff(
    username: str,
    *,
    groups=(),
    password: str = STAFF_PASSWORD,
    superuser: bool = False,
    with_device: bool = True,
):
    """A staff user and a function returning a valid code for their authenticator.

    ``groups`` are created when missing (``make_member`` gives a role its real
    permissions). With ``with_device=False`` the user has no authenticator and ``token``
    is None: such a user cannot get into the admin.
    """
    user = get_user_model().objects.create_user(
        username,
        email=f"{username}@clinic.example",
        password=password,
        is_staff=True,
        is_superuser=superuser,
    )
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    if not with_device:
        return user, None
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return user, lambda: totp_token(device)


def make_member(role: str, username: str, **kwargs):
    """A member of one of accounts' roles (``accounts.roles``), with exactly the
    permissions ``manage.py setup_roles`` gives that role."""
    setup_roles()
    return make_staff(username, groups=[role], **kwargs)


def make_reviewer(
    username: str = "reviewer",
    *,
    display_name: str = "Dr A. Example",
    credentials: str = "MD, psychiatrist",
):
    """A member of the "Clinical reviewer" role with the staff profile a sign-off needs."""
    user, token = make_member(CLINICAL_REVIEWER, username)
    StaffProfile.objects.create(user=user, display_name=display_name, credentials=credentials)
    return user, token


def make_manager(username: str = "manager", *, groups=()):
    """Someone who manages staff (invites, staff pages) without being a superuser."""
    setup_roles()
    user, token = make_staff(username, groups=groups)
    user.user_permissions.add(
        Permission.objects.get(codename="manage_staff"),
        *Permission.objects.filter(codename="view_user"),
    )
    return user, token
