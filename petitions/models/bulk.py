"""Changing many signatures at once: lock the rows, move the counts, write in batches, audit.

Staff invalidating or restoring signatures and erasing personal data all go through
`change_signatures`, so the counters move in the same transaction as the rows and every petition
touched gets one entry in Wagtail's audit log.
"""

import logging
from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from wagtail.log_actions import log

from petitions.models.counts import adjust_count, counted_by_hour, forget_cached_counts
from petitions.models.petition_page import PetitionPage
from petitions.models.record import adjust_record, moves
from petitions.models.signature import Signature

logger = logging.getLogger(__name__)

# Rows changed per statement, so a large selection stays within every database's parameter limits.
BATCH_SIZE = 1000


@dataclass(frozen=True)
class BulkChange:
    """How many signatures changed, in total and in each petition (by id)."""

    total: int
    by_petition: dict


def change_signatures(queryset, write, *, count_delta, action, user, log_data, becomes=None):
    """Lock the selected rows, apply `write` to them batch by batch, move the counts, audit.

    `write(batch)` gets a queryset of up to BATCH_SIZE of the rows (to `update(...)` or `delete()`).
    `count_delta` says which rows move the public count: -1 takes out those in it now (confirmed
    and valid), +1 puts back confirmed ones that are out of it because they were invalidated.
    `becomes` is the public record's measure (`petitions.models.record.Measure`) the rows move to, or
    `VALID_AGAIN` for rows made valid again (counted, or awaiting confirmation), so that the record's
    counters move with the count; None moves none (a change the record does not count).
    """
    with transaction.atomic():
        rows = list(
            queryset.select_for_update().values_list(
                "pk", "petition_id", "region", "confirmed_at", "invalidated_at", "invalidation_category"
            )
        )
        restoring = count_delta > 0
        # By the hour each was confirmed, so the per-day and per-hour counters take them off (or put them
        # back on) the day and hour they were counted.
        moved = counted_by_hour(
            (petition_id, region, confirmed_at)
            for _pk, petition_id, region, confirmed_at, invalidated_at, _category in rows
            if confirmed_at and (invalidated_at is not None) == restoring
        )
        for (petition_id, region, hour), n in moved.items():
            adjust_count(petition_id, region, count_delta * n, at=hour)
        if becomes is not None:
            adjust_record(moves([(row[1], row[3], row[4], row[5]) for row in rows], becomes))
        ids = [row[0] for row in rows]
        for start in range(0, len(ids), BATCH_SIZE):
            write(Signature.objects.filter(pk__in=ids[start : start + BATCH_SIZE]))
        by_petition = Counter(row[1] for row in rows)
        for petition in PetitionPage.objects.filter(pk__in=by_petition):
            data = {**log_data, "count": by_petition[petition.pk]}
            log(instance=petition, action=action, user=user, data=data)
    for petition_id in by_petition:
        forget_cached_counts(petition_id)
    logger.info("%s: %s signatures in %s petitions", action, len(rows), len(by_petition))
    return BulkChange(total=len(rows), by_petition=dict(by_petition))
