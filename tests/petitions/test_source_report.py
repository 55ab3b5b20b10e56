"""Staff see where signatures come from: the report by source and day, the export's Source column,
and the source filter of the listing, its downloads and `manage.py export_signatories`."""

import csv
import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import PageLogEntry

from petitions.models import Signature
from petitions.signing.signatures import confirm_signature
from petitions.staff.exports import EXPORT_ACTION
from petitions.staff.invalidation import invalidate_signatures
from petitions.staff.source_report import NO_SOURCE_LABEL, signatures_by_source_and_day

from .factories import PetitionPageFactory, SignatureFactory

REPORT = reverse("petitions_admin:sources")
LISTING = reverse("signatories:index")
UK = ZoneInfo("Europe/London")
DAY_ONE = datetime(2026, 11, 2, 12, 0, tzinfo=UK).date()


def at(day, hour=12):
    return datetime.combine(day, datetime.min.time(), tzinfo=UK) + timedelta(hours=hour)


def signed(petition, source, day, *, confirmed, hour=12, **extra):
    signature = SignatureFactory(petition=petition, source=source, created_at=at(day, hour), **extra)
    if confirmed:
        confirm_signature(signature.pk)
    return signature


@pytest.fixture
def signatures(petition, plain_home_page):
    """Two days on the petition from three sources, an invalidated one, and another petition's."""
    day_two = DAY_ONE + timedelta(days=1)
    signed(petition, "whatsapp-share", DAY_ONE, confirmed=True)
    signed(petition, "whatsapp-share", DAY_ONE, confirmed=True, hour=23)  # 23:00 UK is still day one
    signed(petition, "whatsapp-share", DAY_ONE, confirmed=False)
    signed(petition, "partner-barnardos", day_two, confirmed=True, hour=0)  # just after midnight UK
    signed(petition, "", day_two, confirmed=False, email="ann@example.org", first_name="Ann")
    bot = signed(petition, "partner-barnardos", day_two, confirmed=True)
    invalidate_signatures(Signature.objects.filter(pk=bot.pk), "Bot", user=None)
    other = PetitionPageFactory(parent=plain_home_page)
    signed(other, "whatsapp-share", DAY_ONE, confirmed=True)
    return other


def test_counts_by_source_and_day_confirmed_and_awaiting_apart(petition, signatures):
    with CaptureQueriesContext(connection) as queries:
        report = signatures_by_source_and_day(petition, DAY_ONE, DAY_ONE + timedelta(days=1))

    assert len(queries) == 1, "one GROUP BY query"
    assert [(r.source, r.confirmed, r.awaiting) for r in report.by_source] == [
        ("whatsapp-share", 2, 1),
        ("partner-barnardos", 1, 0),
        ("", 0, 1),
    ]
    assert [(d.day, [(r.source, r.confirmed, r.awaiting) for r in d.sources]) for d in report.by_day] == [
        (DAY_ONE + timedelta(days=1), [("partner-barnardos", 1, 0), ("", 0, 1)]),
        (DAY_ONE, [("whatsapp-share", 2, 1)]),
    ]
    assert (report.confirmed, report.awaiting) == (3, 2)


def test_days_outside_the_range_are_left_out(petition, signatures):
    report = signatures_by_source_and_day(petition, DAY_ONE, DAY_ONE)

    assert [(r.source, r.confirmed, r.awaiting) for r in report.by_source] == [("whatsapp-share", 2, 1)]


def test_campaign_staff_read_the_report_as_plain_tables(login, petition, signatures):
    client = login("Campaign staff")

    response = client.get(
        REPORT,
        {"petition": petition.pk, "signed_from": DAY_ONE.isoformat(), "signed_to": "2026-11-03"},
    )

    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    totals, by_day = page.select("table.listing")
    rows = [[cell.get_text(strip=True) for cell in row.select("th, td")] for row in totals.select("tbody tr")]
    assert rows == [
        ["whatsapp-share", "2", "1", "3"],
        ["partner-barnardos", "1", "0", "1"],
        [NO_SOURCE_LABEL, "0", "1", "1"],
    ]
    assert [cell.get_text(strip=True) for cell in totals.select("tfoot th, tfoot td")] == [
        "All sources",
        "3",
        "2",
        "5",
    ]
    assert [th.get_text(strip=True) for th in by_day.select("th[scope=rowgroup]")] == [
        "Tue 3 Nov 2026",
        "Mon 2 Nov 2026",
    ]
    # Counts only: no one's details.
    assert b"ann@example.org" not in response.content
    assert b"Ann" not in response.content


def test_report_opens_on_the_newest_petition_and_the_last_thirty_days(login, petition):
    SignatureFactory(petition=petition, source="x-share")
    client = login("Campaign staff")

    response = client.get(REPORT)

    assert response.status_code == 200
    page = BeautifulSoup(response.content, "html.parser")
    assert page.select_one("table.listing tbody th").get_text(strip=True) == "x-share"


def test_a_backwards_or_too_long_date_range_is_explained_not_a_500(login, petition):
    client = login("Campaign staff")

    backwards = client.get(
        REPORT, {"petition": petition.pk, "signed_from": "2026-11-05", "signed_to": "2026-11-01"}
    )
    too_long = client.get(
        REPORT, {"petition": petition.pk, "signed_from": "2024-01-01", "signed_to": "2026-01-01"}
    )
    not_a_date = client.get(
        REPORT, {"petition": petition.pk, "signed_from": "soon", "signed_to": "2026-01-01"}
    )

    assert backwards.status_code == too_long.status_code == not_a_date.status_code == 200
    assert b"The last day must be the same as the first day or after it." in backwards.content
    assert b"Choose at most 366 days at a time." in too_long.content
    assert b"Enter a valid date." in not_a_date.content
    assert b'class="listing"' not in backwards.content


def test_staff_who_may_not_see_signatories_get_neither_the_report_nor_its_menu_item(login, petition):
    client = login("Editors")

    assert client.get(REPORT, {"petition": petition.pk}).status_code in (302, 403)
    assert REPORT.encode() not in client.get(reverse("wagtailadmin_home")).content


def test_the_report_is_in_the_reports_menu_for_campaign_staff(login, petition):
    client = login("Campaign staff")

    assert REPORT.encode() in client.get(reverse("wagtailadmin_home")).content


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_full_export_has_a_source_column_and_the_listing_filters_by_source(login, petition, signatures):
    client = login("Campaign staff")

    response = client.get(LISTING, {"export": "csv", "petition": petition.pk, "source": "Partner-Barnardos"})

    header, *rows = csv_rows(response)
    assert header[-1] == "Source"
    assert [row[-1] for row in rows] == ["partner-barnardos", "partner-barnardos"]
    # The export is audited with the source it was filtered by (a code, never a person).
    entry = PageLogEntry.objects.get(action=EXPORT_ACTION, page_id=petition.pk)
    assert entry.data["filters"] == {"petition": str(petition.pk), "source": "partner-barnardos"}
    listing = client.get(LISTING, {"petition": petition.pk, "source": "none"})
    assert b"ann@example.org" in listing.content
    assert not re.search(rb"signer\d+@example.org", listing.content)


def test_a_source_filter_that_is_not_a_code_refuses_the_export(login, petition, signatures):
    client = login("Campaign staff")

    response = client.get(LISTING, {"export": "csv", "source": "http://x.example/"}, follow=True)

    assert not getattr(response, "streaming", False)
    assert b"Enter a source as it appears in the link" in response.content


def run_export(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("export_signatories", *args, stdout=out, stderr=err)
    return list(csv.reader(io.StringIO(out.getvalue().lstrip("\ufeff"))))


def test_export_command_filters_by_source(petition, signatures):
    header, *rows = run_export("--petition", str(petition.pk), "--source", "whatsapp-share")

    assert header[-1] == "Source"
    assert len(rows) == 3
    assert {row[-1] for row in rows} == {"whatsapp-share"}
    _header, *everywhere = run_export("--source", "whatsapp-share")
    assert len(everywhere) == 4
    _header, *without = run_export("--petition", str(petition.pk), "--source", "none")
    assert [row[1] for row in without] == ["ann@example.org"]


def test_export_command_refuses_a_source_that_is_not_a_code(petition, signatures):
    with pytest.raises(CommandError, match="Enter a source as it appears in the link"):
        run_export("--source", "https://partner.example.org/")


def test_a_signatures_detail_shows_its_source(login, petition):
    signature = SignatureFactory(petition=petition, source="partner-barnardos")
    client = login("Campaign staff")

    response = client.get(reverse("signatories:inspect", args=[signature.pk]))

    assert response.status_code == 200
    assert b"partner-barnardos" in response.content
