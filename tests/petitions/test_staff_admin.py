"""Staff look after signatories in the admin: who may see, export, invalidate and erase, through the
real admin URLs; exports hold exactly the filtered rows, safely; every export and erasure is audited.

Just past ~400 lines: the stories share the listing's fixtures and export helpers here."""

import csv
import io
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageLogEntry

from petitions.models import Signature
from petitions.models.counts import get_counts
from petitions.personal_data.erasure import ERASE_SIGNATURES_ACTION
from petitions.signing.signatures import confirm_signature
from petitions.staff import exports
from petitions.staff.exports import EXPORT_ACTION
from petitions.staff.invalidation import invalidate_signatures

from .factories import PetitionPageFactory, SignatureFactory

LISTING = reverse("signatories:index")
BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def signatures(petition):
    """Ann (confirmed, consents), Bob (confirmed, invalidated), Cy (unconfirmed), a formula (confirmed)."""
    ann = SignatureFactory(
        petition=petition, email="ann@example.org", first_name="Ann", last_name="Able", contact_consent=True
    )
    bob = SignatureFactory(
        petition=petition, email="bob@example.org", first_name="Bob", last_name="Baker", postcode="M1 1AE"
    )
    cy = SignatureFactory(petition=petition, email="cy@example.org", first_name="Cy", last_name="Cole")
    formula = SignatureFactory(
        petition=petition, email="eve@example.org", first_name='=HYPERLINK("http://x")', last_name="-2+3"
    )
    for signature in (ann, bob, formula):
        confirm_signature(signature.pk)
    invalidate_signatures(Signature.objects.filter(pk=bob.pk), "Bot", user=None)
    return {"ann": ann, "bob": bob, "cy": cy, "formula": formula}


def export(client, file_format, **params):
    response = client.get(LISTING, {"export": file_format, **params})
    assert response.status_code == 200, response
    return response


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert {len(row) for row in rows} == {len(rows[0])}
    return rows


def xlsx_rows(response):
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [[cell.value for cell in row] for row in workbook.active.iter_rows()]


# Who may do what


def test_editors_group_holds_no_signatory_permission(db):
    editors = Group.objects.get(name="Editors")
    assert not editors.permissions.filter(
        content_type__app_label="petitions", codename__endswith="_signature"
    )


def test_groups_hold_exactly_their_signatory_permissions(db):
    def codenames(group_name):
        return set(
            Permission.objects.filter(group__name=group_name, codename__endswith="_signature").values_list(
                "codename", flat=True
            )
        )

    assert codenames("Campaign staff") == {"view_signature", "export_signature", "manage_signature"}
    assert codenames("Data protection officer") == {
        "view_signature",
        "export_signature",
        "manage_signature",
        "erase_signature",
    }


def test_editor_sees_no_signatories_menu_and_is_refused_at_every_signatory_url(login, signatures):
    client = login("Editors")
    ann = signatures["ann"]

    dashboard = client.get(reverse("wagtailadmin_home"))
    assert dashboard.status_code == 200
    assert LISTING.encode() not in dashboard.content

    urls = [
        LISTING,
        LISTING + "?export=csv",
        LISTING + "?export=xlsx&profile=addressee",
        reverse("signatories:index_results"),
        reverse("signatories:inspect", args=[ann.pk]),
        reverse("wagtail_bulk_action", args=["petitions", "signature", "erase"]) + f"?id={ann.pk}",
        reverse("wagtail_bulk_action", args=["petitions", "signature", "invalidate"]) + f"?id={ann.pk}",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert b"ann@example.org" not in response.content
        assert not getattr(response, "streaming", False)
    response = client.post(
        reverse("wagtail_bulk_action", args=["petitions", "signature", "erase"]) + f"?id={ann.pk}"
    )
    assert response.status_code in (302, 403)
    assert Signature.objects.filter(pk=ann.pk).exists()
    assert not PageLogEntry.objects.filter(action=EXPORT_ACTION).exists()


def test_campaign_staff_list_search_filter_and_inspect_signatories(login, signatures):
    client = login("Campaign staff")

    dashboard = client.get(reverse("wagtailadmin_home"))
    assert LISTING.encode() in dashboard.content
    listing = client.get(LISTING)
    assert listing.status_code == 200
    assert b"ann@example.org" in listing.content
    counts = listing.context["status_counts"]
    assert counts == {"total": 4, "counted": 2, "unconfirmed": 1, "invalidated": 1}
    assert b"Download CSV: Full (staff use)" in listing.content
    assert b"Download XLSX: For the addressee" in listing.content
    results = client.get(reverse("signatories:index_results"), {"contact_consent": "true"})
    assert results.status_code == 200
    assert results.context["status_counts"]["total"] == 1

    found = client.get(LISTING, {"q": "ann able"})
    assert [s.pk for s in found.context["object_list"]] == [signatures["ann"].pk]
    unconfirmed = client.get(LISTING, {"confirmed": "false"})
    assert [s.pk for s in unconfirmed.context["object_list"]] == [signatures["cy"].pk]
    invalidated = client.get(LISTING, {"status": "invalidated"})
    assert [s.pk for s in invalidated.context["object_list"]] == [signatures["bob"].pk]
    assert invalidated.context["status_counts"]["total"] == 1

    detail = client.get(reverse("signatories:inspect", args=[signatures["ann"].pk]))
    assert detail.status_code == 200
    assert b"ann@example.org" in detail.content
    assert [label for label, _url, _classes in listing.context["bulk_actions"]] == ["Invalidate", "Restore"]
    assert b'data-bulk-action-footer="SIGNATURE"' in listing.content
    assert b"/admin/bulk/petitions/signature/invalidate/" in listing.content
    assert b"/admin/bulk/petitions/signature/erase/" not in listing.content


def test_nobody_adds_edits_or_deletes_signatures_in_the_admin(client, superuser, signatures):
    client.force_login(superuser, backend=BACKEND)
    listing = client.get(LISTING)
    assert listing.status_code == 200
    assert b"/admin/signatories/new/" not in listing.content
    assert client.get("/admin/signatories/new/").status_code == 404
    assert client.get(f"/admin/signatories/edit/{signatures['ann'].pk}/").status_code == 404
    assert client.get(f"/admin/signatories/delete/{signatures['ann'].pk}/").status_code == 404


def test_campaign_staff_cannot_erase(login, signatures):
    client = login("Campaign staff")
    url = (
        reverse("wagtail_bulk_action", args=["petitions", "signature", "erase"])
        + f"?id={signatures['ann'].pk}"
    )

    assert client.get(url).status_code in (302, 403)
    assert client.post(url).status_code in (302, 403)
    assert Signature.objects.filter(pk=signatures["ann"].pk).exists()


def test_viewing_without_export_permission_cannot_export(client, django_user_model, signatures):
    viewer = django_user_model.objects.create_user(username="viewer", password="x" * 20)  # noqa: S106
    viewer.user_permissions.add(
        Permission.objects.get(codename="access_admin"), Permission.objects.get(codename="view_signature")
    )
    client.force_login(viewer, backend=BACKEND)

    listing = client.get(LISTING)
    assert listing.status_code == 200
    assert b"export=csv" not in listing.content
    response = client.get(LISTING, {"export": "csv"})
    assert response.status_code in (302, 403)
    assert not getattr(response, "streaming", False)


def test_campaign_staff_invalidate_and_restore_from_the_listing(login, petition, signatures):
    client = login("Campaign staff")
    ann = signatures["ann"]
    url = reverse("wagtail_bulk_action", args=["petitions", "signature", "invalidate"]) + f"?id={ann.pk}"

    assert client.get(url).status_code == 200
    response = client.post(url, {"category": "duplicate", "reason": "Duplicate person"})
    assert response.status_code == 302
    assert Signature.objects.get(pk=ann.pk).invalidation_reason == "Duplicate person"
    assert get_counts(petition).total == 1

    restore = reverse("wagtail_bulk_action", args=["petitions", "signature", "restore"]) + f"?id={ann.pk}"
    client.post(restore)
    assert Signature.objects.get(pk=ann.pk).invalidated_at is None
    assert get_counts(petition).total == 2


def test_data_protection_officer_erases_from_the_listing_with_audit_entry(login, petition, signatures):
    client = login("Data protection officer")
    ann, cy = signatures["ann"], signatures["cy"]
    url = (
        reverse("wagtail_bulk_action", args=["petitions", "signature", "erase"]) + f"?id={ann.pk}&id={cy.pk}"
    )

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert b"no undo" in confirm.content
    response = client.post(url)

    assert response.status_code == 302
    assert not Signature.objects.filter(pk__in=[ann.pk, cy.pk]).exists()
    assert get_counts(petition).total == 1
    entry = PageLogEntry.objects.get(action=ERASE_SIGNATURES_ACTION)
    assert entry.user.username == "data-protection-officer"
    assert entry.data["count"] == 2
    assert "ann@example.org" not in str(entry.data)


def test_select_all_in_listing_acts_only_on_the_filtered_signatures(login, signatures):
    client = login("Campaign staff")
    url = reverse("wagtail_bulk_action", args=["petitions", "signature", "invalidate"])

    client.post(url + "?id=all&confirmed=false", {"category": "other", "reason": "Never confirmed"})

    assert list(Signature.objects.invalidated().order_by("pk")) == [signatures["bob"], signatures["cy"]]


# Exports


def test_full_csv_export_holds_exactly_the_filtered_rows_with_every_column(login, petition, signatures):
    client = login("Campaign staff")

    response = export(client, "csv", confirmed="true", status="valid")

    assert response.streaming
    assert response["Content-Disposition"].startswith('attachment; filename="signatories-full-')
    header, *rows = csv_rows(response)
    assert header == [
        "Name",
        "Email",
        "Postcode",
        "Region",
        "Petition",
        "Signed at",
        "Confirmed at",
        "Contact consent",
        "Contact consent wording",
        "Status",
        "Source",
    ]
    by_email = {row[1]: row for row in rows}
    assert set(by_email) == {"ann@example.org", "eve@example.org"}
    ann = by_email["ann@example.org"]
    wording = signatures["ann"].contact_consent_wording
    shown_from = timezone.localdate(wording.first_shown_at)
    assert ann[:5] == ["Ann Able", "ann@example.org", "SW1A 1AA", "London", petition.title]
    assert ann[6] and ann[7:] == [
        "yes",
        f"“{wording.text}” (wording shown from {shown_from.day} {shown_from:%b %Y})",
        "Confirmed",
        "",
    ]
    assert wording.version not in ann[8], "words and a date, not a hash"


def test_addressee_export_names_only_counted_signers_who_agreed_to_be_shown(login, signatures, petition):
    # Everyone agrees to be shown but Dee; Bob is invalidated and Cy unconfirmed.
    Signature.objects.exclude(pk=signatures["ann"].pk).update(show_publicly=True)
    dee = SignatureFactory(petition=petition, email="dee@example.org", first_name="Dee", last_name="Dale")
    confirm_signature(dee.pk)
    client = login("Campaign staff")

    rows = csv_rows(export(client, "csv", profile="addressee"))

    assert rows[0] == ["First name", "Region"]
    assert rows[1:] == [['\'=HYPERLINK("http://x")', "London"]]
    # Ann and Dee count but did not agree to be named; no last name or contact detail goes out.
    assert "Ann" not in str(rows) and "Dee" not in str(rows) and "-2+3" not in str(rows)
    assert "@" not in str(rows)


def test_xlsx_export_matches_filters_and_keeps_dates_as_dates(login, signatures):
    client = login("Campaign staff")

    response = export(client, "xlsx", region="north-west")

    header, *rows = xlsx_rows(response)
    assert header[:2] == ["Name", "Email"]
    assert [(row[0], row[1], row[9]) for row in rows] == [("Bob Baker", "bob@example.org", "Invalidated")]
    assert rows[0][5].year == timezone.now().year


def test_formulas_are_neutralised_in_csv_and_xlsx(login, signatures):
    client = login("Campaign staff")
    params = {"q": "eve@example.org"}

    csv_name = csv_rows(export(client, "csv", **params))[1][0]
    workbook = openpyxl.load_workbook(
        io.BytesIO(b"".join(export(client, "xlsx", **params).streaming_content))
    )
    name_cell = workbook.active["A2"]

    assert csv_name == '\'=HYPERLINK("http://x") -2+3'
    assert name_cell.value == '\'=HYPERLINK("http://x") -2+3'
    assert name_cell.data_type == "s"


def test_each_export_is_audited_per_petition_without_personal_data(
    login, plain_home_page, petition, signatures
):
    other = PetitionPageFactory(parent=plain_home_page)
    confirm_signature(SignatureFactory(petition=other, email="dan@example.org", first_name="Dan").pk)
    client = login("Campaign staff")

    export(client, "csv", q="example.org", confirmed="true", region=["london", "north-west"])

    entries = {entry.page_id: entry for entry in PageLogEntry.objects.filter(action=EXPORT_ACTION)}
    assert set(entries) == {petition.pk, other.pk}
    data = entries[petition.pk].data
    assert data["count"] == 3
    assert data["total"] == 4
    assert (data["profile"], data["format"], data["source"]) == ("full", "csv", "admin")
    assert data["filters"] == {
        "confirmed": "true",
        "region": ["london", "north-west"],
        "search": "used (text not recorded)",
    }
    assert entries[petition.pk].user.username == "campaign-staff"
    assert "example.org" not in str(data)
    assert entries[petition.pk].uuid == entries[other.pk].uuid


def test_an_export_that_matches_no_one_is_still_audited(login, plain_home_page, petition, signatures):
    other = PetitionPageFactory(parent=plain_home_page)
    client = login("Campaign staff")

    export(client, "csv", petition=str(other.pk))
    export(client, "csv", q="nobody-signed-with-this")

    by_filter = {
        tuple(entry.data["filters"]): (entry.page_id, entry.data["count"])
        for entry in PageLogEntry.objects.filter(action=EXPORT_ACTION, page_id=other.pk)
    }
    assert by_filter == {("petition",): (other.pk, 0), ("search",): (other.pk, 0)}
    searched_everywhere = PageLogEntry.objects.filter(action=EXPORT_ACTION, data__filters__has_key="search")
    assert {entry.page_id for entry in searched_everywhere} == {petition.pk, other.pk}


def test_export_is_listed_in_site_history_with_a_readable_label(client, superuser, signatures):
    client.force_login(superuser, backend=BACKEND)
    export(client, "csv")

    history = client.get(reverse("wagtailadmin_reports:site_history"))

    assert b"Export signatories" in history.content


def test_xlsx_beyond_the_row_limit_is_refused_with_a_message(login, signatures, monkeypatch):
    monkeypatch.setattr(exports, "ADMIN_XLSX_ROW_LIMIT", 2)
    client = login("Campaign staff")

    response = client.get(LISTING, {"export": "xlsx", "confirmed": "true"}, follow=True)

    assert not getattr(response, "streaming", False)
    assert b"Download CSV instead" in response.content
    assert not PageLogEntry.objects.filter(action=EXPORT_ACTION).exists()


def test_invalid_filters_refuse_the_export_instead_of_exporting_everything(login, signatures):
    client = login("Campaign staff")

    response = client.get(LISTING, {"export": "csv", "signed_from": "not a date"}, follow=True)

    assert not getattr(response, "streaming", False)
    assert b"Invalid filters" in response.content


def test_signed_between_two_dates_includes_both_days(login, petition, signatures):
    old = signatures["cy"]
    Signature.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))
    client = login("Campaign staff")
    day = (timezone.localdate() - timedelta(days=10)).isoformat()

    rows = csv_rows(export(client, "csv", signed_from=day, signed_to=day))

    assert [row[1] for row in rows[1:]] == ["cy@example.org"]


def test_times_are_exported_in_uk_local_time(login, signatures):
    summer_noon_utc = datetime(2026, 7, 1, 11, 0, 0, 400000, tzinfo=UTC)
    Signature.objects.filter(pk=signatures["ann"].pk).update(created_at=summer_noon_utc)
    client = login("Campaign staff")

    csv_row = csv_rows(export(client, "csv", q="ann@example.org"))[1]
    xlsx_row = xlsx_rows(export(client, "xlsx", q="ann@example.org"))[1]

    assert csv_row[5] == "2026-07-01 12:00:00"
    assert xlsx_row[5].replace(microsecond=0) == datetime(2026, 7, 1, 12, 0, 0)


# The listing as staff read it (issue 15, defect 5)


def test_the_section_has_one_name_and_its_downloads_are_labelled_buttons_above_the_results(login, signatures):
    client = login("Campaign staff")

    html = client.get(LISTING, {"region": "london"}).content.decode()
    soup = BeautifulSoup(html, "html.parser")

    assert soup.find("h1").get_text(strip=True) == "Signatories"
    assert "Signatures" not in soup.find("title").get_text()
    assert '"Signatories"' in html, "the sidebar's menu item"
    downloads = soup.find("section", class_="signatories-downloads")
    links = [(a.get_text(" ", strip=True), a["href"]) for a in downloads.find_all("a")]
    assert [label for label, _href in links] == [
        "Download CSV: Full (staff use)",
        "Download XLSX: Full (staff use)",
        "Download CSV: For the addressee (first names and areas)",
        "Download XLSX: For the addressee (first names and areas)",
    ]
    assert all("region=london" in href and "export=" in href for _label, href in links)
    everywhere = [a["href"] for a in soup.find_all("a", href=True) if "export=" in a["href"]]
    assert everywhere == [href for _label, href in links], "no other download link, none in the ⋯ menu"


def test_editors_get_no_download_buttons_from_the_results_either(login, signatures):
    client = login("Editors")

    response = client.get(reverse("signatories:index_results"))

    assert response.status_code in (302, 403)
    assert b"Download CSV" not in response.content


def test_times_are_in_uk_time_with_the_zone_in_the_listing_and_on_a_signature(login, petition):
    winter = SignatureFactory(petition=petition, created_at=datetime(2026, 12, 2, 14, 5, tzinfo=UTC))
    summer = SignatureFactory(petition=petition, created_at=datetime(2026, 7, 1, 9, 30, tzinfo=UTC))
    confirm_signature(summer.pk, now=datetime(2026, 7, 1, 9, 45, tzinfo=UTC))
    client = login("Campaign staff")

    listing = client.get(LISTING).content.decode()
    detail = client.get(reverse("signatories:inspect", args=[summer.pk])).content.decode()

    assert "2 Dec 2026, 14:05 GMT" in listing
    assert "1 Jul 2026, 10:30 BST" in listing
    assert "1 Jul 2026, 10:30 BST" in detail and "1 Jul 2026, 10:45 BST" in detail
    wording = summer.contact_consent_wording
    assert wording.text in detail and wording.version not in detail
    assert f'href="{reverse("signatories:inspect", args=[winter.pk])}"' in listing


def test_the_listing_styles_names_to_break_only_between_words(login, signatures):
    """The browser test (tests/browser/test_staff_journey.py) measures it; this checks the wiring."""
    html = login("Campaign staff").get(LISTING).content.decode()

    assert "petitions/admin/signatories.css" in html
    assert 'class="signatories-name title"' in html
