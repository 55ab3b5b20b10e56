"""Middleware shared by the whole site: request ids for the logs, the security headers Django lacks, and
the refusal of anything but a small form where a view takes only forms."""

import re
import uuid
from contextlib import contextmanager

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import default_config
from django.conf import settings
from django.http import HttpResponse

from core.log import current_request
from core.secret_paths import request_secrets

# A request id set by the reverse proxy (nginx's $request_id, say) is kept so that the proxy's logs and
# ours line up; anything else in that header is replaced rather than written into our logs.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


@contextmanager
def request_context(request):
    """Give `request` its id (`request.request_id`) and stamp it on every log line made meanwhile.

    For `RequestIdMiddleware`, and for cached pages served before the middleware run
    (`core.page_cache.wsgi`).
    """
    # From META rather than `request.headers`, which would copy every header for this one.
    incoming = request.META.get("HTTP_X_REQUEST_ID", "")
    request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
    request.request_id = request_id
    context = {"request_id": request_id, "method": request.method, "path": request.path}
    token = current_request.set(context)
    secrets_token = request_secrets.set(set())
    try:
        yield request_id
    finally:
        request_secrets.reset(secrets_token)
        current_request.reset(token)


class RequestIdMiddleware:
    """Give each request an id, expose it as `X-Request-ID`, and stamp it on every log line it causes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_context(request) as request_id:
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, choosing the Wagtail admin's policy for admin paths.

    Public pages get the strict `CONTENT_SECURITY_POLICY` (no inline scripts or styles, no framing).
    The admin relies on inline scripts and styles and frames its own previews, so paths under
    `CONTENT_SECURITY_POLICY_ADMIN_PATHS` get `CONTENT_SECURITY_POLICY_ADMIN` instead. So do previews:
    Wagtail renders them through the middleware as a "dummy" request for the page's public URL, and
    the admin shows them in a frame. A view that sets its own policy with django-csp's decorators
    keeps it.
    """

    def __init__(self, get_response):
        super().__init__(get_response)
        # The headers of a response that leaves the policy as configured, by kind of path and settings.
        self._plain_headers = {}

    def _is_admin(self, request):
        return getattr(request, "is_dummy", False) or request.path_info.startswith(
            tuple(settings.CONTENT_SECURITY_POLICY_ADMIN_PATHS)
        )

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and parts.config is None and self._is_admin(request):
            parts.config = default_config(settings.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"])
        return parts

    def process_response(self, request, response):
        """django-csp's answer, built once for all responses that leave the policy as configured.

        django-csp builds the header's text anew for every response (a few percent of a cached page's
        or a signature's CPU); a response with no nonce and no policy of its own gets the same text each
        time, so it is kept, by kind of path and the settings it was built from.
        """
        if not self._plain(request, response):
            return super().process_response(request, response)
        key = (
            self._is_admin(request),
            *(id(getattr(settings, name, None)) for name in _POLICY_SETTINGS),
        )
        headers = self._plain_headers.get(key)
        if headers is None:
            response = super().process_response(request, response)
            written = [(name, response[name]) for name in _POLICY_HEADERS if name in response]
            self._plain_headers[key] = written
            return response
        for name, value in headers:
            response[name] = value
        # As django-csp does: a nonce asked for after the header is written is an error, not a silent gap.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    @staticmethod
    def _plain(request, response):
        if getattr(request, "_csp_nonce", None) is not None:
            return False
        if any(name in response for name in _POLICY_HEADERS):
            return False
        if any(hasattr(response, name) for name in _RESPONSE_POLICY_ATTRIBUTES):
            return False
        # Excluded prefixes depend on the path, and django-csp leaves DEBUG error pages alone.
        policies = (getattr(settings, name, None) or {} for name in _POLICY_SETTINGS[:2])
        return not settings.DEBUG and not any(policy.get("EXCLUDE_URL_PREFIXES") for policy in policies)


# What django-csp reads to build a policy: the settings, and what its decorators set on a response.
_POLICY_SETTINGS = (
    "CONTENT_SECURITY_POLICY",
    "CONTENT_SECURITY_POLICY_REPORT_ONLY",
    "CONTENT_SECURITY_POLICY_ADMIN",
    "CONTENT_SECURITY_POLICY_ADMIN_PATHS",
)
_POLICY_HEADERS = (HEADER, HEADER_REPORT_ONLY)
_RESPONSE_POLICY_ATTRIBUTES = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt",
    "_csp_exempt_ro",
)


class PermissionsPolicyMiddleware:
    """Send `Permissions-Policy`, switching off browser features the site never uses.

    An injected script or a framed page then cannot ask for the camera, microphone or location.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allowed)})" for feature, allowed in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


# Far more than any form the site's public views take (a sign form is under 7 KB with every field full of
# four-byte characters), far less than Django's DATA_UPLOAD_MAX_MEMORY_SIZE.
FORM_POST_MAX_BYTES = 16 * 1024
_FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"


def form_posts_only(view=None, *, max_bytes=FORM_POST_MAX_BYTES):
    """Mark a view whose POSTs are a small form a browser sends; `FormPostMiddleware` refuses any other.

    Use it outermost (above `require_POST` and the like) or below decorators that keep the view's
    attributes (`functools.wraps` does).
    """

    def mark(view):
        view.form_post_max_bytes = max_bytes
        return view

    return mark if view is None else mark(view)


class FormPostMiddleware:
    """Refuse POSTs to `form_posts_only` views that are not a small urlencoded form, before the body is read.

    Django parses a body when something first reads `request.POST`, and CSRF checking does so before the
    view runs: a multipart body is spooled to disk however large, and its fields reach the view like a
    form's. So this goes before `CsrfViewMiddleware` and answers from the headers alone: 415 for another
    content type, 413 for a body larger than the view takes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        max_bytes = getattr(view_func, "form_post_max_bytes", None)
        if max_bytes is None or request.method != "POST":
            return None
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            # Django reads no body at all when the length is not a number.
            length = 0
        # An empty body has nothing to read, whatever its type; the view's own checks (CSRF) answer it.
        if length and request.content_type != _FORM_CONTENT_TYPE:
            return HttpResponse(
                f"This address takes only forms sent as {_FORM_CONTENT_TYPE}, as web browsers send them.",
                status=415,
                content_type="text/plain; charset=utf-8",
            )
        if length > max_bytes:
            return HttpResponse(
                f"This form is too large: {max_bytes // 1024} KB at most.",
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return None
