"""Erasing signatures: those staff select, or on request one person's across all petitions.

Counted ones leave the count. The audit log records how many and, for a person, a keyed hash of the
address, never the address.
"""

import logging
from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.utils.crypto import salted_hmac
from wagtail.log_actions import log

from petitions.models import PetitionPage, Signature
from petitions.models.counts import adjust_count, counted_by_day, forget_cached_counts

logger = logging.getLogger(__name__)

ERASE_SIGNATORY_ACTION = "petitions.erase_signatory"
ERASE_SIGNATURES_ACTION = "petitions.erase_signatures"


def email_reference(email):
    """A keyed hash of an address for the audit log: proves a later request matches, reveals nothing."""
    return salted_hmac("petitions.erasure-email", email.strip().lower(), algorithm="sha256").hexdigest()[:32]


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
