"""The CRM webhooks' sweeper: ask for sending wherever a delivery is due and free. Cron: each minute."""

from django.core.management.base import BaseCommand

from petitions.webhooks.tasks import requeue_webhook_deliveries


class Command(BaseCommand):
    help = "Queue sending tasks for CRM webhooks with deliveries due (retries, or tasks that never ran)."

    def handle(self, *args, **options):
        endpoints = requeue_webhook_deliveries()
        self.stdout.write(f"Queued sending for {endpoints} CRM webhooks.")
