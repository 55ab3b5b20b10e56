"""Keeping bots out of the count: keyed client hashes, the form timing token and a rate limit.

The rate limit lives in the shared cache so it holds across app servers. It fails open: if the
cache is down, people can still sign (the honeypot, the timing token, email confirmation and
invalidation by client hash still stand between a bot and the count).
"""

import logging
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.utils.crypto import salted_hmac

from core import client_address
from core.cache_backend import count_in_window

logger = logging.getLogger(__name__)

_FORM_TOKEN_SALT = "petitions.sign-form-shown"  # noqa: S105 - a namespace for signing, not a secret


def client_ip(request):
    """The client's IP, as the whole site reads it (core.client_address, TRUSTED_PROXY_COUNT)."""
    return client_address.client_ip(request)


def hash_client(ip):
    """A keyed hash of an IP address: the same client gives the same hash, and the IP cannot be read back."""
    if not ip:
        return ""
    return salted_hmac("petitions.client-ip", ip, algorithm="sha256").hexdigest()


def make_form_token():
    """A signed note of when the form was shown, for the hidden field."""
    return signing.TimestampSigner(salt=_FORM_TOKEN_SALT).sign(str(int(time.time())))


class FormTokenError(ValueError):
    """The form token is missing, tampered with, too old or too new; `str()` says so for the visitor."""


def check_form_token(token):
    """Raise FormTokenError unless the form was shown between the minimum and maximum times ago."""
    try:
        shown_at = int(
            signing.TimestampSigner(salt=_FORM_TOKEN_SALT).unsign(
                token or "", max_age=settings.PETITION_FORM_MAX_AGE_SECONDS
            )
        )
    except signing.SignatureExpired as error:
        raise FormTokenError(
            "This form has expired. Check your details, then send the form again."
        ) from error
    except (signing.BadSignature, ValueError) as error:
        raise FormTokenError(
            "Something went wrong with the form. Check your details, then send it again."
        ) from error
    if time.time() - shown_at < settings.PETITION_FORM_MIN_SECONDS:
        raise FormTokenError("The form was sent very quickly. Check your details, then send it again.")


def sign_rate_limited(ip_hash):
    """Count one sign attempt by this client; True when it is over the limit for the current window.

    A fixed window keyed by the client hash (`core.cache_backend.count_in_window`).
    """
    if not ip_hash:
        return False
    window = settings.PETITION_SIGN_RATE_WINDOW_SECONDS
    key = f"petitions:sign-rate:{ip_hash}:{int(time.time()) // window}"
    try:
        attempts = count_in_window(cache, key, window)
    except ValueError:  # the counter cannot be kept: Redis unreachable, or a key another backend lost
        logger.warning("Rate-limit cache unavailable: sign request allowed without a rate limit")
        return False
    return attempts > settings.PETITION_SIGN_RATE_LIMIT
