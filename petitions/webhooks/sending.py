"""Sending one endpoint's deliveries: in order, one worker at a time, with retries and backoff.

A worker first claims the endpoint (a lease on the row, so a worker that died frees it once the lease
has passed), then posts the oldest unsent delivery, and the next, and so on. A delivery that fails
waits for its next try, and every later one waits behind it, so the CRM hears events in the order
they happened; one that has failed PETITION_WEBHOOK_MAX_ATTEMPTS times is given up, and the next goes.

At least once: "sent" is recorded after the CRM has answered 2xx. A worker that dies in between leaves
the delivery unsent, and it is sent again with the same event id (the CRM should ignore an id it has
seen). Bodies, secrets and addresses are never logged: only ids, answers' status codes and error kinds.
"""

import ipaddress
import logging
import socket
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from petitions.models import WebhookDelivery, WebhookEndpoint, WebhookStatus
from petitions.models.webhooks import address_allowed, is_loopback_host, validate_webhook_url
from petitions.webhooks.payloads import body_for
from petitions.webhooks.verification import SIGNATURE_HEADER, signature_header

logger = logging.getLogger(__name__)

UNSENT = (WebhookStatus.PENDING, WebhookStatus.FAILED)
# Deliveries one run sends at most before it hands over to another task.
RUN_LIMIT = 200


def lease():
    return timedelta(seconds=3 * settings.PETITION_WEBHOOK_TIMEOUT_SECONDS + 30)


def backoff(attempts):
    """How long after its `attempts`-th failure a delivery is tried again: doubling, up to a ceiling."""
    seconds = settings.PETITION_WEBHOOK_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.PETITION_WEBHOOK_RETRY_MAX_SECONDS))


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None = None
    error: str = ""


@dataclass(frozen=True)
class RunResult:
    claimed: bool
    sent: int = 0
    #: When a delivery that failed in this run is due again (the task asks to run then), or None.
    retry_at: datetime | None = None
    #: More may be due (the run limit was reached, or a delivery came while the claim was let go).
    again: bool = False


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer like any other failure: the body and its signature go nowhere else."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def post(endpoint, delivery, now):
    """POST the delivery's body to the endpoint; its outcome (never raises for network trouble)."""
    try:
        validate_webhook_url(endpoint.url)
    except ValidationError:
        return Outcome(ok=False, error="address-refused")
    refused = refused_by_resolution(endpoint.url)
    if refused is not None:
        return refused
    body = body_for(endpoint, delivery)
    request = urllib.request.Request(  # noqa: S310 (https, or http to loopback where allowed: checked above)
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "WildWestWeb-Webhooks/1",
            "X-Webhook-Event": delivery.event,
            "X-Webhook-Id": str(delivery.event_id),
            SIGNATURE_HEADER: signature_header(endpoint.secret, body, int(now.timestamp())),
        },
    )
    handlers = [_NoRedirects()]
    if is_loopback_host(urlsplit(endpoint.url).hostname or ""):
        # A proxy from the environment must not take requests meant for this machine.
        handlers.append(urllib.request.ProxyHandler({}))
    opener = urllib.request.build_opener(*handlers)
    try:
        with opener.open(request, timeout=settings.PETITION_WEBHOOK_TIMEOUT_SECONDS) as response:
            response.read(1024)
            return Outcome(ok=200 <= response.status < 300, status_code=response.status)
    except urllib.error.HTTPError as error:
        error.close()
        return Outcome(ok=False, status_code=error.code, error="error-answer")
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            return Outcome(ok=False, error="timeout")
        if isinstance(reason, ssl.SSLError):
            return Outcome(ok=False, error="tls")
        if isinstance(reason, socket.gaierror):
            return Outcome(ok=False, error="unknown-host")
        return Outcome(ok=False, error="connection")
    except TimeoutError:
        return Outcome(ok=False, error="timeout")
    except (OSError, ValueError):
        return Outcome(ok=False, error="connection")


def refused_by_resolution(url):
    """An Outcome if the URL's host resolves to an address a webhook may not go to (or to none).

    Checked just before each send, as names can change what they point at. What is left is a name
    that resolves differently between this check and the connection a moment later (DNS rebinding):
    a narrow window, for staff who may edit endpoints only (docs/petitions.md, "Webhooks").
    """
    parts = urlsplit(url)
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError):
        return Outcome(ok=False, error="unknown-host")
    if not all(address_allowed(ipaddress.ip_address(info[4][0])) for info in infos):
        return Outcome(ok=False, error="address-refused")
    return None


def _record(delivery, outcome, now):
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error
    if outcome.ok:
        delivery.status = WebhookStatus.SENT
        delivery.sent_at = now
    elif delivery.attempts >= settings.PETITION_WEBHOOK_MAX_ATTEMPTS:
        delivery.status = WebhookStatus.GAVE_UP
    else:
        delivery.status = WebhookStatus.FAILED
        delivery.next_attempt_at = now + backoff(delivery.attempts)
    delivery.save(
        update_fields=[
            "attempts",
            "last_attempt_at",
            "last_status_code",
            "last_error",
            "status",
            "sent_at",
            "next_attempt_at",
        ]
    )


def _claim(endpoint_id, now):
    free = Q(sending_claimed_until__isnull=True) | Q(sending_claimed_until__lt=now)
    claimed = WebhookEndpoint.objects.filter(free, pk=endpoint_id, active=True)
    return claimed.update(sending_claimed_until=now + lease()) == 1


def _release(endpoint_id):
    WebhookEndpoint.objects.filter(pk=endpoint_id).update(sending_claimed_until=None)


def unsent(endpoint_id):
    return WebhookDelivery.objects.filter(endpoint_id=endpoint_id, status__in=UNSENT).order_by("pk")


def send_due(endpoint_id, now=None, limit=RUN_LIMIT):
    """Send what is due for one endpoint, oldest first, stopping at a delivery that must wait.

    `now` fixes the clock for the whole run (for tests); by default each step reads it afresh.
    """

    def clock():
        return now or timezone.now()

    if not _claim(endpoint_id, clock()):
        return RunResult(claimed=False)
    endpoint = WebhookEndpoint.objects.get(pk=endpoint_id)
    sent, retry_at, again = 0, None, False
    try:
        for _ in range(limit):
            delivery = unsent(endpoint_id).first()
            if delivery is None:
                break
            if delivery.next_attempt_at > clock():
                # Waiting for its next try (the run that failed it asked for a task then): later ones wait.
                break
            attempt_time = clock()
            outcome = post(endpoint, delivery, attempt_time)
            _record(delivery, outcome, attempt_time)
            logger.info(
                "Webhook delivery %s (endpoint %s, attempt %s): %s %s",
                delivery.pk,
                endpoint_id,
                delivery.attempts,
                delivery.status,
                outcome.status_code or outcome.error,
            )
            if outcome.ok:
                sent += 1
            elif delivery.status == WebhookStatus.FAILED:
                retry_at = delivery.next_attempt_at
                break
            WebhookEndpoint.objects.filter(pk=endpoint_id).update(sending_claimed_until=clock() + lease())
        else:
            again = True
    finally:
        _release(endpoint_id)
    if not again and retry_at is None:
        # A delivery committed while this run held the claim found it taken: look once more.
        head = unsent(endpoint_id).only("next_attempt_at").first()
        again = head is not None and head.next_attempt_at <= clock()
    return RunResult(claimed=True, sent=sent, retry_at=retry_at, again=again)


def retry_now(delivery, now=None):
    """Staff's "try again now": the delivery is due at once (also one that was given up)."""
    now = now or timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).exclude(status=WebhookStatus.SENT).update(
        status=WebhookStatus.PENDING, next_attempt_at=now
    )


def due_endpoint_ids(now=None):
    """Active endpoints with a delivery due and no live claim: for the sweeper."""
    now = now or timezone.now()
    free = Q(sending_claimed_until__isnull=True) | Q(sending_claimed_until__lt=now)
    due = WebhookDelivery.objects.filter(status__in=UNSENT, next_attempt_at__lte=now)
    return list(
        WebhookEndpoint.objects.filter(free, active=True, pk__in=due.values("endpoint_id")).values_list(
            "pk", flat=True
        )
    )
