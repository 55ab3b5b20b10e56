"""An import's preview says what its changed figures reach on the site, and its history entry keeps it.

After a trial import the East of England article's widget showed 485 while the article's own words still
said 482: the preview must name each widget that changes, the pages it is on, and the pages whose own
text quotes a figure that is about to change.
"""

import pytest
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import ModelLogEntry

from statistics.importers.plan import IMPORT_ACTION

pytestmark = pytest.mark.django_db

INSTAGRAM_EAST = (
    "2018/19,2018-04-01,2019-03-31,East of England,region,England and Wales,Instagram,"
    "Child abuse image and online child sexual offences,{value},count,,"
)


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


@pytest.fixture
def corrected_file(reference_csv):
    text = reference_csv.decode()
    assert INSTAGRAM_EAST.format(value=288) in text
    return text.replace(INSTAGRAM_EAST.format(value=288), INSTAGRAM_EAST.format(value=291)).encode()


@pytest.fixture
def east_pages(demo_widgets, page_showing):
    total = demo_widgets["east_of_england_total"]
    return {
        "quotes": page_showing(
            total, "Police in the East of England recorded 482 child sex crimes.", title="East article"
        ),
        "silent": page_showing(demo_widgets["east_of_england_chart"], "The chart tells.", title="Chart page"),
    }


def preview(client, dataset, content):
    response = client.post(
        "/admin/statistics_import/", {"dataset": dataset.pk, "file": SimpleUploadedFile("foi.csv", content)}
    )
    assert response.status_code == 302
    return response["Location"], soup(client.get(response["Location"]))


def test_the_preview_lists_every_widget_and_page_a_changed_figure_reaches(
    client, data_staff, demo_dataset, east_pages, corrected_file
):
    client.force_login(data_staff)

    _url, page = preview(client, demo_dataset, corrected_file)

    reach = page.select_one("[aria-labelledby=import-reach-heading]")
    widgets = {
        item.select_one("strong").get_text(strip=True): item.get_text(" ", strip=True)
        for item in reach.select(".import-reach__widget")
    }
    assert set(widgets) == {
        "Child sex offences on Facebook apps in the East of England",
        "Facebook apps in the East of England",
        "Platforms used in the East of England",
    }
    total = widgets["Child sex offences on Facebook apps in the East of England"]
    assert "Says now: 482 child sex crimes" in total
    assert "Will say: 485 child sex crimes" in total
    assert "Shown on 1 page: East article Needs an edit Its own text quotes 482" in total
    chart = widgets["Facebook apps in the East of England"]
    assert "Chart page" in chart
    assert "Needs an edit" not in chart
    assert "Not on any page yet." in widgets["Platforms used in the East of England"]


def test_after_confirming_the_history_entry_keeps_the_same_list(
    client, data_staff, demo_dataset, east_pages, corrected_file
):
    client.force_login(data_staff)
    url, page = preview(client, demo_dataset, corrected_file)

    client.post(url, {"fingerprint": page.select_one("input[name=fingerprint]")["value"]})

    # The demo's own import is the first entry.
    entry = ModelLogEntry.objects.filter(action=IMPORT_ACTION).latest("timestamp")
    by_widget = {item["widget"]: item for item in entry.data["reach"]}
    total = by_widget["Child sex offences on Facebook apps in the East of England"]
    assert total["pages"] == [{"title": "East article", "quotes": ["482"]}]
    assert total["will_say"].startswith("485 ")
    history = client.get(reverse("wagtailsnippets_statistics_dataset:history", args=[demo_dataset.pk]))
    text = soup(history).get_text(" ", strip=True)
    assert "East article (its text quotes 482: edit it)" in text
    assert "on Chart page" in text


def test_a_file_that_only_adds_figures_reaches_no_widget(
    client, data_staff, demo_dataset, east_pages, reference_csv
):
    client.force_login(data_staff)
    added = (
        reference_csv
        + INSTAGRAM_EAST.replace("2018/19", "2019/20")
        .replace("2018-04-01,2019-03-31", "2019-04-01,2020-03-31")
        .format(value=300)
        .encode()
        + b"\n"
    )

    _url, page = preview(client, demo_dataset, added)

    assert page.select_one("[aria-labelledby=import-reach-heading]") is None
