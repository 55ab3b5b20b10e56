"""Updates to signers: one mail written by staff for one petition's signers, and who it went to.

`PetitionUpdate` is the mail and its approval; `UpdateDelivery` is its outbox, one row per recipient,
written when sending starts, so that a sending run stopped at any point resumes where it was and no
recipient gets a second copy (petitions.updates.sending says how).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from wagtail.fields import RichTextField
from wagtail.models import RevisionMixin

UPDATE_BODY_FEATURES = ["h2", "h3", "bold", "italic", "link", "ol", "ul"]


class Audience(models.TextChoices):
    CAMPAIGN_NEWS = "news", "Campaign news: signers who agreed to hear more"
    OUTCOME = "outcome", "Outcome of the letter: every confirmed signer"


class UpdateStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_APPROVAL = "awaiting-approval", "Awaiting approval"
    APPROVED = "approved", "Approved"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    CANCELLED = "cancelled", "Cancelled"


class PetitionUpdate(RevisionMixin, models.Model):
    """An update by email to the signers of one petition.

    Each save in the admin keeps a revision (who wrote what, when); the status moves only through
    petitions.updates.approval, which writes the audit log.
    """

    petition = models.ForeignKey("petitions.PetitionPage", on_delete=models.PROTECT, related_name="updates")
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.CAMPAIGN_NEWS)
    subject = models.CharField(max_length=150)
    body = RichTextField(features=UPDATE_BODY_FEATURES)
    send_after = models.DateTimeField(
        null=True, blank=True, verbose_name="send at", help_text="Leave empty to send once approved."
    )
    status = models.CharField(max_length=20, choices=UpdateStatus.choices, default=UpdateStatus.DRAFT)

    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    audience_count = models.PositiveIntegerField(
        null=True, blank=True, help_text="How many signers the update was approved for."
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sending_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, help_text="When the last recipient was sent to.")
    # The sending run that may send: a task of an older run stops at its next check. The sweeper starts
    # a new run when the last one stopped (petitions.updates.sending).
    sending_run = models.PositiveIntegerField(default=0, editable=False)
    # When the sending run last showed it was alive; empty while no run is going (waiting for retries).
    sending_heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "update to signers"
        verbose_name_plural = "updates to signers"
        permissions = [("send_petitionupdate", "Can write, approve and send updates to signers")]

    def __str__(self):
        return self.subject

    @property
    def is_editable(self):
        """Only a draft may be changed: once submitted, what the approver sees is what is sent."""
        return self.status == UpdateStatus.DRAFT


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class UpdateDelivery(models.Model):
    """One recipient of one update: the outbox row and the record of what was sent to whom."""

    wagtail_reference_index_ignore = True

    update = models.ForeignKey(PetitionUpdate, on_delete=models.CASCADE, related_name="deliveries")
    # Erasing a signature erases the record that it was mailed.
    signature = models.ForeignKey("petitions.Signature", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    # For a failed delivery: when it may be tried again; empty once no retry is left (a permanent refusal,
    # or too many attempts).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(
        max_length=100, blank=True, help_text="The kind of error only: messages can hold addresses."
    )

    class Meta:
        verbose_name = "update delivery"
        constraints = [
            models.UniqueConstraint(fields=["update", "signature"], name="petitions_updatedelivery_once"),
        ]
        indexes = [
            models.Index(
                fields=["update", "id"],
                condition=Q(status="queued"),
                name="petitions_updatedelivery_todo",
            ),
        ]

    def __str__(self):
        return f"Delivery {self.pk} of update {self.update_id}"
