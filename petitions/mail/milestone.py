"""The staff mail that tells of a milestone reached, and sending it once per milestone.

`deliver_milestone_notification` runs in the task worker (petitions.tasks.notify_milestones), holds
the milestone's row lock while it sends, and sends only a queued one, so a task run twice mails once.
The mail names the petition and the count; never a signer.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from petitions.models.milestones import NotifyStatus, PetitionMilestone

logger = logging.getLogger(__name__)


def build_milestone_email(milestone, to):
    petition = milestone.petition.specific
    admin = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    context = {
        "milestone": milestone,
        "petition": petition,
        "milestones_url": admin + reverse("petitions_admin:milestones"),
    }
    return EmailMessage(
        subject=render_to_string("petitions/emails/milestone_subject.txt", context).strip(),
        body=render_to_string("petitions/emails/milestone.txt", context),
        to=[to],
    )


def deliver_milestone_notification(milestone_id, now=None):
    """Mail MILESTONE_NOTIFY_EMAIL about one milestone if its mail is queued; returns its status."""
    with transaction.atomic():
        milestone = (
            PetitionMilestone.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("petition")
            .filter(pk=milestone_id)
            .first()
        )
        if milestone is None or milestone.notify_status != NotifyStatus.QUEUED:
            return milestone.notify_status if milestone else "missing"
        to = settings.MILESTONE_NOTIFY_EMAIL
        if not to:
            milestone.notify_status = NotifyStatus.NOT_NEEDED
            milestone.save(update_fields=["notify_status"])
            return milestone.notify_status
        milestone.notify_attempts += 1
        try:
            build_milestone_email(milestone, to).send()
        except Exception as error:  # noqa: BLE001 - any failure to hand over is recorded and retried
            milestone.notify_status = NotifyStatus.FAILED
            milestone.notify_error = type(error).__name__[:100]
            logger.warning("Milestone mail %s failed (%s)", milestone.pk, milestone.notify_error)
        else:
            milestone.notify_status = NotifyStatus.SENT
            milestone.notified_at = now or timezone.now()
            milestone.notify_error = ""
            logger.info("Milestone mail %s sent", milestone.pk)
        milestone.save(update_fields=["notify_status", "notify_attempts", "notify_error", "notified_at"])
        return milestone.notify_status
