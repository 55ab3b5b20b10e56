"""The petition's public record: how many signatures came in and what became of them, as counters.

The integrity report ("Are these numbers real?") reads these rows and the public count, never the
signature table. Every path that changes a signature's state moves a counter here in the same
transaction as the change: signing (received, awaiting), confirming, invalidating and restoring (by
category), erasing, deleting unconfirmed signatures after the retention period, anonymising after close.
Counts only: a counter says how many, never who, and none is kept per person or per day.
"""

import random
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, models
from django.db.models import BooleanField, Count, ExpressionWrapper, Q, Sum

from petitions.models.signature import InvalidationCategory, Signature


class Measure(models.TextChoices):
    """What a record counter counts. The states a signature is in (awaiting, invalidated) go up and down;
    the events (received, erased, expired, anonymised) only go up."""

    RECEIVED = "received", "Signatures received"
    AWAITING = "awaiting", "Awaiting confirmation"
    INVALIDATED_RATE_LIMIT = "invalidated-rate-limit", "Invalidated: too many from one place"
    INVALIDATED_FRAUD_REVIEW = "invalidated-fraud-review", "Invalidated: fraud review"
    INVALIDATED_DUPLICATE = "invalidated-duplicate", "Invalidated: duplicate"
    INVALIDATED_OTHER = "invalidated-other", "Invalidated: another reason"
    ERASED_ON_REQUEST = "erased-on-request", "Erased at the signer's request"
    ERASED_BY_STAFF = "erased-by-staff", "Erased by staff"
    EXPIRED = "expired", "Never confirmed, deleted"
    ANONYMISED = "anonymised", "Anonymised after closing"


_STATE = {
    "unconfirmed": ExpressionWrapper(Q(confirmed_at__isnull=True), output_field=BooleanField()),
    "valid": ExpressionWrapper(Q(invalidated_at__isnull=True), output_field=BooleanField()),
}


def invalidated_measure(category):
    """The measure of signatures invalidated in `category` (an InvalidationCategory value, or "")."""
    category = category if category in InvalidationCategory.values else InvalidationCategory.OTHER
    return f"invalidated-{category}"


def state_measure(confirmed_at, invalidated_at, category):
    """The measure a signature's state adds to, or None when it is in the public count (its own counter)."""
    if invalidated_at is not None:
        return invalidated_measure(category)
    if confirmed_at is None:
        return Measure.AWAITING
    return None


class RecordCount(models.Model):
    """A slice of one petition's count of one measure (`Measure`), sharded as the public count is.

    `recount_record` rebuilds the states from the signature table; the events cannot be rebuilt (their
    rows are gone) and are kept as they are.
    """

    petition = models.ForeignKey("petitions.PetitionPage", on_delete=models.CASCADE, related_name="+")
    measure = models.CharField(max_length=40, choices=Measure.choices)
    shard = models.PositiveSmallIntegerField()
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "measure", "shard"], name="petitions_recordcount_one_row_a_shard"
            )
        ]

    def __str__(self):
        return f"{self.petition_id}/{self.measure}/{self.shard}: {self.count}"


_UPSERT = (
    "INSERT INTO {table} (petition_id, measure, shard, count) VALUES {values} "
    "ON CONFLICT (petition_id, measure, shard) DO UPDATE SET count = {table}.count + excluded.count"
)


def adjust_record(changes, *, write_zero=False):
    """Add each `changes[(petition id, measure)]` to its counter, in one statement (inside the transaction).

    Zeros are skipped unless `write_zero` (for work that must take as long whichever way it goes).
    """
    rows = [(key, delta) for key, delta in changes.items() if delta or write_zero]
    if not rows:
        return
    shard = record_shard()
    params = []
    for (petition_id, measure), delta in rows:
        params += [petition_id, str(measure), shard, delta]
    with connection.cursor() as cursor:
        cursor.execute(record_upsert_sql(", ".join(["(%s, %s, %s, %s)"] * len(rows))), params)


def record_shard():
    """The counter row a change adds to: any of the petition's shards, so that writers rarely wait."""
    return random.randrange(settings.PETITION_COUNT_SHARDS)  # noqa: S311 - spreads writes, not a secret


def record_upsert_sql(rows):
    """The statement adding to the counters: `rows` are SQL row values (petition id, measure, shard, delta).

    For statements that count as they write (`petitions.signing.signatures`), a row's delta may be an
    expression reading what the statement wrote.
    """
    return _UPSERT.format(table=connection.ops.quote_name(RecordCount._meta.db_table), values=rows)


# What restored signatures become: counted if confirmed, else awaiting confirmation.
VALID_AGAIN = "valid-again"


def moves(rows, becomes):
    """The counter changes for signatures moving to the measure `becomes` (or `VALID_AGAIN`).

    `rows` are (petition id, confirmed at, invalidated at, category) as they are before the change.
    """
    changes = Counter()
    for petition_id, confirmed_at, invalidated_at, category in rows:
        before = state_measure(confirmed_at, invalidated_at, category)
        after = state_measure(confirmed_at, None, "") if becomes == VALID_AGAIN else becomes
        if before == after:
            continue
        if before is not None:
            changes[(petition_id, before)] -= 1
        if after is not None:
            changes[(petition_id, after)] += 1
    return changes


@dataclass(frozen=True)
class Record:
    """One petition's record, for the integrity report: every figure a count of signatures."""

    received: int
    counted: int
    awaiting: int
    invalidated: list  # [(label, count)] in the order of InvalidationCategory
    erased_on_request: int
    erased_by_staff: int
    expired: int
    anonymised: int

    @property
    def invalidated_total(self):
        return sum(n for _label, n in self.invalidated)

    @property
    def erased_total(self):
        return self.erased_on_request + self.erased_by_staff

    @property
    def accounted_for(self):
        """Every received signature is in exactly one of these; this equals `received`."""
        return self.counted + self.awaiting + self.invalidated_total + self.erased_total + self.expired


def read_record(petition_id, counted):
    """The petition's record from its counters; `counted` is its public count (the count's counters)."""
    totals = dict(
        RecordCount.objects.filter(petition_id=petition_id)
        .values_list("measure")
        .annotate(total=Sum("count"))
        .order_by()
    )
    return Record(
        received=totals.get(Measure.RECEIVED, 0),
        counted=counted,
        awaiting=totals.get(Measure.AWAITING, 0),
        invalidated=[
            (label, totals.get(invalidated_measure(value), 0))
            for value, label in InvalidationCategory.choices
        ],
        erased_on_request=totals.get(Measure.ERASED_ON_REQUEST, 0),
        erased_by_staff=totals.get(Measure.ERASED_BY_STAFF, 0),
        expired=totals.get(Measure.EXPIRED, 0),
        anonymised=totals.get(Measure.ANONYMISED, 0),
    )


# What the signature table can say again: the states, and anonymisation. Received is rebuilt as the
# rows there plus those gone (erased, expired), whose counters are kept.
_REBUILT = [
    Measure.RECEIVED,
    Measure.AWAITING,
    Measure.ANONYMISED,
    *(f"invalidated-{c}" for c in InvalidationCategory.values),
]
_GONE = [Measure.ERASED_ON_REQUEST, Measure.ERASED_BY_STAFF, Measure.EXPIRED]


def recount_record(petition_ids=None):
    """Rebuild the record's counters that the signature table can tell (call inside the recount's
    transaction, with the signatures as they are): awaiting, invalidated, anonymised and received."""
    signatures = Signature.objects.all()
    counters = RecordCount.objects.all()
    if petition_ids is not None:
        signatures = signatures.filter(petition_id__in=petition_ids)
        counters = counters.filter(petition_id__in=petition_ids)
    gone = Counter(
        dict(
            counters.filter(measure__in=_GONE).values_list("petition_id").annotate(n=Sum("count")).order_by()
        )
    )
    counters.filter(measure__in=_REBUILT).delete()
    changes = Counter()
    rows = (
        signatures.annotate(**_STATE)
        .values_list("petition_id", "unconfirmed", "valid", "invalidation_category")
        .annotate(n=Count("id"))
        .order_by()
    )
    for petition_id, unconfirmed, valid, category, n in rows:
        changes[(petition_id, Measure.RECEIVED)] += n
        if not valid:
            changes[(petition_id, invalidated_measure(category))] += n
        elif unconfirmed:
            changes[(petition_id, Measure.AWAITING)] += n
    for petition_id, n in (
        signatures.filter(anonymised_at__isnull=False)
        .values_list("petition_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        changes[(petition_id, Measure.ANONYMISED)] += n
    for petition_id, n in gone.items():
        changes[(petition_id, Measure.RECEIVED)] += n
    RecordCount.objects.bulk_create(
        RecordCount(petition_id=petition_id, measure=measure, shard=0, count=n)
        for (petition_id, measure), n in changes.items()
        if n
    )
