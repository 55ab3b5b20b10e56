"""The signing history as open data (history.csv and .json), the chart on the petition page, and the
integrity report, each after signing, invalidation, erasure and anonymisation."""

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageViewRestriction

from petitions.mail.confirmation import make_confirmation_token
from petitions.models import InvalidationCategory, Signature, SignatureHourCount
from petitions.models.counts import get_counts, recount_signatures
from petitions.personal_data.erasure import erase_signatory, erase_signatures
from petitions.signing.signatures import confirm_signature
from petitions.staff.invalidation import invalidate_signatures, restore_signatures
from tests.html import soup, text

from .conftest import press_confirm, sign
from .factories import PetitionPageFactory, SignatureFactory

PASSWORD = "open sesame"  # noqa: S105 - a test page's password
NINE = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)
TEN = datetime(2026, 11, 30, 10, 40, tzinfo=UTC)


def confirmed(petition, postcode="SW1A 1AA", at=NINE, **kwargs):
    signature = SignatureFactory(
        petition=petition, postcode=postcode, created_at=at - timedelta(minutes=5), **kwargs
    )
    confirm_signature(signature.pk, now=at)
    return Signature.objects.get(pk=signature.pk)


def history_rows(client, petition):
    response = client.get(reverse("petitions:history_csv", args=[petition.pk]))
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def history_json(client, petition):
    response = client.get(reverse("petitions:history_json", args=[petition.pk]))
    assert response.status_code == 200
    return json.loads(response.content)


def as_tuples(rows):
    return [(row["hour_start_utc"], row["region_code"], int(row["confirmed_signatures"])) for row in rows]


def test_history_counts_confirmations_by_hour_and_region_signed_through_the_views(client, petition):
    sign(client, petition, email="one@example.org", postcode="SW1A 1AA")
    sign(client, petition, email="two@example.org", postcode="M1 1AE")
    sign(client, petition, email="unconfirmed@example.org", postcode="M1 1AE")
    for email in ("one@example.org", "two@example.org"):
        signature = Signature.objects.get(email=email)
        press_confirm(client, reverse("petitions:confirm", args=[make_confirmation_token(signature.pk)]))

    rows = as_tuples(history_rows(client, petition))

    hour = timezone.now().astimezone(UTC).strftime("%Y-%m-%dT%H:00:00Z")
    assert sorted(rows) == [(hour, "london", 1), (hour, "north-west", 1)]
    assert history_json(client, petition)["total"] == get_counts(petition).total == 2


def test_history_takes_invalidated_and_erased_signatures_off_the_hour_they_were_confirmed(
    client, petition, superuser
):
    kept = confirmed(petition, at=NINE)
    bot = confirmed(petition, at=NINE, email="bot@example.org")
    erased = confirmed(petition, postcode="M1 1AE", at=TEN, email="gone@example.org")
    confirmed(petition, postcode="M1 1AE", at=TEN)

    invalidate_signatures(
        Signature.objects.filter(pk=bot.pk), "Bot", superuser, category=InvalidationCategory.RATE_LIMIT
    )
    erase_signatory(erased.email, superuser)

    assert as_tuples(history_rows(client, petition)) == [
        ("2026-11-30T09:00:00Z", "london", 1),
        ("2026-11-30T10:00:00Z", "north-west", 1),
    ]
    restore_signatures(Signature.objects.filter(pk=bot.pk), superuser)
    assert as_tuples(history_rows(client, petition))[0] == ("2026-11-30T09:00:00Z", "london", 2)
    assert kept.pk


def test_history_files_carry_the_licence_and_open_cleanly(client, petition):
    confirmed(petition)

    response = client.get(reverse("petitions:history_csv", args=[petition.pk]))
    lines = response.content.decode().splitlines()
    data = history_json(client, petition)

    assert lines[0] == "hour_start_utc,region_code,region_name,confirmed_signatures,licence"
    assert "CC BY 4.0" in lines[1] and "https://creativecommons.org/licenses/by/4.0/" in lines[1]
    assert response["Content-Type"].startswith("text/csv")
    assert 'rel="license"' in response["Link"]
    assert data["licence"]["url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert data["hours"] == [
        {
            "hour_start_utc": "2026-11-30T09:00:00Z",
            "region_code": "london",
            "region_name": "London",
            "count": 1,
        }
    ]


def test_history_is_cached_for_a_while_and_forgotten_when_staff_change_signatures(
    client, petition, settings, superuser
):
    settings.PETITION_HISTORY_CACHE_SECONDS = 300
    first = confirmed(petition)
    response = client.get(reverse("petitions:history_json", args=[petition.pk]))
    confirmed(petition, at=TEN)

    cached = history_json(client, petition)
    invalidate_signatures(Signature.objects.filter(pk=first.pk), "Test", superuser)
    after_staff_change = history_json(client, petition)

    assert "max-age=300" in response["Cache-Control"] and "public" in response["Cache-Control"]
    assert cached["total"] == 1
    assert after_staff_change["total"] == 1
    assert after_staff_change["hours"][0]["hour_start_utc"] == "2026-11-30T10:00:00Z"


@pytest.mark.parametrize("suffix", ["history_csv", "history_json"])
def test_history_of_a_private_or_unpublished_petition_is_not_found(client, petition, plain_home_page, suffix):
    confirmed(petition)
    PageViewRestriction.objects.create(
        page=petition, restriction_type=PageViewRestriction.PASSWORD, password=PASSWORD
    )
    draft = PetitionPageFactory(parent=plain_home_page, live=False)

    assert client.get(reverse(f"petitions:{suffix}", args=[petition.pk])).status_code == 404
    assert client.get(reverse(f"petitions:{suffix}", args=[draft.pk])).status_code == 404
    assert client.get(reverse(f"petitions:{suffix}", args=[999_999])).status_code == 404


def test_recount_rebuilds_the_hourly_history(client, petition):
    confirmed(petition, at=NINE)
    confirmed(petition, postcode="M1 1AE", at=TEN)
    SignatureHourCount.objects.all().delete()

    recount_signatures([petition.pk])

    assert as_tuples(history_rows(client, petition)) == [
        ("2026-11-30T09:00:00Z", "london", 1),
        ("2026-11-30T10:00:00Z", "north-west", 1),
    ]


def report_figures(client, petition):
    response = client.get(reverse("petitions:integrity", args=[petition.pk]))
    assert response.status_code == 200
    page = soup(response)
    rows = page.select("table tr")
    return {text(row.th): int(text(row.td).replace(",", "")) for row in rows if row.td}


def test_integrity_report_accounts_for_every_signature_received(
    client, petition, plain_home_page, superuser, settings
):
    sign(client, petition, email="counted@example.org")
    sign(client, petition, email="waiting@example.org")
    sign(client, petition, email="bot1@example.org")
    sign(client, petition, email="bot2@example.org")
    sign(client, petition, email="twin@example.org")
    sign(client, petition, email="erase-me@example.org")
    sign(client, petition, email="staff-erased@example.org")
    sign(client, petition, email="counted@example.org")  # a repeat is not a second signature
    for email in ("counted@example.org", "bot1@example.org", "twin@example.org", "erase-me@example.org"):
        confirm_signature(Signature.objects.get(email=email).pk)
    invalidate_signatures(
        Signature.objects.filter(email__startswith="bot"),
        "Bots",
        superuser,
        category=InvalidationCategory.RATE_LIMIT,
    )
    invalidate_signatures(
        Signature.objects.filter(email="twin@example.org"), "Same person", superuser, category="duplicate"
    )
    erase_signatory("erase-me@example.org", superuser)
    erase_signatures(Signature.objects.filter(email="staff-erased@example.org"), superuser)

    figures = report_figures(client, petition)

    invalidated = [value for key, value in figures.items() if key.startswith("Taken out")]
    assert figures["Signatures received"] == sum(v for k, v in figures.items() if k != "Signatures received")
    assert invalidated == [2, 0, 1, 0]
    assert figures["Signatures received"] == 7
    assert figures["Confirmed, and counted in the total"] == 1
    assert figures["Waiting for the signer to confirm by email"] == 1
    assert figures["Taken out by our staff: too many from one place (rate limit)"] == 2
    assert figures["Taken out by our staff: duplicate of another signature"] == 1
    assert figures["Erased at the signer's request"] == 1
    assert figures["Erased by our staff"] == 1
    assert "erase-me" not in client.get(reverse("petitions:integrity", args=[petition.pk])).content.decode()


def test_integrity_report_counts_expired_and_anonymised_signatures_and_survives_a_recount(
    client, plain_home_page, settings
):
    settings.SIGNATURE_UNCONFIRMED_RETENTION_DAYS = 30
    settings.PETITION_ANONYMISE_AFTER_DAYS = 90
    now = timezone.now()
    petition = PetitionPageFactory(parent=plain_home_page)
    sign(client, petition, email="old@example.org")
    Signature.objects.filter(email="old@example.org").update(created_at=now - timedelta(days=31))
    sign(client, petition, email="kept@example.org")
    confirm_signature(Signature.objects.get(email="kept@example.org").pk)
    sign(client, petition, email="late@example.org")
    call_command("delete_unconfirmed_signatures", verbosity=0)
    type(petition).objects.filter(pk=petition.pk).update(closes_at=now - timedelta(days=91))
    call_command("anonymise_closed_petitions", verbosity=0)
    before = report_figures(client, petition)

    recount_signatures([petition.pk])

    assert before["Signatures received"] == 3
    assert before["Never confirmed, and deleted"] == 2
    assert before["Confirmed, and counted in the total"] == 1
    assert before["Waiting for the signer to confirm by email"] == 0
    assert "1 signatures of this letter have been anonymised" in text(
        soup(client.get(reverse("petitions:integrity", args=[petition.pk])))
    )
    assert report_figures(client, petition) == before


def test_integrity_report_of_a_private_petition_asks_for_the_password_like_its_page(client, petition):
    PageViewRestriction.objects.create(
        page=petition, restriction_type=PageViewRestriction.PASSWORD, password=PASSWORD
    )

    response = client.get(reverse("petitions:integrity", args=[petition.pk]))

    assert response.status_code == 200
    assert "Are these numbers real?" not in response.content.decode()
    assert "no-cache" in response["Cache-Control"] or "private" in response["Cache-Control"]


def test_petition_page_draws_the_days_as_a_chart_with_a_table_and_links_the_record(client, petition):
    confirmed(petition, at=timezone.now() - timedelta(days=1))
    confirmed(petition, at=timezone.now())
    confirmed(petition, at=timezone.now())

    page = soup(client.get(petition.url))

    section = page.select_one("section.petition__history")
    cells = [text(td) for td in section.select("table tbody td")]
    assert cells[-2:] == ["1", "2"]
    assert len(section.select("svg.bar-chart__svg rect")) == 14
    assert section.select_one("svg")["aria-hidden"] == "true"
    assert page.select_one(f'a[href="{reverse("petitions:integrity", args=[petition.pk])}"]')
    assert section.select_one(f'a[href="{reverse("petitions:history_csv", args=[petition.pk])}"]')


def test_the_migration_fills_the_history_record_and_passed_milestones_from_the_signatures(client, petition):
    import importlib

    from django.apps import apps

    from petitions.models import PetitionMilestone, RecordCount

    migration = importlib.import_module("petitions.migrations.0007_history_counters")
    early = timezone.now() - timedelta(days=2)
    Signature.objects.bulk_create(
        SignatureFactory.build(
            petition=petition, email=f"s{n}@example.org", created_at=early, confirmed_at=early
        )
        for n in range(100)
    )
    SignatureFactory(petition=petition, email="late@example.org", confirmed_at=NINE.replace(year=2027))
    SignatureFactory(petition=petition, email="waiting@example.org")
    SignatureFactory(
        petition=petition, email="bot@example.org", invalidated_at=early, invalidation_reason="Bot"
    )
    recount_signatures([petition.pk])
    SignatureHourCount.objects.all().delete()
    RecordCount.objects.all().delete()

    migration.fill(apps, None)

    assert history_json(client, petition)["total"] == 101
    milestone = PetitionMilestone.objects.get()
    assert (milestone.threshold, milestone.reached_at, milestone.notify_status) == (100, early, "not-needed")
    figures = report_figures(client, petition)
    assert figures["Signatures received"] == 103
    assert figures["Waiting for the signer to confirm by email"] == 1
    assert figures["Taken out by our staff: another reason"] == 1
    assert Signature.objects.get(email="bot@example.org").invalidation_category == "other"
