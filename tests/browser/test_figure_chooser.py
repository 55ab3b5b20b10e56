"""Journey: an editor builds a widget from a stored figure found with the figure chooser's filters.

In the trial that led to issue 15 the chooser's filters did nothing and a widget titled "Instagram in the
East of England" was saved showing the Facebook figure. Here the editor filters by platform and area,
picks the one row left, saves, and the widget shows the Instagram figure (288 in the FOI data).
"""

import pytest
from playwright.sync_api import expect

from statistics.models import StatisticWidget
from statistics.rendering import render_widget

from .test_editor_journey import log_in

pytestmark = pytest.mark.browser

TITLE = "Instagram in the East of England"
ROW = "East of England, Instagram, 2018/19: 288"


def test_editor_filters_the_figure_chooser_by_platform_and_area_and_the_widget_shows_288(
    demo_site, open_browser, screenshot, editor
):
    page = open_browser(phone=False)
    log_in(page, editor.username)
    page.get_by_role("button", name="Statistics").click()
    page.get_by_role("link", name="Widgets").click()
    page.get_by_role("link", name="Add statistic widget").first.click()
    page.get_by_role("textbox", name="Title").fill(TITLE)
    # Only the fields of the chosen kind are in sight, and they follow a change of kind.
    orientation, label = page.locator("#id_orientation"), page.locator("#id_label")
    expect(orientation).to_be_hidden()
    page.locator("#id_kind").select_option(label="Bar chart")
    expect(orientation).to_be_visible()
    expect(label).to_be_hidden()
    page.locator("#id_kind").select_option(label="Headline figure")
    expect(label).to_be_visible()
    page.get_by_role("textbox", name="Label").fill("offences on Instagram in the East of England in a year")
    page.locator("#id_dataset-chooser").get_by_role("button", name="Choose").click()
    page.get_by_role("dialog").get_by_role("link", name="Wild West Web FOI 2018/19").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    # The form starts with one figure to choose (a widget needs at least one).
    first_figure = page.locator("#id_widget_observations-0-observation-chooser")
    first_figure.get_by_role("button", name="Choose").click()

    dialog = page.get_by_role("dialog")
    rows = dialog.locator("tbody tr")
    expect(rows).to_have_count(9)
    # Each change re-queries the list: no button to press, as Wagtail's own choosers behave.
    dialog.get_by_label("Platform").select_option(label="Instagram")
    expect(rows).to_have_count(1)
    dialog.get_by_label("Area").select_option(label="East of England")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text(ROW)
    screenshot(page, "figure-chooser", docs=True)
    dialog.get_by_role("link", name=ROW).click()
    expect(first_figure.locator("[data-chooser-title]")).to_contain_text(ROW)

    page.get_by_role("button", name="Save").first.click()
    expect(page.locator(".messages")).to_contain_text(TITLE)
    widget = StatisticWidget.objects.get(title=TITLE)
    assert [link.observation.value for link in widget.widget_observations.all()] == [288]
    assert ">288<" in render_widget(widget)
