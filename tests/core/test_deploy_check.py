"""`manage.py check --deploy` on the production settings finds nothing to warn about."""

from tests.core.production import manage, production_env


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output


def test_check_deploy_is_clean_with_redis_and_a_moved_admin():
    env = production_env(REDIS_URL="redis://127.0.0.1:6379/14", ADMIN_URL="staff-7f3a/")

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout + result.stderr


def test_check_deploy_would_catch_a_weak_configuration():
    # The same check fails when a protection is switched off, so the two above mean it.
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=production_env(HSTS_SECONDS="0")
    )

    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr
