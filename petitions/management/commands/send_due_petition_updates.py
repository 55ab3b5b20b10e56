"""The updates' scheduled job: start approved updates whose time has come, and resume stopped runs.

Cron: each minute (docs/deployment.md).
"""

from django.core.management.base import BaseCommand

from petitions.updates.sending import resume_stuck_updates, start_due_updates


class Command(BaseCommand):
    help = (
        "Start sending approved updates to signers whose send time has come, and resume sending runs "
        "that stopped (mail server down, retries due, a worker that died)."
    )

    def handle(self, *args, **options):
        started = start_due_updates()
        resumed = resume_stuck_updates()
        self.stdout.write(f"Started {started} updates; resumed {resumed}.")
