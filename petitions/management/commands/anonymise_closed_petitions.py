"""Anonymise signatures of petitions closed longer than PETITION_ANONYMISE_AFTER_DAYS. Cron: daily."""

from django.core.management.base import BaseCommand

from petitions.personal_data.retention import anonymise_closed_petitions


class Command(BaseCommand):
    help = "Blank names, emails and postcodes on petitions closed longer than PETITION_ANONYMISE_AFTER_DAYS."

    def handle(self, *args, **options):
        done = anonymise_closed_petitions()
        for petition_id, count in sorted(done.items()):
            self.stdout.write(f"Petition {petition_id}: anonymised {count} signatures")
        self.stdout.write(f"Anonymised {sum(done.values())} signatures in {len(done)} petitions.")
