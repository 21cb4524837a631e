"""`make staff`: the first staff account from one command, exactly as the README says."""

import tempfile
from pathlib import Path

from tests.core.production import BASE_DIR, fresh_clone_env, run

PASSWORD = "a-long-enough-passphrase-7"


def test_make_staff_creates_a_superuser_with_an_authenticator_on_a_fresh_database():
    with tempfile.TemporaryDirectory() as folder:
        # No SECRET_KEY and no DEBUG: the make target must manage without them, as on a
        # fresh clone. The database is a scratch file, not the developer's.
        env = fresh_clone_env(
            DATABASE_URL=f"sqlite:///{Path(folder) / 'db.sqlite3'}",
            ENROL_STAFF_PASSWORD=PASSWORD,
        )
        output = run(
            ["make", "staff", "STAFF=first-admin", "EMAIL=first@clinic.example"], env, timeout=300
        )

    assert "Created staff account 'first-admin'." in output
    assert "otpauth://totp/" in output
    assert PASSWORD not in output


def test_the_readme_gives_make_staff_as_the_way_to_the_first_account():
    readme = (BASE_DIR / "README.md").read_text()

    assert "make staff STAFF=" in readme
    assert "python manage.py enrol_staff <username> --superuser`" not in readme
