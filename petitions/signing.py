"""Recording and confirming signatures: the work behind the sign form and the confirmation link.

`record_signature` keeps every signature exactly once, also under concurrent double submits,
and queues the confirmation mail in the same transaction (the signature is its own outbox).
`confirm_signature` counts a signature once, however often its link is followed.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from petitions.counts import adjust_count
from petitions.models import ConsentWording, MailStatus, Signature
from petitions.regions import region_for_postcode

logger = logging.getLogger(__name__)

_CONFIRMATION_SALT = "petitions.confirm-signature"


@dataclass(frozen=True)
class SignatureDetails:
    """What the signer gave, already validated (the postcode normalised, or "" outside the UK)."""

    first_name: str
    last_name: str
    email: str
    postcode: str
    contact_consent: bool
    show_publicly: bool


@dataclass(frozen=True)
class SigningOutcome:
    signature_id: int
    created: bool
    mail_queued: bool


def make_confirmation_token(signature_id):
    """A signed, timestamped token holding the signature id only (it ends up in a URL)."""
    return signing.TimestampSigner(salt=_CONFIRMATION_SALT).sign(str(signature_id))


def read_confirmation_token(token):
    """The signature id in a token; raises signing.SignatureExpired or signing.BadSignature."""
    max_age = settings.PETITION_CONFIRMATION_MAX_AGE_DAYS * 86_400
    value = signing.TimestampSigner(salt=_CONFIRMATION_SALT).unsign(token, max_age=max_age)
    try:
        return int(value)
    except ValueError as error:
        raise signing.BadSignature("Not a signature id") from error


def consent_wording_ids(petition):
    """The ids of the petition's current consent wordings, adding a wording the first time it is shown."""
    wanted = {
        ConsentWording.Kind.CONTACT: petition.contact_consent_wording,
        ConsentWording.Kind.SHOW_PUBLICLY: petition.show_publicly_wording,
    }
    versions = {kind: ConsentWording.version_of(text) for kind, text in wanted.items()}
    lookup = Q()
    for kind, version in versions.items():
        lookup |= Q(kind=kind, version=version)
    found = dict(ConsentWording.objects.filter(lookup).values_list("kind", "id"))
    for kind, text in wanted.items():
        if kind not in found:
            found[kind] = ConsentWording.objects.get_or_create(
                kind=kind, version=versions[kind], defaults={"text": text}
            )[0].pk
    return found[ConsentWording.Kind.CONTACT], found[ConsentWording.Kind.SHOW_PUBLICLY]


def _insert_unless_duplicate(signature):
    """INSERT ... ON CONFLICT DO NOTHING; the new id, or None when this email has already signed.

    Raw SQL because Django's `bulk_create(ignore_conflicts=True)` does not return the new id. A
    conflict that is ignored, unlike a caught IntegrityError, needs no savepoint and writes no
    error (with the email address in it) to the database server's log.
    """
    meta = Signature._meta
    quote = connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    columns = ", ".join(quote(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    params = [f.get_db_prep_save(f.pre_save(signature, add=True), connection) for f in fields]
    # Only quoted model metadata goes into the text; every value is a parameter.
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) ON CONFLICT DO NOTHING RETURNING {pk}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


def _queue_confirmation_email(signature_id):
    # Imported here: the task module imports this one for the confirmation link.
    from petitions.tasks import send_confirmation_email

    send_confirmation_email.enqueue(signature_id)


def record_signature(petition, details, *, ip_hash="", now=None):
    """Keep a signature on an open petition (the caller checks it is open) and queue its mail.

    A second signature with the same email (in any case) changes nothing, except that an
    unconfirmed first one gets its confirmation mail again, at most once every
    PETITION_CONFIRMATION_RESEND_SECONDS. Either way the caller tells the visitor the same thing.
    """
    now = now or timezone.now()
    contact_wording_id, show_wording_id = consent_wording_ids(petition)
    needs_confirmation = petition.confirmation_required
    signature = Signature(
        petition_id=petition.pk,
        first_name=details.first_name,
        last_name=details.last_name,
        email=details.email,
        postcode=details.postcode,
        region=region_for_postcode(details.postcode),
        created_at=now,
        confirmed_at=None if needs_confirmation else now,
        contact_consent=details.contact_consent,
        contact_consent_wording_id=contact_wording_id,
        show_publicly=details.show_publicly,
        show_publicly_wording_id=show_wording_id,
        privacy_notice_version=petition.privacy_notice_version,
        ip_hash=ip_hash,
        mail_status=MailStatus.QUEUED if needs_confirmation else MailStatus.NOT_NEEDED,
        mail_queued_at=now if needs_confirmation else None,
    )
    with transaction.atomic():
        signature_id = _insert_unless_duplicate(signature)
        if signature_id is not None:
            if needs_confirmation:
                _queue_confirmation_email(signature_id)
            else:
                adjust_count(petition.pk, signature.region, +1)
            logger.info("Signature %s recorded on petition %s", signature_id, petition.pk)
            return SigningOutcome(signature_id=signature_id, created=True, mail_queued=needs_confirmation)
        return _repeat_signing(petition, details.email, now)


def _repeat_signing(petition, email, now):
    existing = (
        Signature.objects.for_email(email)
        .filter(petition_id=petition.pk, anonymised_at__isnull=True)
        .select_for_update()
        .first()
    )
    if existing is None:
        # Erased between the conflicting insert and this read: nothing left to answer for.
        return SigningOutcome(signature_id=None, created=False, mail_queued=False)
    resend_after = now - timedelta(seconds=settings.PETITION_CONFIRMATION_RESEND_SECONDS)
    resend = (
        petition.confirmation_required
        and existing.confirmed_at is None
        and existing.invalidated_at is None
        and (existing.mail_queued_at is None or existing.mail_queued_at <= resend_after)
    )
    if resend:
        existing.mail_status = MailStatus.QUEUED
        existing.mail_queued_at = now
        existing.mail_attempts = 0
        existing.mail_next_attempt_at = None
        existing.save(
            update_fields=["mail_status", "mail_queued_at", "mail_attempts", "mail_next_attempt_at"]
        )
        _queue_confirmation_email(existing.pk)
    logger.info(
        "Repeat signing of signature %s on petition %s (mail sent again: %s)",
        existing.pk,
        petition.pk,
        resend,
    )
    return SigningOutcome(signature_id=existing.pk, created=False, mail_queued=resend)


def confirm_signature(signature_id, now=None):
    """Mark a signature confirmed and count it; returns (signature, newly confirmed) or (None, False).

    Following the link again, or after staff invalidated the signature, counts nothing more.
    """
    now = now or timezone.now()
    with transaction.atomic():
        signature = Signature.objects.select_for_update().filter(pk=signature_id).first()
        if signature is None:
            return None, False
        if signature.confirmed_at is not None:
            return signature, False
        signature.confirmed_at = now
        signature.save(update_fields=["confirmed_at"])
        if signature.invalidated_at is None:
            adjust_count(signature.petition_id, signature.region, +1)
    logger.info("Signature %s confirmed on petition %s", signature.pk, signature.petition_id)
    return signature, True
