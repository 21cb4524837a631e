import io

import pytest
from django.core.management import call_command


@pytest.fixture
def run_task_worker(monkeypatch):
    """Run the real ``manage.py task_worker --batch`` here: every notification that is
    due, then stop.

    The worker's close_old_connections() is for long-running processes; inside a test's
    transaction it would close the test's own connection (on PostgreSQL), so it is off.
    """
    monkeypatch.setattr("clinic_site.core.worker.close_old_connections", lambda: None)

    def run():
        call_command("task_worker", "--batch", stdout=io.StringIO())

    return run
