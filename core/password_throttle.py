"""Throttling of the passwords that guard private pages and documents (Wagtail's privacy passwords).

Wagtail checks a page's or a collection's shared password in its `authenticate_with_password` views
and counts nothing, so a script could try thousands. `PasswordThrottleMiddleware` counts the tries
at each view named in `PRIVACY_PASSWORD_VIEWS`, per client (`core.client_address`) and restriction:
after `PRIVACY_PASSWORD_FAILURE_LIMIT` tries without success within `PRIVACY_PASSWORD_WINDOW_MINUTES`,
the next is refused with a 429 page saying when to try again, for `PRIVACY_PASSWORD_COOLOFF_MINUTES`.
A success clears the count. Tries are counted before the password is checked, so a burst of
simultaneous guesses cannot get past the limit either.

The counts live in the shared cache (Redis in production), so every app server sees the same ones.
If the cache cannot count, password forms are refused with a 503 ("try again shortly"): it fails
closed, like the admin sign-in, because a password is the only thing between a guesser and the page,
while an outage only delays the few people who know it (and `/healthz` reports the cache).
"""

import datetime
import logging
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.crypto import salted_hmac

from core.cache_backend import count_in_window
from core.client_address import client_ip

logger = logging.getLogger(__name__)

# Seconds a visitor is asked to wait while the cache cannot count tries.
UNAVAILABLE_RETRY_AFTER = 60


def _keys(request, url_name, restriction_id):
    client = salted_hmac("config.password-throttle", client_ip(request), algorithm="sha256").hexdigest()
    base = f"password-throttle:{url_name}:{restriction_id}:{client}"
    return f"{base}:tries", f"{base}:paused-until"


class PasswordThrottleMiddleware:
    """Count privacy-password tries per client and restriction, and pause a client that keeps failing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        tries_key = getattr(request, "_password_tries_key", None)
        # Wagtail's views redirect to the page or document only when the password was right.
        if tries_key and response.status_code in (301, 302, 303, 307, 308):
            # Dropped while the cache is away (the backend absorbs it): the count runs out with its window.
            cache.delete(tries_key)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        restriction_argument = settings.PRIVACY_PASSWORD_VIEWS.get(match.url_name) if match else None
        if request.method != "POST" or restriction_argument is None:
            return None
        tries_key, paused_key = _keys(request, match.url_name, view_kwargs.get(restriction_argument))
        limit = settings.PRIVACY_PASSWORD_FAILURE_LIMIT
        cooloff = settings.PRIVACY_PASSWORD_COOLOFF_MINUTES * 60
        try:
            paused_until = cache.get(paused_key)
            if paused_until is None:
                tries = count_in_window(cache, tries_key, settings.PRIVACY_PASSWORD_WINDOW_MINUTES * 60)
                if tries > limit:
                    paused_until = time.time() + cooloff
                    cache.set(paused_key, paused_until, timeout=cooloff)
                    cache.delete(tries_key)
                    logger.warning("Password throttle: a client was paused after %s failed tries", limit)
        except ValueError:  # the counter cannot be kept (Redis unreachable): fail closed
            logger.warning("Password throttle: the cache cannot count tries, so password forms are refused")
            return _refused(request, retry_after=UNAVAILABLE_RETRY_AFTER, unavailable=True)
        if paused_until is not None:
            return _refused(request, retry_after=max(1, math.ceil(paused_until - time.time())))
        request._password_tries_key = tries_key
        return None


def _refused(request, retry_after, unavailable=False):
    """429 "too many tries, try again after ..." or, while the cache is away, 503 "try again shortly"."""
    try_again_at = timezone.localtime() + datetime.timedelta(seconds=retry_after)
    context = {
        "unavailable": unavailable,
        "failure_limit": settings.PRIVACY_PASSWORD_FAILURE_LIMIT,
        "minutes": math.ceil(retry_after / 60),
        "try_again_at": try_again_at,
    }
    response = render(request, "core/password_paused.html", context, status=503 if unavailable else 429)
    response["Retry-After"] = str(retry_after)
    add_never_cache_headers(response)
    return response
