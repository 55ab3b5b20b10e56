"""Rebuild the petition counters exactly from the signature table."""

from django.core.management.base import BaseCommand

from petitions.models.counts import recount_signatures


class Command(BaseCommand):
    help = "Recount confirmed, valid signatures from the signature table and rebuild the counters."

    def add_arguments(self, parser):
        parser.add_argument(
            "--petition", type=int, action="append", help="Only this petition id (repeatable)."
        )

    def handle(self, *args, petition=None, **options):
        totals = recount_signatures(petition_ids=petition)
        for petition_id in petition or sorted(totals):
            self.stdout.write(f"Petition {petition_id}: {totals.get(petition_id, 0)} signatures")
