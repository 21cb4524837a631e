from datetime import timedelta

from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "clinic_site.intake"
    verbose_name = "Front desk"

    def ready(self):
        from clinic_site.core import monitoring, periodic, worker
        from clinic_site.readership import figures

        from . import notifications
        from .models import ContactRequest
        from .services import purge_expired_contact_requests

        # The task worker's one sender loop sends the outbox (staff emails).
        worker.register_sender("intake.notifications", notifications.send_next)
        # Urgent requests nobody has acted on are escalated, checked every minute.
        periodic.register(
            "intake.escalate_urgent_requests",
            every=timedelta(minutes=1),
            job=notifications.escalate,
        )
        # The privacy notice's retention promise. Hourly, so a request goes within the
        # hour after its period ends, whenever the worker started.
        periodic.register(
            "intake.purge_contact_requests",
            every=timedelta(hours=1),
            job=purge_expired_contact_requests,
        )
        # The oldest new request nobody was emailed about is older than ten minutes.
        monitoring.register(
            "staff_notifications",
            lambda: not ContactRequest.objects.staff_not_notified().exists(),
        )
        # The readership page counts requests sent from each article's link.
        figures.register_contacts(lambda since: ContactRequest.objects.from_articles(since=since))
