"""deploy/: the systemd units and the environment file a server installs.

`systemd-analyze verify` checks the units as systemd itself reads them (it also checks
that each command exists, so the units are verified with the install folders pointed
at this checkout: /srv/clinic/app is the code, /srv/clinic/venv a virtualenv).
"""

import configparser
import contextlib
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.servers import BASE_DIR, HTTPS, free_port, manage, production_env, request, start, stop
from tests.services import missing

UNITS = BASE_DIR / "deploy" / "systemd"
ENV_EXAMPLE = BASE_DIR / "deploy" / "clinic.env.example"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(UNITS / name)
    return parser


def test_systemd_accepts_every_unit(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        missing("needs systemd-analyze (Debian's systemd package), and it is not installed")
    for path in UNITS.iterdir():
        text = path.read_text()
        text = text.replace("/srv/clinic/app", str(BASE_DIR))
        text = text.replace("/srv/clinic/venv", str(Path(sys.executable).parent.parent))
        (tmp_path / path.name).write_text(text)

    result = subprocess.run(
        [analyze, "verify", *sorted(str(path) for path in tmp_path.iterdir())],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr.strip() == "", result.stderr
    assert {path.name for path in UNITS.iterdir()} == {
        "clinic-web.socket",
        "clinic-web.service",
        "clinic-worker.service",
        "clinic-backup.service",
        "clinic-backup.timer",
    }


def test_the_web_service_runs_the_projects_gunicorn_config_and_stops_gracefully():
    service = unit("clinic-web.service")["Service"]

    assert service["ExecStart"].endswith("gunicorn --config gunicorn.conf.py")
    assert service["Restart"] == "always"
    # TERM to gunicorn's master alone, which lets its workers finish their requests
    # (graceful_timeout, 30 s by default) before systemd would kill anything.
    assert service["KillMode"] == "mixed" and service["KillSignal"] == "SIGTERM"
    assert int(service["TimeoutStopSec"]) > 30
    assert "clinic-web.socket" in unit("clinic-web.service")["Unit"]["Requires"]


def test_the_task_worker_always_comes_back_and_backups_run_daily():
    assert unit("clinic-worker.service")["Service"]["Restart"] == "always"
    assert "task_worker" in unit("clinic-worker.service")["Service"]["ExecStart"]
    timer = unit("clinic-backup.timer")["Timer"]
    assert re.fullmatch(r"\*-\*-\* \d\d:\d\d:\d\d", timer["OnCalendar"])  # every day
    assert timer["Persistent"] == "true"  # a day missed while the server was off runs at boot
    backup = unit("clinic-backup.service")["Service"]
    assert backup["ExecStart"].endswith("scripts/backup.sh") and backup["UMask"] == "0077"


def read_names() -> set[str]:
    """Every environment variable the settings and gunicorn.conf.py read."""
    names = set()
    for path in (BASE_DIR / "clinic_site" / "settings.py", BASE_DIR / "gunicorn.conf.py"):
        text = path.read_text()
        names |= set(re.findall(r"env_(?:str|bool|int|list)\(\s*\"([A-Z0-9_]+)\"", text))
        names |= set(re.findall(r"_int\(\"([A-Z0-9_]+)\"", text))
        names |= set(re.findall(r"environ\.get\([\"']([A-Z0-9_]+)[\"']", text))
    return names


def test_the_environment_file_example_lists_every_setting():
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE.read_text(), re.M))
    names = read_names()

    assert len(names) > 60  # the patterns really found the settings
    assert sorted(names - listed) == []
    assert {"BACKUP_DIR", "BACKUP_KEEP_DAYS"} <= listed


def test_the_manage_wrapper_runs_as_the_site_user_with_the_site_settings():
    wrapper = BASE_DIR / "deploy" / "clinic-manage"
    assert subprocess.run(["sh", "-n", str(wrapper)], check=False).returncode == 0
    text = wrapper.read_text()
    # The same user, settings and folders as the units.
    service = unit("clinic-web.service")["Service"]
    assert f"sudo -u {service['User']} " in text
    assert service["EnvironmentFile"] in text and service["WorkingDirectory"] in text
    assert "/srv/clinic/venv/bin/python manage.py" in text


@pytest.mark.server
def test_gunicorn_serves_on_the_socket_systemd_hands_it(tmp_path):
    """clinic-web.socket: gunicorn.conf.py takes the socket systemd passes (LISTEN_FDS)."""
    activate = shutil.which("systemd-socket-activate")
    if activate is None:
        missing("needs systemd-socket-activate (Debian's systemd package), and it is not installed")
    port = free_port()
    env = production_env(
        DJANGO_SETTINGS_MODULE="clinic_site.settings_test",
        DATABASE_URL=f"sqlite:///{tmp_path / 'socket.sqlite3'}",
        REDIS_URL=None,
        PORT="1",  # what gunicorn.conf.py would bind: unusable, so only the socket can serve
        WEB_CONCURRENCY="1",
    )
    assert manage("migrate", "--noinput", "--verbosity", "0", env=env).returncode == 0
    passed = [f"--setenv={name}" for name in env]
    log = (tmp_path / "gunicorn.log").open("wb")
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    command = [activate, "--listen", f"127.0.0.1:{port}", *passed, gunicorn]
    server = start([*command, "--config", "gunicorn.conf.py"], env, log)
    try:
        for _ in range(100):  # systemd-socket-activate binds it first
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            time.sleep(0.05)
        # The socket exists before gunicorn does: the first request waits for it.
        status, _, body = request(port, "/healthz", headers=HTTPS, timeout=60)
    finally:
        stop(server)
        log.close()

    assert (status, body) == (200, b'{"status": "ok"}')
    assert f"Listening at: http://127.0.0.1:{port}" in (tmp_path / "gunicorn.log").read_text()


def test_the_nginx_site_follows_the_upload_limit_and_static_root(settings, tmp_path):
    from django.core.management import CommandError, call_command

    settings.ARTICLE_IMAGE_MAX_BYTES = 10 * 1024 * 1024
    settings.STATIC_ROOT = tmp_path / "collected"
    site = tmp_path / "site.conf"

    call_command("write_nginx_site", server_name="clinic.example", output=str(site))

    text = site.read_text()
    assert "client_max_body_size 11m;" in text
    assert f"alias {tmp_path / 'collected'}/;" in text
    assert "server 127.0.0.1:8000 max_fails=1" in text
    assert "ssl_certificate     /etc/letsencrypt/live/clinic.example/fullchain.pem;" in text
    with pytest.raises(CommandError, match="server-name"):
        call_command("write_nginx_site", server_name="clinic.example; evil", output=str(site))
