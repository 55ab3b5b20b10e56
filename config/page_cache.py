"""Whole-page cache for anonymous visitors, kept in the shared cache so every app server sees one copy.

Every cached page carries the *content generation* number it was rendered in, stored in the same cache
and read with the page in one round trip. Purging is bumping that number (`purge_pages()`): every
server then treats its next hit as a miss and renders the page afresh, replacing the stale entry.
Wagtail's publish, unpublish and move signals, site changes, settings changes and page privacy changes
(a view restriction added, changed or removed) purge automatically;
other apps call `purge_pages()` (or connect their own signals to `purge_pages_after_commit`) when
something a page shows changes.

Forms on cached pages stay safe: the CSRF token a page was rendered with is cut out before the page is
stored and each visitor gets a token of their own (and the matching cookie) when it is served; values
registered with `renew_on_every_view` (the sign form's timing token) are made afresh the same way.

Requests the whole-page cache cannot answer (a visitor with a session, a query parameter it does not
know) can still reuse parts of a page: `cached_fragment`, behind the `{% cache_until_purge %}`
template tag, keeps rendered HTML under the same generation and treats tokens the same way.
"""

import hashlib
import logging
import re
import time
from functools import partial
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import _unmask_cipher_token, get_token
from django.utils.cache import cc_delim_re

logger = logging.getLogger(__name__)

GENERATION_KEY = "page_cache:generation"
KEY_PREFIX = "page_cache:page"
FRAGMENT_KEY_PREFIX = "page_cache:fragment"
CACHE_STATUS_HEADER = "X-Page-Cache"

# Stands in for the visitor's CSRF token in a stored page; never a valid token itself.
CSRF_PLACEHOLDER = "__page_cache_csrf_token__"
# Django's masked CSRF tokens: 64 characters from its alphabet. Only those that unmask to the request's
# own secret are replaced, so a 64-character id elsewhere in a page is left alone.
_TOKEN_CANDIDATE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")

# Headers that belong to one response, not to the page.
_UNSTORED_HEADERS = {"content-length", "set-cookie", "vary", "x-request-id", CACHE_STATUS_HEADER.lower()}
_UNCACHEABLE_CACHE_CONTROL = {"private", "no-cache", "no-store"}


def _cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def _start_generation(cache):
    # A clock-based start cannot fall back onto the numbers of entries cached before the loss.
    cache.add(GENERATION_KEY, time.time_ns(), timeout=None)


def current_generation():
    """The content generation pages are cached under, starting a new one if the cache lost it.

    None when the cache does not keep what it is given.
    """
    cache = _cache()
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        _start_generation(cache)
        generation = cache.get(GENERATION_KEY)
    return generation


def purge_pages():
    """Make every cached page stale at once, on every app server.

    Call it after a change that any page may show has been committed (or connect a signal to
    `purge_pages_after_commit`). If the cache is down it logs the failure and returns: publishing must
    not fail because of the cache, and pages then expire within `PAGE_CACHE_SECONDS`.
    """
    cache = _cache()
    try:
        try:
            cache.incr(GENERATION_KEY)
        except ValueError:
            _start_generation(cache)
    except Exception as error:
        logger.error(
            "Could not purge the page cache (%s); cached pages expire within %s seconds.",
            type(error).__name__,
            settings.PAGE_CACHE_SECONDS,
        )


def purge_pages_after_commit(sender=None, **kwargs):
    """Signal receiver: purge once the current transaction commits, so no request re-caches old content."""
    transaction.on_commit(purge_pages)


def cached_until_purge(key, timeout, compute):
    """`compute()`, kept in the page cache's store until the next purge or for `timeout` seconds.

    For facts drawn from published content that requests need far more often than editors change
    them. The value is stored with the content generation it was computed in and read back with
    that generation in one round trip, so a purge (a publish, say) makes it stale everywhere at
    once. A cache outage means computing every time. `forget_cached(key)` drops it sooner.
    """
    cache = _cache()
    try:
        found = cache.get_many([GENERATION_KEY, key])
    except Exception as error:
        logger.warning("Cache unavailable (%s); computing %s.", type(error).__name__, key.split(":")[0])
        return compute()
    generation = found.get(GENERATION_KEY)
    stored = found.get(key)
    if generation is not None and stored is not None and stored[0] == generation:
        return stored[1]
    try:
        # Read (or started) before computing: a purge while computing leaves the value stale at once.
        generation = generation or current_generation()
    except Exception as error:
        logger.warning("Cache unavailable (%s); computing %s.", type(error).__name__, key.split(":")[0])
        return compute()
    value = compute()
    if generation is not None:
        try:
            cache.set(key, (generation, value), timeout)
        except Exception as error:
            logger.warning("Cache unavailable (%s); %s not stored.", type(error).__name__, key.split(":")[0])
    return value


def forget_cached(key):
    """Drop a value kept by `cached_until_purge` (it expires on its own if the cache is down)."""
    try:
        _cache().delete(key)
    except Exception as error:
        logger.warning("Cache unavailable (%s); %s left to expire.", type(error).__name__, key.split(":")[0])


def _cache_key(request):
    query = urlencode(
        sorted(
            (name, value)
            for name, values in request.GET.lists()
            if name in settings.PAGE_CACHE_QUERY_PARAMETERS
            for value in values
        )
    )
    scheme = "https" if request.is_secure() else "http"
    url = f"{scheme}://{request.get_host()}{request.path}?{query}"
    return f"{KEY_PREFIX}:{hashlib.sha256(url.encode()).hexdigest()}"


def _request_is_cacheable(request):
    if settings.PAGE_CACHE_SECONDS <= 0 or request.method not in ("GET", "HEAD"):
        return False
    # Wagtail's previews run through the middleware as a "dummy" request for the page's public URL.
    if getattr(request, "is_dummy", False):
        return False
    if request.path_info.startswith(tuple(settings.PAGE_CACHE_EXCLUDED_PATHS)):
        return False
    # Anyone with a session (logged in, part-way through a form, holding a message) sees their own page.
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or CookieStorage.cookie_name in cookies:
        return False
    if "Authorization" in request.headers:
        return False
    allowed = set(settings.PAGE_CACHE_QUERY_PARAMETERS) | set(settings.PAGE_CACHE_IGNORED_QUERY_PARAMETERS)
    return all(name in allowed for name in request.GET)


def _response_is_cacheable(request, response):
    match = getattr(request, "resolver_match", None)
    if match is None or match.url_name != "wagtail_serve":
        return False
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    cache_control = {
        directive.split("=", 1)[0].strip().lower()
        for directive in cc_delim_re.split(response.get("Cache-Control", ""))
    }
    if cache_control & _UNCACHEABLE_CACHE_CONTROL:
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    if getattr(getattr(request, "_messages", None), "added_new", False):
        return False
    return not _used_csp_nonce(request)


def _used_csp_nonce(request):
    # A CSP nonce in stored markup would be replayed to every visitor while the header changes.
    return getattr(request, "_csp_nonce", None) is not None


# Values a page must show afresh on every view, cached or not: name -> (pattern, make a new value).
# The pattern's one group is the value; it is cut out before a page is stored and a new one is made
# for each visitor the page is served to. Apps register theirs with `renew_on_every_view`.
_RENEWED_VALUES = {}


def renew_on_every_view(name, pattern, make_value):
    """Have cached pages serve a new `make_value()` wherever `pattern`'s group matched when rendered.

    For values that are wrong once stale, like a sign form's note of when it was shown.
    """
    _RENEWED_VALUES[name] = (re.compile(pattern), make_value)


def _placeholder(name):
    return f"__page_cache_renewed_{name}__"


def _strip_renewed_values(content):
    for name, (pattern, _make_value) in _RENEWED_VALUES.items():
        content = pattern.sub(partial(_group_replaced, _placeholder(name)), content)
    return content


def _group_replaced(replacement, match):
    """The whole match, with its first group replaced."""
    whole, (start, end) = match.group(), match.span(1)
    offset = match.start()
    return whole[: start - offset] + replacement + whole[end - offset :]


def _renew_values(content):
    for name, (_pattern, make_value) in _RENEWED_VALUES.items():
        placeholder = _placeholder(name)
        while placeholder in content:
            content = content.replace(placeholder, make_value(), 1)
    return content


def _strip_csrf_tokens(request, content):
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return content

    # Django's own unmasking: private, but stable since 4.1, and a copy of it could drift.
    def replace(match):
        return CSRF_PLACEHOLDER if _unmask_cipher_token(match.group()) == secret else match.group()

    return _TOKEN_CANDIDATE.sub(replace, content)


def _shareable(request, html):
    """`html` with this visitor's CSRF token and renewed values cut out, fit to serve to anyone."""
    return _strip_renewed_values(_strip_csrf_tokens(request, html))


def _personalised(request, html):
    """Stored `html` with this visitor's CSRF token and freshly renewed values put in."""
    html = _renew_values(html)
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    return html


def cached_fragment(request, name, vary_on, render):
    """HTML from `render()`, kept until the next purge or for FRAGMENT_CACHE_SECONDS.

    For parts of Wagtail pages that show only published content; `vary_on` names what else the HTML
    depends on (the page, say), and the host and scheme are always part of the key. The fragment is
    kept under the content generation `PageCacheMiddleware` read before the page was loaded, so a
    publish while the page renders leaves it stale at once. Like a cached page it is stored without
    the visitor's CSRF token and renewed values, and served with fresh ones. Previews and requests
    other than GET and HEAD (a form sent back with its errors) are always rendered.
    """
    generation = getattr(request, "content_generation", None)
    cacheable = (
        generation is not None
        and settings.FRAGMENT_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and not getattr(request, "is_preview", False)
        and not getattr(request, "is_dummy", False)
    )
    if not cacheable:
        return render()
    scheme = "https" if request.is_secure() else "http"
    identity = repr([scheme, request.get_host(), name, *vary_on])
    key = f"{FRAGMENT_KEY_PREFIX}:{hashlib.sha256(identity.encode()).hexdigest()}"
    cache = _cache()
    try:
        stored = cache.get(key)
    except Exception as error:
        logger.warning("Cache unavailable (%s); rendering the %s fragment.", type(error).__name__, name)
        return render()
    if stored is not None and stored[0] == generation:
        return _personalised(request, stored[1])
    html = render()
    if not _used_csp_nonce(request):
        try:
            cache.set(key, (generation, _shareable(request, html)), settings.FRAGMENT_CACHE_SECONDS)
        except Exception as error:
            logger.warning("Cache unavailable (%s); the %s fragment not stored.", type(error).__name__, name)
    return html


class PageCacheMiddleware:
    """Serve anonymous GET and HEAD requests for Wagtail pages from the shared cache.

    Goes after the session, CSRF, authentication and messages middleware, so that a cached page can be
    given the visitor's own CSRF token. A cache outage is logged and the page is rendered as usual.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _request_is_cacheable(request):
            return self.get_response(request)
        key = _cache_key(request)
        try:
            # The generation and the page in one round trip; a page stored under another generation is stale.
            found = _cache().get_many([GENERATION_KEY, key])
            generation = found.get(GENERATION_KEY) or current_generation()
            # No generation means the cache keeps nothing (config.cache while Redis is unreachable).
            if generation is None:
                return self.get_response(request)
            request.content_generation = generation
        except Exception as error:
            logger.warning("Page cache unavailable (%s); serving uncached.", type(error).__name__)
            return self.get_response(request)
        stored = found.get(key)
        if stored is not None and stored["generation"] == generation:
            return self._cached_response(request, stored)

        response = self.get_response(request)
        if request.method == "GET" and _response_is_cacheable(request, response):
            self._store(request, response, key, generation)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Read the content generation before a Wagtail page is loaded, for its cached fragments.

        Read later, a publish between loading the page and rendering it would have the old content
        stored under the new generation.
        """
        wanted = (
            settings.FRAGMENT_CACHE_SECONDS > 0
            and request.method in ("GET", "HEAD")
            and request.resolver_match.url_name == "wagtail_serve"
            and not hasattr(request, "content_generation")
        )
        if wanted:
            try:
                request.content_generation = current_generation()
            except Exception as error:
                logger.warning("Cache unavailable (%s); page fragments not kept.", type(error).__name__)

    def _store(self, request, response, key, generation):
        charset = response.charset
        try:
            content = _shareable(request, response.content.decode(charset))
        except UnicodeDecodeError:
            # Not text (a page that serves a file, say): nothing to cut tokens out of, so not cached.
            return
        headers = [(name, value) for name, value in response.items() if name.lower() not in _UNSTORED_HEADERS]
        try:
            _cache().set(
                key,
                {"generation": generation, "content": content, "charset": charset, "headers": headers},
                settings.PAGE_CACHE_SECONDS,
            )
        except Exception as error:
            logger.warning("Could not store a page in the page cache (%s).", type(error).__name__)
            return
        response[CACHE_STATUS_HEADER] = "MISS"

    def _cached_response(self, request, stored):
        content = _personalised(request, stored["content"])
        # HEAD gets the body as an uncached response would; the server leaves it out.
        response = HttpResponse(content.encode(stored["charset"]))
        for name, value in stored["headers"]:
            response[name] = value
        response[CACHE_STATUS_HEADER] = "HIT"
        return response


def connect_purge_signals():
    """Purge cached pages whenever Wagtail content, sites or settings change (called from `apps.py`)."""
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save
    from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting
    from wagtail.models import PageViewRestriction, Site
    from wagtail.signals import page_published, page_unpublished, post_page_move, published, unpublished

    # `published` and `unpublished` also cover snippets with draft state (widgets an editor publishes).
    for signal in (page_published, page_unpublished, post_page_move, published, unpublished):
        signal.connect(purge_pages_after_commit, dispatch_uid=f"page_cache_purge_{id(signal)}")
    settings_models = [m for m in apps.get_models() if issubclass(m, BaseGenericSetting | BaseSiteSetting)]
    # A page made private must stop being served from the cache at once, as must facts apps keep about it
    # with `cached_until_purge` (the petitions' "has view restrictions").
    for model in [Site, PageViewRestriction, *settings_models]:
        for signal in (post_save, post_delete):
            signal.connect(
                purge_pages_after_commit,
                sender=model,
                dispatch_uid=f"page_cache_purge_{model._meta.label}_{id(signal)}",
            )
