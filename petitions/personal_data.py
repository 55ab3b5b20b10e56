"""Signatories' personal data over time: retention, anonymisation after a petition closes, erasure.

- Unconfirmed signatures go after SIGNATURE_UNCONFIRMED_RETENTION_DAYS (they never counted).
- Signatures of a petition closed more than PETITION_ANONYMISE_AFTER_DAYS ago lose name, email,
  postcode and client hash; the count and the count by region stay.
- On request, one person's signatures are erased across all petitions. The audit log records how
  many and a keyed hash of the address, never the address.
"""

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from wagtail.log_actions import log

from petitions.counts import adjust_count, counted_by_day, forget_cached_counts
from petitions.models import MailStatus, PetitionPage, Signature

logger = logging.getLogger(__name__)

ANONYMISE_ACTION = "petitions.anonymise_signatures"
ERASE_SIGNATORY_ACTION = "petitions.erase_signatory"
ERASE_SIGNATURES_ACTION = "petitions.erase_signatures"

ANONYMISED_FIELDS = {"first_name": "", "last_name": "", "email": "", "postcode": "", "ip_hash": ""}


def email_reference(email):
    """A keyed hash of an address for the audit log: proves a later request matches, reveals nothing."""
    return salted_hmac("petitions.erasure-email", email.strip().lower(), algorithm="sha256").hexdigest()[:32]


def delete_unconfirmed_signatures(now=None):
    """Delete signatures left unconfirmed for longer than the retention period; returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.SIGNATURE_UNCONFIRMED_RETENTION_DAYS)
    deleted, _ = Signature.objects.unconfirmed().filter(created_at__lt=cutoff).delete()
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
            signatures.unconfirmed().delete()
            count = signatures.update(
                **ANONYMISED_FIELDS, anonymised_at=now, mail_status=MailStatus.NOT_NEEDED
            )
            if count:
                log(instance=petition, action=ANONYMISE_ACTION, data={"count": count})
        if count:
            done[petition.pk] = count
            logger.info("Anonymised %s signatures of closed petition %s", count, petition.pk)
    return done


@dataclass(frozen=True)
class Erasure:
    total: int
    by_petition: dict


def erase_signatures(queryset, user, log_action=ERASE_SIGNATURES_ACTION, log_data=None):
    """Delete the selected signatures outright, taking counted ones out of the count."""
    with transaction.atomic():
        rows = list(
            queryset.select_for_update().values_list(
                "pk", "petition_id", "region", "confirmed_at", "invalidated_at"
            )
        )
        counted = counted_by_day(
            (p, region, confirmed)
            for _pk, p, region, confirmed, invalidated in rows
            if confirmed and not invalidated
        )
        for (petition_id, region, day), n in counted.items():
            adjust_count(petition_id, region, -n, day=day)
        ids = [row[0] for row in rows]
        for start in range(0, len(ids), 1000):
            Signature.objects.filter(pk__in=ids[start : start + 1000]).delete()
        by_petition = Counter(petition_id for _pk, petition_id, *_rest in rows)
        for petition in PetitionPage.objects.filter(pk__in=by_petition):
            log(
                instance=petition,
                action=log_action,
                user=user,
                data={**(log_data or {}), "count": by_petition[petition.pk]},
            )
    for petition_id in by_petition:
        forget_cached_counts(petition_id)
    logger.info("Erased %s signatures in %s petitions", len(rows), len(by_petition))
    return Erasure(total=len(rows), by_petition=dict(by_petition))


def erase_signatory(email, user):
    """Erase everything one person gave, across all petitions (the right to erasure)."""
    return erase_signatures(
        Signature.objects.for_email(email),
        user,
        log_action=ERASE_SIGNATORY_ACTION,
        log_data={"email_hash": email_reference(email)},
    )
