"""Middleware shared by the whole site: request ids for the logs, and the security headers Django lacks."""

import re
import uuid

from csp.middleware import CSPMiddleware
from csp.utils import default_config
from django.conf import settings

from core.log import current_request
from core.secret_paths import request_secrets

# A request id set by the reverse proxy (nginx's $request_id, say) is kept so that the proxy's logs and
# ours line up; anything else in that header is replaced rather than written into our logs.
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


class RequestIdMiddleware:
    """Give each request an id, expose it as `X-Request-ID`, and stamp it on every log line it causes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        context = {"request_id": request_id, "method": request.method, "path": request.path}
        token = current_request.set(context)
        secrets_token = request_secrets.set(set())
        try:
            response = self.get_response(request)
        finally:
            request_secrets.reset(secrets_token)
            current_request.reset(token)
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

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        is_admin = getattr(request, "is_dummy", False) or request.path_info.startswith(
            tuple(settings.CONTENT_SECURITY_POLICY_ADMIN_PATHS)
        )
        if not report_only and parts.config is None and is_admin:
            parts.config = default_config(settings.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"])
        return parts


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
