"""A visitor who came by a partner's link signs without JavaScript: the link's source reaches the signature,
also after a mistake in the form."""

import pytest
from playwright.sync_api import expect

from petitions.models import Signature

pytestmark = pytest.mark.browser


def test_a_partners_link_is_counted_for_the_partner_without_javascript(demo_site, open_browser):
    page = open_browser(phone=True, javascript=False)
    page.goto(demo_site["petition"].url + "?source=partner-barnardos")
    form = page.locator("form.sign-form")

    form.get_by_label("First name", exact=True).fill("Sam")
    form.get_by_label("Last name", exact=True).fill("Okafor")
    form.get_by_label("Email address", exact=True).fill("not an address")
    form.get_by_label("I live outside the UK").check()
    form.get_by_role("button", name="Sign the open letter").click()
    expect(page.locator(".error-summary")).to_contain_text("Enter an email address in the correct format")

    page.locator("form.sign-form").get_by_label("Email address", exact=True).fill("sam.okafor@example.org")
    page.locator("form.sign-form").get_by_role("button", name="Sign the open letter").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert Signature.objects.get(email="sam.okafor@example.org").source == "partner-barnardos"
