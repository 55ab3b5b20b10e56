"""Who an update to signers goes to: each kind of signature and consent, for each audience."""

import pytest

from petitions.models import Audience
from petitions.personal_data.consent_changes import withdraw_contact_consent
from petitions.updates.audience import audience_size, recipients

from .factories import PetitionPageFactory
from .update_helpers import confirmed, make_update, signatures_of_every_kind

pytestmark = pytest.mark.django_db


def names(update, kinds):
    ids = set(recipients(update).values_list("pk", flat=True))
    return {name for name, signature in kinds.items() if signature.pk in ids}


def test_campaign_news_goes_only_to_confirmed_valid_signers_who_agreed_to_hear_more(petition, superuser):
    kinds = signatures_of_every_kind(petition)
    update = make_update(petition, superuser, Audience.CAMPAIGN_NEWS)

    assert names(update, kinds) == {"consenting"}
    assert audience_size(update) == 1


def test_outcome_goes_to_every_confirmed_valid_reachable_signer_when_the_notice_says_so(petition, superuser):
    petition.tells_outcome = True
    petition.save()
    kinds = signatures_of_every_kind(petition)
    update = make_update(petition, superuser, Audience.OUTCOME)

    # Those who never ticked "hear more" are told the outcome the privacy notice promised; those who
    # unsubscribed ("withdrawn") are not: an unsubscribe stops every later update.
    assert names(update, kinds) == {"consenting", "not_consenting"}
    assert audience_size(update) == 2


def test_outcome_goes_to_nobody_when_the_privacy_notice_does_not_say_signers_will_be_told(
    petition, superuser
):
    assert not petition.tells_outcome
    signatures_of_every_kind(petition)
    update = make_update(petition, superuser, Audience.OUTCOME)

    assert audience_size(update) == 0


def test_a_signer_who_unsubscribes_drops_out_of_campaign_news(petition, superuser):
    signer = confirmed(petition, contact_consent=True)
    update = make_update(petition, superuser)
    assert audience_size(update) == 1

    withdraw_contact_consent(type(signer).objects.filter(pk=signer.pk), via="unsubscribe-link")

    assert audience_size(update) == 0


def test_a_signer_who_unsubscribes_drops_out_of_outcome_updates_too_until_they_agree_again(
    petition, superuser
):
    petition.tells_outcome = True
    petition.save()
    signer = confirmed(petition, contact_consent=True)
    update = make_update(petition, superuser, Audience.OUTCOME)
    assert audience_size(update) == 1

    withdraw_contact_consent(type(signer).objects.filter(pk=signer.pk), via="unsubscribe-link")
    assert audience_size(update) == 0

    type(signer).objects.filter(pk=signer.pk).update(contact_consent=True)
    assert audience_size(update) == 1


def test_an_update_goes_only_to_its_own_petitions_signers(petition, plain_home_page, superuser):
    other = plain_home_page.add_child(instance=PetitionPageFactory.build())
    confirmed(other, contact_consent=True)
    mine = confirmed(petition, contact_consent=True)

    assert list(recipients(make_update(petition, superuser))) == [mine]
