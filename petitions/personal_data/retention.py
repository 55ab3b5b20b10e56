"""Signatories' personal data over time: retention of unconfirmed signatures, anonymisation after close.

- Unconfirmed signatures go after SIGNATURE_UNCONFIRMED_RETENTION_DAYS (they never counted).
- Signatures of a petition closed more than PETITION_ANONYMISE_AFTER_DAYS ago lose name, email,
  postcode and client hash; the count and the count by region stay.
"""

import logging
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from petitions.models import MailStatus, PetitionPage, Signature
from petitions.models.bulk import BATCH_SIZE
from petitions.models.delivery_pack import discard_packs
from petitions.models.record import Measure, adjust_record, moves

logger = logging.getLogger(__name__)

ANONYMISE_ACTION = "petitions.anonymise_signatures"

ANONYMISED_FIELDS = {"first_name": "", "last_name": "", "email": "", "postcode": "", "ip_hash": ""}


def _delete_unconfirmed(signatures):
    """Delete the unconfirmed ones of `signatures`, counting them in the public record as never
    confirmed (call inside a transaction). Locked first, so a confirmation at the same moment either
    wins (and the row is no longer unconfirmed) or finds the row gone."""
    rows = list(
        signatures.unconfirmed()
        .select_for_update()
        .values_list("pk", "petition_id", "confirmed_at", "invalidated_at", "invalidation_category")
    )
    adjust_record(moves([row[1:] for row in rows], Measure.EXPIRED))
    ids = [row[0] for row in rows]
    for start in range(0, len(ids), BATCH_SIZE):
        Signature.objects.filter(pk__in=ids[start : start + BATCH_SIZE]).delete()
    return len(ids)


def delete_unconfirmed_signatures(now=None):
    """Delete signatures left unconfirmed for longer than the retention period; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.SIGNATURE_UNCONFIRMED_RETENTION_DAYS)
    with transaction.atomic():
        deleted = _delete_unconfirmed(Signature.objects.filter(created_at__lt=cutoff))
    logger.info("Deleted %s unconfirmed signatures older than %s", deleted, cutoff.date())
    return deleted


def anonymise_closed_petitions(now=None):
    """Anonymise the signatures of petitions closed long enough ago; returns {petition id: count}."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PETITION_ANONYMISE_AFTER_DAYS)
    done = {}
    for petition in PetitionPage.objects.filter(closes_at__lte=cutoff):
        signatures = Signature.objects.filter(petition_id=petition.pk, anonymised_at__isnull=True)
        with transaction.atomic():
            # Unconfirmed ones never counted and never will: nothing of them is worth keeping.
            _delete_unconfirmed(signatures)
            count = signatures.update(
                **ANONYMISED_FIELDS, anonymised_at=now, mail_status=MailStatus.NOT_NEEDED
            )
            adjust_record(Counter({(petition.pk, Measure.ANONYMISED): count}))
            if count:
                log(instance=petition, action=ANONYMISE_ACTION, data={"count": count})
                # A stored delivery pack names signers: it goes with their names.
                discard_packs([petition.pk])
        if count:
            done[petition.pk] = count
            logger.info("Anonymised %s signatures of closed petition %s", count, petition.pk)
    return done
