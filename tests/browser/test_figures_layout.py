"""Figures on public pages at desktop width: the home page's cards of even height, and a headline figure
whose number never breaks across lines ("more than 4,000" once took three)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_home_cards_are_even_and_a_large_number_stays_on_one_line(demo_site, open_browser, screenshot):
    page = open_browser(phone=False)
    page.goto(demo_site["home"].url)
    cards = page.locator(".headline-statistics .statistic")
    expect(cards).to_have_count(2)
    heights = {round(card.bounding_box()["height"]) for card in cards.all()}
    assert len(heights) == 1, heights

    page.goto(demo_site["campaign"].url)
    number = page.locator(".statistic__number", has_text="4,000").first
    expect(number).to_be_visible()
    line_height = number.evaluate("element => parseFloat(getComputedStyle(element).lineHeight)")
    assert number.bounding_box()["height"] < 1.5 * line_height
    source = page.locator(".statistic__source").first
    expect(source.get_by_role("link", name="Download the data (CSV)")).to_be_hidden()
    source.locator("summary").click()
    expect(source.get_by_role("link", name="Download the data (CSV)")).to_be_visible()
    screenshot(page, "campaign-figures")
