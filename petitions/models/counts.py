"""Sharded signature counters: the public count without scanning the signature table."""

from django.db import models

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
