"""Recording and confirming signatures: the work behind the sign form and the confirmation link.

`record_signature` keeps every signature exactly once, also under concurrent double submits,
with its confirmation mail queued in the same row (the signature is its own outbox), and answers a
repeat email with the same work as a new one.
`confirm_signature` counts a signature once, however often its link is followed.
What the sign view knows of a petition beforehand is in `petitions.signing.facts`.
"""

import functools
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from petitions.models import MailStatus, Signature
from petitions.models.counts import adjust_count
from petitions.models.milestones import record_milestones
from petitions.models.record import Measure, adjust_record, record_shard, record_upsert_sql
from petitions.regions import region_for_postcode
from petitions.signals import signature_confirmed
from petitions.tasks import notify_milestones, request_delivery

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


@functools.cache
def _inserted_fields():
    return tuple(f for f in Signature._meta.concrete_fields if not f.primary_key)


# Values every backend's driver takes as they are: a field's preparation leaves them unchanged.
_PLAIN_TYPES = frozenset((str, bool, int, type(None)))


@functools.cache
def _prepared_defaults(vendor):
    """{attname: prepared value} of what a new `Signature()` holds in the columns signing leaves alone.

    Prepared once: the defaults are constants (a field with a callable default is left out, and
    prepared per row by `signature_params`).
    """
    return {
        f.attname: f.get_db_prep_save(f.get_default(), connection)
        for f in _inserted_fields()
        if not (f.has_default() and callable(f.default))
    }


def signature_params(values):
    """The inserted columns' parameters for a new signature of `values` ({attname: value}), in order.

    What `Signature(**values)` and each field's `get_db_prep_save(pre_save(...))` give, without
    building the model and preparing thirty fields for every signature: the columns not in `values`
    take their prepared defaults, and plain values (text, booleans, ids, NULL) need no preparing.
    """
    defaults = _prepared_defaults(connection.vendor)
    params = []
    for field in _inserted_fields():
        name = field.attname
        if name in values:
            value = values[name]
            params.append(value if type(value) in _PLAIN_TYPES else field.get_db_prep_save(value, connection))
        elif name in defaults:
            params.append(defaults[name])
        else:
            params.append(field.get_db_prep_save(field.get_default(), connection))
    return params


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
        f"RETURNING {pk} AS id, {column('created_at')} = %s AS is_new"
    )


@functools.cache
def _sign_and_count_received_sql(vendor):
    """PostgreSQL: `_insert_or_queue_mail_again_sql` and the public record's counters, as one statement.

    The record's "received" and "awaiting" counters each get 1 for a new row and 0 otherwise (a repeat
    writes its +0 as well, so that both answers take the same work): the data-modifying `WITH` runs both
    writes whether or not anything reads them, in the statement's own transaction.
    """
    new = "COALESCE((SELECT is_new::int FROM written), 0)"
    counted = record_upsert_sql(f"(%s, %s, %s, {new}), (%s, %s, %s, {new})")
    written = _insert_or_queue_mail_again_sql(vendor)
    # Only quoted model metadata and placeholders go into the text.
    return f"WITH written AS ({written}), counted AS ({counted}) SELECT id, is_new FROM written"  # noqa: S608


def _insert_or_queue_mail_again(values, resend_after, *, count_received_for=None):
    """Keep a new signature, or queue the mail of an earlier one again: one statement for both.

    `INSERT ... ON CONFLICT (lower(email), petition) WHERE anonymised_at IS NULL DO UPDATE ... WHERE`,
    naming the unique index `petitions_signature_one_per_email` by its expression and condition. The
    update queues the confirmation mail again (the outbox columns as the new row would have them) only
    if this row's mail is queued, the earlier signature is neither confirmed nor invalidated, and its
    mail was last queued no later than `resend_after`; otherwise the earlier row is left as it is.

    Returns (the id of the row written, whether it is new), or (None, False) when a signature of this
    email was there and is left unchanged. A row is new when its `created_at` is this signature's (a
    repeat keeps the earlier one's). A new signature and a repeat cost the same, so the time of
    the answer does not tell who has signed. A conflict ignored, unlike a caught IntegrityError, needs no
    savepoint and writes no error (with the email address in it) to the database server's log. Raw SQL
    because Django's `bulk_create(update_conflicts=True)` infers no partial expression index and returns
    no id on a conflict; the same text runs on PostgreSQL and SQLite (3.35 or later).

    `values` are the new signature's, by field attname (`signature_params`).
    `count_received_for` (a petition id; PostgreSQL only) also counts the signature as received and
    awaiting confirmation in the public record, in the same statement (`_sign_and_count_received_sql`).
    """
    params = signature_params(values)
    resend_after = Signature._meta.get_field("mail_queued_at").get_db_prep_value(resend_after, connection)
    created_at = Signature._meta.get_field("created_at").get_db_prep_value(values["created_at"], connection)
    params += [MailStatus.QUEUED, resend_after, created_at]
    if count_received_for is None:
        sql = _insert_or_queue_mail_again_sql(connection.vendor)
    else:
        shard = record_shard()
        params += [count_received_for, Measure.RECEIVED.value, shard]
        params += [count_received_for, Measure.AWAITING.value, shard]
        sql = _sign_and_count_received_sql(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return (row[0], bool(row[1])) if row else (None, False)


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
    region = region_for_postcode(details.postcode)
    signature = {
        "petition_id": petition.pk,
        "first_name": details.first_name,
        "last_name": details.last_name,
        "email": details.email,
        "postcode": details.postcode,
        "region": region,
        "created_at": now,
        "confirmed_at": None if needs_confirmation else now,
        "contact_consent": details.contact_consent,
        "contact_consent_wording_id": contact_wording_id,
        "show_publicly": details.show_publicly,
        "show_publicly_wording_id": show_wording_id,
        "privacy_notice_version": petition.privacy_notice_version,
        "ip_hash": ip_hash,
        "source": details.source,
        "mail_status": MailStatus.QUEUED if needs_confirmation else MailStatus.NOT_NEEDED,
        "mail_queued_at": now if needs_confirmation else None,
    }
    resend_after = now - timedelta(seconds=settings.PETITION_CONFIRMATION_RESEND_SECONDS)
    if needs_confirmation and connection.vendor == "postgresql":
        # The usual case, and the busiest statement of the site: the row, its queued mail (the row is
        # its outbox) and the public record's counters in one statement, which is its own transaction
        # (no BEGIN and COMMIT round trips) unless the caller has one open.
        signature_id, _new = _insert_or_queue_mail_again(
            signature, resend_after, count_received_for=petition.pk
        )
        # The worker is asked to deliver once it is committed (at once outside a transaction), also
        # when nothing was queued (a repeat within the resend interval, a confirmed signer), so that
        # both answers take as long.
        transaction.on_commit(request_delivery)
        _log_recorded(signature_id, petition.pk)
        return signature_id
    with transaction.atomic():
        # The row holds the queued mail (its outbox). The public record counts a new signature as
        # received (and awaiting its confirmation) in the same transaction; a repeat writes its +0,
        # so that both answers take the same work.
        signature_id, new = _insert_or_queue_mail_again(signature, resend_after)
        received = Counter({(petition.pk, Measure.RECEIVED): int(new)})
        if needs_confirmation:
            received[(petition.pk, Measure.AWAITING)] = int(new)
        adjust_record(received, write_zero=True)
        if needs_confirmation:
            transaction.on_commit(request_delivery)
        else:
            # Without confirmation nothing is mailed again, so a row comes back only when it is new;
            # a repeat writes its +0 to the counters, for the same reason.
            adjust_count(petition.pk, region, int(new), at=now, write_zero=True)
            _count_milestones(petition.pk, now)
            if new:
                # No confirmation asked for: signing confirms it.
                signature_confirmed.send(sender=Signature, signature_id=signature_id, petition_id=petition.pk)
    _log_recorded(signature_id, petition.pk)
    return signature_id


def _log_recorded(signature_id, petition_id):
    if signature_id is None:
        logger.info("Repeat signing on petition %s; nothing to change", petition_id)
    else:
        logger.info(
            "Signature %s recorded, or its mail queued again, on petition %s", signature_id, petition_id
        )


def _count_milestones(petition_id, now):
    """Record the milestones reached by a signature just counted; staff hear of new ones once committed."""
    if record_milestones(petition_id, now):
        transaction.on_commit(notify_milestones)


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
            adjust_count(signature.petition_id, signature.region, +1, at=now)
            adjust_record(Counter({(signature.petition_id, Measure.AWAITING): -1}))
            _count_milestones(signature.petition_id, now)
            signature_confirmed.send(
                sender=Signature, signature_id=signature.pk, petition_id=signature.petition_id
            )
    logger.info("Signature %s confirmed on petition %s", signature.pk, signature.petition_id)
    return signature, True
