"""Taking bot or fraudulent signatures out of the count, and putting them back, with an audit trail.

Staff pick signatures by criteria (email domain, signing time window, client hash, petition) or
hand over a queryset (the signatories listing's bulk actions). Counters change in the same
transaction as the signatures, and each petition touched gets an entry in Wagtail's audit log.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from petitions.models import Signature
from petitions.models.bulk import change_signatures

INVALIDATE_ACTION = "petitions.invalidate_signatures"
RESTORE_ACTION = "petitions.restore_signatures"


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


def invalidate_signatures(selection, reason, user, now=None):
    """Invalidate the selected valid signatures (criteria or a queryset) for a stated reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("Give a reason for invalidating these signatures.")
    queryset, log_data = _selection(selection)
    now = now or timezone.now()
    reason = reason[:200]
    return change_signatures(
        queryset.valid(),
        lambda batch: batch.update(invalidated_at=now, invalidation_reason=reason, invalidated_by=user),
        count_delta=-1,
        action=INVALIDATE_ACTION,
        user=user,
        log_data={**log_data, "reason": reason},
    )


def restore_signatures(selection, user, reason=""):
    """Put invalidated signatures back: they count again if they were confirmed."""
    queryset, log_data = _selection(selection)
    return change_signatures(
        queryset.invalidated(),
        lambda batch: batch.update(invalidated_at=None, invalidation_reason="", invalidated_by=None),
        count_delta=+1,
        action=RESTORE_ACTION,
        user=user,
        log_data={**log_data, "reason": (reason or "").strip()[:200]},
    )
