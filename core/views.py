"""Views that belong to the site as a whole rather than to one app."""

import logging
import sys
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from wagtail.admin.views.pages.create import CreateView

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request):
    """Tell a load balancer whether this server can serve: 200 "ok" or 503 "unavailable".

    It checks the database (SELECT 1) and the shared cache (a write and a read back). The reason for a
    failure goes to the log, never into the response.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.warning("Health check failed: database unavailable (%s).", type(error).__name__)
        return _unavailable()

    key = f"healthz:{uuid.uuid4().hex}"
    # Whatever the backend: the project's Redis backend raises nothing (what it drops does not read back),
    # but a check must answer for any backend, and each raises its own errors (redis-py's, sockets', ...).
    try:
        cache.set(key, "ok", timeout=10)
        cache_answers = cache.get(key) == "ok"
        cache.delete(key)
    except Exception as error:
        logger.warning("Health check failed: cache unavailable (%s).", type(error).__name__)
        return _unavailable()
    if not cache_answers:
        logger.warning("Health check failed: cache did not return what was stored.")
        return _unavailable()
    return HttpResponse("ok", content_type="text/plain")


def _unavailable():
    return HttpResponse("unavailable", status=503, content_type="text/plain")


# Seconds a visitor (or a crawler) is asked to wait before trying again while the database is away.
DATABASE_UNAVAILABLE_RETRY_AFTER = 30


def server_error(request):
    """handler500: a database that cannot be reached gives a 503 "try again shortly", anything else a 500.

    A PostgreSQL restart, failover or network cut is not a bug in the page, and a visitor can act on
    "try again in a minute". Django calls this view inside the `except` block of the failed request, so
    `sys.exception()` is the error. Like the 500 page, the 503 page is rendered without a request context:
    nothing it shows may need the database.
    """
    if isinstance(sys.exception(), OperationalError | InterfaceError):
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(DATABASE_UNAVAILABLE_RETRY_AFTER)
        # Neither the page cache nor a CDN may keep the error in place of the page.
        add_never_cache_headers(response)
        return response
    return defaults.server_error(request)


def locked_out(request, original_response=None, credentials=None):
    """The page django-axes shows (status 429) instead of the admin sign-in after too many failures."""
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }
    return render(request, "core/locked_out.html", context, status=429)


class NewPageView(CreateView):
    """Wagtail's page creation view without autosave (edits of an existing page still autosave).

    Autosave's first save of a new page creates it; an editor who presses Save or Submit while that
    request is under way sends a second create, which fails on the slug the first one took. Until the
    page exists, only the editor's own button saves it. Mounted in config/urls.py at the path of
    Wagtail's own `wagtailadmin_pages:add`, ahead of it, because Wagtail offers no setting for new pages only.
    """

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "autosave_enabled": False, "autosave_indicator": None}
