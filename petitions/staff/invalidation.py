"""Taking bot or fraudulent signatures out of the count, and putting them back, with an audit trail.

Staff pick signatures by criteria (email domain, signing time window, client hash, petition) or
hand over a queryset (the signatories listing's bulk actions). Counters change in the same
transaction as the signatures, and each petition touched gets an entry in Wagtail's audit log.
"""

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from petitions.models import PetitionPage, Signature
from petitions.models.counts import adjust_count, counted_by_day, forget_cached_counts

logger = logging.getLogger(__name__)

INVALIDATE_ACTION = "petitions.invalidate_signatures"
RESTORE_ACTION = "petitions.restore_signatures"

# Rows changed per UPDATE, so a large selection stays within every database's parameter limits.
_BATCH = 1000


@dataclass(frozen=True)
class InvalidationCriteria:
    """Which signatures to invalidate or restore. Every criterion given must match."""

    petition_id: int | None = None
    email_domain: str = ""
    signed_from: datetime | None = None
    signed_to: datetime | None = None
    ip_hash: str = ""

    def is_empty(self):
        return not (
            self.petition_id or self.email_domain or self.signed_from or self.signed_to or self.ip_hash
        )

    def filter(self, queryset=None):
        queryset = Signature.objects.all() if queryset is None else queryset
        if self.petition_id:
            queryset = queryset.filter(petition_id=self.petition_id)
        if self.email_domain:
            queryset = queryset.filter(email__iendswith="@" + self.email_domain.strip().lstrip("@"))
        if self.signed_from:
            queryset = queryset.filter(created_at__gte=self.signed_from)
        if self.signed_to:
            queryset = queryset.filter(created_at__lt=self.signed_to)
        if self.ip_hash:
            queryset = queryset.filter(ip_hash=self.ip_hash.strip())
        return queryset

    def as_log_data(self):
        return {
            "petition_id": self.petition_id,
            "email_domain": self.email_domain,
            "signed_from": self.signed_from.isoformat() if self.signed_from else None,
            "signed_to": self.signed_to.isoformat() if self.signed_to else None,
            "ip_hash": self.ip_hash,
        }


@dataclass(frozen=True)
class BulkChange:
    """How many signatures changed, in total and in each petition (by id)."""

    total: int
    by_petition: dict


def _selection(selection):
    if isinstance(selection, InvalidationCriteria):
        if selection.is_empty():
            raise ValueError("Choose at least one criterion, so that not every signature is selected.")
        return selection.filter(), selection.as_log_data()
    return selection, {"selection": "chosen in the signatories listing"}


def count_to_invalidate(selection):
    """The dry run: how many signatures an invalidation would take (and how many are in the count)."""
    queryset, _ = _selection(selection)
    valid = queryset.valid()
    return valid.count(), valid.confirmed().count()


def count_to_restore(selection):
    queryset, _ = _selection(selection)
    return queryset.invalidated().count()


def _apply(rows, changes, count_delta):
    """Update the rows in batches and move the counters by `count_delta` for each counted row."""
    ids = [row[0] for row in rows]
    for start in range(0, len(ids), _BATCH):
        Signature.objects.filter(pk__in=ids[start : start + _BATCH]).update(**changes)
    counted = counted_by_day(
        (petition_id, region, confirmed_at) for _pk, petition_id, region, confirmed_at in rows if confirmed_at
    )
    for (petition_id, region, day), n in counted.items():
        adjust_count(petition_id, region, count_delta * n, day=day)
    return Counter(petition_id for _pk, petition_id, _region, _confirmed in rows)


def _log(action, by_petition, user, data):
    for petition in PetitionPage.objects.filter(pk__in=by_petition):
        log(instance=petition, action=action, user=user, data={**data, "count": by_petition[petition.pk]})


def invalidate_signatures(selection, reason, user, now=None):
    """Invalidate the selected valid signatures (criteria or a queryset) for a stated reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("Give a reason for invalidating these signatures.")
    queryset, log_data = _selection(selection)
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            queryset.valid().select_for_update().values_list("pk", "petition_id", "region", "confirmed_at")
        )
        by_petition = _apply(
            rows, {"invalidated_at": now, "invalidation_reason": reason[:200], "invalidated_by": user}, -1
        )
        _log(INVALIDATE_ACTION, by_petition, user, {**log_data, "reason": reason[:200]})
    for petition_id in by_petition:
        forget_cached_counts(petition_id)
    logger.info("Invalidated %s signatures in %s petitions", len(rows), len(by_petition))
    return BulkChange(total=len(rows), by_petition=dict(by_petition))


def restore_signatures(selection, user, reason=""):
    """Put invalidated signatures back: they count again if they were confirmed."""
    queryset, log_data = _selection(selection)
    with transaction.atomic():
        rows = list(
            queryset.invalidated()
            .select_for_update()
            .values_list("pk", "petition_id", "region", "confirmed_at")
        )
        by_petition = _apply(
            rows, {"invalidated_at": None, "invalidation_reason": "", "invalidated_by": None}, +1
        )
        _log(RESTORE_ACTION, by_petition, user, {**log_data, "reason": (reason or "").strip()[:200]})
    for petition_id in by_petition:
        forget_cached_counts(petition_id)
    logger.info("Restored %s signatures in %s petitions", len(rows), len(by_petition))
    return BulkChange(total=len(rows), by_petition=dict(by_petition))
