"""Journey 2: data staff correct a figure by importing a file in the admin; the public page follows.

A corrected copy of the reference file changes one figure: the preview shows that change alone, and
once confirmed the article using the figure shows the new value. A broken file is refused with every
problem listed by row and column, and nothing changes.
"""

import re

import pytest
from playwright.sync_api import expect

from statistics.models import Dataset, Observation

from .conftest import ROOT
from .test_editor_journey import log_in
from .test_visitor_journey import run_mail_worker as run_task_worker

pytestmark = pytest.mark.browser

HERTFORDSHIRE_ROW = (
    '2018/19,2018-04-01,2019-03-31,Hertfordshire,police_force,East of England,"Facebook, Instagram or '
    'WhatsApp",Online child sexual offences,{value},count,,'
)
REFERENCE_FILE = ROOT / "statistics" / "data" / "foi_2018_19.csv"
WIDGET = "Hertfordshire: online child sex offences through Facebook apps"


def reference_csv_with(old_line, new_line):
    text = REFERENCE_FILE.read_text(encoding="utf-8")
    assert old_line in text
    return text.replace(old_line, new_line).encode()


def upload(page, dataset, file_name, content):
    page.get_by_role("button", name="Statistics").click()
    page.get_by_role("link", name="Import data").click()
    page.get_by_label("Dataset").select_option(label=str(dataset))
    page.get_by_label("Data file").set_input_files(
        {"name": file_name, "mimeType": "text/csv", "buffer": content}
    )
    page.get_by_role("button", name="Check the file").click()


def hertfordshire_figure():
    return Observation.objects.get(
        area__name="Hertfordshire", platform__name="Facebook, Instagram or WhatsApp"
    )


def test_data_staff_correct_a_figure_and_the_public_page_shows_it(
    demo_site, open_browser, screenshot, data_staff
):
    dataset = Dataset.objects.get()
    article = demo_site["news_index"].get_children().get(slug__startswith="nearly-500").specific
    visitor = open_browser(phone=True)
    visitor.goto(article.url)
    expect(visitor.locator(".statistic", has_text=WIDGET)).to_contain_text("40 of 94")

    staff = open_browser(phone=False)
    log_in(staff, data_staff.username)
    corrected = reference_csv_with(HERTFORDSHIRE_ROW.format(value=40), HERTFORDSHIRE_ROW.format(value=47))
    upload(staff, dataset, "foi_2018_19_corrected.csv", corrected)

    expect(staff.get_by_role("heading", level=1)).to_have_text("Check and confirm the import")
    expect(staff.locator("main")).to_contain_text("change 1 and leave 8 as they are")
    [change] = staff.locator("table.listing tbody tr").all()
    expect(change).to_contain_text("Hertfordshire")
    expect(change).to_contain_text("40 → 47")
    screenshot(staff, "import-preview")
    assert hertfordshire_figure().value == 40

    staff.get_by_role("button", name="Confirm and import").click()
    expect(staff.locator(".messages")).to_contain_text("1 changed")
    assert hertfordshire_figure().value == 47

    visitor.reload()
    widget = visitor.locator(".statistic", has_text=WIDGET)
    expect(widget).to_contain_text("47 of 94")
    expect(widget).to_contain_text("(50%)")
    screenshot(visitor, "article-with-corrected-figure")

    broken = reference_csv_with(HERTFORDSHIRE_ROW.format(value=40), HERTFORDSHIRE_ROW.format(value=-5))
    broken = broken.replace(b"Hertfordshire,police_force", b"Hertfordshire,county", 1)
    upload(staff, dataset, "foi_2018_19_broken.csv", broken)

    expect(staff.get_by_role("alert")).to_contain_text("Nothing was imported")
    problems = staff.locator("table.import-problems tbody tr")
    expect(problems).to_have_text(
        [
            re.compile(r"^\s*9\s+area_type\s+'county' is not an area type"),
            re.compile(r"^\s*10\s+value\s+-5 is negative"),
        ]
    )
    screenshot(staff, "import-problems")
    assert hertfordshire_figure().value == 47
    visitor.reload()
    expect(visitor.locator(".statistic", has_text=WIDGET)).to_contain_text("47 of 94")


EAST_INSTAGRAM_ROW = (
    "2018/19,2018-04-01,2019-03-31,East of England,region,England and Wales,Instagram,"
    "Child abuse image and online child sexual offences,{value},count,,"
)
EAST_TOTAL = "Child sex offences on Facebook apps in the East of England"


def test_data_staff_see_the_widgets_and_pages_a_change_reaches_before_confirming(
    demo_site, open_browser, screenshot, data_staff
):
    # The demo's pages record their references to widgets in tasks, done by the real worker.
    run_task_worker()
    article = demo_site["news_index"].get_children().get(slug__startswith="nearly-500").specific
    staff = open_browser(phone=False)
    log_in(staff, data_staff.username)
    corrected = reference_csv_with(EAST_INSTAGRAM_ROW.format(value=288), EAST_INSTAGRAM_ROW.format(value=291))
    upload(staff, Dataset.objects.get(), "foi_2018_19_east.csv", corrected)

    reach = staff.get_by_role("region", name="What this changes on the site")
    widget = reach.locator(".import-reach__widget", has_text=EAST_TOTAL)
    expect(widget).to_contain_text("Says now: 482")
    expect(widget).to_contain_text("Will say: 485")
    page = widget.locator(".import-reach__page", has_text=article.title)
    expect(page).to_contain_text("Needs an edit")
    expect(page).to_contain_text("quotes 288, 482")
    screenshot(staff, "import-reach", docs=True)
    assert Observation.objects.get(area__name="East of England", platform__name="Instagram").value == 288

    staff.get_by_role("button", name="Confirm and import").click()
    expect(staff.locator(".messages")).to_contain_text("1 changed")
    assert Observation.objects.get(area__name="East of England", platform__name="Instagram").value == 291
