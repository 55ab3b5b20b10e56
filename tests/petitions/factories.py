"""Factories for petitions and signatures."""

import factory
import wagtail_factories
from django.utils import timezone

from petitions.models import PetitionPage, Signature
from petitions.regions import region_for_postcode
from petitions.signing import consent_wording_ids


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


def make_signature(petition, *, email, first_name="Ann", last_name="Example", postcode="SW1A 1AA", **fields):
    """A signature stored directly (not through the form), with the petition's consent wordings."""
    contact_id, show_id = consent_wording_ids(petition)
    values = {
        "created_at": timezone.now(),
        "contact_consent": False,
        "show_publicly": False,
        "region": region_for_postcode(postcode),
        **fields,
    }
    return Signature.objects.create(
        petition=petition,
        first_name=first_name,
        last_name=last_name,
        email=email,
        postcode=postcode,
        contact_consent_wording_id=contact_id,
        show_publicly_wording_id=show_id,
        **values,
    )
