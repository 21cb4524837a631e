"""Create or update the staff groups ("Front desk", "Editor", "Clinical reviewer") from
accounts/roles.py.

Safe to run any number of times; `make migrate` runs it after every migrate.
"""

from django.core.management.base import BaseCommand, CommandError

from clinic_site.accounts.roles import ROLE_PERMISSIONS, MissingPermission, setup_roles


class Command(BaseCommand):
    help = "Create or update the staff groups and their permissions (idempotent)."

    def handle(self, **options):
        try:
            created = setup_roles()
        except MissingPermission as error:
            raise CommandError(str(error)) from None
        for name, was_created in created.items():
            count = len(ROLE_PERMISSIONS[name])
            verb = "Created" if was_created else "Updated"
            self.stdout.write(f"{verb} group {name!r} with {count} permissions.")
