"""Start sending one approved update to its signers: the same code as the admin's Send."""

from django.core.management.base import BaseCommand, CommandError

from petitions.updates.sending import CannotSend, start_sending


class Command(BaseCommand):
    help = "Start sending an approved update to signers (the task worker sends it). Drafts are refused."

    def add_arguments(self, parser):
        parser.add_argument("update_id", type=int, help="The update's number, as in its admin address.")

    def handle(self, *args, update_id, **options):
        try:
            queued = start_sending(update_id)
        except CannotSend as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Sending update {update_id} to {queued} signers: the task worker sends it now.")
