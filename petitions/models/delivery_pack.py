"""A delivery pack: one PDF made for the handover of a petition to its addressee, and its progress.

One row per request to make a pack; the admin's Delivery pack screen shows the latest. The file holds
signers' names, so it lives in the private `delivery_packs` storage (settings.STORAGES), reached only
through the admin's download view, and a newer ready pack deletes the older files of its petition.
"""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models, transaction


def pack_storage():
    """The private storage packs are kept in, looked up when used (so settings may change it in tests)."""
    return storages["delivery_packs"]


class PackStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being made"
    READY = "ready", "Ready to download"
    FAILED = "failed", "Failed"


class DeliveryPack(models.Model):
    petition = models.ForeignKey(
        "petitions.PetitionPage", on_delete=models.PROTECT, related_name="delivery_packs"
    )
    status = models.CharField(max_length=10, choices=PackStatus.choices, default=PackStatus.QUEUED)
    requested_at = models.DateTimeField(auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    generated_at = models.DateTimeField(
        null=True, blank=True, help_text="When the pack was finished: its figures are those of this moment."
    )
    # What went wrong, as the error's class name (never its text, which could quote a name).
    error_kind = models.CharField(max_length=100, blank=True)
    # The file's name in `pack_storage()`; empty until the pack is ready.
    file_name = models.CharField(max_length=200, blank=True)
    total = models.PositiveIntegerField(null=True, blank=True, help_text="Confirmed signatures counted.")
    named = models.PositiveIntegerField(null=True, blank=True, help_text="Signers named in the pack.")
    pages = models.PositiveIntegerField(null=True, blank=True)
    size_bytes = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "delivery pack"
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["petition", "-requested_at"], name="petitions_pack_latest")]

    def __str__(self):
        return f"Delivery pack {self.pk}"

    @property
    def is_in_progress(self):
        return self.status in (PackStatus.QUEUED, PackStatus.RUNNING)


def discard_packs(petition_ids):
    """Delete the stored packs of these petitions (rows now, files once committed); how many.

    Called when names a pack holds must go: a signer erased, a petition's signatures anonymised. A pack
    still being made is left alone: it reads its own snapshot, and staff can make a new one after.
    """
    packs = DeliveryPack.objects.filter(petition_id__in=petition_ids).exclude(
        status__in=[PackStatus.QUEUED, PackStatus.RUNNING]
    )
    files = [name for name in packs.values_list("file_name", flat=True) if name]
    count, _ = packs.delete()

    def delete_files():
        storage = pack_storage()
        for name in files:
            storage.delete(name)

    transaction.on_commit(delete_files)
    return count
