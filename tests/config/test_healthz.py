"""/healthz tells a load balancer whether this server can reach its database and cache."""

from django.test import override_settings

from tests.config.test_page_cache import UNREACHABLE_REDIS
from tests.config.test_statistics_module_name import run_in_project


def test_healthy_server_answers_ok_and_sets_no_cookies(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies


def test_unreachable_cache_gives_503_without_details(client, db, caplog):
    with override_settings(CACHES=UNREACHABLE_REDIS):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.content == b"unavailable"
    assert "cache unavailable" in caplog.text


# A real outage: the database URL points at a port where no PostgreSQL listens.
DATABASE_DOWN_SCRIPT = """
import django
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
response = Client().get("/healthz")
print(response.status_code, response.content.decode())
"""


def test_unreachable_database_gives_503_without_details():
    result = run_in_project(
        "-c",
        DATABASE_DOWN_SCRIPT,
        env_overrides={
            "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nothing_here",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        },
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "503 unavailable"
    assert "database unavailable (OperationalError)" in result.stdout


def test_healthz_only_answers_reads(client, db):
    assert client.post("/healthz").status_code == 405
