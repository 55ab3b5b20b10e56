"""Taking bot or fraudulent signatures out of the count, and putting them back, with an audit trail.

Staff select signatures in the signatories listing, ticking rows or taking every row its filters
show (`petitions.staff.filters`). Counters change in the same transaction as the signatures, and each
petition touched gets an entry in Wagtail's audit log (`petitions.models.bulk`).
"""

from django.utils import timezone

from petitions.models.bulk import change_signatures
from petitions.models.record import VALID_AGAIN, invalidated_measure
from petitions.models.signature import InvalidationCategory

INVALIDATE_ACTION = "petitions.invalidate_signatures"
RESTORE_ACTION = "petitions.restore_signatures"


def count_to_invalidate(signatures):
    """The dry run: how many signatures an invalidation would take (and how many are in the count)."""
    valid = signatures.valid()
    return valid.count(), valid.confirmed().count()


def count_to_restore(signatures):
    return signatures.invalidated().count()


def invalidate_signatures(
    signatures, reason, user, *, category=InvalidationCategory.OTHER, log_data=None, now=None
):
    """Invalidate the valid ones of `signatures` (a queryset) for a stated reason, of a `category`
    (an InvalidationCategory: the public integrity report counts invalidations by it)."""
    reason = (reason or "").strip()[:200]
    if not reason:
        raise ValueError("Give a reason for invalidating these signatures.")
    if category not in InvalidationCategory.values:
        raise ValueError("Choose what kind of reason it is.")
    now = now or timezone.now()
    return change_signatures(
        signatures.valid(),
        lambda batch: batch.update(
            invalidated_at=now,
            invalidation_reason=reason,
            invalidation_category=category,
            invalidated_by=user,
        ),
        count_delta=-1,
        action=INVALIDATE_ACTION,
        user=user,
        log_data={**(log_data or {}), "reason": reason, "category": category},
        becomes=invalidated_measure(category),
    )


def restore_signatures(signatures, user, *, reason="", log_data=None):
    """Put the invalidated ones of `signatures` back: they count again if they were confirmed."""
    return change_signatures(
        signatures.invalidated(),
        lambda batch: batch.update(
            invalidated_at=None, invalidation_reason="", invalidation_category="", invalidated_by=None
        ),
        count_delta=+1,
        action=RESTORE_ACTION,
        user=user,
        log_data={**(log_data or {}), "reason": (reason or "").strip()[:200]},
        becomes=VALID_AGAIN,
    )
