"""Making a delivery pack from the database: the figures and names of one consistent moment, streamed
into the PDF (`drawing`), the file kept in the private storage, the pack's row kept up to date.

Who is named, and how: only signers who agreed to be shown publicly (`Signature.objects.shown_publicly()`),
and only as that consent's words say: "Show my first name and area", so the first name and the region,
never the last name. Handing names to the addressee is a disclosure of personal data, and the "show my
name" consent, recorded with its wording, is the only one that covers it. Every other confirmed signer
is counted, in the total and by region, but not named. No last name, email, postcode or other contact
detail is read. See docs/petitions.md, "The delivery pack".
"""

import logging
import tempfile

from django.core.files import File
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from core.uk_time import UK
from petitions.delivery_pack.drawing import PackContent, write_pack
from petitions.models import DeliveryPack, PackStatus, Signature, SignatureCount
from petitions.models.delivery_pack import pack_storage
from petitions.regions import Region

logger = logging.getLogger(__name__)

# Rows fetched per round trip from the server-side cursor.
CHUNK_ROWS = 5000


def _claim(pack_id):
    """Mark the pack running, unless it is gone or another run took it; the pack, or None."""
    with transaction.atomic():
        pack = DeliveryPack.objects.select_for_update().filter(pk=pack_id).first()
        if pack is None or pack.status != PackStatus.QUEUED:
            return None
        pack.status = PackStatus.RUNNING
        pack.started_at = timezone.now()
        pack.save(update_fields=["status", "started_at"])
        return pack


def _period_text(petition):
    opened = petition.opens_at or petition.first_published_at
    if not opened:
        return ""
    text = f"Open for signatures from {timezone.localtime(opened, UK):%-d %B %Y}"
    if petition.closes_at and petition.closes_at <= timezone.now():
        text += f" to {timezone.localtime(petition.closes_at, UK):%-d %B %Y}"
    return text + "."


def _signers(petition_id, labels):
    rows = (
        Signature.objects.shown_publicly()
        .filter(petition_id=petition_id)
        .order_by("region", "first_name", "pk")
        .values_list("first_name", "region")
        .iterator(chunk_size=CHUNK_ROWS)
    )
    for first_name, region in rows:
        yield first_name.strip(), labels.get(region, region)


def _content(petition, now):
    labels = dict(Region.choices)
    by_code = dict(
        SignatureCount.objects.filter(petition_id=petition.pk)
        .values_list("region")
        .annotate(total=Sum("count"))
        .order_by()
    )
    by_region = sorted(
        ((labels.get(code, code), count) for code, count in by_code.items() if count),
        key=lambda row: (-row[1], row[0]),
    )
    named = Signature.objects.shown_publicly().filter(petition_id=petition.pk).count()
    return PackContent(
        title=petition.title,
        addressee=petition.addressee,
        letter_html=petition.letter,
        asks=[str(block.value) for block in petition.asks],
        date_text=f"{timezone.localtime(now, UK):%-d %B %Y}",
        period_text=_period_text(petition),
        total=sum(count for _, count in by_region),
        by_region=by_region,
        named=named,
        signers=_signers(petition.pk, labels),
    )


def _write(pack, output):
    """Draw the pack from one snapshot of the database; returns (content, pages)."""
    now = timezone.now()
    # Only a transaction of its own can be given its isolation (not one nested in a caller's, as in tests).
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if snapshot:
            # The count, the regions and the names all as of the same moment, however long it takes;
            # a read-only snapshot blocks no one who signs meanwhile.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        petition = pack.petition
        content = _content(petition, now)
        pages = write_pack(content, output)
    return content, pages, now


def generate_pack(pack_id):
    """Make the pack `pack_id` if it is still waiting; returns its status ("" if nothing was done)."""
    pack = _claim(pack_id)
    if pack is None:
        return ""
    try:
        with tempfile.TemporaryFile() as output:
            content, pages, now = _write(pack, output)
            size = output.tell()
            output.seek(0)
            name = (
                f"delivery-packs/{pack.petition_id}-{pack.pk}-{timezone.localtime(now, UK):%Y%m%d-%H%M%S}.pdf"
            )
            pack.file_name = pack_storage().save(name, File(output))
    except Exception as error:
        # The error's text could quote a name: only its class is kept and logged.
        logger.exception("Delivery pack %s failed (%s)", pack_id, type(error).__name__)
        DeliveryPack.objects.filter(pk=pack_id).update(
            status=PackStatus.FAILED, error_kind=type(error).__name__[:100], generated_at=None
        )
        return PackStatus.FAILED
    with transaction.atomic():
        pack.status = PackStatus.READY
        pack.generated_at = now
        pack.total = content.total
        pack.named = content.named
        pack.pages = pages
        pack.size_bytes = size
        pack.save()
        older = DeliveryPack.objects.filter(petition_id=pack.petition_id, pk__lt=pack.pk).exclude(
            status__in=[PackStatus.QUEUED, PackStatus.RUNNING]
        )
        # Only the newest pack is kept: an older file is personal data that nobody needs any more.
        files = [name for name in older.values_list("file_name", flat=True) if name]
        older.delete()
        transaction.on_commit(lambda: [pack_storage().delete(name) for name in files])
    return PackStatus.READY
