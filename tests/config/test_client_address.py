"""One reading of the client's address (TRUSTED_PROXY_COUNT) for everything that keys on it; nobody can
choose theirs by sending X-Forwarded-For. `tests/faults/test_proxies.py` puts real nginx proxies in front."""

import pytest
from django.urls import reverse

from core.client_address import client_ip
from tests.config.test_production_settings import PRODUCTION_ENV
from tests.config.test_statistics_module_name import run_in_project
from tests.conftest import PASSWORD


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        pytest.param(0, "203.0.113.9", "10.0.0.2", id="no-proxy-ignores-the-header"),
        pytest.param(1, "203.0.113.9", "203.0.113.9", id="one-proxy"),
        pytest.param(1, "6.6.6.6, 203.0.113.9", "203.0.113.9", id="one-proxy-client-sent-its-own"),
        pytest.param(2, "6.6.6.6, 203.0.113.9, 10.0.0.3", "203.0.113.9", id="two-proxies"),
        pytest.param(2, "10.0.0.3", "10.0.0.2", id="fewer-entries-than-proxies"),
        pytest.param(1, "", "10.0.0.2", id="no-header"),
        pytest.param(1, "unknown", "10.0.0.2", id="not-an-address"),
        pytest.param(1, "203.0.113.9:51234", "203.0.113.9", id="with-a-port"),
        pytest.param(1, "[2001:db8::1]:443", "2001:db8::1", id="ipv6-with-a-port"),
        pytest.param(1, "::ffff:203.0.113.9", "203.0.113.9", id="ipv4-mapped"),
    ],
)
def test_the_client_is_the_entry_the_outermost_proxy_wrote(rf, settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected


def sign_in(client, password, forwarded_for):
    return client.post(
        reverse("wagtailadmin_login"),
        {"username": "ada.lovelace", "password": password},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_behind_a_proxy_a_lock_out_holds_for_that_client_only(client, superuser, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "wrong password", "198.51.100.7")

    locked = sign_in(client, PASSWORD, "198.51.100.7")
    spoofing = sign_in(client, PASSWORD, "203.0.113.20, 198.51.100.7")
    elsewhere = sign_in(client, PASSWORD, "203.0.113.20")

    assert (locked.status_code, spoofing.status_code, elsewhere.status_code) == (429, 429, 302)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PETITION_CLIENT_IP_HEADER", "HTTP_X_REAL_IP"),
        ("AXES_IPWARE_PROXY_COUNT", "1"),
        ("AXES_IPWARE_META_PRECEDENCE_ORDER", "HTTP_X_FORWARDED_FOR"),
    ],
)
def test_a_replaced_proxy_setting_stops_the_site_and_names_its_replacement(name, value):
    result = run_in_project("manage.py", "check", env_overrides={**PRODUCTION_ENV, name: value})

    assert result.returncode == 1
    assert f"{name} is no longer used" in result.stderr
    assert "TRUSTED_PROXY_COUNT" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_old_settings_left_at_their_defaults_are_harmless():
    defaults = {"AXES_IPWARE_META_PRECEDENCE_ORDER": "REMOTE_ADDR", "AXES_IPWARE_PROXY_COUNT": ""}
    env = {**PRODUCTION_ENV, **defaults}

    result = run_in_project("manage.py", "check", env_overrides=env)

    assert result.returncode == 0, result.stderr
