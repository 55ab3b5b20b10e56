"""Background work: the confirmation mail's delivery task, run by the django-tasks worker (`db_worker`).

The task's arguments are ids only, never personal data: they are stored in the task table. The periodic
jobs (the mail sweeper below, retention, anonymisation, recounts) are management commands, which cron
calls; see docs/petitions.md. The mail itself is composed and sent by petitions.mail.

The signature row is the mail's outbox: signing sets `mail_status` to "queued" and asks for a delivery
task (`request_delivery`), which sends every mail queued by then (`send_queued_confirmation_emails`).
While one delivery task waits, later signatures join it instead of queuing a task each.

`deliver_confirmation_email` (petitions.mail.delivery) sends one mail, and never the same queued mail
twice, however often a task runs.

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
from django.db import DatabaseError, transaction
from django.utils import timezone
from django_tasks import task

from petitions.mail.delivery import deliver_confirmation_email
from petitions.mail.milestone import deliver_milestone_notification
from petitions.models import MailStatus, Signature
from petitions.models.milestones import NotifyStatus, PetitionMilestone

logger = logging.getLogger(__name__)

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


@task()
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


@task()
def send_milestone_notifications():
    """The milestone task: mail staff of each milestone whose mail is queued; returns how many went out."""
    ids = list(
        PetitionMilestone.objects.filter(notify_status=NotifyStatus.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)[:DELIVERY_BATCH]
    )
    return sum(deliver_milestone_notification(pk) == NotifyStatus.SENT for pk in ids)


def notify_milestones():
    """Have the worker tell staff of new milestones; call once they are committed (they are rare, so
    each asks for its own task). A request lost with its process leaves the milestone queued, for
    `requeue_milestone_notifications`."""
    try:
        send_milestone_notifications.enqueue()
    except DatabaseError as error:
        logger.error("Could not queue a milestone mail task (%s)", type(error).__name__)


def requeue_milestone_notifications(max_attempts=None):
    """The sweeper's part for milestones: queue again the failed mails (up to PETITION_MAIL_MAX_ATTEMPTS
    tries) and ask for a task if any are queued; returns how many are queued."""
    max_attempts = max_attempts or settings.PETITION_MAIL_MAX_ATTEMPTS
    PetitionMilestone.objects.filter(
        notify_status=NotifyStatus.FAILED, notify_attempts__lt=max_attempts
    ).update(notify_status=NotifyStatus.QUEUED)
    queued = PetitionMilestone.objects.filter(notify_status=NotifyStatus.QUEUED).count()
    if queued:
        notify_milestones()
    return queued
