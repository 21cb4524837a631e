"""The manager's screens: no Django internals for anyone but a superuser, a staff
member's page in words, a branded 403, proper plurals, a request's History."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from clinic_site.accounts.models import Invitation
from clinic_site.accounts.roles import FRONT_DESK, setup_roles
from clinic_site.intake.models import AccessLog
from tests.factories import make_contact_request, make_manager, make_staff
from tests.helpers import force_login_verified

pytestmark = pytest.mark.django_db

INTERNALS = ("Access attempts", "Access failure", "TOTP devices", "Task results", "Groups")
INTERNAL_URLS = [
    "admin:axes_accessattempt_changelist",
    "admin:otp_totp_totpdevice_changelist",
    "admin:django_tasks_database_dbtaskresult_changelist",
    "admin:auth_group_changelist",
]


@pytest.fixture
def manager(client):
    """Someone who manages staff and, as a careless grant might, every view permission."""
    user, _ = make_manager(groups=[FRONT_DESK])
    user.user_permissions.add(
        *Permission.objects.filter(codename__startswith="view_"),
        *Permission.objects.filter(codename="change_user"),
    )
    return force_login_verified(client, user)


def test_the_home_page_shows_no_django_internals_to_a_manager(manager):
    page = manager.get(reverse("admin:index")).content.decode()

    for name in INTERNALS:
        assert name not in page, name
    assert "Contact requests" in page and "Invitations" in page


@pytest.mark.parametrize("url_name", INTERNAL_URLS)
def test_internals_answer_a_branded_403_to_a_manager_even_with_the_permission(manager, url_name):
    response = manager.get(reverse(url_name))

    assert response.status_code == 403
    page = response.content.decode()
    assert "You cannot open this page" in page
    assert "Back to the staff home page" in page
    assert "Clinic website administration" in page


def test_a_superuser_still_reaches_the_internals(admin_client_with_otp):
    page = admin_client_with_otp.get(reverse("admin:index")).content.decode()

    assert "Access attempts" in page
    for url_name in INTERNAL_URLS:
        assert admin_client_with_otp.get(reverse(url_name)).status_code == 200


def test_a_staff_members_page_is_in_words(manager):
    colleague, _ = make_staff("colleague", groups=[FRONT_DESK])
    with time_machine.travel(datetime(2026, 3, 2, 14, 5, tzinfo=UTC), tick=False):
        get_user_model().objects.filter(pk=colleague.pk).update(last_login=datetime.now(UTC))

    page = manager.get(reverse("admin:auth_user_change", args=[colleague.pk])).content.decode()

    assert "Authenticator app set up" in page
    assert re.search(r'Authenticator app set up:</label>\s*<div class="readonly">Yes', page)
    assert "02 Mar 2026, 09:05" in page  # last login, read-only, in the staff format
    assert 'name="last_login' not in page
    assert "pbkdf2" not in page and "algorithm" not in page  # no password hash details
    assert 'name="user_permissions"' not in page  # no raw permission list
    assert "Can export contact requests to CSV" in page
    assert 'type="checkbox" name="groups"' in page


def test_export_is_granted_on_the_staff_page_with_one_box(manager):
    colleague, _ = make_staff("colleague", groups=[FRONT_DESK])
    front_desk = colleague.groups.get()

    response = manager.post(
        reverse("admin:auth_user_change", args=[colleague.pk]),
        {
            "first_name": "Cole",
            "last_name": "",
            "email": "colleague@clinic.example",
            "groups": [front_desk.pk],
            "is_active": "on",
            "can_export": "on",
        },
    )

    assert response.status_code == 302
    colleague = get_user_model().objects.get(pk=colleague.pk)
    assert colleague.has_perm("intake.export_contactrequest")
    assert colleague.first_name == "Cole"


def test_counts_use_proper_plurals(admin_client_with_otp):
    contact_request = make_contact_request()
    AccessLog.objects.record([contact_request], AccessLog.Action.VIEWED)

    page = admin_client_with_otp.get(reverse("admin:intake_accesslog_changelist"))

    assert "1 access log entry" in page.content.decode()


def test_a_requests_history_is_its_access_log(manager):
    contact_request = make_contact_request(name="Private Person")
    AccessLog.objects.record(
        [contact_request], AccessLog.Action.CHANGED, actor=manager.user, detail="Status: Contacted"
    )

    response = manager.get(
        reverse("admin:intake_contactrequest_history", args=[contact_request.pk])
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "doesn’t have a change history" not in page
    table = page.split('id="access-history"')[1]
    assert "manager" in table and "Status: Contacted" in table


def test_the_join_page_offers_a_tappable_authenticator_link(client):
    setup_roles()
    inviter, _ = make_staff("boss", superuser=True)
    invitation = Invitation.objects.create(
        email="new@clinic.example", role=FRONT_DESK, invited_by=inviter
    )

    page = client.get(invitation.get_accept_url()).content.decode()

    link = re.search(r'<a class="staff-button" href="(otpauth://totp/[^"]+)"', page)
    assert link and "secret=" in link.group(1)
