"""Campaign staff write an update to signers, preview it and submit it; a colleague approves it for the
number of signers shown. (Sending it and a signer unsubscribing are the sending engine's journey.)"""

import re

import pytest
from playwright.sync_api import expect

from petitions.models import PetitionUpdate, UpdateStatus
from petitions.updates.audience import audience_size

from .test_editor_journey import log_in

pytestmark = pytest.mark.browser


def test_staff_write_preview_and_submit_an_update_and_a_colleague_approves_it(
    demo_site, open_browser, make_staff
):
    writer = make_staff("Campaign staff", "wren.writer")
    approver = make_staff("Campaign staff", "abe.approver")
    petition = demo_site["petition"]

    page = open_browser(phone=False)
    log_in(page, writer.username)
    page.get_by_role("link", name="Updates to signers", exact=True).click()
    page.get_by_role("link", name="Add update to signers").first.click()
    page.get_by_role("combobox", name="Petition").select_option(label=petition.title)
    page.get_by_role("textbox", name="Subject").fill("We delivered the letter")
    # Draftail's editable area: typed into as a person does, so its own state holds the text.
    page.locator("#panel-body-section [contenteditable='true']").click()
    page.keyboard.type("We handed the letter to Facebook today.")
    expect(page.locator("#panel-body-section [contenteditable='true']")).to_contain_text("Facebook today")
    page.keyboard.press("Tab")
    # Draftail writes what was typed into the form's hidden field a moment later.
    expect(page.locator("input[name='body']")).to_have_value(re.compile("Facebook today"))
    page.get_by_role("radio", name="Campaign news").check()
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Check and send")
    update = PetitionUpdate.objects.get()
    count = audience_size(update)
    assert count > 0
    expect(page.get_by_text(f"{count} signers", exact=True)).to_be_visible()

    page.get_by_role("link", name="Preview", exact=True).click()
    frame = page.locator("iframe[title='The update as a formatted email']")
    expect(frame).to_be_visible()
    expect(frame).to_have_attribute("srcdoc", re.compile("We handed the letter to Facebook today."))
    expect(page.locator(".update-preview__text")).to_contain_text("Dear Alex,")
    expect(page.get_by_role("link", name="Back to the update")).to_have_attribute(
        "href", f"/admin/petitions/updates/check/{update.pk}/"
    )
    page.goto(f"/admin/petitions/updates/check/{update.pk}/")
    expect(page.get_by_role("heading", name="Next steps")).to_be_visible()

    page.get_by_role("link", name="Submit for approval").click()
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_text("Waiting for someone else to approve it")).to_be_visible()
    expect(page.get_by_role("link", name="Approve", exact=True)).to_have_count(0)

    colleague = open_browser(phone=False)
    log_in(colleague, approver.username)
    colleague.goto(f"/admin/petitions/updates/check/{update.pk}/")
    colleague.get_by_role("link", name="Approve", exact=True).click()
    colleague.get_by_role("button", name=f"Approve and send to {count} signers").click()
    expect(colleague.get_by_text(f"Approved for {count} signers.")).to_be_visible()

    update.refresh_from_db()
    assert (update.status, update.approved_by, update.audience_count) == (
        UpdateStatus.APPROVED,
        approver,
        count,
    )
