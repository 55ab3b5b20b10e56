"""Recording and confirming signatures: the work behind the sign form and the confirmation link.

`record_signature` keeps every signature exactly once, also under concurrent double submits,
with its confirmation mail queued in the same row (the signature is its own outbox), and answers a
repeat email with the same work as a new one.
`confirm_signature` counts a signature once, however often its link is followed.
`signing_facts` is what the sign view knows of a petition, from the shared cache.
"""

import functools
import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from core.caching import cached, forget
from core.page_cache.purge import content_generation
from petitions.models import ConsentWording, MailStatus, PetitionPage, Signature
from petitions.models.counts import adjust_count
from petitions.models.petition_page import signing_closed_message
from petitions.regions import region_for_postcode
from petitions.tasks import request_delivery

logger = logging.getLogger(__name__)

# Kept until the next publish anywhere on the site (a page-cache purge) or a save of the petition;
# the timeout only bounds what nothing invalidates, like a database restored under a running cache.
_FACTS_SECONDS = 300


@dataclass(frozen=True)
class SignatureDetails:
    """What the signer gave, already validated (the postcode normalised, or "" outside the UK)."""

    first_name: str
    last_name: str
    email: str
    postcode: str
    contact_consent: bool
    show_publicly: bool


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


@dataclass(frozen=True)
class SigningFacts:
    """What signing needs to know of a petition: the window, its wordings and the ids they are kept as.

    Small and plain, so the sign view keeps it in the shared cache (`signing_facts`) instead of
    loading the page with its privacy notice and looking up the wordings for every signature.
    `SignatureForm` and `record_signature` take it where they would take the page. `restricted` says
    whether the page or a page above it has view restrictions (`petitions.signing.restrictions`), so
    that the public petition URLs check them only where there are some.
    """

    pk: int
    live: bool
    opens_at: datetime | None
    closes_at: datetime | None
    confirmation_required: bool
    contact_consent_wording: str
    show_publicly_wording: str
    privacy_notice_version: str
    contact_wording_id: int
    show_wording_id: int
    restricted: bool

    @classmethod
    def of(cls, petition):
        contact_wording_id, show_wording_id = consent_wording_ids(petition)
        return cls(
            pk=petition.pk,
            live=petition.live,
            opens_at=petition.opens_at,
            closes_at=petition.closes_at,
            confirmation_required=petition.confirmation_required,
            contact_consent_wording=petition.contact_consent_wording,
            show_publicly_wording=petition.show_publicly_wording,
            privacy_notice_version=petition.privacy_notice_version,
            contact_wording_id=contact_wording_id,
            show_wording_id=show_wording_id,
            restricted=petition.get_view_restrictions().exists(),
        )

    def signing_closed_message(self, now=None):
        return signing_closed_message(self.live, self.opens_at, self.closes_at, now)


def _facts_key(petition_id):
    return f"petitions:signing-facts:{petition_id}"


def _facts_from_database(petition_id):
    """The facts as a dict, so that a cached copy from an older release cannot pass for new facts."""
    petition = PetitionPage.objects.select_related("privacy_notice").filter(pk=petition_id).first()
    return None if petition is None else asdict(SigningFacts.of(petition))


def signing_facts(petition_id, *, fresh=False):
    """The petition's SigningFacts (None when there is no such petition), cached until the next purge.

    `fresh` reads the database and replaces what the cache held.
    """
    key = _facts_key(petition_id)
    if fresh:
        forget(key, generation=content_generation())
    facts = cached(
        key, _FACTS_SECONDS, lambda: _facts_from_database(petition_id), generation=content_generation()
    )
    if facts is None:
        return None
    try:
        return SigningFacts(**facts)
    except TypeError:
        # Cached by a release whose facts had other fields.
        forget(key, generation=content_generation())
        facts = _facts_from_database(petition_id)
        return None if facts is None else SigningFacts(**facts)


def forget_signing_facts(petition_id):
    forget(_facts_key(petition_id), generation=content_generation())


def forget_signing_facts_of_saved_petition(sender, instance, **kwargs):
    """Signal receiver: a saved or deleted petition's facts are read afresh, now and after the commit.

    Publishing also purges, but only once committed; a save that publishes nothing (a data fix, a
    test) purges nothing. Forgetting again after the commit drops facts that a request read from
    the database before the commit and stored meanwhile.
    """
    forget_signing_facts(instance.pk)
    transaction.on_commit(lambda: forget_signing_facts(instance.pk))


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
