"""Erasing signatures: those staff select, or on request one person's across all petitions.

Counted ones leave the count. The audit log records how many and, for a person, a keyed hash of the
address, never the address.
"""

from django.utils.crypto import salted_hmac

from petitions.models import Signature
from petitions.models.bulk import change_signatures
from petitions.models.record import Measure
from petitions.signals import signature_erased

ERASE_SIGNATORY_ACTION = "petitions.erase_signatory"
ERASE_SIGNATURES_ACTION = "petitions.erase_signatures"


def email_reference(email):
    """A keyed hash of an address for the audit log: proves a later request matches, reveals nothing."""
    return salted_hmac("petitions.erasure-email", email.strip().lower(), algorithm="sha256").hexdigest()[:32]


def _delete_and_tell(batch):
    """Delete a batch, and send `signature_erased` with its ids in the same transaction."""
    rows = list(batch.values_list("pk", "petition_id"))
    batch.delete()
    if rows:
        signature_erased.send(
            sender=Signature,
            signature_ids=[pk for pk, _ in rows],
            petition_ids=[petition_id for _, petition_id in rows],
        )


def erase_signatures(queryset, user, log_action=ERASE_SIGNATURES_ACTION, log_data=None, on_request=False):
    """Delete the selected signatures outright, taking counted ones out of the count.

    The public record counts them as erased at the signer's request (`on_request`: one person's erasure,
    `erase_signatory`, or a signer withdrawing their own signature) or as erased by staff (chosen in
    the listing).
    """
    return change_signatures(
        queryset,
        _delete_and_tell,
        count_delta=-1,
        action=log_action,
        user=user,
        log_data=log_data or {},
        becomes=Measure.ERASED_ON_REQUEST if on_request else Measure.ERASED_BY_STAFF,
    )


def erase_signatory(email, user):
    """Erase everything one person gave, across all petitions (the right to erasure)."""
    return erase_signatures(
        Signature.objects.for_email(email),
        user,
        log_action=ERASE_SIGNATORY_ACTION,
        log_data={"email_hash": email_reference(email)},
        on_request=True,
    )
