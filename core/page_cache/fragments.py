"""Rendered parts of pages, kept under the content generation for requests the page cache cannot answer."""

import hashlib

from django.conf import settings

from core.page_cache.purge import content_generation
from core.page_cache.tokens import personalised, shareable, used_csp_nonce

FRAGMENT_KEY_PREFIX = "page_cache:fragment"


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
    cache = content_generation().cache
    stored = cache.get(key)
    if stored is not None and stored[0] == generation:
        return personalised(request, stored[1])
    html = render()
    if not used_csp_nonce(request):
        cache.set(key, (generation, shareable(request, html)), settings.FRAGMENT_CACHE_SECONDS)
    return html
