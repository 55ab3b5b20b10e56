"""Confirmation links never reach the logs: gunicorn's access lines and the application's own lines
show `/petitions/confirm/[token]/`, through the real server with production logging."""

import json

import pytest
import requests
from django.urls import reverse

from petitions.mail.confirmation import make_confirmation_token
from tests.petitions.factories import SignatureFactory

from .services import gunicorn, service_env

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_confirmation_tokens_are_masked_in_every_line_gunicorn_writes(petition, tmp_path):
    signature = SignatureFactory(petition=petition, email="jo@example.org")
    token = make_confirmation_token(signature.pk)
    tampered = token[:-4] + "abcd"
    env = service_env(GUNICORN_ACCESS_LOG="-", LOG_LEVEL="INFO", LOG_FORMAT="json")
    log_path = tmp_path / "gunicorn.log"

    with gunicorn(env, log_path) as base_url:
        followed = requests.get(base_url + reverse("petitions:confirm", args=[token]), timeout=30)
        refused = requests.get(base_url + reverse("petitions:confirm", args=[tampered]), timeout=30)

    assert (followed.status_code, refused.status_code) == (200, 404)
    output = log_path.read_text()
    signed_part = token.rsplit(":", 1)[-1]
    assert token not in output
    assert signed_part not in output
    assert tampered.rsplit(":", 1)[-1] not in output
    entries = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    access = [entry for entry in entries if entry["logger"] == "gunicorn.access"]
    assert [(entry["message"], entry["path"]) for entry in access if "confirm" in entry["path"]] == [
        ("GET /petitions/confirm/[token]/ 200", "/petitions/confirm/[token]/"),
        ("GET /petitions/confirm/[token]/ 404", "/petitions/confirm/[token]/"),
    ]
    assert {"logger": "django.request", "message": "Not Found: /petitions/confirm/[token]/"}.items() <= next(
        entry for entry in entries if entry["logger"] == "django.request"
    ).items()
