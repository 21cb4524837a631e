"""Delete closed contact requests once the retention period has passed.

The task worker runs the same purge every hour (intake.purge_contact_requests, see
intake/apps.py); this command is for a one-off or dry run. The period is
CONTACT_RETENTION_DAYS, counted from when a request was closed; the privacy notice states it.
"""

from argparse import ArgumentTypeError

from django.conf import settings
from django.core.management.base import BaseCommand

from clinic_site.intake.services import purge_contact_requests


def whole_days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        raise ArgumentTypeError(f"{value!r} is not a whole number of days") from None
    if days < 0:
        raise ArgumentTypeError("days cannot be negative")
    return days


class Command(BaseCommand):
    help = (
        "Delete contact requests closed more than CONTACT_RETENTION_DAYS days ago "
        "(with their notes). The access log keeps a 'deleted' entry for each."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=whole_days,
            default=None,
            help="Override CONTACT_RETENTION_DAYS for this run.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only count what would be deleted; delete nothing.",
        )

    def handle(self, *, days, dry_run, **options):
        days = settings.CONTACT_RETENTION_DAYS if days is None else days
        count = purge_contact_requests(days=days, dry_run=dry_run)
        if dry_run:
            self.stdout.write(
                f"Dry run: {count} closed contact request(s) closed more than {days} days "
                "ago would be deleted. Nothing was deleted."
            )
        else:
            self.stdout.write(
                f"Deleted {count} closed contact request(s) closed more than {days} days ago."
            )
