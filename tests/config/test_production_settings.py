"""Production configuration comes from the environment and is safe by default."""

import secrets

from tests.config.test_statistics_module_name import run_in_project

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "wildwestweb.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/wildwestweb",
}


def test_check_deploy_reports_nothing_under_production_settings():
    result = run_in_project(
        "manage.py", "check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION_ENV
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key_and_says_why():
    result = run_in_project("manage.py", "check", env_overrides={**PRODUCTION_ENV, "SECRET_KEY": ""})
    assert result.returncode == 1
    assert "SECRET_KEY is missing or too weak" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_refuses_a_short_secret_key():
    result = run_in_project("manage.py", "check", env_overrides={**PRODUCTION_ENV, "SECRET_KEY": "short"})
    assert result.returncode == 1
    assert "SECRET_KEY" in result.stderr
