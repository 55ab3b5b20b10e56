"""What a signer can change on their own page: each consent, their name on the public list, their signature.

Each change is one transaction and leaves a record: the signature holds the wording last agreed to and
when (or when it was withdrawn), and Wagtail's audit log on the petition holds every change, by
signature id (never a name or an address), so the history survives the row's latest state.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from petitions.models import ConsentWording, Signature
from petitions.models.public_signers import forget_recent_public_signers
from petitions.personal_data.consent_changes import same_campaign_signatures, withdraw_contact_consent
from petitions.personal_data.erasure import erase_signatures

CONSENT_CHANGED_ACTION = "petitions.signer_changed_consent"
SIGNATURE_WITHDRAWN_ACTION = "petitions.signer_withdrew_signature"
VIA = "signer-page"


@dataclass(frozen=True)
class Change:
    """One thing a signer can do: its name in the form, and the words of its confirm step and its result."""

    name: str
    label: str
    question: str
    explanation: str
    button: str
    done: str


CHANGES = {
    change.name: change
    for change in (
        Change(
            "contact-off",
            "Stop emails about the campaign",
            "Stop emails about the campaign?",
            "We will stop sending you news about the campaign, for this and the campaign's other "
            "letters you signed with this address. If the letter's privacy notice says so, we may "
            "still tell you its outcome.",
            "Yes, stop the campaign's emails",
            "You will not get emails about the campaign from now on.",
        ),
        Change(
            "contact-on",
            "Hear more from the campaign",
            "Hear more from the campaign?",
            "We will keep the words below, with today's date, as the record of your agreement. You "
            "can change your mind here at any time, or with the unsubscribe link in any email.",
            "Yes, keep me updated",
            "You will hear more from the campaign.",
        ),
        Change(
            "public-off",
            "Take my name off the public list",
            "Take your name off the public list?",
            "Your first name and area will no longer be shown among the people who signed. Your "
            "signature still counts.",
            "Yes, take my name off",
            "Your name is no longer on the public list. Pages kept by browsers or caches may show it "
            "for a few more minutes.",
        ),
        Change(
            "public-on",
            "Show my name on the public list",
            "Show your name on the public list?",
            "Your first name and area will be shown among the people who signed. We will keep the "
            "words below, with today's date, as the record of your agreement.",
            "Yes, show my name",
            "Your first name and area are on the public list.",
        ),
        Change(
            "withdraw",
            "Withdraw my signature",
            "Withdraw your signature?",
            "Your signature will be taken off the letter and the count, and your name, email address "
            "and postcode deleted. This cannot be undone: to support the letter again you would sign "
            "it again.",
            "Yes, withdraw my signature",
            "Your signature has been withdrawn and your details deleted.",
        ),
    )
}


def available_changes(signature):
    """The changes that make sense for `signature` now, in the order the page offers them."""
    names = ["contact-off" if signature.contact_consent else "contact-on"]
    names.append("public-off" if signature.show_publicly else "public-on")
    names.append("withdraw")
    return [CHANGES[name] for name in names]


def _log_consent(signature, consent, agreed, wording_id):
    log(
        instance=signature.petition,
        action=CONSENT_CHANGED_ACTION,
        user=None,
        data={
            "signature": signature.pk,
            "consent": consent,
            "agreed": agreed,
            "wording": wording_id,
            "via": VIA,
        },
    )


def _locked(signature):
    """The signature's row, locked for the change, or None if it has gone meanwhile."""
    return Signature.objects.select_for_update().filter(pk=signature.pk, anonymised_at__isnull=True).first()


def apply_change(signature, name, now=None):
    """Make the change `name` to `signature` (one of CHANGES); returns False if it no longer applies."""
    now = now or timezone.now()
    if name == "withdraw":
        return withdraw_signature(signature)
    with transaction.atomic():
        row = _locked(signature)
        if row is None:
            return False
        row.petition = signature.petition
        if name == "contact-off":
            if not row.contact_consent:
                return False
            withdraw_contact_consent(same_campaign_signatures(row), via=VIA, now=now)
            _log_consent(row, "contact", False, row.contact_consent_wording_id)
        elif name == "contact-on":
            if row.contact_consent:
                return False
            contact_wording, _ = ConsentWording.current_ids(row.petition)
            Signature.objects.filter(pk=row.pk).update(
                contact_consent=True, contact_consent_wording_id=contact_wording, contact_consent_given_at=now
            )
            _log_consent(row, "contact", True, contact_wording)
        elif name == "public-off":
            if not row.show_publicly:
                return False
            Signature.objects.filter(pk=row.pk).update(show_publicly=False, show_publicly_withdrawn_at=now)
            _log_consent(row, "show-publicly", False, row.show_publicly_wording_id)
        elif name == "public-on":
            if row.show_publicly:
                return False
            _, public_wording = ConsentWording.current_ids(row.petition)
            Signature.objects.filter(pk=row.pk).update(
                show_publicly=True, show_publicly_wording_id=public_wording, show_publicly_given_at=now
            )
            _log_consent(row, "show-publicly", True, public_wording)
        else:
            raise ValueError(f"Unknown change {name!r}")
    if name.startswith("public-"):
        # The petition page's few latest signers are cached as briefly as the count: take them afresh.
        forget_recent_public_signers(signature.petition_id)
    return True


def withdraw_signature(signature):
    """Erase the signature at its signer's request: out of the count, its details deleted, the audit log
    recording the petition, the count and how (never the address)."""
    change = erase_signatures(
        Signature.objects.filter(pk=signature.pk),
        None,
        log_action=SIGNATURE_WITHDRAWN_ACTION,
        log_data={"via": VIA},
        on_request=True,
    )
    return change.total > 0
