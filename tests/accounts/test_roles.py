"""The "Front desk" and "Editor" groups: created by `setup_roles`, and what each can do."""

import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from clinic_site.accounts.roles import EDITOR, FRONT_DESK, ROLE_PERMISSIONS
from clinic_site.intake.models import AccessLog, ContactRequest, Status
from tests.factories import make_article, make_contact_request, make_member
from tests.helpers import force_login_verified

pytestmark = pytest.mark.django_db

REQUESTS = reverse("admin:intake_contactrequest_changelist")
ARTICLES = reverse("admin:articles_article_changelist")
ACCESS_LOG = reverse("admin:intake_accesslog_changelist")


def permissions_of(group_name: str) -> set[str]:
    group = Group.objects.get(name=group_name)
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


def setup_roles() -> str:
    out = io.StringIO()
    call_command("setup_roles", stdout=out)
    return out.getvalue()


@pytest.fixture
def logged_in(client):
    def as_member_of(role: str):
        user, _ = make_member(role, role.lower().replace(" ", "-"))
        return force_login_verified(client, user)

    return as_member_of


def test_setup_roles_creates_both_groups_with_exactly_their_permissions():
    output = setup_roles()

    assert permissions_of(FRONT_DESK) == set(ROLE_PERMISSIONS[FRONT_DESK])
    assert permissions_of(EDITOR) == set(ROLE_PERMISSIONS[EDITOR])
    assert "Created group 'Front desk'" in output


def test_setup_roles_is_idempotent_and_undoes_hand_made_grants():
    setup_roles()
    stray = Permission.objects.get(codename="delete_contactrequest")
    Group.objects.get(name=FRONT_DESK).permissions.add(stray)

    output = setup_roles()

    assert Group.objects.filter(name__in=[FRONT_DESK, EDITOR]).count() == 2
    assert permissions_of(FRONT_DESK) == set(ROLE_PERMISSIONS[FRONT_DESK])
    assert "Updated group 'Front desk'" in output


def test_neither_group_may_export_delete_requests_or_read_the_access_log():
    setup_roles()

    for group in (FRONT_DESK, EDITOR):
        granted = permissions_of(group)
        assert "intake.export_contactrequest" not in granted
        assert "intake.delete_contactrequest" not in granted
        assert "intake.view_accesslog" not in granted


# --- Front desk ------------------------------------------------------------------------------


def test_front_desk_can_view_and_change_contact_requests(logged_in):
    client = logged_in(FRONT_DESK)
    contact_request = make_contact_request()
    url = reverse("admin:intake_contactrequest_change", args=[contact_request.pk])

    assert f'href="{REQUESTS}"' in client.get(reverse("admin:index")).content.decode()
    assert client.get(REQUESTS).status_code == 200
    assert client.get(url).status_code == 200
    response = client.post(url, {"status": Status.CONTACTED, "assigned_to": ""})
    assert response.status_code == 302
    assert ContactRequest.objects.get().status == Status.CONTACTED
    work = reverse("admin:intake_contactrequest_work", args=[contact_request.pk])
    response = client.post(work, {"do": "note", "note": "Spoke to them."})
    assert response.status_code == 302
    assert contact_request.notes.count() == 1


def test_front_desk_cannot_see_or_edit_articles(logged_in):
    client = logged_in(FRONT_DESK)
    article = make_article()

    assert client.get(ARTICLES).status_code == 403
    assert (
        client.get(reverse("admin:articles_article_change", args=[article.pk])).status_code == 403
    )
    assert client.get(reverse("admin:articles_article_add")).status_code == 403


def test_front_desk_cannot_export_delete_or_read_the_whole_access_log(logged_in):
    client = logged_in(FRONT_DESK)
    contact_request = make_contact_request()

    page = client.get(REQUESTS).content.decode()
    delete = reverse("admin:intake_contactrequest_delete", args=[contact_request.pk])

    assert 'value="export_csv"' not in page
    assert 'value="delete_selected"' not in page
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(ACCESS_LOG).status_code == 403
    assert ContactRequest.objects.exists()


def test_front_desk_can_export_once_given_the_export_permission(logged_in):
    client = logged_in(FRONT_DESK)
    client.user.user_permissions.add(Permission.objects.get(codename="export_contactrequest"))
    contact_request = make_contact_request()

    response = client.post(
        REQUESTS, {"action": "export_csv", "_selected_action": [contact_request.pk], "index": 0}
    )

    assert response["Content-Type"].startswith("text/csv")
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORTED).count() == 1


# --- Editor --------------------------------------------------------------------------------------


def test_editor_can_add_and_edit_articles(logged_in):
    client = logged_in(EDITOR)
    article = make_article()

    assert client.get(ARTICLES).status_code == 200
    assert client.get(reverse("admin:articles_article_add")).status_code == 200
    assert (
        client.get(reverse("admin:articles_article_change", args=[article.pk])).status_code == 200
    )


def test_editor_cannot_see_contact_requests_at_all(logged_in):
    client = logged_in(EDITOR)
    contact_request = make_contact_request(name="Ana Pérez")
    change = reverse("admin:intake_contactrequest_change", args=[contact_request.pk])

    assert client.get(REQUESTS).status_code == 403
    assert client.get(change).status_code == 403
    assert client.get(ACCESS_LOG).status_code == 403
    index = client.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("admin:app_list", args=["intake"])}"' not in index
    assert f'href="{REQUESTS}"' not in index
    assert "Ana Pérez" not in index
    assert not AccessLog.objects.exists()  # nothing was viewed


def test_a_role_naming_a_permission_that_does_not_exist_stops_setup_roles_with_its_name(
    monkeypatch,
):
    monkeypatch.setitem(
        ROLE_PERMISSIONS, EDITOR, (*ROLE_PERMISSIONS[EDITOR], "articles.polish_article")
    )

    with pytest.raises(CommandError, match="'articles.polish_article' does not exist"):
        setup_roles()

    assert not Group.objects.filter(name=EDITOR).exists()
