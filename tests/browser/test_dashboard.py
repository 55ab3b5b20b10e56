"""Journey 5: campaign staff open the admin home and read the day's signing at a glance.

The demo's signatures are confirmed today (load_demo), so the chart's last bar and the counts show them.
Set UPDATE_SCREENSHOTS=1 to refresh docs/screenshots/dashboard-*.png.
"""

import pytest
from playwright.sync_api import expect

from petitions.models.counts import signing_activity

from .conftest import AXE_SCRIPT, AXE_TAGS, BLOCKING_IMPACTS
from .test_editor_journey import log_in

pytestmark = pytest.mark.browser

PANELS = ["#dashboard-signing-section", "#dashboard-pages-awaiting-review-section"]


def axe_on(page, selectors):
    """axe-core on the dashboard's own panels only (Wagtail's admin around them is Wagtail's to check)."""
    page.add_script_tag(path=AXE_SCRIPT)
    results = page.evaluate(
        """([include, tags]) => axe.run(
            {include: include.map(s => [s])},
            {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']},
        )""",
        [selectors, AXE_TAGS],
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']}"
        for violation in results["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


def test_campaign_staff_read_todays_signing_on_the_admin_home(
    demo_site, open_browser, screenshot, campaign_staff, editor
):
    activity = signing_activity()
    assert activity.confirmed_total > 0

    page = open_browser(phone=False, bypass_csp=True)
    log_in(page, campaign_staff.username)

    signing = page.locator("#dashboard-signing-section")
    expect(signing.get_by_role("heading", name="Signing the open letter")).to_be_visible()
    confirmed = signing.get_by_role("row", name="Confirmed (in the public count)")
    expect(confirmed.get_by_role("cell").last).to_have_text(str(activity.confirmed_total))
    expect(signing.locator(".bar-chart__item")).to_have_count(14)
    expect(signing.locator(".bar-chart__svg").first).to_be_visible()
    screenshot(signing, "dashboard", docs=True)
    signing.get_by_text("The same figures as a table").click()
    expect(signing.locator("details table tr")).to_have_count(15)
    expect(page.locator("#dashboard-pages-awaiting-review-section")).to_contain_text("No pages are waiting")
    assert axe_on(page, PANELS) == []

    editor_page = open_browser(phone=False)
    log_in(editor_page, editor.username)
    expect(editor_page.locator("#dashboard-pages-awaiting-review-section")).to_be_visible()
    expect(editor_page.locator("#dashboard-signing-section")).to_have_count(0)
