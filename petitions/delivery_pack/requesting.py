"""Asking for a delivery pack: the request is recorded, audited and its task queued in one transaction."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from petitions.delivery_pack.tasks import generate_delivery_pack
from petitions.models import DeliveryPack, PackStatus, PetitionPage

REQUEST_ACTION = "petitions.request_delivery_pack"
DOWNLOAD_ACTION = "petitions.download_delivery_pack"

# A pack "being made" for longer than this is taken to have lost its worker (django-tasks' database
# backend never runs a crashed worker's task again): a new one may then be asked for.
STUCK_AFTER = timedelta(hours=2)


class PackAlreadyInProgress(Exception):
    """A pack of this petition is already waiting or being made."""


def latest_pack(petition):
    return DeliveryPack.objects.filter(petition=petition).first()


def is_stuck(pack, now=None):
    started = pack.started_at or pack.requested_at
    return pack.is_in_progress and started < (now or timezone.now()) - STUCK_AFTER


def request_pack(petition, user):
    """Record a request for a pack of `petition` and queue its task; the new `DeliveryPack`.

    The task row is written in the same transaction as the pack (its outbox): a pack is waiting if and
    only if its task is. Raises `PackAlreadyInProgress` while another pack of the petition is on its way.
    """
    with transaction.atomic():
        # Two staff pressing at once: the lock on the petition's row makes the second wait, then refuse.
        PetitionPage.objects.select_for_update().filter(pk=petition.pk).values_list("pk").first()
        latest = latest_pack(petition)
        if latest and latest.is_in_progress:
            if not is_stuck(latest):
                raise PackAlreadyInProgress
            latest.status = PackStatus.FAILED
            latest.error_kind = "WorkerLost"
            latest.save(update_fields=["status", "error_kind"])
        pack = DeliveryPack.objects.create(petition=petition, requested_by=user)
        generate_delivery_pack.enqueue(pack.pk)
        log(instance=petition, action=REQUEST_ACTION, user=user, data={"pack": pack.pk})
    return pack
