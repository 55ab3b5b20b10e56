"""The admin's choosers, as an editor uses them: the figure chooser filters live and searches every name a
figure goes by; the widget chooser tells widgets apart by kind, figure and where they are used."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from statistics.forms import ObservationChooserFilterForm
from statistics.models import Area, Platform, StatisticWidget

pytestmark = pytest.mark.django_db

FIGURE_CHOOSER = "wagtailsnippetchoosers_statistics_observation"


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def chosen_rows(client, **query):
    response = client.get(reverse(f"{FIGURE_CHOOSER}:choose_results"), query)
    assert response.status_code == 200
    return [row.select_one("a").get_text(strip=True) for row in soup(response).select("tbody tr")]


def test_every_filter_of_the_figure_chooser_is_one_the_modal_requeries_on(client, editor, demo_dataset):
    client.force_login(editor)

    # The modal's first step comes as JSON holding the HTML.
    page = BeautifulSoup(client.get(reverse(f"{FIGURE_CHOOSER}:choose")).json()["html"], "html.parser")

    for name in ("dataset", "period", "area", "platform"):
        select = page.select_one(f"select[name={name}]")
        assert select is not None, name
        assert select.has_attr("data-chooser-modal-search-filter"), name
    # The modal searches as one types in the field with this id.
    assert page.select_one("input#id_q[name=q]") is not None


def test_filtering_by_platform_and_area_leaves_the_one_figure_reading_as_a_reader_would(
    client, editor, demo_dataset
):
    client.force_login(editor)
    instagram = Platform.objects.get(name="Instagram")
    east = Area.objects.get(name="East of England")

    rows = chosen_rows(client, platform=instagram.pk, area=east.pk)

    assert rows == ["East of England, Instagram, 2018/19: 288"]


@pytest.mark.parametrize(
    "words",
    ["Instagram", "east of england", "2018/19", "sexual offences", "Wild West Web", "three per cent"],
)
def test_the_figure_chooser_searches_every_name_a_figure_goes_by(client, editor, demo_dataset, words):
    client.force_login(editor)

    rows = chosen_rows(client, q=words)

    assert rows, words


def test_several_words_narrow_the_search_each_to_a_name(client, editor, demo_dataset):
    client.force_login(editor)

    assert sorted(chosen_rows(client, q="Instagram East")) == [
        "East of England, Facebook, Instagram or WhatsApp, 2018/19: 482",
        "East of England, Instagram, 2018/19: 288",
    ]
    assert chosen_rows(client, q="WhatsApp Hertfordshire") == [
        "Hertfordshire, Facebook, Instagram or WhatsApp, 2018/19: 40"
    ]
    assert chosen_rows(client, q="Instagram Scotland") == []


def test_an_unknown_filter_value_lists_everything_rather_than_failing(client, editor, demo_dataset):
    client.force_login(editor)

    form = ObservationChooserFilterForm({"area": "not-a-number"})

    assert not form.is_valid()
    assert len(chosen_rows(client, area="not-a-number")) == 9


WIDGET_CHOOSER = "wagtailsnippetchoosers_statistics_statisticwidget"


def test_the_widget_chooser_tells_widgets_apart_by_kind_figure_and_use(client, editor, demo_widgets):
    client.force_login(editor)

    response = client.get(reverse(f"{WIDGET_CHOOSER}:choose_results"))

    page = soup(response)
    headers = [th.get_text(strip=True) for th in page.select("thead th")]
    assert headers[1:] == ["Kind", "Shows", "Used on"]
    rows = {
        row.select_one("a").get_text(strip=True): [td.get_text(" ", strip=True) for td in row.select("td")]
        for row in page.select("tbody tr")
    }
    assert len(rows) == StatisticWidget.objects.count()
    daily = rows["Child sex offences on Facebook apps every day"]
    assert daily[1] == "Headline figure"
    assert daily[2].startswith("11 a day")
    # No page has been made yet.
    assert {cells[3] for cells in rows.values()} == {"Not used yet"}


def test_the_widget_chooser_counts_the_pages_a_widget_is_on(client, editor, demo_widgets, page_showing):
    client.force_login(editor)
    widget = demo_widgets["facebook_apps_total"]
    page_showing(widget)
    page_showing(widget)
    page_showing(demo_widgets["whatsapp_share"])

    response = client.get(reverse(f"{WIDGET_CHOOSER}:choose_results"))

    row = next(row for row in soup(response).select("tbody tr") if row.a.get_text(strip=True) == widget.title)
    assert row.select("td")[3].get_text(strip=True) == "2 pages"
