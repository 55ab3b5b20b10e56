"""Milestones: the moment a petition's count first reached 100, 1,000, 10,000, … and its target.

`record_milestones` runs in the transaction that confirms a signature (or counts one that needs no
confirmation). It reads the count from the counters with the milestones already recorded, in one
query, and inserts what has been reached with `ON CONFLICT DO NOTHING`, so each milestone is recorded
exactly once whoever gets there first (the unique constraint decides).

Under concurrent confirmations two transactions can each miss the other's uncommitted signature and
both see 99. Near an unreached milestone (within `LOCK_WINDOW` signatures of it) each confirmation
therefore takes a transaction-level advisory lock on the petition and reads the count again: the lock
is held until commit, so whoever holds it next sees every earlier holder's signature, and the one that
makes 100 sees 100. Far from a milestone no lock is taken, so the busy stretches between milestones
confirm in parallel. A milestone missed anyway (a transaction stalled while more than `LOCK_WINDOW`
others confirmed) is recorded by the next confirmation, a little late; none is recorded twice.

A milestone stays recorded if signatures are later taken out of the count: it says when the count
first got there.
"""

import itertools

from django.apps import apps
from django.db import connection, models
from django.utils import timezone

from petitions.models.counts import SignatureCount

# Within this many signatures of an unreached milestone, confirmations take the petition's lock: far
# more than the transactions that can be in flight at once (app servers' threads and workers).
LOCK_WINDOW = 1000
# The advisory lock's first key: "milestones" among this database's advisory locks.
_LOCK_CLASS = 17_100


class NotifyStatus(models.TextChoices):
    """Where the staff notification of a milestone stands: the milestone row is its own outbox."""

    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    NOT_NEEDED = "not-needed", "Not needed (no address set)"


class PetitionMilestone(models.Model):
    """When one petition's count first reached one threshold."""

    petition = models.ForeignKey(
        "petitions.PetitionPage", on_delete=models.CASCADE, related_name="milestones"
    )
    threshold = models.PositiveBigIntegerField(help_text="The number of signatures reached.")
    reached_at = models.DateTimeField()
    is_target = models.BooleanField(default=False, help_text="The threshold was the petition's target then.")
    notify_status = models.CharField(max_length=12, choices=NotifyStatus.choices, default=NotifyStatus.QUEUED)
    notify_attempts = models.PositiveSmallIntegerField(default=0)
    notified_at = models.DateTimeField(null=True, blank=True)
    notify_error = models.CharField(max_length=100, blank=True, help_text="The kind of error only.")
    update = models.ForeignKey(
        "petitions.PetitionUpdate",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The update to signers started from this milestone.",
    )

    class Meta:
        ordering = ["petition", "threshold"]
        constraints = [
            models.UniqueConstraint(fields=["petition", "threshold"], name="petitions_milestone_once"),
        ]

    def __str__(self):
        return f"{self.threshold:,} signatures" + (" (the target)" if self.is_target else "")


def thresholds(target, up_to):
    """The milestones of a petition with `target` that are at most `up_to`, smallest first."""
    found = {target} if target and target <= up_to else set()
    for power in itertools.count(2):
        if 10**power > up_to:
            break
        found.add(10**power)
    return sorted(found)


_READ = (
    "SELECT 0, COALESCE(SUM(count), 0) FROM {counts} WHERE petition_id = %s "
    "UNION ALL SELECT 1, target FROM {pages} WHERE page_ptr_id = %s "
    "UNION ALL SELECT 2, threshold FROM {milestones} WHERE petition_id = %s"
)
_INSERT = (
    "INSERT INTO {milestones} (petition_id, threshold, reached_at, is_target, notify_status, "
    "notify_attempts, notify_error) VALUES (%s, %s, %s, %s, %s, 0, '') "
    "ON CONFLICT (petition_id, threshold) DO NOTHING RETURNING id"
)


def _read(cursor, petition_id):
    # By name: the page model shows milestones, so this module cannot import it.
    petition_page = apps.get_model("petitions", "PetitionPage")
    quote = connection.ops.quote_name
    sql = _READ.format(
        counts=quote(SignatureCount._meta.db_table),
        pages=quote(petition_page._meta.db_table),
        milestones=quote(PetitionMilestone._meta.db_table),
    )
    cursor.execute(sql, [petition_id] * 3)
    total, target, recorded = 0, 0, set()
    for kind, value in cursor.fetchall():
        if kind == 0:
            total = int(value)
        elif kind == 1:
            target = int(value)
        else:
            recorded.add(int(value))
    return total, target, recorded


def _unreached_near(total, target, recorded):
    return [t for t in thresholds(target, total + LOCK_WINDOW) if t > total and t not in recorded]


def record_milestones(petition_id, now=None, *, notify=True):
    """Record the milestones the petition's count has reached; returns the ids of those new now.

    Call inside the transaction that has just added to the count. `notify` False records them
    with no staff mail to send (backfills).
    """
    now = now or timezone.now()
    with connection.cursor() as cursor:
        total, target, recorded = _read(cursor, petition_id)
        if connection.vendor == "postgresql" and _unreached_near(total, target, recorded):
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_CLASS, petition_id])
            total, target, recorded = _read(cursor, petition_id)
        new = [t for t in thresholds(target, total) if t not in recorded]
        created = []
        sql = _INSERT.format(milestones=connection.ops.quote_name(PetitionMilestone._meta.db_table))
        status = NotifyStatus.QUEUED if notify else NotifyStatus.NOT_NEEDED
        reached_at = PetitionMilestone._meta.get_field("reached_at").get_db_prep_value(now, connection)
        for threshold in new:
            cursor.execute(sql, [petition_id, threshold, reached_at, threshold == target, status])
            row = cursor.fetchone()
            if row:
                created.append(row[0])
    return created
