"""Behind one or two real nginx proxies, each visitor is still a client of their own: a lock-out or a
rate limit for one does not fall on another behind the same proxy, and no one picks their address by
sending X-Forwarded-For. Visitors connect from different loopback addresses (127.0.0.2, 127.0.0.3, ...)."""

import re

import pytest
import requests
from django.urls import reverse

from tests.config.test_redis_cache import require_redis
from tests.conftest import PASSWORD

from .services import Signer, from_address, gunicorn, nginx_proxies, service_env, signing_paths

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

RATE_LIMIT = 3


class AdminSignIn:
    """A browser at `address` signing in to the admin through the proxies."""

    def __init__(self, base_url, address):
        self.url = base_url + reverse("wagtailadmin_login")
        self.session = from_address(requests.Session(), address)

    def attempt(self, password, headers=None):
        form = self.session.get(self.url, timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)[1]
        # Production cookies are Secure and this hop is plain HTTP: sent back by hand, as over HTTPS.
        cookie = f"csrftoken={form.cookies['csrftoken']}"
        return self.session.post(
            self.url,
            data={"username": "ada.lovelace", "password": password, "csrfmiddlewaretoken": token},
            headers={"Cookie": cookie, **(headers or {})},
            allow_redirects=False,
            timeout=30,
        ).status_code


def signer(base_url, petition, address):
    visitor = Signer(base_url, signing_paths(petition))
    from_address(visitor.session, address)
    return visitor.open_form()


@pytest.mark.parametrize("proxies", [1, 2], ids=["one-proxy", "two-proxies"])
def test_lock_outs_and_rate_limits_fall_on_one_client_not_on_everyone_behind_the_proxy(
    petition, superuser, tmp_path, proxies
):
    # Addresses of their own for each case: the rate-limit counts stay in Redis between them.
    one, other = f"127.0.0.{2 * proxies}", f"127.0.0.{2 * proxies + 1}"
    posing_as_other = {"X-Forwarded-For": other}
    env = service_env(
        TRUSTED_PROXY_COUNT=str(proxies),
        # Two gunicorn processes must count the same sign attempts.
        CACHE_URL=require_redis(),
        PETITION_SIGN_RATE_LIMIT=str(RATE_LIMIT),
    )
    with (
        gunicorn(env, tmp_path / "gunicorn.log") as app_url,
        nginx_proxies(app_url, proxies, tmp_path / "nginx") as base_url,
    ):
        mallory, alice = AdminSignIn(base_url, one), AdminSignIn(base_url, other)
        # django-axes answers the fifth failure with the lock-out page already.
        failures = [mallory.attempt("wrong") for _ in range(5)]
        mallory_locked = mallory.attempt(PASSWORD)
        mallory_posing_as_alice = mallory.attempt(PASSWORD, headers=posing_as_other)
        alice_signs_in = alice.attempt(PASSWORD)

        busy, quiet = signer(base_url, petition, one), signer(base_url, petition, other)
        busy_signing = [busy.sign(f"busy{n}@example.org").status_code for n in range(RATE_LIMIT + 1)]
        busy.session.headers.update(posing_as_other)
        busy_posing_as_quiet = busy.sign("busy-again@example.org").status_code
        quiet_signs = quiet.sign("quiet@example.org").status_code

    assert failures == [200, 200, 200, 200, 429]
    assert (mallory_locked, mallory_posing_as_alice, alice_signs_in) == (429, 429, 302)
    assert busy_signing == [302] * RATE_LIMIT + [429]
    assert (busy_posing_as_quiet, quiet_signs) == (429, 302)
