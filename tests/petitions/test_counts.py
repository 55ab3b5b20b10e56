"""Public counts: sharded counters, the exact recount, the JSON endpoint, regions and the signers list."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from petitions.models import SignatureCount
from petitions.models.counts import adjust_count, get_counts, recount_signatures
from petitions.signing.signatures import confirm_signature
from tests.html import soup, text

from .factories import SignatureFactory


def confirmed(petition, email, postcode="SW1A 1AA", **fields):
    signature = SignatureFactory(petition=petition, email=email, postcode=postcode, **fields)
    confirm_signature(signature.pk)
    return signature


def test_confirmations_spread_over_shards_and_sum_to_the_count(petition, settings):
    settings.PETITION_COUNT_SHARDS = 4
    for n in range(40):
        confirmed(petition, f"p{n}@example.org")

    rows = SignatureCount.objects.filter(petition=petition)
    assert rows.count() > 1
    assert sum(rows.values_list("count", flat=True)) == 40
    assert set(rows.values_list("shard", flat=True)) <= {0, 1, 2, 3}
    assert get_counts(petition).total == 40


def test_count_by_region_follows_the_postcodes(petition):
    confirmed(petition, "a@example.org", postcode="M1 1AE")
    confirmed(petition, "b@example.org", postcode="L1 8JQ")
    confirmed(petition, "c@example.org", postcode="CF10 1EP")
    confirmed(petition, "d@example.org", postcode="")
    SignatureFactory(petition=petition, email="unconfirmed@example.org", postcode="BT1 5GS")

    counts = get_counts(petition)

    assert counts.total == 4
    assert {code: n for code, _name, n in counts.by_region} == {"north-west": 2, "wales": 1, "outside-uk": 1}
    assert counts.by_region[0] == ("north-west", "North West", 2)


def test_recount_rebuilds_wrong_counters_exactly(petition, plain_home_page):
    for n in range(5):
        confirmed(petition, f"p{n}@example.org")
    SignatureFactory(petition=petition, email="unconfirmed@example.org")
    invalid = confirmed(petition, "bot@example.org")
    invalid.invalidated_at = timezone.now()
    invalid.invalidation_reason = "Bot"
    invalid.save()
    adjust_count(petition.pk, "london", 1000)

    call_command("recount_signatures", verbosity=0)

    assert get_counts(petition).total == 5
    assert SignatureCount.objects.filter(petition=petition).count() == 1
    assert recount_signatures([petition.pk]) == {petition.pk: 5}


def test_count_endpoint_gives_count_target_progress_and_regions(client, petition):
    for n in range(3):
        confirmed(petition, f"p{n}@example.org", postcode="EH1 1YZ")

    response = client.get(reverse("petitions:count", args=[petition.pk]))

    assert response.status_code == 200
    assert "max-age=0" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    assert response.json() == {
        "petition": petition.pk,
        "title": petition.title,
        "count": 3,
        "target": 1000,
        "goal": 100,
        "progress_percent": 0,
        "regions": [{"region": "scotland", "name": "Scotland", "count": 3}],
    }


def test_count_endpoint_is_cacheable_for_the_configured_seconds(client, petition, settings):
    settings.PETITION_COUNT_CACHE_SECONDS = 7

    response = client.get(reverse("petitions:count", args=[petition.pk]))

    assert "max-age=7" in response["Cache-Control"]


def test_count_endpoint_hides_unpublished_petitions(client, petition):
    petition.unpublish()

    assert client.get(reverse("petitions:count", args=[petition.pk])).status_code == 404


def test_petition_page_shows_count_progress_and_regions(client, plain_home_page):
    from .factories import PetitionPageFactory

    petition = PetitionPageFactory(parent=plain_home_page, target=4)
    confirmed(petition, "a@example.org", postcode="NE1 4ST")

    page = soup(client.get(petition.url))

    assert text(page.select_one("[data-petition-count]")) == "1"
    bar = page.select_one("progress.petition-count__bar")
    assert (bar["max"], bar["value"]) == ("4", "1")
    # One of four is within reach of the target, so the target is the goal; no percentage is shown.
    count = text(page.select_one(".petition-count"))
    assert "Help us reach 4, our target." in count
    assert "%" not in count
    regions = page.select(".petition-count__regions tr")
    by_region = {text(row.th): text(row.td) for row in regions if row.th and row.td}
    assert by_region == {"North East": "1"}


def test_count_is_cached_briefly_between_page_views(client, petition, settings):
    settings.PETITION_COUNT_CACHE_SECONDS = 60
    confirmed(petition, "a@example.org")
    client.get(petition.url)
    confirmed(petition, "b@example.org")

    with CaptureQueriesContext(connection) as queries:
        page = soup(client.get(petition.url))

    assert text(page.select_one("[data-petition-count]")) == "1"
    touched = " ".join(q["sql"] for q in queries.captured_queries)
    assert "petitions_signature" not in touched
    assert "petitions_signaturecount" not in touched


def test_page_view_never_counts_the_signature_table(client, petition):
    for n in range(3):
        confirmed(petition, f"p{n}@example.org")

    with CaptureQueriesContext(connection) as queries:
        client.get(petition.url)

    for query in queries.captured_queries:
        sql = query["sql"]
        assert not ('FROM "petitions_signature"' in sql and "COUNT(" in sql), sql


def test_page_query_count_does_not_grow_with_signatures(client, petition):
    confirmed(petition, "first@example.org", show_publicly=True)
    client.get(petition.url)  # Wagtail caches its site lookups on the first view.
    with CaptureQueriesContext(connection) as few:
        client.get(petition.url)
    for n in range(30):
        confirmed(petition, f"p{n}@example.org", show_publicly=True, postcode="G1 1XQ")

    with CaptureQueriesContext(connection) as many:
        client.get(petition.url)

    assert len(many) == len(few)


def test_public_list_shows_first_name_and_area_of_those_who_opted_in(client, petition):
    confirmed(petition, "shown@example.org", first_name="Aisha", last_name="Visible", show_publicly=True)
    confirmed(petition, "hidden@example.org", first_name="Bob", last_name="Private", show_publicly=False)
    SignatureFactory(
        petition=petition, email="unconfirmed@example.org", first_name="Carl", show_publicly=True
    )
    bot = confirmed(petition, "bot@example.org", first_name="Dora", show_publicly=True)
    bot.invalidated_at = timezone.now()
    bot.invalidation_reason = "Bot"
    bot.save()

    html = client.get(reverse("petitions:signers", args=[petition.pk])).content.decode()

    assert "Aisha, London" in html
    for absent in ["Visible", "shown@example.org", "Bob", "Carl", "Dora"]:
        assert absent not in html


def test_public_list_pages_through_older_signers(client, petition):
    for n in range(55):
        confirmed(petition, f"p{n}@example.org", first_name=f"Signer{n:02d}", show_publicly=True)

    first = client.get(reverse("petitions:signers", args=[petition.pk]))
    html = first.content.decode()
    assert "Signer54" in html
    assert "Signer04" not in html
    older = html.split("?before=")[1].split('"')[0]

    second = client.get(reverse("petitions:signers", args=[petition.pk]), {"before": older}).content.decode()

    assert "Signer04" in second
    assert "Signer00" in second
    assert "Signer54" not in second


@pytest.mark.parametrize("before", ["abc", "-1", ""])
def test_public_list_ignores_a_bad_page_marker(client, petition, before):
    response = client.get(reverse("petitions:signers", args=[petition.pk]), {"before": before})

    assert response.status_code == 200
