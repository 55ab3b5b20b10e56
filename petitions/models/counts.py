"""Public counts of confirmed, valid signatures: the sharded counter rows, and reading and changing them.

Every change to the count (confirming, invalidating, restoring, erasing) adds to one counter row
in the same transaction as the change itself, so the counters are exact once transactions settle.
Reading a count sums a few hundred counter rows at most, and is cached for
`PETITION_COUNT_CACHE_SECONDS`, so a page view never scans the signature table.
"""

import random
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Count, Sum

from core.caching import cached, forget
from petitions.models.signature import Signature
from petitions.regions import Region


class SignatureCount(models.Model):
    """A slice of one petition's count of confirmed, valid signatures in one region.

    Each change adds +1 or -1 to one of several shards picked at random, so hundreds of
    confirmations a second do not queue on a single row. A shard may go below zero; only the
    sum over shards means anything. `recount_signatures` rebuilds the rows from the table.
    """

    petition = models.ForeignKey("petitions.PetitionPage", on_delete=models.CASCADE, related_name="+")
    region = models.CharField(max_length=20, choices=Region.choices)
    shard = models.PositiveSmallIntegerField()
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "region", "shard"], name="petitions_count_one_row_a_shard"
            )
        ]

    def __str__(self):
        return f"{self.petition_id}/{self.region}/{self.shard}: {self.count}"


_UPSERT = (
    "INSERT INTO {table} (petition_id, region, shard, count) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT (petition_id, region, shard) DO UPDATE SET count = {table}.count + excluded.count"
)


@dataclass(frozen=True)
class Counts:
    """A petition's public count, its target and the count in each region (largest first)."""

    total: int
    target: int
    by_region: list = field(default_factory=list)

    @property
    def progress_percent(self):
        if not self.target:
            return 0
        return min(100, self.total * 100 // self.target)

    def as_dict(self):
        return {
            "count": self.total,
            "target": self.target,
            "progress_percent": self.progress_percent,
            "regions": [{"region": code, "name": name, "count": n} for code, name, n in self.by_region],
        }


def adjust_count(petition_id, region, delta, *, write_zero=False):
    """Add `delta` to the petition's count in `region`, on a random shard (call inside the transaction).

    A zero changes nothing and is skipped, unless `write_zero` asks for the same write as any other
    delta (for work that must take as long whichever way it goes).
    """
    if not delta and not write_zero:
        return
    table = connection.ops.quote_name(SignatureCount._meta.db_table)
    shard = random.randrange(settings.PETITION_COUNT_SHARDS)  # noqa: S311 - spreads writes, not a secret
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT.format(table=table), [petition_id, region, shard, delta])


def _cache_key(petition_id):
    return f"petitions:counts:{petition_id}"


def _read_counters(petition_id):
    rows = (
        SignatureCount.objects.filter(petition_id=petition_id)
        .values_list("region")
        .annotate(total=Sum("count"))
        .order_by()
    )
    return {region: total for region, total in rows if total}


def region_counts(petition_id):
    """The count in each region, from the cache when it is fresh: {region code: count}."""
    return cached(
        _cache_key(petition_id), settings.PETITION_COUNT_CACHE_SECONDS, lambda: _read_counters(petition_id)
    )


def get_counts(petition):
    by_code = region_counts(petition.pk)
    labels = dict(Region.choices)
    by_region = sorted(
        ((code, labels.get(code, code), n) for code, n in by_code.items()),
        key=lambda row: (-row[2], row[1]),
    )
    return Counts(total=sum(by_code.values()), target=petition.target, by_region=by_region)


def forget_cached_counts(petition_id):
    """Drop the cached count so the next reader sees the counters (after staff changes)."""
    forget(_cache_key(petition_id))


def recount_signatures(petition_ids=None):
    """Rebuild the counters exactly from the signature table; returns {petition id: count}.

    On PostgreSQL the counter table is locked against writes for the recount, so a confirmation
    committed meanwhile either is in the recount or adds to the rebuilt counters afterwards.
    """
    signatures = Signature.objects.counted()
    counters = SignatureCount.objects.all()
    if petition_ids is not None:
        signatures = signatures.filter(petition_id__in=petition_ids)
        counters = counters.filter(petition_id__in=petition_ids)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                table = connection.ops.quote_name(SignatureCount._meta.db_table)
                cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        affected = set(counters.values_list("petition_id", flat=True).distinct())
        counters.delete()
        rows = list(signatures.values_list("petition_id", "region").annotate(n=Count("id")).order_by())
        SignatureCount.objects.bulk_create(
            SignatureCount(petition_id=petition_id, region=region, shard=0, count=n)
            for petition_id, region, n in rows
        )
    totals = {}
    for petition_id, _region, n in rows:
        totals[petition_id] = totals.get(petition_id, 0) + n
    for petition_id in affected | set(totals):
        forget_cached_counts(petition_id)
    return totals
