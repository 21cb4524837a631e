"""Only people who can work contact requests are offered in "Assigned to"."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from clinic_site.accounts.roles import EDITOR, FRONT_DESK
from clinic_site.intake.models import assignable_staff
from tests.factories import make_contact_request, make_staff
from tests.helpers import force_login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(roles):
    desk, _ = make_staff("desk", groups=[FRONT_DESK])
    editor, _ = make_staff("editor", groups=[EDITOR])
    boss, _ = make_staff("boss", superuser=True)
    helper, _ = make_staff("helper")
    helper.user_permissions.add(Permission.objects.get(codename="change_contactrequest"))
    left, _ = make_staff("left", groups=[FRONT_DESK])
    left.is_active = False
    left.save()
    not_staff, _ = make_staff("not-staff", groups=[FRONT_DESK])
    not_staff.is_staff = False
    not_staff.save()
    return desk


def test_assignable_staff_are_active_staff_who_can_change_requests(people):
    assert [user.username for user in assignable_staff()] == ["boss", "desk", "helper"]


def test_someone_in_two_groups_is_offered_once(people):
    people.groups.add(*people.groups.model.objects.filter(name=EDITOR))

    assert [user.username for user in assignable_staff()].count("desk") == 1


def test_the_assigned_to_list_on_a_request_offers_only_them(client, people):
    force_login_verified(client, people)
    contact_request = make_contact_request()

    response = client.get(reverse("admin:intake_contactrequest_change", args=[contact_request.pk]))

    choices = response.context["adminform"].form.fields["assigned_to"].queryset
    assert sorted(user.username for user in choices) == ["boss", "desk", "helper"]
    assert ">editor<" not in response.content.decode()
