"""Start the weekly clinical-review email (see articles/tasks.py); safe to repeat."""

from django.core.management.base import BaseCommand

from clinic_site.articles.tasks import schedule_review_digest


class Command(BaseCommand):
    help = "Queue the weekly email to clinical reviewers unless one is already queued."

    def handle(self, **options):
        if schedule_review_digest():
            self.stdout.write("Queued the weekly clinical-review email.")
        else:
            self.stdout.write("The weekly clinical-review email is already queued.")
