"""The public list of signers is kept whole by the page cache, for as long as the count is."""

from django.urls import reverse
from freezegun import freeze_time

from petitions.signing.signatures import confirm_signature
from tests.petitions.factories import SignatureFactory


def signed_publicly(petition, first_name):
    signature = SignatureFactory(petition=petition, first_name=first_name, show_publicly=True)
    confirm_signature(signature.pk)
    return signature


def test_the_list_is_served_from_the_page_cache_until_the_counts_cache_time_is_up(
    client, petition, page_cache_on, settings
):
    settings.PETITION_COUNT_CACHE_SECONDS = 5
    url = reverse("petitions:signers", args=[petition.pk])
    signed_publicly(petition, "Ada")

    with freeze_time("2026-12-03 09:00:00") as clock:
        first = client.get(url)
        signed_publicly(petition, "Zelda")
        clock.tick(4)
        within = client.get(url)
        clock.tick(2)
        after = client.get(url)

    assert first["X-Page-Cache"] == "MISS"
    assert within["X-Page-Cache"] == "HIT"
    assert "Ada" in within.content.decode()
    assert "Zelda" not in within.content.decode()
    assert after["X-Page-Cache"] == "MISS"
    assert "Zelda" in after.content.decode()


def test_later_pages_of_the_list_are_rendered_for_each_view(client, petition, page_cache_on):
    signed_publicly(petition, "Ada")
    url = reverse("petitions:signers", args=[petition.pk])

    answers = [client.get(url, {"before": 10**9}) for _ in range(2)]

    assert [response.status_code for response in answers] == [200, 200]
    assert all("X-Page-Cache" not in response for response in answers)
    assert all("Ada" in response.content.decode() for response in answers)


def test_no_count_cache_time_keeps_no_copy_of_the_list(client, petition, page_cache_on, settings):
    settings.PETITION_COUNT_CACHE_SECONDS = 0
    url = reverse("petitions:signers", args=[petition.pk])

    first = client.get(url)
    signed_publicly(petition, "Zelda")
    second = client.get(url)

    assert "X-Page-Cache" not in first
    assert "X-Page-Cache" not in second
    assert "Zelda" in second.content.decode()
