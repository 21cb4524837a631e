"""`make run` says "Email goes to this console": the task worker's output must reach it."""

import subprocess
import tempfile
from pathlib import Path

from tests.core.production import BASE_DIR, fresh_clone_env, run


def test_make_run_does_not_throw_away_the_workers_output():
    result = subprocess.run(
        ["make", "-n", "run"], cwd=BASE_DIR, capture_output=True, text=True, timeout=60
    )

    worker = next(line for line in result.stdout.splitlines() if "task_worker" in line)
    assert "/dev/null" not in worker


def test_the_worker_prints_the_notification_email_under_debug():
    """What `make run` starts (DEBUG=1, console email): the email shows on stdout."""
    with tempfile.TemporaryDirectory() as folder:
        env = fresh_clone_env(DEBUG="1", DATABASE_URL=f"sqlite:///{Path(folder) / 'db.sqlite3'}")

        def manage(*args):
            return run([str(BASE_DIR / ".venv" / "bin" / "python"), "manage.py", *args], env)

        manage("migrate", "--noinput")
        manage(
            "shell",
            "-c",
            "from clinic_site.intake.services import record_contact_request; "
            "record_contact_request(client_ip='192.0.2.1', data=dict("
            "name='Alex Example', email='alex@example.com', phone='', "
            "preferred_contact_method='email', voicemail_ok=False, best_time='', "
            "interest='other', message='Please tell me more.'))",
        )
        output = manage("task_worker", "--batch", "--no-startup-delay")

    assert "Subject:" in output
    assert "contact request" in output.lower()
