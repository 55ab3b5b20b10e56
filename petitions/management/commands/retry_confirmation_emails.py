"""The confirmation-mail sweeper: queue again mails that failed or whose task never ran. Cron: each minute."""

from django.core.management.base import BaseCommand

from petitions.tasks import requeue_confirmation_emails, requeue_milestone_notifications


class Command(BaseCommand):
    help = "Queue again confirmation mails that failed and are due for a retry, or that are stuck."

    def handle(self, *args, **options):
        queued = requeue_confirmation_emails()
        self.stdout.write(f"Queued {queued} confirmation mails again.")
        # Milestone mails to staff are few; the same sweep keeps them going.
        milestones = requeue_milestone_notifications()
        self.stdout.write(f"{milestones} milestone mails queued.")
