"""Reading a petition's history: confirmed signatures per hour and region (the open data), per day (the
chart on its page), its milestones and its public record, all from counters and cached.

Nothing here reads the signature table: the hours and days come from `SignatureHourCount` and
`SignatureDayCount`, the record from `RecordCount`, each a few rows per hour or day however many
signatures there are. Each is kept in the shared cache for PETITION_HISTORY_CACHE_SECONDS and
forgotten when staff change signatures (`forget_cached_counts`).
"""

from dataclasses import asdict
from datetime import timedelta

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from core.caching import cached
from petitions.models.counts import SignatureDayCount, SignatureHourCount, history_cache_key, region_counts
from petitions.models.milestones import PetitionMilestone
from petitions.models.record import Record, read_record
from petitions.regions import Region

LICENCE_NAME = "Creative Commons Attribution 4.0 International (CC BY 4.0)"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
ATTRIBUTION = "Wild West Web campaign"


def hourly_history(petition_id):
    """[(hour start in UTC, region code, confirmed signatures)] by hour then region; hours and regions
    without signatures are left out."""
    return cached(
        history_cache_key(petition_id, "hours"),
        settings.PETITION_HISTORY_CACHE_SECONDS,
        lambda: list(
            SignatureHourCount.objects.filter(petition_id=petition_id)
            .values_list("hour", "region")
            .annotate(n=Sum("count"))
            .filter(n__gt=0)
            .order_by("hour", "region")
        ),
    )


def region_name(code):
    return dict(Region.choices).get(code, code)


def daily_history(petition_id, last_day=None, number_of_days=14):
    """[(UK date, confirmed signatures)] for the `number_of_days` days up to `last_day` (today)."""
    last_day = last_day or timezone.localdate()
    first_day = last_day - timedelta(days=number_of_days - 1)

    def compute():
        per_day = dict(
            SignatureDayCount.objects.filter(petition_id=petition_id, day__gte=first_day, day__lte=last_day)
            .values_list("day")
            .annotate(n=Sum("count"))
            .order_by()
        )
        return [
            (day, per_day.get(day, 0))
            for day in (first_day + timedelta(days=n) for n in range(number_of_days))
        ]

    key = f"{history_cache_key(petition_id, 'days')}:{first_day.isoformat()}:{number_of_days}"
    return cached(key, settings.PETITION_HISTORY_CACHE_SECONDS, compute)


def petition_record(petition_id):
    """The petition's public record (`petitions.models.record.Record`), from its counters."""

    def compute():
        return asdict(read_record(petition_id, sum(region_counts(petition_id).values())))

    return Record(
        **cached(history_cache_key(petition_id, "record"), settings.PETITION_HISTORY_CACHE_SECONDS, compute)
    )


def milestones_of(petition):
    """The petition's milestones, smallest first, each with how long it took from the start."""
    start = petition.opens_at or petition.first_published_at
    return [
        {
            "threshold": m.threshold,
            "is_target": m.is_target,
            "reached_at": m.reached_at,
            "took": took(m.reached_at - start) if start and m.reached_at >= start else "",
        }
        for m in PetitionMilestone.objects.filter(petition_id=petition.pk).order_by("threshold")
    ]


def took(duration):
    """How long a milestone took, in plain words: "3 days", "5 hours", "less than an hour"."""
    days, hours = duration.days, duration.seconds // 3600
    if days:
        return f"{days} day" if days == 1 else f"{days:,} days"
    if hours:
        return "1 hour" if hours == 1 else f"{hours} hours"
    return "less than an hour"


def history_chart(petition, number_of_days=14):
    """What the petition page's chart shows: the last days' bars (up to today, or the closing day),
    its milestones, and whether its history is open data (no view restrictions)."""
    now = timezone.now()
    last_day = timezone.localdate(min(now, petition.closes_at) if petition.closes_at else now)
    days = daily_history(petition.pk, last_day, number_of_days)
    highest = max((n for _day, n in days), default=0)
    milestones = milestones_of(petition)
    if not highest and not milestones:
        return None
    bars = []
    for day, n in days:
        length = round(n * 100 / highest, 2) if highest else 0
        bars.append({"day": day, "value": n, "length": length})
    return {
        "bars": bars if highest else [],
        "milestones": milestones,
        "open_data": not petition.get_view_restrictions().exists(),
    }
