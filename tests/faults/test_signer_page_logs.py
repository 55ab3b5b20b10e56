"""The signer's page link never reaches the logs: gunicorn's access lines and the application's own
lines show `/petitions/you/[token]/`, through the real server with production logging, for a page opened,
a change posted and a tampered link. (The change itself is tested in tests/petitions/test_signer_page.py:
this server's production settings want HTTPS for the CSRF cookie, so the POST here is refused, and is
logged all the same.)"""

import json
import re

import pytest
import requests
from django.urls import reverse

from petitions.selfservice.links import signer_page_token
from tests.petitions.factories import SignatureFactory

from .services import gunicorn, service_env

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_signer_page_tokens_are_masked_in_every_line_gunicorn_writes(petition, tmp_path):
    signature = SignatureFactory(petition=petition, email="jo@example.org", contact_consent=True)
    token = signer_page_token(signature)
    tampered = token[:-4] + "abcd"
    env = service_env(GUNICORN_ACCESS_LOG="-", LOG_LEVEL="INFO", LOG_FORMAT="json")
    log_path = tmp_path / "gunicorn.log"

    with gunicorn(env, log_path) as base_url:
        session = requests.Session()
        url = base_url + reverse("petitions:signer_page", args=[token])
        opened = session.get(url, timeout=30)
        step = session.get(url + "?change=contact-off", timeout=30)
        csrf_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', step.text).group(1)
        changed = session.post(
            url,
            data={"csrfmiddlewaretoken": csrf_token, "change": "contact-off"},
            headers={"Referer": url, "Origin": base_url},
            allow_redirects=False,
            timeout=30,
        )
        refused = session.get(base_url + reverse("petitions:signer_page", args=[tampered]), timeout=30)

    assert (opened.status_code, step.status_code, refused.status_code) == (200, 200, 404)
    assert changed.status_code in (302, 403)
    output = log_path.read_text()
    assert token not in output
    assert token.rsplit(":", 1)[-1] not in output
    assert tampered.rsplit(":", 1)[-1] not in output
    assert "jo@example.org" not in output
    entries = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    access = [entry["message"] for entry in entries if entry["logger"] == "gunicorn.access"]
    assert [line for line in access if "/you/" in line] == [
        "GET /petitions/you/[token]/ 200",
        "GET /petitions/you/[token]/ 200",
        f"POST /petitions/you/[token]/ {changed.status_code}",
        "GET /petitions/you/[token]/ 404",
    ]
