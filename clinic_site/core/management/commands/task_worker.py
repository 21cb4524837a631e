"""`manage.py task_worker`: db_worker's options, with self-healing (clinic_site.core.worker).

No autoreload: the worker is a long-running production process, restarted from outside.
"""

from django_tasks_db.management.commands import db_worker

from clinic_site.core.worker import SelfHealingWorker


class Command(db_worker.Command):
    help = "Run the task worker: retries on database errors, reclaims abandoned tasks, heartbeat"

    def handle(self, **options):
        self.configure_logging(options["verbosity"])
        worker = SelfHealingWorker(
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=[],
        )
        worker.configure_signals()
        worker.run()
