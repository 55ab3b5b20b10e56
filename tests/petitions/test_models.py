"""The petition page type, the database rules on signatures, the postcode table and the signatory groups."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from petitions.models import PetitionPage
from petitions.regions import AREA_REGIONS, InvalidPostcode, Region, normalise_postcode, region_for_postcode
from tests.campaign.factories import build_site

from .factories import PetitionPageFactory, SignatureFactory


def test_petition_lives_under_campaign_and_home_pages_and_has_no_children():
    assert PetitionPage.parent_page_types == ["campaign.CampaignPage", "campaign.HomePage"]
    assert PetitionPage.allowed_subpage_models() == []


def test_every_editor_facing_field_explains_itself():
    own_fields = [f for f in PetitionPage._meta.get_fields() if f.model is PetitionPage and f.concrete]
    missing = [f.name for f in own_fields if not f.primary_key and not f.help_text]
    assert missing == []


def test_closing_time_must_follow_opening_time(plain_home_page):
    petition = PetitionPageFactory.build(
        opens_at=timezone.now(), closes_at=timezone.now() - timedelta(hours=1)
    )

    with pytest.raises(ValidationError, match="The closing time must be after the opening time."):
        petition.clean()


def test_one_signature_per_email_per_petition_whatever_the_case(petition):
    SignatureFactory(petition=petition, email="jane@example.org")

    with pytest.raises(IntegrityError), transaction.atomic():
        SignatureFactory(petition=petition, email="JANE@example.ORG")


def test_anonymised_signatures_leave_the_one_per_email_rule(petition):
    SignatureFactory(
        petition=petition, email="", first_name="", last_name="", postcode="", anonymised_at=timezone.now()
    )
    SignatureFactory(
        petition=petition, email="", first_name="", last_name="", postcode="", anonymised_at=timezone.now()
    )


def test_an_invalidated_signature_must_have_a_reason(petition):
    with pytest.raises(IntegrityError), transaction.atomic():
        SignatureFactory(petition=petition, email="jane@example.org", invalidated_at=timezone.now())


def test_an_anonymised_signature_keeps_no_name_or_address(petition):
    with pytest.raises(IntegrityError), transaction.atomic():
        SignatureFactory(petition=petition, email="jane@example.org", anonymised_at=timezone.now())


def test_petition_with_signatures_cannot_be_deleted_from_the_admin(client, petition, superuser):
    SignatureFactory(petition=petition, email="jane@example.org")
    client.force_login(superuser)

    response = client.post(reverse("wagtailadmin_pages:delete", args=[petition.pk]))

    assert response.status_code == 302
    assert PetitionPage.objects.filter(pk=petition.pk).exists()


@pytest.mark.parametrize(
    ("typed", "normalised", "region"),
    [
        ("sw1a1aa", "SW1A 1AA", Region.LONDON),
        (" m1  1ae ", "M1 1AE", Region.NORTH_WEST),
        ("EH1 1YZ", "EH1 1YZ", Region.SCOTLAND),
        ("CF10 1EP", "CF10 1EP", Region.WALES),
        ("BT1 5GS", "BT1 5GS", Region.NORTHERN_IRELAND),
        ("CH7 1AA", "CH7 1AA", Region.WALES),
        ("CH1 1AA", "CH1 1AA", Region.NORTH_WEST),
        ("EN1 1AA", "EN1 1AA", Region.LONDON),
        ("EN8 1AA", "EN8 1AA", Region.EAST),
        ("TD15 1AA", "TD15 1AA", Region.NORTH_EAST),
        ("JE2 3AB", "JE2 3AB", Region.CROWN_DEPENDENCIES),
    ],
)
def test_postcodes_are_normalised_and_placed_in_their_region(typed, normalised, region):
    assert normalise_postcode(typed) == normalised
    assert region_for_postcode(typed) == region


@pytest.mark.parametrize("typed", ["", "SW1A", "QQ1 1AA", "SW1A 1CA", "12345", "SW1A 1AA X"])
def test_things_that_are_not_uk_postcodes_are_refused(typed):
    with pytest.raises(InvalidPostcode):
        normalise_postcode(typed)


def test_every_postcode_area_has_a_region():
    assert len(AREA_REGIONS) == 124
    assert set(AREA_REGIONS.values()) == set(Region) - {Region.OUTSIDE_UK}


WEBHOOK_PERMISSIONS = {
    "view_webhookendpoint",
    "add_webhookendpoint",
    "change_webhookendpoint",
    "delete_webhookendpoint",
    "view_webhookdelivery",
}
PARTNER_SITE_PERMISSIONS = {
    "view_embedpartner",
    "add_embedpartner",
    "change_embedpartner",
    "delete_embedpartner",
}


def test_groups_hold_exactly_their_petitions_permissions(db):
    def signature_permissions(name):
        group = Group.objects.get(name=name)
        return set(
            group.permissions.filter(content_type__app_label="petitions").values_list("codename", flat=True)
        )

    assert signature_permissions("Campaign staff") == {
        "view_signature",
        "export_signature",
        "manage_signature",
        "view_petitionupdate",
        "add_petitionupdate",
        "change_petitionupdate",
        "send_petitionupdate",
        *WEBHOOK_PERMISSIONS,
        *PARTNER_SITE_PERMISSIONS,
    }
    assert signature_permissions("Data protection officer") == {
        "view_signature",
        "export_signature",
        "manage_signature",
        "erase_signature",
        *WEBHOOK_PERMISSIONS,
        *PARTNER_SITE_PERMISSIONS,
    }
    assert signature_permissions("Editors") == set()
    assert signature_permissions("Moderators") == set()
    for name in ["Campaign staff", "Data protection officer"]:
        assert Group.objects.get(name=name).permissions.filter(codename="access_admin").exists()


def test_editor_creates_and_publishes_a_petition_under_the_home_page(client, db, superuser):
    home = build_site()
    client.force_login(superuser)
    data = nested_form_data(
        {
            "title": "Open letter to Facebook",
            "slug": "open-letter",
            "addressee": "Mark Zuckerberg",
            "letter": rich_text("<p>Dear Mark, keep children safe.</p>"),
            "asks": streamfield([("ask", "Do not encrypt children's messages.")]),
            "outcome_timeline": streamfield([]),
            "target": 50_000,
            "thank_you_message": rich_text("<p>Thank you.</p>"),
            "share_text": "I signed.",
            "share_email_subject": "Sign it with me",
            "confirmation_required": "on",
            "contact_consent_wording": "Email me about the campaign.",
            "show_publicly_wording": "Show my first name and area.",
            "action-publish": "publish",
        }
    )

    response = client.post(
        reverse("wagtailadmin_pages:add", args=["petitions", "petitionpage", home.pk]), data
    )

    assert response.status_code == 302
    petition = PetitionPage.objects.get(slug="open-letter")
    assert petition.live
    assert [ask.value for ask in petition.asks] == ["Do not encrypt children's messages."]
    assert PetitionPage.can_create_at(home)
    assert not PetitionPage.can_create_at(petition)
