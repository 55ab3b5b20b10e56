"""Structured logs: the request each line belongs to, JSON output, and no personal data in any line."""

import io
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from django.test import override_settings

from core.log import JsonFormatter, RedactPersonalDataFilter
from tests.config.test_page_cache import UNREACHABLE_REDIS
from tests.config.test_statistics_module_name import PROJECT_ROOT


@pytest.fixture
def console():
    """The console handler configured by settings.LOGGING, writing into a buffer for the test."""
    handler = next(
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, RedactPersonalDataFilter) for f in handler.filters)
    )
    buffer = io.StringIO()
    previous_stream = handler.setStream(buffer)
    previous_formatter = handler.formatter
    yield handler, buffer
    handler.setStream(previous_stream)
    handler.setFormatter(previous_formatter)


def json_lines(buffer):
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_email_addresses_and_postcodes_are_masked_in_messages(console):
    _, buffer = console

    logging.getLogger("petitions.signing.signatures").warning(
        "Signature from %s at %s rejected", "Jo.Bloggs+news@example.co.uk", "sw1a 1aa"
    )

    line = buffer.getvalue()
    assert "Signature from [email] at [postcode] rejected" in line
    assert "Bloggs" not in line
    assert "1aa" not in line


@pytest.mark.parametrize("postcode", ["M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT", "EC1A1BB", "GIR 0AA"])
def test_every_shape_of_uk_postcode_is_masked(console, postcode):
    _, buffer = console

    logging.getLogger("statistics.import").info("Row for %s skipped", postcode)

    assert postcode not in buffer.getvalue()
    assert "Row for [postcode] skipped" in buffer.getvalue()


def test_ordinary_figures_and_ids_are_left_alone(console):
    _, buffer = console

    logging.getLogger("statistics.import").info("Imported 4,000 rows for 2019 in 12 s (id 3f2a9c)")

    assert "Imported 4,000 rows for 2019 in 12 s (id 3f2a9c)" in buffer.getvalue()


def test_personal_data_in_a_traceback_is_masked_too(console):
    handler, buffer = console
    handler.setFormatter(JsonFormatter())

    try:
        raise ValueError("duplicate key value violates unique constraint: (email)=(someone@example.org)")
    except ValueError:
        logging.getLogger("petitions.signing.signatures").exception("Could not record a signature")

    [entry] = json_lines(buffer)
    assert entry["level"] == "ERROR"
    assert entry["message"] == "Could not record a signature"
    assert "(email)=([email])" in entry["exception"]
    assert "someone@example.org" not in buffer.getvalue()


def test_a_path_holding_an_email_address_keeps_its_shape(console):
    _, buffer = console

    logging.getLogger("django.request").warning("Not Found: %s", "/search/jo.bloggs@example.org/results/")

    assert "Not Found: /search/[email]/results/" in buffer.getvalue()


@pytest.mark.parametrize(
    "path", ["/petitions/confirm/12:1tXyZa:Qm9vBcdEfGh/", "/petitions/confirm/jo@example.org/"]
)
def test_a_confirmation_link_is_logged_as_its_path_with_the_token_masked(console, path):
    _, buffer = console

    logging.getLogger("django.request").warning("Not Found: %s", path)
    logging.getLogger("gunicorn.error").error("Error handling request %s (%s)", path, path.upper())

    lines = buffer.getvalue()
    assert "Not Found: /petitions/confirm/[token]/" in lines
    assert "Error handling request /petitions/confirm/[token]/" in lines
    assert path.split("/")[3] not in lines


@override_settings(ROOT_URLCONF="tests.config.secret_urls")
def test_a_new_url_opts_in_with_the_secret_converter_and_its_secret_is_masked_everywhere(client, console):
    handler, buffer = console
    handler.setFormatter(JsonFormatter())
    client.raise_request_exception = False

    response = client.get("/people/7/unsubscribe/Zq8wXe4rTy/")

    assert response.status_code == 500
    entries = json_lines(buffer)
    followed = next(entry for entry in entries if entry["logger"] == "tests.self_service")
    assert followed["path"] == "/people/7/unsubscribe/[token]/"
    failure = next(entry for entry in entries if entry["logger"] == "django.request")
    assert failure["message"] == "Internal Server Error: /people/7/unsubscribe/[token]/"
    assert "ValueError: No subscription has the code [token]" in failure["exception"]
    assert "Zq8wXe4rTy" not in buffer.getvalue()


def test_json_lines_carry_the_request_id_and_path_without_query_string(client, db, console):
    handler, buffer = console
    handler.setFormatter(JsonFormatter())

    with override_settings(CACHES=UNREACHABLE_REDIS):
        response = client.get("/healthz", {"email": "someone@example.org"})

    entries = [entry for entry in json_lines(buffer) if entry["logger"] == "core.views"]
    assert len(entries) == 1
    entry = entries[0]
    assert entry["level"] == "WARNING"
    assert entry["message"] == "Health check failed: cache unavailable (ConnectionError)."
    assert entry["path"] == "/healthz"
    assert entry["method"] == "GET"
    assert entry["request_id"] == response["X-Request-ID"]
    assert set(entry) >= {"time", "level", "logger", "message"}
    assert "someone" not in buffer.getvalue()


def test_request_id_from_the_proxy_is_kept_and_a_bad_one_replaced(client, db):
    kept = client.get("/healthz", headers={"X-Request-ID": "nginx-1a2b3c4d5e6f"})
    replaced = client.get("/healthz", headers={"X-Request-ID": "someone@example.org\nforged"})

    assert kept["X-Request-ID"] == "nginx-1a2b3c4d5e6f"
    assert len(replaced["X-Request-ID"]) == 32
    assert "someone" not in replaced["X-Request-ID"]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url, deadline):
    while time.monotonic() < deadline:
        try:
            return urllib.request.urlopen(url, timeout=2)  # noqa: S310 (a loopback URL built above)
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"gunicorn did not answer {url} in time")


def test_gunicorn_writes_json_access_lines_without_query_strings(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_FORMAT": "json",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "2",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/healthz"
        wait_for(url, deadline=time.monotonic() + 60)
        request = urllib.request.Request(  # noqa: S310 (a loopback URL built above)
            f"{url}?email=someone%40example.org", headers={"X-Request-ID": "bench-0001-abcd"}
        )
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            assert response.status == 200
    finally:
        server.send_signal(signal.SIGTERM)
        stdout, stderr = server.communicate(timeout=30)

    access = [json.loads(line) for line in stdout.splitlines() if '"gunicorn.access"' in line]
    [entry] = [entry for entry in access if entry.get("request_id") == "bench-0001-abcd"]
    assert entry["message"] == "GET /healthz 200"
    assert entry["path"] == "/healthz"
    assert entry["status"] == 200
    assert isinstance(entry["duration_ms"], float)
    assert "someone" not in stdout
    assert "?" not in entry["message"]
    assert "Traceback" not in stderr
