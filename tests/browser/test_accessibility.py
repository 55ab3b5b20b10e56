"""Accessibility: axe-core on every public page type, and the sign form with the keyboard alone.

Set UPDATE_SCREENSHOTS=1 to refresh the README's screenshots in docs/screenshots/ from this run.
"""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from statistics.models import Dataset

from .conftest import axe
from .test_visitor_journey import confirmation_path, run_mail_worker

pytestmark = pytest.mark.browser

WIDTHS = (375, 1280)


def assert_accessible(page):
    """No serious or critical axe violation, at phone and at desktop width."""
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        problems += [f"{width}px: {problem}" for problem in axe(page)]
    assert problems == []


def test_every_public_page_type_has_no_serious_accessibility_problems(demo_site, open_browser, screenshot):
    page = open_browser(phone=False, bypass_csp=True)
    dataset = Dataset.objects.order_by("pk").first()
    pages = {
        "home": demo_site["home"].url,
        "campaign": demo_site["campaign"].url,
        "news-index": demo_site["news_index"].url,
        "news-article": demo_site["article"].url,
        "standard-page": demo_site["standard"].url,
        "petition": demo_site["petition"].url,
        "data": "/data/",
        "dataset": f"/data/{dataset.slug}/",
        "search-results": "/search/?q=facebook",
        "signers": f"/petitions/{demo_site['petition'].pk}/signers/",
        "check-your-email": f"/petitions/{demo_site['petition'].pk}/check-your-email/",
    }
    for name, url in pages.items():
        response = page.goto(url)
        assert response.status == 200, url
        assert_accessible(page)
        screenshot(page, name)

    page.goto(demo_site["home"].url)
    widget = page.locator(".statistic").first
    expect(widget).to_be_visible()
    screenshot(widget, "widget", docs=True)

    response = page.goto("/no-such-page/")
    assert response.status == 404
    assert_accessible(page)

    response = page.goto("/petitions/confirm/not-a-token/")
    assert response.status == 404
    assert_accessible(page)

    # With the menu open at a phone's width, and every table shown.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(demo_site["home"].url)
    page.evaluate("document.querySelectorAll('details').forEach(details => { details.open = true; })")
    assert axe(page) == []


def test_sign_form_and_its_messages_have_no_serious_accessibility_problems(
    demo_site, open_browser, screenshot
):
    page = open_browser(phone=True, bypass_csp=True)
    page.goto(demo_site["petition"].url)
    page.get_by_role("button", name="Sign the open letter").click()
    expect(page.locator(".error-summary")).to_be_focused()
    assert_accessible(page)

    page.get_by_label("First name", exact=True).fill("Sam")
    page.get_by_label("Last name", exact=True).fill("Okafor")
    page.get_by_label("Email address", exact=True).fill("sam.okafor@example.org")
    page.get_by_label("I live outside the UK").check()
    page.get_by_role("button", name="Sign the open letter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_accessible(page)

    run_mail_worker()
    page.goto(confirmation_path(mail.outbox[0]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your signature")
    assert_accessible(page)
    page.get_by_role("button", name="Confirm my signature").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: your signature is confirmed")
    assert_accessible(page)


def press_tab_until_focused(page, target, limit=80):
    """Tab forward through the page, as a keyboard user would, until `target` has the focus."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{target} was not reached in {limit} presses of Tab")


def test_visitor_signs_with_the_keyboard_alone(demo_site, open_browser, screenshot):
    page = open_browser(phone=False)
    page.goto(demo_site["home"].url)

    press_tab_until_focused(page, page.get_by_role("link", name="Sign the open letter"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(demo_site["petition"].url) + "#sign$"))
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Sign the open letter", exact=True)).to_be_in_viewport()

    page.keyboard.press("Tab")
    expect(page.get_by_label("First name", exact=True)).to_be_focused()
    page.keyboard.type("Ravi")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Last name", exact=True)).to_be_focused()
    page.keyboard.type("Patel")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Email address", exact=True)).to_be_focused()
    page.keyboard.type("ravi.patel@example.org")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Postcode", exact=True)).to_be_focused()
    page.keyboard.type("M1 1AE")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    contact_consent = page.get_by_role("checkbox", name="Yes, I would like to hear")
    expect(contact_consent).to_be_focused()
    page.keyboard.press("Space")
    expect(contact_consent).to_be_checked()
    screenshot(page.locator(".sign-form"), "sign-form", docs=True)

    press_tab_until_focused(page, page.get_by_role("button", name="Sign the open letter"), limit=5)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
