"""Staff roles: which groups exist and exactly which permissions each one has.

``manage.py setup_roles`` (run by ``make migrate``) makes the groups match this file,
adding and removing permissions, so a permission granted to a group by hand in the
admin is undone on the next deploy: change it here, where review sees it.

- Front desk follows up contact requests: reads them, changes status and assignee,
  adds notes, and logs phone calls and walk-ins as requests. It cannot see or edit
  articles, export requests to CSV or delete them.
  Export is granted to individual people who need it ("Can export contact requests
  to CSV" on their user page), because an exported file leaves the access log behind.
- Editor writes and publishes articles and reads readers' feedback on them. It cannot
  see contact requests at all. Deleting an article is left to superusers: unpublishing
  is the everyday way to take one down.
- Clinical reviewer reads articles and signs them off (the only role that can); their
  name and credentials come from their staff profile. They cannot edit articles, so a
  sign-off always vouches for text someone else wrote and they read.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

FRONT_DESK = "Front desk"
EDITOR = "Editor"
CLINICAL_REVIEWER = "Clinical reviewer"

ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    FRONT_DESK: (
        "intake.view_contactrequest",
        "intake.change_contactrequest",
        # Only through "Log a phone call or walk-in": the admin's own add form is off.
        "intake.add_contactrequest",
        "intake.view_contactnote",
        "intake.add_contactnote",
        # The replies the manager keeps (changing them is for whoever is given it).
        "intake.view_replytemplate",
    ),
    EDITOR: (
        "articles.view_article",
        "articles.add_article",
        "articles.change_article",
        # Readers' "was this helpful?" answers, shown on each article (read-only).
        "articles.view_feedback",
    ),
    CLINICAL_REVIEWER: (
        "articles.view_article",
        "articles.sign_off_article",
        "articles.view_feedback",
        # Their own name and credentials, as printed next to a sign-off.
        "accounts.view_staffprofile",
    ),
}


class MissingPermission(Exception):
    pass


def permissions(names) -> dict[str, Permission]:
    """{"app_label.codename": Permission} for ``names``, in one query."""
    found = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type").filter(
            codename__in={name.split(".", 1)[1] for name in names}
        )
    }
    missing = sorted(set(names) - found.keys())
    if missing:
        raise MissingPermission(
            f"Permission {missing[0]!r} does not exist. Run `manage.py migrate` first, or "
            "fix the name in clinic_site/accounts/roles.py."
        )
    return found


@transaction.atomic
def setup_roles() -> dict[str, bool]:
    """Create or update every group to hold exactly its listed permissions.

    Returns {group name: True if it was created}.
    """
    # One query for every role's permissions: the test suite runs this hundreds of times.
    known = permissions({name for names in ROLE_PERMISSIONS.values() for name in names})
    created = {}
    for name, permission_names in ROLE_PERMISSIONS.items():
        group, created[name] = Group.objects.get_or_create(name=name)
        group.permissions.set([known[p] for p in permission_names])
    return created
