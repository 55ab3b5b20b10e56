"""Campaign staff find the report of signatures by source in the Reports menu and read it: axe clean."""

import pytest
from playwright.sync_api import expect

from petitions.signing.signatures import confirm_signature
from tests.petitions.factories import SignatureFactory

from .conftest import axe
from .test_editor_journey import log_in

pytestmark = pytest.mark.browser


def test_staff_read_signatures_by_source_from_the_reports_menu(
    demo_site, open_browser, screenshot, campaign_staff
):
    petition = demo_site["petition"]
    for _ in range(2):
        confirm_signature(SignatureFactory(petition=petition, source="partner-barnardos").pk)
    SignatureFactory(petition=petition, source="whatsapp-share")

    staff = open_browser(phone=False)
    log_in(staff, campaign_staff.username)
    staff.get_by_role("button", name="Reports").click()
    staff.get_by_role("link", name="Signatures by source").click()

    expect(staff.get_by_role("heading", level=1)).to_have_text("Signatures by source")
    totals = staff.get_by_role("table").first
    expect(totals.get_by_role("row", name="partner-barnardos 2 0 2")).to_be_visible()
    expect(totals.get_by_role("row", name="whatsapp-share 0 1 1")).to_be_visible()
    screenshot(staff, "signatures-by-source")
    assert axe(staff) == []
