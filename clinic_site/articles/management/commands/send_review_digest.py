from django.core.management.base import BaseCommand

from clinic_site.articles.review import reviewers, send_review_digests


class Command(BaseCommand):
    help = (
        "Email each clinical reviewer the articles waiting for them now, without waiting "
        "for the weekly run."
    )

    def handle(self, *args, **options):
        if not reviewers():
            self.stdout.write(
                "No clinical reviewer can receive the digest yet: a reviewer needs the "
                "Clinical reviewer role and a staff profile with their name and credentials."
            )
            return
        sent = send_review_digests()
        self.stdout.write(
            f"Sent {sent} digest{'s' if sent != 1 else ''} "
            "(reviewers with nothing waiting get none)."
        )
