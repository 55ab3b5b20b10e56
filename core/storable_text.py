"""Text the database cannot store, refused at the door: NUL characters and lone surrogates.

PostgreSQL's text (and jsonb) holds any Unicode character except NUL (U+0000), and a lone surrogate
(U+D800 to U+DFFF, which a JSON `\\ud800` escape gives) cannot be encoded for it at all. Either one in
a search box, a session cookie, a header django-axes records or a field an editor saves reaches a query
and fails there with a 500. `StorableTextMiddleware` looks at every piece of text a request carries
before any view or middleware can query with it, and answers such a request with a 400. Uploaded files
are bytes and may hold NUL legitimately: only their names are text, and Django already drops
unprintable characters from those. Files read by an import are checked where they are read
(`statistics.importers`), with `is_storable`.
"""

import json
import logging
import re

from django.http import HttpResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def is_storable(text):
    """Whether `text` can be written to (and searched for in) the database."""
    return not _UNSTORABLE.search(text)


def _any_unstorable(texts):
    return any(not is_storable(text) for text in texts)


def _query_dict_texts(query_dict):
    for key, values in query_dict.lists():
        yield key
        yield from (value for value in values if isinstance(value, str))


def _json_texts(value):
    """Every key and string in a parsed JSON document, walked without recursion."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            yield from item.keys()
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def _is_json(request):
    content_type = request.content_type or ""
    return content_type == "application/json" or content_type.endswith("+json")


def unstorable_head_part(request):
    """Which part before the body holds text the database cannot store ("the address", ...), or None."""
    if not is_storable(request.path_info) or not is_storable(request.path):
        return "the address"
    if _any_unstorable(_query_dict_texts(request.GET)):
        return "the query string"
    if _any_unstorable([*request.COOKIES.keys(), *request.COOKIES.values()]):
        return "a cookie"
    headers = (
        value
        for name, value in request.META.items()
        if (name.startswith("HTTP_") or name == "CONTENT_TYPE") and isinstance(value, str)
    )
    if _any_unstorable(headers):
        return "a header"
    return None


def unstorable_body_part(request):
    """ "a form field" or "the JSON body" when the body holds text the database cannot store, or None.

    Form fields only, never the contents of uploaded files."""
    if request.method in _BODY_METHODS:
        if request.method == "POST" and _any_unstorable(_query_dict_texts(request.POST)):
            return "a form field"
        if _is_json(request):
            try:
                document = json.loads(request.body)
            except (ValueError, RecursionError):
                # Not JSON after all: the view that reads it says so in its own way.
                return None
            if _any_unstorable(_json_texts(document)):
                return "the JSON body"
    return None


def unstorable_text_response(request):
    """400: a short page for a browser (which asks for HTML), one plain line for anything else."""
    if "text/html" in request.headers.get("Accept", ""):
        response = HttpResponse(loader.render_to_string("core/unstorable_text.html"), status=400)
    else:
        response = HttpResponse(
            "Bad request: it contains a character that cannot be stored (such as a NUL). "
            "Remove it and try again.\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    add_never_cache_headers(response)
    return response


class StorableTextMiddleware:
    """Answer 400, before anything queries with it, when a request carries text the database cannot store.

    The address, query string, cookies and headers are checked as the request comes in, before sessions
    or axes query with them. The body is checked in `process_view`, after `FormPostMiddleware` (earlier in
    MIDDLEWARE) has refused, unread, a body its view does not take, and before CSRF checking reads it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self._refusal(request, unstorable_head_part(request)) or self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        return self._refusal(request, unstorable_body_part(request))

    @staticmethod
    def _refusal(request, part):
        if part is None:
            return None
        logger.warning("Refused a request: %s held text the database cannot store", part)
        return unstorable_text_response(request)
