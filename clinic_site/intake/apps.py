from datetime import timedelta

from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "clinic_site.intake"
    verbose_name = "Front desk"

    def ready(self):
        from clinic_site.core import monitoring, periodic
        from clinic_site.readership import figures

        from .models import ContactRequest
        from .services import requeue_unannounced_requests

        # The task worker sweeps for requests whose notification went missing.
        periodic.register(
            "intake.requeue_unannounced_requests",
            every=timedelta(minutes=1),
            job=requeue_unannounced_requests,
        )
        # The oldest new request nobody was emailed about is older than ten minutes.
        monitoring.register(
            "staff_notifications",
            lambda: not ContactRequest.objects.staff_not_notified().exists(),
        )
        # The readership page counts requests sent from each article's link.
        figures.register_contacts(lambda since: ContactRequest.objects.from_articles(since=since))
