"""Moving an update from draft to sent: submit, approve (by someone else), cancel; each in the audit log.

Four eyes: whoever wrote an update cannot approve it, and only people with "send updates"
(`petitions.send_petitionupdate`) may write, approve or cancel one. Approving records the audience
count the approver was shown; an approval refused because the audience changed in the meantime asks
them to look again, so what they approved is what they saw.
"""

from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from petitions.models import Audience, PetitionUpdate, UpdateStatus
from petitions.updates.audience import audience_size

SEND_PERMISSION = "petitions.send_petitionupdate"

SUBMIT_ACTION = "petitions.update_submitted"
APPROVE_ACTION = "petitions.update_approved"
CANCEL_ACTION = "petitions.update_cancelled"
TEST_SENT_ACTION = "petitions.update_test_sent"

# What can still be cancelled: anything not sent yet, including a send under way (it stops part-way).
CANCELLABLE = frozenset(
    {UpdateStatus.DRAFT, UpdateStatus.AWAITING_APPROVAL, UpdateStatus.APPROVED, UpdateStatus.SENDING}
)


class UpdateRefused(Exception):
    """A step the person cannot take now; the message says why in plain words."""


def may_send_updates(user):
    return bool(user and user.is_active and user.has_perm(SEND_PERMISSION))


def audience_problem(petition, audience):
    """Why `audience` cannot be chosen for `petition`, or None."""
    if audience == Audience.OUTCOME and petition is not None and not petition.tells_outcome:
        return (
            "This letter's privacy notice does not say signers will be told its outcome, so an outcome "
            "update cannot go to every signer. Choose campaign news instead (only signers who agreed to "
            "hear more), or ask whoever looks after the letter to tick \u201csigners will be told the "
            "outcome\u201d once its privacy notice says so."
        )
    return None


def _check_permission(user):
    if not may_send_updates(user):
        raise UpdateRefused("You do not have permission to write, approve or send updates to signers.")


def _locked(update):
    return PetitionUpdate.objects.select_for_update().select_related("petition").get(pk=update.pk)


def submit_for_approval(update, user):
    """A draft goes to another person for approval; it can no longer be edited."""
    _check_permission(user)
    with transaction.atomic():
        update = _locked(update)
        if update.status != UpdateStatus.DRAFT:
            raise UpdateRefused(
                f"Only a draft can be submitted; this update is {update.get_status_display()}."
            )
        problem = audience_problem(update.petition, update.audience)
        if problem:
            raise UpdateRefused(problem)
        count = audience_size(update)
        if count == 0:
            raise UpdateRefused("Nobody would receive this update: its audience has no signers yet.")
        update.status = UpdateStatus.AWAITING_APPROVAL
        update.save(update_fields=["status"])
        log(instance=update, action=SUBMIT_ACTION, user=user, data={"count": count})
    return update


def approve_update(update, user, seen_count):
    """Approve an update awaiting approval, for the `seen_count` recipients the approver was shown.

    Refused for its author, for anyone without the permission, and when the audience is no longer
    `seen_count` (people signed, confirmed or unsubscribed since the page was opened).
    """
    _check_permission(user)
    with transaction.atomic():
        update = _locked(update)
        if update.status != UpdateStatus.AWAITING_APPROVAL:
            raise UpdateRefused(
                "Only an update awaiting approval can be approved; "
                f"this one is {update.get_status_display()}."
            )
        if update.created_by_id == user.pk:
            raise UpdateRefused(
                "You wrote this update, so someone else with permission to send updates must approve it."
            )
        problem = audience_problem(update.petition, update.audience)
        if problem:
            raise UpdateRefused(problem)
        count = audience_size(update)
        if count != seen_count:
            raise UpdateRefused(
                f"The audience has changed since you opened this page: it is now {count} signers, not "
                f"{seen_count}. Check the number below and approve again."
            )
        now = timezone.now()
        update.status = UpdateStatus.APPROVED
        update.approved_by = user
        update.approved_at = now
        update.audience_count = count
        update.save(update_fields=["status", "approved_by", "approved_at", "audience_count"])
        log(instance=update, action=APPROVE_ACTION, user=user, data={"count": count})
    return update


def cancel_update(update, user):
    """Stop an update that has not been sent: a draft, one awaiting approval, approved, or sending."""
    _check_permission(user)
    with transaction.atomic():
        update = _locked(update)
        if update.status not in CANCELLABLE:
            raise UpdateRefused(f"This update is {update.get_status_display()}, so it cannot be cancelled.")
        previous = update.status
        update.status = UpdateStatus.CANCELLED
        update.cancelled_by = user
        update.cancelled_at = timezone.now()
        update.save(update_fields=["status", "cancelled_by", "cancelled_at"])
        log(instance=update, action=CANCEL_ACTION, user=user, data={"previous_status": previous})
    return update
