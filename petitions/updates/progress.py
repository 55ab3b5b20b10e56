"""How far an update's sending has gone, from its outbox rows: for the listing and the update's page."""

from django.db.models import Count, Q

from petitions.models import DeliveryStatus, UpdateStatus


def delivery_progress(update):
    """Queued, sent, failed, skipped and remaining recipients of `update` (one query).

    Before sending starts there are no rows yet: the approved audience is all still to go.
    """
    counts = update.deliveries.aggregate(
        total=Count("pk"),
        queued=Count("pk", filter=Q(status=DeliveryStatus.QUEUED)),
        sent=Count("pk", filter=Q(status=DeliveryStatus.SENT)),
        failed=Count("pk", filter=Q(status=DeliveryStatus.FAILED)),
        skipped=Count("pk", filter=Q(status=DeliveryStatus.SKIPPED)),
        # Failed for now, with a retry to come (petitions.updates.sending): still to send.
        retrying=Count("pk", filter=Q(status=DeliveryStatus.FAILED, next_attempt_at__isnull=False)),
    )
    if counts["total"]:
        counts["remaining"] = counts["queued"] + counts["retrying"]
    elif update.status in {UpdateStatus.APPROVED, UpdateStatus.SENDING}:
        counts["remaining"] = update.audience_count or 0
    else:
        counts["remaining"] = 0
    counts["started"] = bool(counts["total"])
    return counts
