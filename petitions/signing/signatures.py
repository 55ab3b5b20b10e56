"""Recording and confirming signatures: the work behind the sign form and the confirmation link.

`record_signature` keeps every signature exactly once, also under concurrent double submits,
with its confirmation mail queued in the same row (the signature is its own outbox), and answers a
repeat email with the same work as a new one.
`confirm_signature` counts a signature once, however often its link is followed.
What the sign view knows of a petition beforehand is in `petitions.signing.facts`.
"""

import functools
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from petitions.models import MailStatus, Signature
from petitions.models.counts import adjust_count
from petitions.regions import region_for_postcode
from petitions.tasks import request_delivery

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignatureDetails:
    """What the signer gave, already validated (the postcode normalised, or "" outside the UK)."""

    first_name: str
    last_name: str
    email: str
    postcode: str
    contact_consent: bool
    show_publicly: bool
    # The link's source code, already a valid one (petitions.sign_form.source), or "".
    source: str = ""


# What a repeat signing may change: the outbox columns, set as a new signature's are (its mail queued).
_RESENT_COLUMNS = ("mail_status", "mail_queued_at", "mail_attempts", "mail_next_attempt_at")


def _inserted_fields():
    return [f for f in Signature._meta.concrete_fields if not f.primary_key]


@functools.cache
def _insert_or_queue_mail_again_sql(vendor):
    """The statement's text, made once per database vendor (every value is a parameter)."""
    meta = Signature._meta
    quote = connection.ops.quote_name
    fields = _inserted_fields()
    columns = ", ".join(quote(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    table, pk = quote(meta.db_table), quote(meta.pk.column)

    def column(name):
        return quote(meta.get_field(name).column)

    def existing(name):
        return f"{table}.{column(name)}"

    resend = ", ".join(f"{column(name)} = EXCLUDED.{column(name)}" for name in _RESENT_COLUMNS)
    # The index's expression and condition, as `Signature.Meta.constraints` declares them.
    index = f"(LOWER({column('email')}), {column('petition')}) WHERE {column('anonymised_at')} IS NULL"
    # Only quoted model metadata goes into the text.
    return (
        f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) "  # noqa: S608
        f"ON CONFLICT {index} DO UPDATE SET {resend} "
        f"WHERE EXCLUDED.{column('mail_status')} = %s "
        f"AND {existing('confirmed_at')} IS NULL AND {existing('invalidated_at')} IS NULL "
        f"AND ({existing('mail_queued_at')} IS NULL OR {existing('mail_queued_at')} <= %s) "
        f"RETURNING {pk}"
    )


def _insert_or_queue_mail_again(signature, resend_after):
    """Keep a new signature, or queue the mail of an earlier one again: one statement for both.

    `INSERT ... ON CONFLICT (lower(email), petition) WHERE anonymised_at IS NULL DO UPDATE ... WHERE`,
    naming the unique index `petitions_signature_one_per_email` by its expression and condition. The
    update queues the confirmation mail again (the outbox columns as the new row would have them) only
    if this row's mail is queued, the earlier signature is neither confirmed nor invalidated, and its
    mail was last queued no later than `resend_after`; otherwise the earlier row is left as it is.

    Returns the id of the row written (new, or its mail queued again), or None when a signature of this
    email was there and is left unchanged. A new signature and a repeat cost the same, so the time of
    the answer does not tell who has signed. A conflict ignored, unlike a caught IntegrityError, needs no
    savepoint and writes no error (with the email address in it) to the database server's log. Raw SQL
    because Django's `bulk_create(update_conflicts=True)` infers no partial expression index and returns
    no id on a conflict; the same text runs on PostgreSQL and SQLite (3.35 or later).
    """
    fields = _inserted_fields()
    params = [f.get_db_prep_save(f.pre_save(signature, add=True), connection) for f in fields]
    resend_after = Signature._meta.get_field("mail_queued_at").get_db_prep_value(resend_after, connection)
    params += [MailStatus.QUEUED, resend_after]
    sql = _insert_or_queue_mail_again_sql(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


def record_signature(petition, details, *, ip_hash="", now=None):
    """Keep a signature on an open petition (the caller checks it is open) and queue its mail.

    `petition` is its SigningFacts. A second signature with the same email (in any case) changes
    nothing, except that an unconfirmed first one gets its confirmation mail again, at most once
    every PETITION_CONFIRMATION_RESEND_SECONDS. Either way the caller tells the visitor the same
    thing, and it takes the same work: one statement, and the same call after the commit. Returns the
    id of the row written, or None when an earlier signature was left as it was. Raises IntegrityError
    (at the commit) if the facts name rows that no longer exist.
    """
    now = now or timezone.now()
    contact_wording_id, show_wording_id = petition.contact_wording_id, petition.show_wording_id
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
        source=details.source,
        mail_status=MailStatus.QUEUED if needs_confirmation else MailStatus.NOT_NEEDED,
        mail_queued_at=now if needs_confirmation else None,
    )
    resend_after = now - timedelta(seconds=settings.PETITION_CONFIRMATION_RESEND_SECONDS)
    if needs_confirmation:
        # One statement, so no transaction of its own: the row holds the queued mail (its outbox). The
        # worker is asked to deliver once it is committed, also when nothing was queued (a repeat
        # within the resend interval, a confirmed signer), so that both answers take as long.
        signature_id = _insert_or_queue_mail_again(signature, resend_after)
        transaction.on_commit(request_delivery)
    else:
        with transaction.atomic():
            # Without confirmation nothing is mailed again, so a row comes back only when it is new;
            # a repeat writes its +0 to the counters, for the same reason.
            signature_id = _insert_or_queue_mail_again(signature, resend_after)
            adjust_count(
                petition.pk,
                signature.region,
                int(signature_id is not None),
                day=timezone.localdate(now),
                write_zero=True,
            )
    if signature_id is None:
        logger.info("Repeat signing on petition %s; nothing to change", petition.pk)
    else:
        logger.info(
            "Signature %s recorded, or its mail queued again, on petition %s", signature_id, petition.pk
        )
    return signature_id


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
            adjust_count(signature.petition_id, signature.region, +1, day=timezone.localdate(now))
    logger.info("Signature %s confirmed on petition %s", signature.pk, signature.petition_id)
    return signature, True
