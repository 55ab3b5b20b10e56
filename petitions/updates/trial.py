"""'Send me a test': the update to the member of staff's own address, by the task worker, in the audit log.

Only ever to the address on the staff member's own account, never to one typed in a form, so the
screen cannot be used to mail anyone else. The task's arguments are ids only.
"""

import logging

from django.contrib.auth import get_user_model
from django.db import transaction
from django_tasks import task
from wagtail.log_actions import log

from petitions.models import PetitionUpdate
from petitions.updates.approval import TEST_SENT_ACTION, UpdateRefused, may_send_updates
from petitions.updates.mail import compose_test_message

logger = logging.getLogger(__name__)


def request_test_send(update, user):
    """Queue a test of `update` to `user`'s own address and record it; refuses without an address."""
    if not may_send_updates(user):
        raise UpdateRefused("You do not have permission to write, approve or send updates to signers.")
    if not user.email:
        raise UpdateRefused(
            "Your account has no email address, so there is nowhere to send a test. Add one under "
            "your account settings, then try again."
        )
    with transaction.atomic():
        log(instance=update, action=TEST_SENT_ACTION, user=user)
        update_id, user_id = update.pk, user.pk
        transaction.on_commit(lambda: send_test_update.enqueue(update_id, user_id))


@task()
def send_test_update(update_id, user_id):
    """Send the test; a test that cannot be sent is logged (without the address) and not retried."""
    update = PetitionUpdate.objects.select_related("petition").filter(pk=update_id).first()
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if update is None or user is None or not user.email or not may_send_updates(user):
        return
    try:
        compose_test_message(update, user.email).send()
    except OSError as error:
        logger.warning("The test of update %s could not be sent: %s", update_id, type(error).__name__)
        raise
