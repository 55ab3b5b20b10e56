"""Journey 3: a visitor on a phone reads the campaign, signs the open letter and confirms by email.

The site's own scripts run under its real Content Security Policy here (no bypass), so the error
summary taking focus also proves that the policy lets the site's JavaScript work.
"""

import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def run_mail_worker():
    """The real django-tasks database worker, until the queue is empty."""
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)


def confirmation_path(message):
    return urlparse(re.search(r"https?://\S+/petitions/confirm/\S+/", message.body).group(0)).path


def public_count(page):
    return int(page.locator("[data-petition-count]").first.inner_text().replace(",", ""))


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_visitor_on_a_phone_signs_the_open_letter_and_confirms_by_email(
    demo_site, open_browser, screenshot, javascript
):
    page = open_browser(phone=True, javascript=javascript)
    page.goto(demo_site["petition"].url)
    count_before = public_count(page)

    page.goto(demo_site["campaign"].url)
    expect(page.get_by_role("heading", level=1)).to_have_text(demo_site["campaign"].title)
    screenshot(page, "campaign")
    sign_button = page.get_by_role("button", name="Sign the open letter")
    sign_button.scroll_into_view_if_needed()
    sign_button.click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: "))
    for message in ("Enter your first name", "Enter your last name", "Enter your email address"):
        expect(summary.get_by_role("link", name=message)).to_be_visible()
        expect(page.locator(".error-message", has_text=message)).to_be_visible()
    if javascript:
        expect(summary).to_be_focused()
    screenshot(page, "sign-form-errors")

    page.get_by_label("First name", exact=True).fill("Jane")
    page.get_by_label("Last name", exact=True).fill("Doughty")
    page.get_by_label("Email address", exact=True).fill("jane.doughty@example.org")
    page.get_by_label("Postcode", exact=True).fill("SW1A 1AA")
    page.get_by_role("button", name="Sign the open letter").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    screenshot(page, "check-your-email", docs=not javascript)
    assert mail.outbox == []

    run_mail_worker()

    [message] = mail.outbox
    assert message.to == ["jane.doughty@example.org"]
    page.goto(confirmation_path(message))
    # Opening the link (as a mail scanner does) confirms nothing: the button does.
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your signature")
    screenshot(page, "confirm")
    page.get_by_role("button", name="Confirm my signature").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your signature is confirmed")
    screenshot(page, "thank-you", docs=not javascript)

    page.get_by_role("link", name="Back to the open letter").click()
    expect(page.locator("[data-petition-count]").first).to_have_text(f"{count_before + 1:,}")
    screenshot(page, "petition")
