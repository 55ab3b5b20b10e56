"""Campaign staff write an update to signers, preview it and submit it; a colleague approves it for the
number of signers shown; the worker sends it; a signer follows its unsubscribe link and is not sent the
next one."""

import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

from petitions.models import Audience, PetitionUpdate, UpdateStatus
from petitions.updates.audience import audience_size, recipients
from petitions.updates.sending import start_sending

from .test_editor_journey import log_in

pytestmark = pytest.mark.browser


def run_worker():
    """The real django-tasks database worker, until the queue is empty."""
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)


def unsubscribe_path(message):
    return urlparse(re.search(r"https?://\S+/petitions/unsubscribe/\S+/", message.body).group(0)).path


def test_staff_write_and_approve_an_update_a_signer_gets_it_unsubscribes_and_is_not_sent_the_next(
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
    # Approved to go now: sending has started, and the worker sends it.
    assert (update.status, update.approved_by, update.audience_count) == (
        UpdateStatus.SENDING,
        approver,
        count,
    )
    audience = set(recipients(update).values_list("email", flat=True))
    mail.outbox.clear()
    run_worker()
    update.refresh_from_db()
    assert update.status == UpdateStatus.SENT
    sent = [message for message in mail.outbox if message.subject == "We delivered the letter"]
    assert sorted(address for message in sent for address in message.to) == sorted(audience)

    # A signer opens the unsubscribe link from the mail, as a person (not the one-click POST).
    message = sent[0]
    signer_address = message.to[0]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_path(message) in message.extra_headers["List-Unsubscribe"]
    signer = open_browser(phone=True)
    signer.goto(unsubscribe_path(message))
    expect(signer.get_by_role("heading", level=1)).to_have_text("Stop emails from the campaign")
    signer.get_by_role("button", name="Stop emails").click()
    expect(signer.get_by_role("heading", level=1)).to_have_text(
        "You will get no more emails from the campaign"
    )

    # The next campaign news goes to everyone else, not to them.
    following = PetitionUpdate.objects.create(
        petition=petition,
        audience=Audience.CAMPAIGN_NEWS,
        subject="Facebook replied",
        body="<p>They answered.</p>",
        status=UpdateStatus.APPROVED,
        created_by=writer,
        approved_by=approver,
    )
    start_sending(following.pk)
    mail.outbox.clear()
    run_worker()
    next_sent = {address for message in mail.outbox for address in message.to}
    assert next_sent == audience - {signer_address}
