"""`manage.py task_worker`: the outbox sender and the periodic jobs (clinic_site.core.worker).

No autoreload: the worker is a long-running production process, restarted from outside.
"""

from django.core.management.base import BaseCommand

from clinic_site.core.worker import TaskWorker


class Command(BaseCommand):
    help = "Run the task worker: sends staff notifications, runs periodic jobs, heartbeat"

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds to sleep when nothing is due."
        )
        parser.add_argument(
            "--batch", action="store_true", help="Stop once nothing is due (one-off runs)."
        )
        parser.add_argument("--worker-id", default="", help="Name in the heartbeat.")
        # Accepted for older scripts; the worker never waits before starting.
        parser.add_argument("--no-startup-delay", action="store_true", help="(no effect)")

    def handle(self, **options):
        worker = TaskWorker(
            interval=options["interval"], batch=options["batch"], worker_id=options["worker_id"]
        )
        worker.configure_signals()
        worker.run()
