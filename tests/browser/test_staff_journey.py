"""Journey 4: campaign staff filter the signatories and download them; an editor cannot.

The downloads are opened as a spreadsheet user would open them (the CSV as UTF-8 with its byte-order
mark, the XLSX with openpyxl) and must hold exactly the signatures the filters match.
"""

import csv
import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from petitions.models import Signature

from .test_editor_journey import log_in

pytestmark = pytest.mark.browser


def download(page, label):
    page.get_by_role("button", name="Actions").click()
    link = page.get_by_role("link", name=label)
    expect(link).to_be_visible()
    with page.expect_download() as started:
        link.click()
    return started.value


def emails_in_csv(path):
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    return [row["Email"] for row in rows]


def emails_in_xlsx(path):
    sheet = load_workbook(path, read_only=True).active
    rows = sheet.iter_rows(values_only=True)
    email_column = next(rows).index("Email")
    return [row[email_column] for row in rows]


def test_staff_filter_and_download_signatories_and_an_editor_is_refused(
    demo_site, open_browser, screenshot, campaign_staff, editor, tmp_path
):
    matching = Signature.objects.filter(region="london", confirmed_at__isnull=False)
    expected_emails = sorted(matching.values_list("email", flat=True))
    assert 0 < len(expected_emails) < Signature.objects.count()

    staff = open_browser(phone=False)
    log_in(staff, campaign_staff.username)
    staff.get_by_role("link", name="Signatories").click()
    counts = staff.locator("[data-signatory-counts]")
    expect(counts).to_contain_text(f"{Signature.objects.count()} signatures match")
    staff.get_by_role("button", name="Show filters").click()
    staff.get_by_role("button", name="Region").click()
    staff.get_by_label("London", exact=True).check()
    staff.get_by_role("button", name="Back").click()
    staff.get_by_role("button", name="Confirmed by email").click()
    staff.get_by_role("radio", name="Yes").check()
    expect(counts).to_contain_text(f"{len(expected_emails)} signatures match")
    staff.keyboard.press("Escape")
    screenshot(staff, "signatories-filtered")

    csv_file = download(staff, "Download CSV: Full (staff use)")
    csv_file.save_as(tmp_path / "signatories.csv")
    assert sorted(emails_in_csv(tmp_path / "signatories.csv")) == expected_emails

    # The filters live in the address: the reloaded listing matches the same signatures.
    expect(staff).to_have_url(re.compile(r"confirmed=true.*region=london"))
    staff.reload()
    xlsx_file = download(staff, "Download XLSX: Full (staff use)")
    assert xlsx_file.suggested_filename.endswith(".xlsx")
    xlsx_file.save_as(tmp_path / "signatories.xlsx")
    assert sorted(emails_in_xlsx(tmp_path / "signatories.xlsx")) == expected_emails

    editor_page = open_browser(phone=False)
    log_in(editor_page, editor.username)
    expect(editor_page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(editor_page.get_by_role("link", name="Signatories")).to_have_count(0)
    editor_page.goto("/admin/signatories/?export=csv&profile=full&region=london")
    expect(editor_page.locator(".messages")).to_contain_text("permission")
    assert "/admin/signatories/" not in editor_page.url
    screenshot(editor_page, "editor_page-refused")
