"""Delete signatures unconfirmed for longer than SIGNATURE_UNCONFIRMED_RETENTION_DAYS. Cron: daily."""

from django.core.management.base import BaseCommand

from petitions.personal_data.retention import delete_unconfirmed_signatures


class Command(BaseCommand):
    help = "Delete signatures left unconfirmed for longer than SIGNATURE_UNCONFIRMED_RETENTION_DAYS."

    def handle(self, *args, **options):
        deleted = delete_unconfirmed_signatures()
        self.stdout.write(f"Deleted {deleted} unconfirmed signatures.")
