"""Personal data over time: unconfirmed signatures expire, closed petitions are anonymised, erasure."""

import logging
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageLogEntry

from petitions.models import Signature
from petitions.models.counts import get_counts
from petitions.personal_data.erasure import email_reference, erase_signatory
from petitions.signing.signatures import confirm_signature
from tests.html import soup, text

from .factories import PetitionPageFactory, SignatureFactory

DAY = timedelta(days=1)


def days_ago(n):
    return timezone.now() - n * DAY


def test_unconfirmed_signatures_are_deleted_after_the_retention_period(petition, settings):
    settings.SIGNATURE_UNCONFIRMED_RETENTION_DAYS = 30
    SignatureFactory(petition=petition, email="old@example.org", created_at=days_ago(31))
    SignatureFactory(petition=petition, email="recent@example.org", created_at=days_ago(29))
    confirm_signature(
        SignatureFactory(petition=petition, email="confirmed@example.org", created_at=days_ago(90)).pk
    )

    call_command("delete_unconfirmed_signatures", verbosity=0)

    assert sorted(Signature.objects.values_list("email", flat=True)) == [
        "confirmed@example.org",
        "recent@example.org",
    ]
    assert get_counts(petition).total == 1


def test_signatures_of_a_long_closed_petition_are_anonymised_keeping_counts_and_regions(
    plain_home_page, settings
):
    settings.PETITION_ANONYMISE_AFTER_DAYS = 90
    closed = PetitionPageFactory(parent=plain_home_page, closes_at=days_ago(91))
    recently_closed = PetitionPageFactory(parent=plain_home_page, closes_at=days_ago(10))
    for n, postcode in enumerate(["M1 1AE", "EH1 1YZ"]):
        confirm_signature(
            SignatureFactory(
                petition=closed, email=f"p{n}@example.org", postcode=postcode, ip_hash="c" * 64
            ).pk
        )
    SignatureFactory(petition=closed, email="never-confirmed@example.org")
    confirm_signature(SignatureFactory(petition=recently_closed, email="kept@example.org").pk)

    call_command("anonymise_closed_petitions", verbosity=0)

    anonymised = Signature.objects.filter(petition=closed)
    assert anonymised.count() == 2
    for signature in anonymised:
        assert (signature.first_name, signature.last_name, signature.email, signature.postcode) == (
            "",
            "",
            "",
            "",
        )
        assert signature.ip_hash == ""
        assert signature.anonymised_at is not None
    assert sorted(anonymised.values_list("region", flat=True)) == ["north-west", "scotland"]
    assert get_counts(closed).total == 2
    assert Signature.objects.get(petition=recently_closed).email == "kept@example.org"
    entry = PageLogEntry.objects.get(page=closed, action="petitions.anonymise_signatures")
    assert entry.data == {"count": 2}


def test_anonymising_again_changes_nothing(plain_home_page, settings):
    settings.PETITION_ANONYMISE_AFTER_DAYS = 90
    closed = PetitionPageFactory(parent=plain_home_page, closes_at=days_ago(100))
    confirm_signature(SignatureFactory(petition=closed, email="p@example.org").pk)
    call_command("anonymise_closed_petitions", verbosity=0)

    call_command("anonymise_closed_petitions", verbosity=0)

    assert PageLogEntry.objects.filter(page=closed, action="petitions.anonymise_signatures").count() == 1
    assert get_counts(closed).total == 1


def test_erasing_a_person_removes_every_signature_of_theirs_across_petitions(
    petition, plain_home_page, superuser
):
    other = PetitionPageFactory(parent=plain_home_page)
    confirm_signature(SignatureFactory(petition=petition, email="Jane@Example.org").pk)
    SignatureFactory(petition=other, email="jane@example.org")
    confirm_signature(SignatureFactory(petition=petition, email="someone.else@example.org").pk)

    erasure = erase_signatory("JANE@example.org", superuser)

    assert erasure.total == 2
    assert erasure.by_petition == {petition.pk: 1, other.pk: 1}
    assert list(Signature.objects.values_list("email", flat=True)) == ["someone.else@example.org"]
    assert get_counts(petition).total == 1


def test_erasure_is_audited_without_the_address(petition, superuser, caplog):
    caplog.set_level(logging.DEBUG)
    SignatureFactory(petition=petition, email="jane@example.org")

    erase_signatory("jane@example.org", superuser)

    entry = PageLogEntry.objects.get(page=petition, action="petitions.erase_signatory")
    assert entry.user == superuser
    assert entry.data == {"count": 1, "email_hash": email_reference("jane@example.org")}
    assert "jane" not in str(entry.data)
    assert entry.message == "Erased one signatory's data: 1 signatures."
    assert "jane" not in caplog.text


def test_data_protection_officer_erases_after_seeing_how_many(client, petition, data_protection_officer):
    SignatureFactory(petition=petition, email="jane@example.org")
    client.force_login(data_protection_officer)
    url = reverse("petitions_admin:erase")

    preview = client.post(url, {"email": "jane@example.org"})
    assert "1 signatures on 1 petitions use this address." in text(soup(preview))
    assert Signature.objects.count() == 1

    done = client.post(url, {"email": "jane@example.org", "confirm": "1"})

    assert done.status_code == 302
    assert Signature.objects.count() == 0
    assert "jane" not in done.url


def test_erasure_form_explains_a_bad_address(client, data_protection_officer):
    client.force_login(data_protection_officer)

    response = client.post(reverse("petitions_admin:erase"), {"email": "not-an-address"})

    assert "Enter a valid email address." in response.content.decode()


@pytest.mark.parametrize("group", ["Campaign staff", "Editors", "Moderators"])
def test_only_the_data_protection_officer_may_erase(client, petition, make_staff, group):
    SignatureFactory(petition=petition, email="jane@example.org")
    client.force_login(make_staff(group, "someone"))

    response = client.post(reverse("petitions_admin:erase"), {"email": "jane@example.org", "confirm": "1"})

    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_home")
    assert Signature.objects.count() == 1
