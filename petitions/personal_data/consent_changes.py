"""Withdrawing the "hear more" consent: one function for the unsubscribe link, the signer's page and staff."""

from django.db import transaction
from django.utils import timezone

from petitions.models import Signature
from petitions.signals import contact_consent_withdrawn


def withdraw_contact_consent(signatures, via, now=None):
    """Withdraw the contact consent of the given signatures (a queryset); returns how many changed.

    The wording they agreed to stays on each signature, with the time of withdrawal beside it, so the
    record shows both. Later updates to campaign news leave them out.
    """
    now = now or timezone.now()
    with transaction.atomic():
        ids = list(signatures.filter(contact_consent=True).select_for_update().values_list("pk", flat=True))
        if ids:
            Signature.objects.filter(pk__in=ids).update(contact_consent=False, contact_withdrawn_at=now)
            contact_consent_withdrawn.send(sender=Signature, signature_ids=ids, via=via)
    return len(ids)


def same_campaign_signatures(signature):
    """The signatures of the same address on the petitions of the same site: one campaign's signatures.

    Unsubscribing from one petition's updates withdraws the consent for the campaign, so a signer of two
    letters is not still mailed about the other.
    """
    petition = signature.petition
    site = petition.get_site()
    petitions = (
        type(petition).objects.in_site(site) if site else type(petition).objects.filter(pk=petition.pk)
    )
    return (
        Signature.objects.for_email(signature.email).filter(petition__in=petitions)
        if signature.email
        else (Signature.objects.filter(pk=signature.pk))
    )
