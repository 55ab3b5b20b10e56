"""Who an update goes to: the one definition of each audience, used to count, approve and send."""

from petitions.models import Audience, Signature


def _reachable(petition):
    """Confirmed, valid, not anonymised signatures of the petition with an address that still works.

    Erased signatures are deleted rows, so they are never here; unconfirmed ones never agreed to anything.
    """
    return (
        Signature.objects.filter(petition=petition)
        .confirmed()
        .valid()
        .filter(anonymised_at__isnull=True, undeliverable_at__isnull=True)
        .exclude(email="")
    )


def recipients(update):
    """The signatures `update` goes to, as a queryset ordered by id (so a sending run can resume by id).

    Campaign news: only signers who ticked "hear more" and have not withdrawn it since (withdrawing sets
    `contact_consent` false, so a signer who agrees again on their own page is back in). Outcome of the
    letter: every reachable signer, but only when the petition's privacy notice says they will be told
    (`PetitionPage.tells_outcome`), and not those who unsubscribed (pressed "Stop emails" or withdrew the
    consent on their page, and did not agree again): an unsubscribe stops every later update; otherwise
    nobody.
    """
    petition = update.petition
    if update.audience == Audience.CAMPAIGN_NEWS:
        signatures = _reachable(petition).filter(contact_consent=True)
    elif update.audience == Audience.OUTCOME and petition.tells_outcome:
        signatures = _reachable(petition).exclude(contact_consent=False, contact_withdrawn_at__isnull=False)
    else:
        signatures = Signature.objects.none()
    return signatures.order_by("pk")


def audience_size(update):
    """How many signers `update` would go to now."""
    return recipients(update).count()
