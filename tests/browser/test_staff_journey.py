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
from tests.petitions.factories import SignatureFactory

from .test_editor_journey import log_in

pytestmark = pytest.mark.browser


def download(page, label):
    """Press one of the labelled download buttons above the results (no menu to open first)."""
    link = page.get_by_role("region", name="Download what matches").get_by_role("link", name=label)
    expect(link).to_be_visible()
    with page.expect_download() as started:
        link.click()
    return started.value


# The words of the name cells that the browser laid out across more than one line.
WORDS_BROKEN_ACROSS_LINES = """cells => cells.flatMap(cell => {
    const text = cell.querySelector('[id$="_title"]').firstChild;
    const broken = [];
    // Words between spaces and hyphens: a line may end after a hyphen, never inside a word.
    for (const match of text.textContent.matchAll(/[^\\s-]+/g)) {
        const range = document.createRange();
        range.setStart(text, match.index);
        range.setEnd(text, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()].map(rect => Math.round(rect.top)));
        if (lines.size > 1) broken.push(match[0]);
    }
    return broken;
})"""


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

    long_name = SignatureFactory(
        petition=demo_site["petition"],
        first_name="Maximilianus Bartholomew",
        last_name="Featherstonehaugh-Wolfeschlegelsteinhausen",
        email="maximilianus.featherstonehaugh-wolfeschlegelsteinhausen@example.org",
    )

    staff = open_browser(phone=False)
    log_in(staff, campaign_staff.username)
    staff.get_by_role("link", name="Signatories", exact=True).click()
    expect(staff.get_by_role("heading", level=1)).to_have_text("Signatories")
    expect(staff.locator(f"#signature_{long_name.pk}_title")).to_be_visible()
    for width in (1280, 1024, 800, 375):
        staff.set_viewport_size({"width": width, "height": 800})
        assert staff.locator("td.signatories-name").evaluate_all(WORDS_BROKEN_ACROSS_LINES) == [], width
    # The measurement itself finds a word split across lines, in a column made too narrow to hold it.
    squeeze = staff.add_style_tag(content=".listing td.signatories-name { word-break: break-all; }")
    assert "Wolfeschlegelsteinhausen" in staff.locator("td.signatories-name").evaluate_all(
        WORDS_BROKEN_ACROSS_LINES
    )
    squeeze.evaluate("style => style.remove()")
    staff.set_viewport_size({"width": 1280, "height": 800})
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
