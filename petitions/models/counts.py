"""Public counts of confirmed, valid signatures: the sharded counter rows, and reading and changing them.

Every change to the count (confirming, invalidating, restoring, erasing) adds to one counter row
in the same transaction as the change itself, so the counters are exact once transactions settle.
Reading a count sums a few hundred counter rows at most, and is cached for
`PETITION_COUNT_CACHE_SECONDS`, so a page view never scans the signature table.
"""

import itertools
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate, TruncHour
from django.utils import timezone

from core.caching import cached, forget
from petitions.models.record import RecordCount, recount_record
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


class SignatureDayCount(models.Model):
    """A slice of one petition's count of confirmed, valid signatures confirmed on one day (UK date).

    Kept beside `SignatureCount`, by the same calls and in the same transactions (`adjust_count`), and
    sharded the same way, so the staff dashboard draws signatures per day from a few rows a day instead
    of the signature table. A signature taken out of the count is taken off the day it was confirmed,
    so the days always add up to the count. `recount_signatures` rebuilds these rows too.
    """

    petition = models.ForeignKey("petitions.PetitionPage", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    shard = models.PositiveSmallIntegerField()
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "day", "shard"], name="petitions_daycount_one_row_a_shard"
            )
        ]
        indexes = [models.Index(fields=["day"], name="petitions_daycount_day")]

    def __str__(self):
        return f"{self.petition_id}/{self.day}/{self.shard}: {self.count}"


class SignatureHourCount(models.Model):
    """A slice of one petition's count of confirmed, valid signatures confirmed in one hour and region.

    The open-data history (`history.csv`, `history.json`) and the chart on the petition page read these.
    `hour` is the start of the hour in UTC. Kept by `adjust_count` with the other two counters, in the
    same transactions and sharded the same way; like the day counters, a signature taken out of the
    count is taken off the hour it was confirmed, so the hours always add up to today's count (the
    history is the count as it stands, spread over the hours of confirmation, not a log of events).
    """

    petition = models.ForeignKey("petitions.PetitionPage", on_delete=models.CASCADE, related_name="+")
    hour = models.DateTimeField(help_text="The start of the hour, in UTC.")
    region = models.CharField(max_length=20, choices=Region.choices)
    shard = models.PositiveSmallIntegerField()
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "hour", "region", "shard"], name="petitions_hourcount_one_row_a_shard"
            )
        ]

    def __str__(self):
        return f"{self.petition_id}/{self.hour:%Y-%m-%dT%H}/{self.region}/{self.shard}: {self.count}"


_UPSERT = (
    "INSERT INTO {table} (petition_id, region, shard, count) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT (petition_id, region, shard) DO UPDATE SET count = {table}.count + excluded.count"
)
_UPSERT_DAY = (
    "INSERT INTO {table} (petition_id, day, shard, count) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT (petition_id, day, shard) DO UPDATE SET count = {table}.count + excluded.count"
)


_UPSERT_HOUR = (
    "INSERT INTO {table} (petition_id, hour, region, shard, count) VALUES (%s, %s, %s, %s, %s) "
    "ON CONFLICT (petition_id, hour, region, shard) DO UPDATE SET count = {table}.count + excluded.count"
)


def hour_of(at):
    """The start of the UTC hour `at` falls in: the key of the hourly counters."""
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _milestones():
    """100, 500, then 1, 2.5 and 5 times each power of ten: 1,000, 2,500, 5,000, 10,000, 25,000 ..."""
    yield 100
    yield 500
    for power in itertools.count(3):
        for step in (1, 2.5, 5):
            yield int(step * 10**power)


def next_goal(total, target):
    """The goal a count shows: the next milestone above `total` while the target is far, else the target.

    Far means the count is under half the target: 387 of 50,000 aims for 500, 26,000 of 50,000 for the
    target itself. A count past its target aims for the next milestone after it, so there is always a
    next goal and never a bar stuck at 100% (or, far from the target, at 0%).
    """
    if target and target / 2 <= total < target:
        return target
    for milestone in _milestones():
        if milestone > total:
            return target if total < target <= milestone else milestone
    raise AssertionError("unreachable: the milestones never end")


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

    @property
    def goal(self):
        """What the count aims for next (`next_goal`): a milestone, or the target once it is near."""
        return next_goal(self.total, self.target)

    @property
    def goal_is_target(self):
        return self.goal == self.target

    @property
    def target_reached(self):
        return bool(self.target) and self.total >= self.target

    def as_dict(self):
        return {
            "count": self.total,
            "target": self.target,
            "goal": self.goal,
            "progress_percent": self.progress_percent,
            "regions": [{"region": code, "name": name, "count": n} for code, name, n in self.by_region],
        }


def adjust_count(petition_id, region, delta, *, at=None, write_zero=False):
    """Add `delta` to the petition's count in `region`, on a random shard (call inside the transaction).

    The same delta goes to the count of the (UK) day and of the (UTC) hour `at`, when the signatures
    were confirmed (now if not given), for the staff dashboard and the open-data history. A zero
    changes nothing and is skipped, unless `write_zero` asks for the same writes as any other delta
    (for work that must take as long whichever way it goes).
    """
    if not delta and not write_zero:
        return
    at = at or timezone.now()
    shard = random.randrange(settings.PETITION_COUNT_SHARDS)  # noqa: S311 - spreads writes, not a secret
    counts = connection.ops.quote_name(SignatureCount._meta.db_table)
    days = connection.ops.quote_name(SignatureDayCount._meta.db_table)
    hours = connection.ops.quote_name(SignatureHourCount._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT.format(table=counts), [petition_id, region, shard, delta])
        cursor.execute(_UPSERT_DAY.format(table=days), [petition_id, timezone.localdate(at), shard, delta])
        cursor.execute(_UPSERT_HOUR.format(table=hours), [petition_id, hour_of(at), region, shard, delta])


def counted_by_hour(rows):
    """Counter of (petition id, region, UTC hour of confirmation) over (petition id, region, confirmed at)
    rows: how to move the counters for signatures entering or leaving the count, one call each.

    The hour's start stands for the time of confirmation: the UK day of an hour's start is the UK day of
    every moment in it, since the UK's offsets from UTC are whole hours.
    """
    return Counter((petition_id, region, hour_of(at)) for petition_id, region, at in rows)


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


def history_cache_key(petition_id, what):
    """Where the petition's history or record (`what`) is cached (petitions.models.history)."""
    return f"petitions:history:{what}:{petition_id}"


HISTORY_CACHED = ("hours", "days", "record")


def forget_cached_counts(petition_id):
    """Drop the cached count, history and record so the next reader sees the counters (after staff
    changes); confirmations reach the history when its PETITION_HISTORY_CACHE_SECONDS run out."""
    forget(_cache_key(petition_id))
    for what in HISTORY_CACHED:
        forget(history_cache_key(petition_id, what))


def recount_signatures(petition_ids=None):
    """Rebuild the counters exactly from the signature table; returns {petition id: count}.

    On PostgreSQL the counter table is locked against writes for the recount, so a confirmation
    committed meanwhile either is in the recount or adds to the rebuilt counters afterwards.
    """
    signatures = Signature.objects.counted()
    counters = SignatureCount.objects.all()
    day_counters = SignatureDayCount.objects.all()
    hour_counters = SignatureHourCount.objects.all()
    if petition_ids is not None:
        signatures = signatures.filter(petition_id__in=petition_ids)
        counters = counters.filter(petition_id__in=petition_ids)
        day_counters = day_counters.filter(petition_id__in=petition_ids)
        hour_counters = hour_counters.filter(petition_id__in=petition_ids)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in (SignatureCount, SignatureDayCount, SignatureHourCount, RecordCount):
                    table = connection.ops.quote_name(model._meta.db_table)
                    cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        affected = set(counters.values_list("petition_id", flat=True).distinct())
        counters.delete()
        day_counters.delete()
        hour_counters.delete()
        recount_record(petition_ids)
        rows = list(signatures.values_list("petition_id", "region").annotate(n=Count("id")).order_by())
        SignatureCount.objects.bulk_create(
            SignatureCount(petition_id=petition_id, region=region, shard=0, count=n)
            for petition_id, region, n in rows
        )
        # The UK day: TruncDate works in the current time zone, TIME_ZONE.
        days = signatures.annotate(day=TruncDate("confirmed_at")).values_list("petition_id", "day")
        SignatureDayCount.objects.bulk_create(
            SignatureDayCount(petition_id=petition_id, day=day, shard=0, count=n)
            for petition_id, day, n in days.annotate(n=Count("id")).order_by()
        )
        SignatureHourCount.objects.bulk_create(
            SignatureHourCount(petition_id=petition_id, hour=hour, region=region, shard=0, count=n)
            for petition_id, hour, region, n in signatures.annotate(
                hour=TruncHour("confirmed_at", tzinfo=UTC)
            )
            .values_list("petition_id", "hour", "region")
            .annotate(n=Count("id"))
            .order_by()
        )
    totals = {}
    for petition_id, _region, n in rows:
        totals[petition_id] = totals.get(petition_id, 0) + n
    for petition_id in affected | set(totals):
        forget_cached_counts(petition_id)
    return totals


@dataclass(frozen=True)
class SigningActivity:
    """Signing across every petition, for the staff dashboard: counts only, never a person.

    `days` is [(date, signatures confirmed that day)] for the last `len(days)` UK days, oldest first;
    `regions` is [(code, name, count)], largest first.
    """

    confirmed_today: int
    confirmed_this_week: int
    confirmed_total: int
    awaiting_today: int
    awaiting_this_week: int
    awaiting_total: int
    days: list
    regions: list


def signing_activity(number_of_days=14, today=None):
    """Today's, the last seven days' and all signatures, per day and per region, in three queries.

    Confirmed signatures come from the counters (per region, per day), whatever the number of
    signatures. Those awaiting confirmation have no counter: they are counted in the signature table's
    partial index of unconfirmed rows, which holds only the last SIGNATURE_UNCONFIRMED_RETENTION_DAYS'
    (older ones are deleted), so that count stays small too.
    """
    today = today or timezone.localdate()
    first_day = today - timedelta(days=number_of_days - 1)
    week_start = today - timedelta(days=6)
    per_day = dict(
        SignatureDayCount.objects.filter(day__gte=first_day, day__lte=today)
        .values_list("day")
        .annotate(n=Sum("count"))
        .order_by()
    )
    calendar = [first_day + timedelta(days=n) for n in range(number_of_days)]
    days = [(day, per_day.get(day, 0)) for day in calendar]
    labels = dict(Region.choices)
    by_region = SignatureCount.objects.values_list("region").annotate(n=Sum("count")).order_by()
    regions = sorted(
        ((code, labels.get(code, code), n) for code, n in by_region if n), key=lambda row: (-row[2], row[1])
    )

    def since(day):
        return timezone.make_aware(datetime.combine(day, time.min))

    awaiting = (
        Signature.objects.unconfirmed()
        .valid()
        .aggregate(
            total=Count("id"),
            today=Count("id", filter=Q(created_at__gte=since(today))),
            week=Count("id", filter=Q(created_at__gte=since(week_start))),
        )
    )
    return SigningActivity(
        confirmed_today=per_day.get(today, 0),
        confirmed_this_week=sum(n for day, n in days if day >= week_start),
        confirmed_total=sum(n for _code, _name, n in regions),
        awaiting_today=awaiting["today"],
        awaiting_this_week=awaiting["week"],
        awaiting_total=awaiting["total"],
        days=days,
        regions=regions,
    )
