"""The visitor's first screen: the ask is in it on every page type, nothing scrolls sideways at 320 px,
and a failed submit without JavaScript shows its errors in it.

Set UPDATE_SCREENSHOTS=1 to refresh the README's first-screen screenshots in docs/screenshots/.
"""

import re

import pytest
from playwright.sync_api import expect

from statistics.models import Dataset

from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

SIGN = re.compile(r"^Sign the open letter")
# The pages that ask: each must show a way to sign in the first screen, on a phone and on a desktop.
ASKING_PAGES = ("home", "campaign", "petition", "article", "standard")
REFLOW_WIDTH = 320


def in_first_screen(locator):
    """Whether the element is visible and wholly inside the window, as the page first shows it."""
    if not locator.is_visible():
        return False
    box = locator.bounding_box()
    viewport = locator.page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]


def sign_calls_to_action(page):
    """Every link or button that asks to sign, and the sign form's first field."""
    return [
        *page.get_by_role("link", name=SIGN).all(),
        *page.get_by_role("button", name=SIGN).all(),
        *page.get_by_label("First name", exact=True).all(),
    ]


@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_every_page_type_asks_visitors_to_sign_in_the_first_screen(
    demo_site, open_browser, screenshot, device
):
    page = open_browser(phone=device == "phone")
    for name in ASKING_PAGES:
        page.goto(demo_site[name].url)
        asks = [element for element in sign_calls_to_action(page) if in_first_screen(element)]
        assert asks, f"{name} at {page.viewport_size['width']} px: no way to sign in the first screen"
        assert sideways_overflow(page) == 0, f"{name} at {page.viewport_size['width']} px scrolls sideways"
        if device == "phone":
            screenshot(page, f"first-screen-{name}", docs=True)


def test_the_count_encourages_with_the_next_milestone_and_never_shows_zero_percent(demo_site, open_browser):
    page = open_browser(phone=True)
    page.goto(demo_site["petition"].url)
    count = page.locator(".petition-count").first
    # The demo's 387 confirmed signatures of a 50,000 target: the next milestone is 500.
    expect(count).to_contain_text("387 people have signed. Help us reach 500.")
    expect(count).not_to_contain_text("%")
    expect(count.locator("progress")).to_have_attribute("max", "500")


def opened_everything(page):
    """Open every <details> on the page (the menu, data tables, regions), as a curious visitor would."""
    page.evaluate("document.querySelectorAll('details').forEach(details => { details.open = true; })")


def sideways_overflow(page):
    """How far the page is wider than the window, in pixels (0: nothing scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_nothing_scrolls_sideways_at_320_px_with_every_table_and_menu_opened(demo_site, open_browser):
    page = open_browser(phone=True)
    page.set_viewport_size({"width": REFLOW_WIDTH, "height": 640})
    dataset = Dataset.objects.order_by("pk").first()
    petition = demo_site["petition"]
    paths = {
        "home": demo_site["home"].url,
        "campaign": demo_site["campaign"].url,
        "petition": petition.url,
        "news index": demo_site["news_index"].url,
        "news article": demo_site["article"].url,
        "standard page": demo_site["standard"].url,
        "data": "/data/",
        "dataset": f"/data/{dataset.slug}/",
        "signers": f"/petitions/{petition.pk}/signers/",
        "check your email": f"/petitions/{petition.pk}/check-your-email/",
        "broken confirmation link": "/petitions/confirm/not-a-token/",
        "search results": "/search/?q=facebook",
        "page not found": "/no-such-page/",
    }
    wide = {}
    for name, path in paths.items():
        page.goto(path)
        opened_everything(page)
        if overflow := sideways_overflow(page):
            wide[name] = overflow
    assert wide == {}, f"pages wider than {REFLOW_WIDTH} px, by pixels: {wide}"


@pytest.mark.parametrize("start", ["petition", "campaign"])
def test_a_failed_submit_without_javascript_shows_the_errors_in_the_first_screen(
    demo_site, new_context, live_server, screenshot, start
):
    context = new_context(**PHONE, base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto(demo_site[start].url)
    page.get_by_label("Email address", exact=True).fill("not an address")
    page.get_by_role("button", name="Sign the open letter").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name="Enter your first name")).to_be_visible()
    # A new page, read from its top: the summary is there without scrolling.
    assert page.evaluate("window.scrollY") == 0
    assert in_first_screen(summary.get_by_role("heading", name="There is a problem"))
    assert in_first_screen(summary.get_by_role("link", name="Enter your first name"))
    screenshot(page, "sign-form-errors-without-javascript", docs=start == "campaign")


def test_the_menu_opens_without_javascript_on_a_phone_and_is_open_on_a_desktop(
    demo_site, new_context, live_server
):
    phone = new_context(**PHONE, base_url=live_server.url, java_script_enabled=False).new_page()
    phone.goto(demo_site["standard"].url)
    navigation = phone.get_by_role("navigation", name="Main")
    expect(navigation).to_be_hidden()
    header = phone.locator(".site-header")
    # The compact header: a small part of the first screen.
    assert header.bounding_box()["height"] <= 80
    phone.locator("summary", has_text="Menu").click()
    expect(navigation.get_by_role("link", name="Open letter")).to_be_visible()
    expect(phone.get_by_role("search", name="Site")).to_be_visible()

    desktop = new_context(**DESKTOP, base_url=live_server.url, java_script_enabled=False).new_page()
    desktop.goto(demo_site["standard"].url)
    expect(
        desktop.get_by_role("navigation", name="Main").get_by_role("link", name="Open letter")
    ).to_be_visible()
    expect(desktop.get_by_role("searchbox", name="Search the site")).to_be_visible()
    assert desktop.locator(".site-header").bounding_box()["height"] <= 80


def test_the_favicon_is_served_not_a_page_not_found(demo_site, open_browser):
    page = open_browser(phone=False)
    response = page.request.get("/favicon.ico")
    assert response.status == 200
    assert response.headers["content-type"] == "image/x-icon"
    page.goto(demo_site["home"].url)
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(icon).status == 200
