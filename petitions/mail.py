"""The confirmation mail: composed from templates (plain text and HTML) and delivered at least once.

The signature row is the mail's outbox: signing sets `mail_status` to "queued" and asks for a delivery
task (`request_delivery`), which sends every mail queued by then (`send_queued_confirmation_emails`).
While one delivery task waits, later signatures join it instead of queuing a task each.

`deliver_confirmation_email` sends one mail, in the task worker. It holds the signature's row lock while it
sends, and sends only while the signature's mail status says a mail is queued, so a task that runs
twice (a re-queue by the sweeper, a second worker, a task left behind by a killed worker) never mails
the same confirmation twice.

At least once rather than at most once: "sent" is recorded in the transaction that holds the lock,
after the mail server has accepted the mail. A worker that dies before that commit (killed mid-send,
its host gone, its database connection cut) leaves the mail "queued", and the sweeper queues it again
after PETITION_MAIL_STUCK_SECONDS. Only a death in the instant between the server's acceptance and the
commit sends a second copy, which is harmless: the link confirms once. Recording "sending" before
sending (at most once) would instead lose every mail whose worker died mid-send, and with it a
signature.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.db import DatabaseError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from petitions.models import MailStatus, PetitionPage, Signature
from petitions.signing import make_confirmation_token

logger = logging.getLogger(__name__)

# However many attempts have failed, the next one waits no longer than this.
_MAX_RETRY_DELAY = timedelta(hours=6)
# Set while a delivery task waits in the queue; the task removes it as it starts.
_DELIVERY_WAITING_KEY = "petitions:mail-delivery-waiting"
# Mails one delivery task sends at most; it asks for another task if more are queued.
DELIVERY_BATCH = 500


def request_delivery():
    """Have the worker send the queued confirmation mails; call once a queued mail is committed.

    Queuing a task row for every signature was the costliest part of signing under load, so while a
    delivery task waits (a note in the shared cache, PETITION_MAIL_COALESCE_SECONDS at most), later
    mails wait with it. The task removes the note before it looks for mails, so a mail committed
    before the note was seen is found. Without the shared cache every mail queues its own task. A
    request lost with its process leaves the mail queued, for the sweeper.
    """
    # Imported here: the task module imports this one.
    from petitions.tasks import send_queued_confirmation_emails

    seconds = settings.PETITION_MAIL_COALESCE_SECONDS
    # With the cache down `add` answers True, as for an empty cache: every mail gets a task.
    if seconds > 0 and not cache.add(_DELIVERY_WAITING_KEY, True, timeout=seconds):
        return
    try:
        send_queued_confirmation_emails.enqueue()
    except DatabaseError as error:
        # The mail stays queued for the sweeper; the signature it belongs to is kept, so the signer
        # is not told otherwise. Without the note, the next mail asks again at once.
        cache.delete(_DELIVERY_WAITING_KEY)
        logger.error("Could not queue a mail delivery task (%s)", type(error).__name__)


def send_queued_confirmation_emails():
    """The delivery task: send the mails queued now, oldest first; returns how many went out."""
    cache.delete(_DELIVERY_WAITING_KEY)
    queued = Signature.objects.filter(mail_status=MailStatus.QUEUED).order_by("pk")
    ids = list(queued.values_list("pk", flat=True)[:DELIVERY_BATCH])
    # A mail that fails (cannot be built or sent) is marked for a retry and the next one goes on.
    sent = sum(deliver_confirmation_email(signature_id) == MailStatus.SENT for signature_id in ids)
    if len(ids) == DELIVERY_BATCH:
        # More may wait: another task takes them, so that no one task runs for long.
        request_delivery()
    return sent


def _site_root_url(petition):
    site = petition.get_site()
    return site.root_url if site else settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def build_confirmation_email(signature, petition):
    path = reverse("petitions:confirm", args=[make_confirmation_token(signature.pk)])
    context = {
        "first_name": signature.first_name,
        "petition": petition,
        "confirm_url": _site_root_url(petition) + path,
        "valid_days": settings.PETITION_CONFIRMATION_MAX_AGE_DAYS,
    }
    subject = render_to_string("petitions/emails/confirmation_subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("petitions/emails/confirmation.txt", context),
        to=[signature.email],
    )
    message.attach_alternative(render_to_string("petitions/emails/confirmation.html", context), "text/html")
    return message


def retry_delay(attempts):
    """Wait before the next attempt: doubling from PETITION_MAIL_RETRY_SECONDS, capped."""
    delay = timedelta(seconds=settings.PETITION_MAIL_RETRY_SECONDS * 2 ** max(attempts - 1, 0))
    return min(delay, _MAX_RETRY_DELAY)


def deliver_confirmation_email(signature_id, now=None):
    """Send the confirmation mail if one is still queued; returns the signature's mail status.

    A failure leaves the signature as it is, marks the mail failed with the kind of error, and
    sets when the sweeper may try again. The row stays locked while the mail server answers; only
    a confirmation of this one signature waits for it. A row locked by someone else is skipped (and
    reported "missing"): another delivery is sending it, or a change that asks for a delivery when it
    commits, or makes the mail unneeded, holds it.
    """
    with transaction.atomic():
        signature = Signature.objects.select_for_update(skip_locked=True).filter(pk=signature_id).first()
        if signature is None or signature.mail_status != MailStatus.QUEUED:
            return signature.mail_status if signature else "missing"
        if signature.confirmed_at or signature.invalidated_at or signature.anonymised_at:
            signature.mail_status = MailStatus.NOT_NEEDED
            signature.save(update_fields=["mail_status"])
            return signature.mail_status
        petition = PetitionPage.objects.get(pk=signature.petition_id)
        now = now or timezone.now()
        signature.mail_attempts += 1
        try:
            build_confirmation_email(signature, petition).send()
        except Exception as error:  # noqa: BLE001 - any failure to hand over (SMTP, DNS, TLS, socket) is retried
            # The class name only: SMTP errors quote the recipient's address.
            signature.mail_status = MailStatus.FAILED
            signature.mail_last_error = type(error).__name__[:100]
            signature.mail_next_attempt_at = now + retry_delay(signature.mail_attempts)
            logger.warning(
                "Confirmation mail for signature %s failed (%s), attempt %s",
                signature.pk,
                signature.mail_last_error,
                signature.mail_attempts,
            )
        else:
            signature.mail_status = MailStatus.SENT
            signature.mail_sent_at = now
            signature.mail_last_error = ""
            signature.mail_next_attempt_at = None
            logger.info("Confirmation mail for signature %s sent", signature.pk)
        signature.save(
            update_fields=[
                "mail_status",
                "mail_attempts",
                "mail_last_error",
                "mail_next_attempt_at",
                "mail_sent_at",
            ]
        )
        return signature.mail_status


def requeue_confirmation_emails(now=None, limit=1000):
    """The outbox sweeper: queue again the mails that failed and are due, or whose task never ran.

    A mail that failed PETITION_MAIL_MAX_ATTEMPTS times stays failed. Returns how many were queued.
    """
    now = now or timezone.now()
    pending = Signature.objects.filter(confirmed_at__isnull=True, invalidated_at__isnull=True)
    failed_and_due = pending.filter(
        mail_status=MailStatus.FAILED,
        mail_attempts__lt=settings.PETITION_MAIL_MAX_ATTEMPTS,
        mail_next_attempt_at__lte=now,
    )
    stuck = pending.filter(
        mail_status=MailStatus.QUEUED,
        mail_queued_at__lte=now - timedelta(seconds=settings.PETITION_MAIL_STUCK_SECONDS),
    )
    with transaction.atomic():
        ids = list(
            (failed_and_due | stuck)
            .order_by("pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        Signature.objects.filter(pk__in=ids).update(mail_status=MailStatus.QUEUED, mail_queued_at=now)
        if ids:
            transaction.on_commit(request_delivery)
    if ids:
        logger.info("Queued %s confirmation mails again", len(ids))
    return len(ids)
