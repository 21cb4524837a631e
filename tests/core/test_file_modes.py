"""Files that hold patients' data or uploads are readable by the site's user only."""

import io
import os
import stat
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from clinic_site.articles.images import store_article_image
from tests.core.production import BASE_DIR, production_env, run_python
from tests.services import scratch_postgres_database

WRITE_AND_LIST_MODES = """
import os, stat, django
django.setup()
from django.db import connection
cursor = connection.cursor()
cursor.execute("CREATE TABLE t (x)")
cursor.execute("INSERT INTO t VALUES (1)")
print(sorted((f, oct(stat.S_IMODE(os.stat(os.path.join(FOLDER, f)).st_mode)))
             for f in os.listdir(FOLDER)))
"""


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_sqlite_database_and_its_wal_files_are_owner_only(tmp_path):
    database = tmp_path / "site.sqlite3"
    env = production_env(DATABASE_URL=f"sqlite:///{database}")

    # While a connection is open in WAL mode, all three files exist.
    code = WRITE_AND_LIST_MODES.replace("FOLDER", repr(str(tmp_path)))
    modes = run_python(code, env)

    assert "site.sqlite3-wal" in modes and "site.sqlite3-shm" in modes
    assert modes.count("0o600") == 3, modes


def test_an_existing_world_readable_database_is_tightened_at_start(tmp_path):
    database = tmp_path / "old.sqlite3"
    database.touch(mode=0o644)
    database.chmod(0o644)

    run_python(
        "import django; django.setup()", production_env(DATABASE_URL=f"sqlite:///{database}")
    )

    assert mode(database) == 0o600


@pytest.mark.django_db
def test_uploaded_images_and_their_folders_are_owner_only(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    buffer = io.BytesIO()
    Image.new("RGB", (900, 600), "white").save(buffer, format="PNG")

    stored = store_article_image(SimpleUploadedFile("photo.png", buffer.getvalue()))

    path = tmp_path / "media" / stored.name
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700
    assert all(mode(file) == 0o600 for file in path.parent.iterdir())


def test_a_backup_file_is_owner_only(tmp_path):
    with scratch_postgres_database("clinic_backup_mode") as database_url:
        out = tmp_path / "backups" / "test.dump"
        result = subprocess.run(
            ["scripts/backup.sh", str(out)],
            cwd=BASE_DIR,
            env={**os.environ, "DATABASE_URL": database_url},
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert result.returncode == 0, result.stderr
    assert mode(out) == 0o600
    assert mode(out.parent) == 0o700
