"""The WSGI application (config/wsgi.py): Django's, answering fresh cached pages before Django's handling.

A page `PageCacheMiddleware` would serve fresh from the cache is served here, from the same lookup and
the same code, without Django's request signals (which close stale database connections: a cached page
uses none), the middleware chain and the response's closing. Anything else, and any request the lookup
could not deal with, goes to Django as usual, with what was read left for the middleware, so it costs
no second round trip.
"""

import django
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

_MIDDLEWARE = "core.page_cache.middleware.PageCacheMiddleware"


class PageCacheWSGIHandler(WSGIHandler):
    def __init__(self):
        super().__init__()
        # Imported once Django is set up: the page cache's modules use Wagtail's models.
        from core.page_cache.middleware import PageCacheMiddleware

        # Only where the page cache is in the stack; its `get_response` is never called here.
        self._page_cache = None
        if _MIDDLEWARE in settings.MIDDLEWARE:
            self._page_cache = PageCacheMiddleware(self.get_response)

    def __call__(self, environ, start_response):
        response = self._cached_page(environ) if self._page_cache is not None else None
        if response is None:
            return super().__call__(environ, start_response)
        # As Django's handler answers.
        status = f"{response.status_code} {response.reason_phrase}"
        cookies = [("Set-Cookie", cookie.output(header="")) for cookie in response.cookies.values()]
        start_response(status, [*response.items(), *cookies])
        return [response.content]

    def _cached_page(self, environ):
        from core.middleware import request_context
        from core.page_cache.middleware import LOOKUP_ENVIRON_KEY

        request = self.request_class(environ)
        with request_context(request) as request_id:
            try:
                lookup = self._page_cache.look_up(request)
            except Exception:  # noqa: BLE001 - Django's handling answers it (a malformed query's 400, say)
                return None
            response = None if lookup is None else self._page_cache.fresh_response(request, lookup)
        if response is None:
            environ[LOOKUP_ENVIRON_KEY] = lookup
            return None
        response["X-Request-ID"] = request_id
        return response


def get_wsgi_application():
    """What `django.core.wsgi.get_wsgi_application` returns, with cached pages answered first."""
    django.setup(set_prefix=False)
    return PageCacheWSGIHandler()
