"""Shared arrangements for the updates-to-signers tests: signatures of each kind, and an update."""

from django.utils import timezone

from petitions.models import Audience, PetitionUpdate, Signature

from .factories import SignatureFactory


def confirmed(petition, **fields):
    return SignatureFactory(petition=petition, confirmed_at=timezone.now(), **fields)


def signatures_of_every_kind(petition):
    """One signature of each kind that matters to an audience, by name."""
    now = timezone.now()
    kinds = {
        "consenting": confirmed(petition, contact_consent=True),
        "not_consenting": confirmed(petition, contact_consent=False),
        "withdrawn": confirmed(petition, contact_consent=False, contact_withdrawn_at=now),
        "unconfirmed": SignatureFactory(petition=petition, contact_consent=True),
        "invalidated": confirmed(
            petition, contact_consent=True, invalidated_at=now, invalidation_reason="Bot"
        ),
        "anonymised": confirmed(
            petition,
            contact_consent=True,
            anonymised_at=now,
            first_name="",
            last_name="",
            email="",
            postcode="",
        ),
        "undeliverable": confirmed(petition, contact_consent=True, undeliverable_at=now),
        "erased": confirmed(petition, contact_consent=True),
    }
    erased_id = kinds["erased"].pk
    Signature.objects.filter(pk=erased_id).delete()
    kinds["erased"].pk = erased_id
    return kinds


BODY = (
    "<p>We handed it in.</p><ul><li>One</li><li>Two</li></ul>"
    '<p><a href="https://example.org/news">Read more</a></p>'
)


def make_update(petition, author, audience=Audience.CAMPAIGN_NEWS, **fields):
    fields.setdefault("subject", "The letter was delivered")
    fields.setdefault(
        "body",
        BODY,
    )
    return PetitionUpdate.objects.create(petition=petition, audience=audience, created_by=author, **fields)
