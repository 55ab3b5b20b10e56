"""Deleting pages in the admin never takes signatures with it, one page at a time or in bulk."""

import pytest
from django.urls import reverse
from wagtail.models import Page

from petitions.models import PetitionPage, Signature

from .factories import PetitionPageFactory, SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def section(plain_home_page):
    """A plain page holding a signed petition and an unsigned one."""
    section = plain_home_page.add_child(instance=Page(title="Campaigns", slug="campaigns"))
    signed = PetitionPageFactory(parent=section, title="Signed letter")
    SignatureFactory(petition=signed, email="ann@example.org")
    PetitionPageFactory(parent=section, title="Unsigned letter")
    return section


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_a_signed_petition_cannot_be_deleted_and_the_editor_is_told_why(superuser_client, section):
    signed = PetitionPage.objects.get(title="Signed letter")

    response = superuser_client.post(reverse("wagtailadmin_pages:delete", args=[signed.pk]), follow=True)

    assert PetitionPage.objects.filter(pk=signed.pk).exists()
    assert Signature.objects.count() == 1
    assert any("cannot be deleted: Signed letter" in message for message in messages_of(response))


def test_a_page_above_a_signed_petition_cannot_be_deleted(superuser_client, section):
    response = superuser_client.post(reverse("wagtailadmin_pages:delete", args=[section.pk]), follow=True)

    assert Page.objects.filter(pk=section.pk).exists()
    assert Signature.objects.count() == 1
    assert any("Signed letter" in message for message in messages_of(response))


def test_bulk_deletion_including_a_signed_petition_deletes_nothing(superuser_client, section):
    ids = list(section.get_children().values_list("pk", flat=True))
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "delete"])

    response = superuser_client.post(url + "?" + "&".join(f"id={pk}" for pk in ids), follow=True)

    assert section.get_children().count() == 2
    assert Signature.objects.count() == 1
    assert any("cannot be deleted: Signed letter" in message for message in messages_of(response))


def test_an_unsigned_petition_can_still_be_deleted(superuser_client, section):
    unsigned = PetitionPage.objects.get(title="Unsigned letter")

    superuser_client.post(reverse("wagtailadmin_pages:delete", args=[unsigned.pk]))

    assert not PetitionPage.objects.filter(pk=unsigned.pk).exists()
