"""Sending one confirmation mail, at least once and never twice for one queued request.

`deliver_confirmation_email` sends one mail, in the task worker. It holds the signature's row lock while it
sends, and sends only while the signature's mail status says a mail is queued, so a task that runs
twice (a re-queue by the sweeper, a second worker, a task left behind by a killed worker) never mails
the same confirmation twice. The outbox around it (queuing, the delivery task, the sweeper) is in
petitions.tasks.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from petitions.mail.confirmation import build_confirmation_email
from petitions.models import MailStatus, PetitionPage, Signature

logger = logging.getLogger(__name__)

# However many attempts have failed, the next one waits no longer than this.
_MAX_RETRY_DELAY = timedelta(hours=6)


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
