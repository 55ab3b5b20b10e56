"""A signature on a petition, with the record of consent and the state of its confirmation mail."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from petitions.regions import Region


class MailStatus(models.TextChoices):
    """Where the confirmation mail stands: the signature is its own outbox."""

    NOT_NEEDED = "not-needed", "Not needed"
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class InvalidationCategory(models.TextChoices):
    """Why staff took signatures out of the count, in the words of the public integrity report."""

    RATE_LIMIT = "rate-limit", "Too many from one place (rate limit)"
    FRAUD_REVIEW = "fraud-review", "Found false in a fraud review"
    DUPLICATE = "duplicate", "Duplicate of another signature"
    OTHER = "other", "Another reason"


class SignatureQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)

    def unconfirmed(self):
        return self.filter(confirmed_at__isnull=True)

    def valid(self):
        return self.filter(invalidated_at__isnull=True)

    def invalidated(self):
        return self.filter(invalidated_at__isnull=False)

    def counted(self):
        """The signatures in the public count: confirmed and not invalidated."""
        return self.confirmed().valid()

    def shown_publicly(self):
        """Signers who agreed to appear in the public list, and still can."""
        return self.counted().filter(show_publicly=True, anonymised_at__isnull=True)

    def for_email(self, email):
        """Every signature of one address, whatever its case (uses the unique index on lower(email))."""
        return self.alias(email_lower=Lower("email")).filter(email_lower=email.strip().lower())


class Signature(models.Model):
    """One person's signature on one petition.

    The record of consent (each wording shown, the privacy notice version, the time) stays with
    the signature. No raw IP address is kept: `ip_hash` is a keyed hash, enough to spot many
    signatures from one client. Personal fields are blanked when the signature is anonymised.
    """

    # Wagtail's reference index would otherwise queue a task on every save (each mail sent, each
    # confirmation) and keep three rows per signature, listing every signature as a "usage" of the
    # petition page.
    wagtail_reference_index_ignore = True

    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", "Unconfirmed"
        CONFIRMED = "confirmed", "Confirmed"
        INVALIDATED = "invalidated", "Invalidated"

    petition = models.ForeignKey(
        "petitions.PetitionPage", on_delete=models.PROTECT, related_name="signatures"
    )
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    postcode = models.CharField(
        max_length=8,
        blank=True,
        help_text="Normalised, e.g. 'SW1A 1AA'. Empty when the signer lives outside the UK.",
    )
    region = models.CharField(max_length=20, choices=Region.choices, help_text="Derived from the postcode.")
    created_at = models.DateTimeField(verbose_name="signed at")
    confirmed_at = models.DateTimeField(null=True, blank=True)

    contact_consent = models.BooleanField(verbose_name="agreed to hear more from the campaign")
    contact_consent_wording = models.ForeignKey(
        "petitions.ConsentWording", on_delete=models.PROTECT, related_name="+"
    )
    show_publicly = models.BooleanField(verbose_name="agreed to be shown in the public list")
    show_publicly_wording = models.ForeignKey(
        "petitions.ConsentWording", on_delete=models.PROTECT, related_name="+"
    )
    contact_withdrawn_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name="withdrew the 'hear more' consent at",
        help_text="When the signer unsubscribed or withdrew the consent; `contact_consent` is then false.",
    )
    contact_consent_given_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name="agreed to hear more at",
        help_text="When the signer last agreed on their own page, to the words shown then (empty: signing).",
    )
    show_publicly_given_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name="agreed to be shown at",
        help_text="When the signer last agreed on their own page, to the words shown then (empty: signing).",
    )
    show_publicly_withdrawn_at = models.DateTimeField(
        null=True,
        blank=True,
        verbose_name="asked to be taken off the public list at",
        help_text="When the signer last asked on their own page not to be listed (`show_publicly` false).",
    )
    source = models.CharField(
        max_length=40,
        blank=True,
        help_text="The short source code of the link the signer came by, e.g. 'whatsapp-share'. Never a URL.",
    )
    undeliverable_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the mail server refused this address permanently (5xx); no updates go to it after.",
    )
    privacy_notice_version = models.CharField(
        max_length=40,
        blank=True,
        help_text="The privacy notice page and its revision published at signing, as 'page id/revision id'.",
    )

    invalidated_at = models.DateTimeField(null=True, blank=True)
    invalidation_reason = models.CharField(max_length=200, blank=True)
    invalidation_category = models.CharField(
        max_length=20,
        choices=InvalidationCategory.choices,
        blank=True,
        help_text="The kind of reason, counted in the petition's public integrity report; empty while valid.",
    )
    invalidated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    anonymised_at = models.DateTimeField(null=True, blank=True)
    ip_hash = models.CharField(
        max_length=64,
        blank=True,
        verbose_name="client hash",
        help_text="Keyed hash of the IP address, never the IP.",
    )

    mail_status = models.CharField(max_length=12, choices=MailStatus.choices, default=MailStatus.NOT_NEEDED)
    mail_attempts = models.PositiveSmallIntegerField(default=0)
    mail_queued_at = models.DateTimeField(null=True, blank=True)
    mail_next_attempt_at = models.DateTimeField(null=True, blank=True)
    mail_sent_at = models.DateTimeField(null=True, blank=True)
    mail_last_error = models.CharField(
        max_length=100, blank=True, help_text="The kind of error only: messages can hold addresses."
    )

    objects = SignatureQuerySet.as_manager()

    class Meta:
        verbose_name = "signature"
        # The admin section's one name, in the menu, page titles and breadcrumbs alike.
        verbose_name_plural = "signatories"
        permissions = [
            ("export_signature", "Can export signatories"),
            ("manage_signature", "Can invalidate and restore signatories"),
            ("erase_signature", "Can erase signatories' personal data"),
        ]
        constraints = [
            # One signature per address per petition, whatever the case. Anonymised rows have
            # no address left and drop out of the rule.
            models.UniqueConstraint(
                Lower("email"),
                "petition",
                condition=Q(anonymised_at__isnull=True),
                name="petitions_signature_one_per_email",
            ),
            models.CheckConstraint(
                condition=Q(invalidated_at__isnull=True) | ~Q(invalidation_reason=""),
                name="petitions_signature_invalidation_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(anonymised_at__isnull=True)
                | Q(first_name="", last_name="", email="", postcode=""),
                name="petitions_signature_anonymised_is_blank",
            ),
        ]
        indexes = [
            models.Index(fields=["petition", "created_at"], name="petitions_sig_petition_time"),
            models.Index(fields=["ip_hash"], name="petitions_sig_ip_hash"),
            models.Index(
                fields=["created_at"],
                condition=Q(confirmed_at__isnull=True),
                name="petitions_sig_unconfirmed",
            ),
            models.Index(
                fields=["mail_status", "mail_next_attempt_at"],
                condition=Q(mail_status__in=["queued", "failed"]),
                name="petitions_sig_mail_outbox",
            ),
            models.Index(
                fields=["petition", "-id"],
                condition=Q(
                    show_publicly=True,
                    confirmed_at__isnull=False,
                    invalidated_at__isnull=True,
                    anonymised_at__isnull=True,
                ),
                name="petitions_sig_public",
            ),
        ]

    def __str__(self):
        # Shown in admin and audit screens: an id, never the person.
        return f"Signature {self.pk}"

    @property
    def status(self):
        if self.invalidated_at:
            return self.Status.INVALIDATED
        if self.confirmed_at:
            return self.Status.CONFIRMED
        return self.Status.UNCONFIRMED
