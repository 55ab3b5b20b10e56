"""Brute-force protection of the admin sign-in (django-axes), through the real Wagtail login URL."""

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD


def sign_in(client, password, address="198.51.100.7"):
    return client.post(
        reverse("wagtailadmin_login"),
        {"username": "ada.lovelace", "password": password},
        REMOTE_ADDR=address,
    )


def is_signed_in(client):
    return "_auth_user_id" in client.session


def test_five_wrong_passwords_pause_sign_in_even_with_the_right_one(client, superuser, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "wrong password").status_code == 200

    locked = sign_in(client, "wrong password")
    right_password = sign_in(client, PASSWORD)

    assert locked.status_code == 429
    assert right_password.status_code == 429
    assert "Sign-in paused" in right_password.text
    assert "paused for 15 minutes" in right_password.text
    assert "ada.lovelace" not in right_password.text
    assert "198.51.100.7" not in right_password.text
    assert not is_signed_in(client)


def test_lock_out_is_for_that_username_from_that_address_only(client, superuser, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "wrong password")

    from_elsewhere = sign_in(client, PASSWORD, address="203.0.113.20")

    assert from_elsewhere.status_code == 302
    assert is_signed_in(client)


def test_a_successful_sign_in_clears_earlier_failures(client, superuser, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "wrong password")
    assert sign_in(client, PASSWORD).status_code == 302
    client.logout()

    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "wrong password")

    assert sign_in(client, PASSWORD).status_code == 302


@pytest.mark.parametrize("attempts", [1, 4])
def test_fewer_failures_than_the_limit_still_let_the_editor_in(client, superuser, attempts):
    for _ in range(attempts):
        sign_in(client, "wrong password")

    assert sign_in(client, PASSWORD).status_code == 302
    assert is_signed_in(client)
