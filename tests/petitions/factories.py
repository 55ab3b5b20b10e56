"""Factories for petitions and their signatures."""

import factory
import wagtail_factories
from django.utils import timezone

from petitions.models import PetitionPage, Signature
from petitions.regions import region_for_postcode
from petitions.signing.facts import consent_wording_ids


class PetitionPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Open letter {n}")
    slug = factory.Sequence(lambda n: f"open-letter-{n}")
    addressee = "Mark Zuckerberg, Facebook"
    letter = "<p>Dear Mark, keep children safe.</p>"
    target = 1000
    thank_you_message = "<p>Thank you for standing with children.</p>"
    share_text = "I signed the open letter to Facebook."

    class Meta:
        model = PetitionPage


class SignatureFactory(factory.django.DjangoModelFactory):
    """A signature stored directly (not through the sign form), unconfirmed unless `confirmed_at` is given,
    with the petition's consent wordings and the region of its postcode. Pass `petition`."""

    first_name = "Ann"
    last_name = "Example"
    email = factory.Sequence(lambda n: f"signer{n}@example.org")
    postcode = "SW1A 1AA"
    region = factory.LazyAttribute(lambda signature: region_for_postcode(signature.postcode))
    created_at = factory.LazyFunction(timezone.now)
    contact_consent = False
    show_publicly = False
    contact_consent_wording_id = factory.LazyAttribute(
        lambda signature: consent_wording_ids(signature.petition)[0]
    )
    show_publicly_wording_id = factory.LazyAttribute(
        lambda signature: consent_wording_ids(signature.petition)[1]
    )

    class Meta:
        model = Signature
