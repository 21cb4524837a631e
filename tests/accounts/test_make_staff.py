"""`make staff`: the first staff account from one command, exactly as the README says."""

import os
import subprocess
import tempfile
from pathlib import Path

from tests.core.production import BASE_DIR, CONFIG_VARIABLES

PASSWORD = "a-long-enough-passphrase-7"


def test_make_staff_creates_a_superuser_with_an_authenticator_on_a_fresh_database():
    with tempfile.TemporaryDirectory() as folder:
        env = {key: value for key, value in os.environ.items() if key not in CONFIG_VARIABLES}
        # No SECRET_KEY and no DEBUG: the make target must manage without them, as on a
        # fresh clone. The database is a scratch file, not the developer's.
        env.update(
            DATABASE_URL=f"sqlite:///{Path(folder) / 'db.sqlite3'}",
            ENROL_STAFF_PASSWORD=PASSWORD,
        )
        env.pop("DJANGO_SETTINGS_MODULE", None)
        result = subprocess.run(
            ["make", "staff", "STAFF=first-admin", "EMAIL=first@clinic.example"],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    assert result.returncode == 0, result.stderr[-2000:]
    assert "Created staff account 'first-admin'." in result.stdout
    assert "otpauth://totp/" in result.stdout
    assert PASSWORD not in result.stdout


def test_the_readme_gives_make_staff_as_the_way_to_the_first_account():
    readme = (BASE_DIR / "README.md").read_text()

    assert "make staff STAFF=" in readme
    assert "python manage.py enrol_staff <username> --superuser`" not in readme
