"""Webhooks for the campaign's CRM: where staff send events about signatures, and each delivery's outbox.

`WebhookEndpoint` is one receiving URL with its secret and the events it hears; `WebhookDelivery` is one
event for one endpoint, written in the transaction that made the change and sent later by the task worker
(petitions.webhooks.sending says how, in order, with retries).
"""

import ipaddress
import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


class WebhookEvent(models.TextChoices):
    SIGNATURE_CONFIRMED = "signature.confirmed", "A signature was confirmed"
    CONSENT_WITHDRAWN = "consent.withdrawn", "A signer stopped hearing more from the campaign"
    SIGNATURE_ERASED = "signature.erased", "A signature was erased"


class WebhookStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed, will try again"
    GAVE_UP = "gave-up", "Failed, stopped trying"


def new_webhook_secret():
    return secrets.token_urlsafe(32)


def is_loopback_host(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def address_allowed(address):
    """Whether a webhook may go to this IP address: a public one, or this machine's where
    PETITION_WEBHOOK_ALLOW_HTTP_LOOPBACK is on (development and tests).

    Never the private network's, link-local (the cloud's metadata service at 169.254.169.254), or
    reserved and multicast addresses: whoever may edit an endpoint must not be able to make the worker
    post to the site's own internal services.
    """
    address = getattr(address, "ipv4_mapped", None) or address
    if address.is_loopback:
        return settings.PETITION_WEBHOOK_ALLOW_HTTP_LOOPBACK
    return address.is_global and not address.is_multicast


def _literal_address(host):
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return ipaddress.ip_address("127.0.0.1") if host == "localhost" else None


def validate_webhook_url(url):
    """HTTPS only, to a public address; plain HTTP only to this machine, where
    PETITION_WEBHOOK_ALLOW_HTTP_LOOPBACK is on. A name is checked again as it resolves, at each send."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        literal = _literal_address(parts.hostname)
        if literal is not None and not address_allowed(literal):
            raise ValidationError(
                "This address is on a private network or this server, which the site does not send "
                "to. Use the CRM's public webhook address.",
                code="webhook_url_not_public",
            )
        return
    loopback = parts.scheme == "http" and parts.hostname and is_loopback_host(parts.hostname)
    if loopback and settings.PETITION_WEBHOOK_ALLOW_HTTP_LOOPBACK:
        return
    raise ValidationError(
        "The address must start with https:// so that what is sent cannot be read on the way. "
        "Ask the CRM's supplier for its HTTPS webhook address.",
        code="webhook_url_not_https",
    )


# Columns only the sender writes; an admin save must not put back an older value.
_SENDER_COLUMNS = ("sending_claimed_until",)


class WebhookEndpoint(models.Model):
    """A URL of the campaign's CRM that hears about signatures."""

    name = models.CharField(max_length=100, help_text="A name for staff, such as “Supporter CRM”.")
    url = models.URLField(
        max_length=500,
        verbose_name="address",
        validators=[validate_webhook_url],
        help_text="The web address the CRM gave for receiving webhooks. It must start with https://.",
    )
    secret = models.CharField(
        max_length=100,
        default=new_webhook_secret,
        editable=False,
        help_text="Shared with the CRM so that it can check each message came from this site.",
    )
    sends_signature_confirmed = models.BooleanField(
        default=True,
        verbose_name="when a signature is confirmed",
        help_text="Sent when a signer confirms their signature and it is counted.",
    )
    sends_consent_withdrawn = models.BooleanField(
        default=True,
        verbose_name="when a signer stops hearing more",
        help_text="Sent when a signer withdraws their agreement to hear more from the campaign.",
    )
    sends_signature_erased = models.BooleanField(
        default=True,
        verbose_name="when a signature is erased",
        help_text="Sent when a signature is erased, so that the CRM can erase its copy too.",
    )
    trusted_for_personal_data = models.BooleanField(
        default=False,
        verbose_name="send signers' names and email addresses",
        help_text=(
            "Only tick this if the CRM is covered by the campaign's privacy notice and data agreements. "
            "Names and email addresses are then sent for signers who agreed to hear more from the campaign. "
            "Without it, the CRM gets no names or email addresses at all."
        ),
    )
    active = models.BooleanField(
        default=True,
        help_text="Untick to stop sending to this address. Nothing is recorded for it meanwhile.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # While a worker sends this endpoint's deliveries, no other may (so they go in order); a lease, so a
    # worker that died leaves it free again once it has passed.
    sending_claimed_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "CRM webhook"
        verbose_name_plural = "CRM webhooks"
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.pk and not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name not in _SENDER_COLUMNS
            ]
        super().save(*args, **kwargs)

    @property
    def events(self):
        return [
            event
            for event, on in [
                (WebhookEvent.SIGNATURE_CONFIRMED, self.sends_signature_confirmed),
                (WebhookEvent.CONSENT_WITHDRAWN, self.sends_consent_withdrawn),
                (WebhookEvent.SIGNATURE_ERASED, self.sends_signature_erased),
            ]
            if on
        ]


class WebhookDelivery(models.Model):
    """One event for one endpoint: its body's data (never contact details) and how sending it went.

    Sent in the order of `id` per endpoint. Contact details, where they are due, are added when the
    message is sent, from the signature as it is then (so a consent withdrawn or an erasure in the
    meantime is respected), and never stored here.
    """

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(help_text="The event's id, the same in every retry.")
    event = models.CharField(max_length=30, choices=WebhookEvent.choices)
    occurred_at = models.DateTimeField()
    payload = models.JSONField(help_text="The event's data, without contact details.")
    status = models.CharField(max_length=10, choices=WebhookStatus.choices, default=WebhookStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(verbose_name="next try")
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name="last answer")
    last_error = models.CharField(max_length=40, blank=True, help_text="What went wrong, as a kind of error.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True, verbose_name="last tried")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "CRM webhook delivery"
        verbose_name_plural = "CRM webhook deliveries"
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="petitions_webhook_one_per_event"),
        ]
        indexes = [
            models.Index(
                fields=["endpoint", "id"],
                condition=models.Q(status__in=["pending", "failed"]),
                name="petitions_webhook_unsent",
            ),
        ]

    def __str__(self):
        return f"{self.get_event_display()} ({self.occurred_at:%Y-%m-%d %H:%M})"
