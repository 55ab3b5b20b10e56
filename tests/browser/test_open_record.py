"""The petition's history chart and its integrity report in Chromium: there without JavaScript, and
axe-clean at phone and desktop width."""

import pytest

from .test_accessibility import assert_accessible

pytestmark = pytest.mark.browser


def test_the_chart_and_the_integrity_report_work_without_javascript_and_pass_axe(
    demo_site, open_browser, screenshot
):
    petition = demo_site["petition"]
    without_js = open_browser(phone=True, javascript=False)
    without_js.goto(petition.url)
    assert without_js.locator("section.petition__history .bar-chart__item").count() == 14
    without_js.get_by_role("link", name="Are these numbers real?").click()
    assert without_js.locator("h1").inner_text() == "Are these numbers real?"
    assert int(without_js.locator("tfoot td").inner_text().replace(",", "")) > 0

    page = open_browser(phone=False, bypass_csp=True)
    page.goto(petition.url)
    assert_accessible(page)
    screenshot(page.locator("section.petition__history"), "petition-history")
    page.goto(f"/petitions/{petition.pk}/are-these-numbers-real/")
    assert_accessible(page)
    screenshot(page, "integrity-report")
