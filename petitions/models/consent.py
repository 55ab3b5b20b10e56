"""The exact consent wordings visitors were shown, kept once each and referenced by signatures."""

import hashlib

from django.db import models
from django.db.models import Q
from django.utils import timezone


class ConsentWording(models.Model):
    """One wording of one consent, exactly as shown beside its tick box.

    A signature points at the wordings it was shown, so the record of consent holds the exact
    words without copying them into a million rows. Rows are never edited: a changed wording
    is a new row with a new version.
    """

    class Kind(models.TextChoices):
        CONTACT = "contact", "Hear more from the campaign"
        SHOW_PUBLICLY = "show-publicly", "Show first name and area publicly"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField()
    version = models.CharField(
        max_length=12,
        help_text="The first 12 hex digits of the SHA-256 of the text: changes with every edit.",
    )
    first_shown_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="petitions_consentwording_kind_version")
        ]

    def __str__(self):
        return self.in_words

    @property
    def in_words(self):
        """The wording as staff read it: its words, and the day it was first shown (its version), e.g.
        “Yes, keep me updated about the campaign” (wording shown from 2 Dec 2026)."""
        since = timezone.localdate(self.first_shown_at)
        return f"“{self.text}” (wording shown from {since.day} {since:%b %Y})"

    @staticmethod
    def version_of(text):
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    @classmethod
    def current_ids(cls, petition):
        """The ids of `petition`'s current wordings (contact, show publicly), adding a wording the first
        time it is shown."""
        wanted = {
            cls.Kind.CONTACT: petition.contact_consent_wording,
            cls.Kind.SHOW_PUBLICLY: petition.show_publicly_wording,
        }
        versions = {kind: cls.version_of(text) for kind, text in wanted.items()}
        lookup = Q()
        for kind, version in versions.items():
            lookup |= Q(kind=kind, version=version)
        found = dict(cls.objects.filter(lookup).values_list("kind", "id"))
        for kind, text in wanted.items():
            if kind not in found:
                found[kind] = cls.objects.get_or_create(
                    kind=kind, version=versions[kind], defaults={"text": text}
                )[0].pk
        return found[cls.Kind.CONTACT], found[cls.Kind.SHOW_PUBLICLY]
