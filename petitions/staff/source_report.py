"""Signatures by source and by day, for one petition: where signatures come from, for the staff report.

The counts come from one GROUP BY query over the petition's signatures in the chosen days, by the
UK date they were signed and their source code; the existing (petition, created_at) index finds the
rows. Invalidated signatures are left out; confirmed and still-awaiting ones are counted apart.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from petitions.models import PetitionPage, Signature

# A year of days at most, so the per-day table stays a page a person can read.
MAX_DAYS = 366
DEFAULT_DAYS = 30
# What the report shows for signatures that came by no coded link.
NO_SOURCE_LABEL = "(no source: direct visits and links without a code)"


class SourceReportForm(forms.Form):
    petition = forms.ModelChoiceField(
        queryset=PetitionPage.objects.order_by("title"),
        empty_label=None,
        help_text="The open letter to count signatures for.",
    )
    signed_from = forms.DateField(
        label="Signed from",
        help_text="The first day to count (UK date), e.g. 2026-11-01.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    signed_to = forms.DateField(
        label="Signed to",
        help_text="The last day to count (UK date), included.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    @classmethod
    def defaults(cls):
        """The newest petition and the last DEFAULT_DAYS days, for a first visit to the report."""
        today = timezone.localdate()
        newest = PetitionPage.objects.order_by("-first_published_at", "-pk").first()
        return {
            "petition": newest.pk if newest else "",
            "signed_from": (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat(),
            "signed_to": today.isoformat(),
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("signed_from"), cleaned.get("signed_to")
        if start and end:
            if end < start:
                self.add_error("signed_to", "The last day must be the same as the first day or after it.")
            elif (end - start).days + 1 > MAX_DAYS:
                self.add_error("signed_to", f"Choose at most {MAX_DAYS} days at a time.")
        return cleaned


@dataclass
class SourceRow:
    source: str
    confirmed: int = 0
    awaiting: int = 0

    @property
    def label(self):
        return self.source or NO_SOURCE_LABEL

    @property
    def total(self):
        return self.confirmed + self.awaiting


@dataclass
class DayRows:
    day: object
    sources: list = field(default_factory=list)


@dataclass
class SourceReport:
    by_source: list
    by_day: list

    @property
    def confirmed(self):
        return sum(row.confirmed for row in self.by_source)

    @property
    def awaiting(self):
        return sum(row.awaiting for row in self.by_source)


def signatures_by_source_and_day(petition, signed_from, signed_to):
    """The petition's valid signatures signed on these UK dates (both included), by source and day.

    One query: `GROUP BY` the UK date of signing and the source. Sources with the most confirmed
    signatures come first; days newest first, and within a day the same order as the sources.
    """
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime.combine(signed_from, time.min, tzinfo=zone)
    end = datetime.combine(signed_to + timedelta(days=1), time.min, tzinfo=zone)
    grouped = (
        Signature.objects.filter(
            petition=petition, created_at__gte=start, created_at__lt=end, invalidated_at__isnull=True
        )
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("day", "source")
        .annotate(
            confirmed=Count("pk", filter=Q(confirmed_at__isnull=False)),
            awaiting=Count("pk", filter=Q(confirmed_at__isnull=True)),
        )
        .order_by()
    )
    totals, days = {}, {}
    for row in grouped:
        total = totals.setdefault(row["source"], SourceRow(row["source"]))
        total.confirmed += row["confirmed"]
        total.awaiting += row["awaiting"]
        days.setdefault(row["day"], []).append(SourceRow(row["source"], row["confirmed"], row["awaiting"]))
    by_source = sorted(totals.values(), key=lambda r: (-r.confirmed, -r.awaiting, r.source))
    rank = {row.source: index for index, row in enumerate(by_source)}
    by_day = [
        DayRows(day, sorted(rows, key=lambda r: rank[r.source]))
        for day, rows in sorted(days.items(), reverse=True)
    ]
    return SourceReport(by_source=by_source, by_day=by_day)
