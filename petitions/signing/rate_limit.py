"""Keeping bots out of the count: keyed client hashes, spending a form token once, and a rate limit.

(The form token itself, which says when the form was shown, is petitions.sign_form.token.) The rate
limit and the note of which form tokens are spent live in the shared cache, so they hold across app
servers. They fail open: if the cache is down, people can still sign (the honeypot, the
token's signature and age, email confirmation and invalidation by client hash still stand between a
bot and the count).
"""

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.utils.crypto import salted_hmac

from core import client_address
from core.cache_backend import count_in_window

logger = logging.getLogger(__name__)


def client_ip(request):
    """The client's IP, as the whole site reads it (core.client_address, TRUSTED_PROXY_COUNT)."""
    return client_address.client_ip(request)


def hash_client(ip):
    """A keyed hash of an IP address: the same client gives the same hash, and the IP cannot be read back."""
    if not ip:
        return ""
    return salted_hmac("petitions.client-ip", ip, algorithm="sha256").hexdigest()


@dataclass(frozen=True)
class SignAttempt:
    """What the shared cache says of one sign request."""

    over_rate_limit: bool = False
    # The form token already carried a signature of another email address.
    token_spent: bool = False
    # What the cache held under the keys asked to be read along (`read`); None when they were not read.
    found: dict | None = None


def count_sign_attempt(ip_hash, token_id=None, email="", read=(None, ())):
    """Count one sign attempt by this client and, for a valid form, spend its token on this email.

    The rate limit is a fixed window keyed by the client hash, with nothing to clean up. A form token
    is good for one signature: the first to use it notes a keyed hash of its email against it, for as
    long as the token lives, and another email with the same token is refused (the same email again is
    a double submit, which signing already keeps once). Both are checked in one round trip on the
    project's Redis backend (`count_and_claim`); other backends take a few.

    Both fail open: with the cache down, signing goes on without them (logged), and the honeypot, the
    token's signature and age, email confirmation and invalidation by client hash still stand between a
    bot and the count.

    `read` is (a cache, keys): values the request needs next (a petition's signing facts), read in the
    same round trip where the backend allows (`SignAttempt.found`); otherwise the caller reads them.
    """
    window = settings.PETITION_SIGN_RATE_WINDOW_SECONDS
    rate_key = f"petitions:sign-rate:{ip_hash}:{int(time.time()) // window}" if ip_hash else None
    claim = None
    if token_id:
        holder = salted_hmac("petitions.form-token-email", email.strip().lower()).hexdigest()[:16]
        claim = (f"petitions:form-token:{token_id}", holder, settings.PETITION_FORM_MAX_AGE_SECONDS)
    if rate_key is None and claim is None:
        return SignAttempt()
    read_cache, read_keys = read
    try:
        if (
            rate_key is not None
            and read_cache is caches[DEFAULT_CACHE_ALIAS]
            and hasattr(read_cache, "count_claim_and_read")
        ):
            attempts, held_by, found = read_cache.count_claim_and_read(rate_key, window, claim, read_keys)
        else:
            (attempts, held_by), found = _count_and_claim(rate_key, window, claim), None
    except ValueError:  # the counter cannot be kept: Redis unreachable, or a key another backend lost
        logger.warning(
            "Rate-limit cache unavailable: sign request allowed without a rate limit or token check"
        )
        return SignAttempt()
    return SignAttempt(
        over_rate_limit=attempts > settings.PETITION_SIGN_RATE_LIMIT,
        token_spent=claim is not None and held_by != claim[1],
        found=found,
    )


def _count_and_claim(rate_key, window, claim):
    """(attempts in the window, the token's holder); one round trip where the backend allows."""
    if rate_key is not None and claim is not None and hasattr(cache, "count_and_claim"):
        return cache.count_and_claim(rate_key, window, *claim)
    attempts = 0 if rate_key is None else count_in_window(cache, rate_key, window)
    held_by = None
    if claim is not None:
        claim_key, holder, timeout = claim
        cache.add(claim_key, holder, timeout=timeout)
        held_by = cache.get(claim_key)
    return attempts, held_by
