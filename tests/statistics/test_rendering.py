"""Rendered widgets: accessible markup, the cache and everything that clears it, the `widgets_changed`
signal, the notice when data no longer fits a widget, and the query count of a page of widgets."""

import uuid

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail import blocks

from statistics.blocks import StatisticWidgetBlock
from statistics.importers.plan import apply_import, prepare_import
from statistics.models import Area, Dataset, Observation, StatisticWidget
from statistics.rendering import render_widget, render_widgets
from statistics.signals import widgets_changed
from statistics.widget_cache import widgets_changed_after_commit

pytestmark = pytest.mark.django_db


def soup(html):
    return BeautifulSoup(html, "html.parser")


def observation(area, platform):
    return Observation.objects.get(area__name=area, platform__name=platform)


# Markup ----------------------------------------------------------------------------------------


def test_a_chart_has_a_finding_labelled_bars_a_data_table_source_and_download(client, demo_widgets):
    html = soup(render_widget(demo_widgets["east_of_england_chart"]))

    assert html.select_one(".statistic__finding").get_text(strip=True) == (
        "Instagram had the most child sex offences in the East of England: 288."
    )
    items = [
        (item.select_one(".bar-chart__label").get_text(), item.select_one(".bar-chart__value").get_text())
        for item in html.select(".bar-chart__item")
    ]
    assert items == [("Facebook", "162"), ("Instagram", "288"), ("WhatsApp", "32")]
    for svg in html.select("svg"):
        assert (svg["aria-hidden"], svg["focusable"]) == ("true", "false")
    table = html.select_one("details table")
    assert html.select_one("details summary").get_text(strip=True) == "Show the data as a table"
    assert table.caption.get_text(strip=True).startswith("Child abuse image and online child sexual offences")
    assert [th["scope"] for th in table.select("thead th")] == ["col", "col"]
    assert [th.get_text() for th in table.select("tbody th[scope=row]")] == [
        "Facebook",
        "Instagram",
        "WhatsApp",
    ]
    source = html.select_one(".statistic__source").get_text(" ", strip=True)
    assert source.startswith("Source: FOI requests answered by 32 UK police forces (NSPCC), 2018/19.")

    download = client.get(html.select_one(".statistic__source a[download]")["href"])

    assert download.status_code == 200
    lines = download.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 5, "the header and the East of England's four rows"
    assert all(",East of England," in line for line in lines[1:])


def test_bars_are_drawn_to_scale_in_svg(demo_widgets):
    html = soup(render_widget(demo_widgets["east_of_england_chart"]))

    widths = [rect["width"] for rect in html.select("rect.bar-chart__bar")]

    assert widths == ["56.25", "100.0", "11.11"]


def test_a_headline_figure_is_text_with_its_figures_one_click_away(demo_widgets):
    html = soup(render_widget(demo_widgets["whatsapp_share"]))

    assert html.select_one(".statistic__figure").get_text() == "3%"
    assert html.select_one(".statistic__explanation").get_text() == "(299 of 9,259)"
    rows = [[cell.get_text() for cell in row.select("th, td")] for row in html.select("details tbody tr")]
    assert rows[-1] == ["Share", "", "", "", "3%"]
    assert rows[1][:3] == ["Whole: Any known platform", "England and Wales", "2018/19"]


def test_the_block_renders_the_title_at_the_chosen_heading_level(demo_widgets):
    block = StatisticWidgetBlock()
    widget = demo_widgets["known_platform_total"]
    value = block.to_python({"widget": widget.pk, "heading_level": "h3", "width": "wide"})

    html = soup(block.render(value))

    wrapper = html.select_one(".statistic")
    assert "statistic--wide" in wrapper["class"]
    assert wrapper.h3.get_text() == "Offences where police knew the platform"
    assert wrapper.select_one(".statistic__figure").get_text() == "9,259"


def test_a_heading_level_that_is_not_offered_falls_back_to_h2(demo_widgets):
    block = StatisticWidgetBlock()
    value = block.to_python({"widget": demo_widgets["known_platform_total"].pk, "heading_level": "script"})

    html = soup(block.render(value))

    assert html.select_one(".statistic h2") is not None
    assert html.find("script") is None


def test_a_deleted_widget_leaves_nothing_on_the_page(demo_widgets):
    block = StatisticWidgetBlock()
    widget = demo_widgets["known_platform_total"]
    raw = {"widget": widget.pk, "heading_level": "h2", "width": "text"}
    widget.delete()

    assert block.render(block.to_python(raw)).strip() == ""


def block_picker_preview(client, block):
    """The preview the editor's block picker shows of `block`, through the admin's own view."""
    response = client.get(reverse("wagtailadmin_block_preview"), {"id": block.definition_prefix})
    assert response.status_code == 200
    return soup(response.content).select_one(".statistic")


def test_the_block_picker_previews_the_first_widget_editors_made(client, editor, demo_widgets):
    first = min(demo_widgets.values(), key=lambda widget: widget.pk)
    client.force_login(editor)

    preview = block_picker_preview(client, StatisticWidgetBlock())

    assert preview.h2.get_text(strip=True) == first.title
    assert (
        preview.select_one(".statistic__source").get_text(" ", strip=True).startswith("Source: FOI requests")
    )


# The cache -------------------------------------------------------------------------------------


def test_a_rendered_widget_is_served_from_the_cache(demo_widgets, django_assert_num_queries):
    widget = demo_widgets["east_of_england_chart"]
    first = render_widget(widget)

    with django_assert_num_queries(0):
        assert render_widget(widget) == first


def test_a_page_of_cached_widgets_costs_two_cache_round_trips(demo_widgets, counting_cache):
    widgets = list(demo_widgets.values())
    first = render_widgets(widgets)
    counting_cache.round_trips.clear()

    again = render_widgets(widgets)

    assert again == first
    assert counting_cache.round_trips == ["get_many", "get_many"], "the generations, then the HTML"


def test_editing_an_observation_shows_the_new_figure(demo_widgets, committed):
    widget = demo_widgets["east_of_england_chart"]
    assert "288" in render_widget(widget)
    instagram = observation("East of England", "Instagram")
    instagram.value = 301

    with committed():
        instagram.save()

    html = render_widget(widget)
    assert "301" in html and "288" not in html


def test_importing_a_corrected_file_shows_the_new_figure(demo_widgets, reference_csv, committed):
    widget = demo_widgets["east_of_england_total"]
    assert "482" in render_widget(widget)
    measure = b"WhatsApp,Child abuse image and online child sexual offences,"
    corrected = reference_csv.replace(measure + b"32,", measure + b"40,")
    dataset = Dataset.objects.get()
    raw_rows, _plan = prepare_import(dataset, "corrected.csv", corrected)

    with committed():
        apply_import(dataset, raw_rows, file_name="corrected.csv")

    assert "490" in render_widget(widget)


def test_saving_a_widget_shows_its_new_settings(demo_widgets, committed):
    widget = demo_widgets["known_platform_total"]
    render_widget(widget)
    widget.label = "times police knew the platform"

    with committed():
        widget.save()

    assert "times police knew the platform" in render_widget(widget)


def test_changing_the_dataset_source_or_an_area_name_shows_in_widgets(demo_widgets, committed):
    widget = demo_widgets["east_of_england_chart"]
    render_widget(widget)
    dataset = Dataset.objects.get()
    dataset.source = "FOI answers from 32 forces"
    area = Area.objects.get(name="East of England")
    area.name_in_text = "eastern England"

    with committed():
        dataset.save()
        area.save()

    html = render_widget(widget)
    assert "Source: FOI answers from 32 forces" in html
    assert "in eastern England: 288" in html


def test_renaming_an_area_alone_shows_in_widgets(demo_widgets, committed):
    widget = demo_widgets["east_of_england_chart"]
    render_widget(widget)
    area = Area.objects.get(name="East of England")
    area.name_in_text = "eastern England"

    with committed():
        area.save()

    assert "in eastern England: 288" in render_widget(widget)


def test_a_new_area_looks_for_no_widgets_to_clear(demo_widgets, django_capture_on_commit_callbacks):
    # The importer creates one for every new area and period: none has observations yet.
    with django_capture_on_commit_callbacks() as callbacks, CaptureQueriesContext(connection) as queries:
        Area.objects.create(name="Wales", area_type="nation")

    assert callbacks == []
    assert not [query for query in queries if "statistics_observation" in query["sql"]]


def test_widgets_changed_is_sent_after_commit_with_the_affected_widgets(
    demo_widgets, django_capture_on_commit_callbacks
):
    received = []

    def receiver(sender, widget_ids, **kwargs):
        received.append(widget_ids)

    widgets_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks() as callbacks:
            observation("Hertfordshire", "Any platform").save()
        assert received == [], "nothing is sent before the change is committed"
        for callback in callbacks:
            callback()
    finally:
        widgets_changed.disconnect(receiver)

    assert received == [sorted(widget.pk for widget in demo_widgets.values())]


def test_clearing_a_widget_makes_the_next_render_read_the_database(demo_widgets, committed):
    widget = demo_widgets["known_platform_total"]
    render_widget(widget)

    with committed():
        widgets_changed_after_commit([widget.pk])

    with CaptureQueriesContext(connection) as queries:
        render_widget(widget)
    assert len(queries) > 0


def test_a_widget_whose_data_no_longer_fits_shows_a_notice(demo_widgets, committed, caplog):
    widget = demo_widgets["hertfordshire_facebook_apps"]
    part = observation("Hertfordshire", "Facebook, Instagram or WhatsApp")
    part.value = 120

    with committed():
        part.save()

    html = soup(render_widget(widget))
    assert html.select_one(".statistic__unavailable").get_text().startswith("This figure cannot be shown")
    assert f"Statistic widget {widget.pk} cannot be shown" in caplog.text
    assert "more than the whole (94)" in caplog.text


# Query count ------------------------------------------------------------------------------------


def render_page_of_widgets(widgets):
    stream_block = blocks.StreamBlock([("statistic", StatisticWidgetBlock())])
    raw = [
        {"type": "statistic", "id": str(uuid.uuid4()), "value": {"widget": widget.pk, "heading_level": "h2"}}
        for widget in widgets
    ]
    return stream_block.render(stream_block.to_python(raw))


def queries_to_render(widgets):
    with CaptureQueriesContext(connection) as queries:
        html = render_page_of_widgets(widgets)
    return len(queries), html


def test_a_page_with_ten_widgets_needs_no_more_queries_than_a_page_with_one(demo_widgets):
    one = [demo_widgets["whatsapp_share"]]
    ten = [*demo_widgets.values(), demo_widgets["east_of_england_chart"]]
    assert len(ten) == 10

    cold_one, _ = queries_to_render(one)
    cache.clear()
    cold_ten, html = queries_to_render(ten)
    warm_one, _ = queries_to_render(one)
    warm_ten, _ = queries_to_render(ten)

    assert cold_ten == cold_one
    assert warm_ten == warm_one < cold_one
    assert len(soup(html).select(".statistic")) == 10


def test_pages_using_the_block_are_recorded_as_references_to_the_widget(demo_widgets):
    block = StatisticWidgetBlock()
    widget = demo_widgets["east_of_england_chart"]

    references = list(block.extract_references(block.to_python({"widget": widget.pk})))

    assert [(model, object_id) for model, object_id, _path, _content_path in references] == [
        (type(widget), str(widget.pk))
    ]


def test_before_any_widget_exists_the_block_picker_shows_an_example(client, editor):
    client.force_login(editor)

    preview = block_picker_preview(client, StatisticWidgetBlock())

    assert preview.h2.get_text() == "Facebook apps in the East of England (example)"
    assert preview.select_one(".statistic__finding").get_text().startswith("Instagram had the most")
    assert [item.get_text() for item in preview.select(".bar-chart__value")] == ["162", "288", "32"]
    assert not StatisticWidget.objects.exists()


def test_a_widget_has_one_quiet_source_line_with_the_links_a_click_away(demo_widgets):
    html = soup(render_widget(demo_widgets["facebook_apps_total"]))

    [source] = html.select(".statistic__source")
    assert source.name == "details"
    assert source.summary.get_text(strip=True) == (
        "Source: FOI requests answered by 32 UK police forces (NSPCC), 2018/19."
    )
    assert not source.summary.select("a")
    assert [link.get_text() for link in source.select("a")] == [
        "Download the data (CSV)",
        "About this data, how it was collected and its licence",
    ]


def test_more_than_is_set_apart_from_the_number_that_never_breaks(demo_widgets):
    figure = soup(render_widget(demo_widgets["facebook_apps_total"])).select_one(".statistic__figure")

    assert figure.select_one(".statistic__qualifier").get_text() == "more than"
    assert figure.select_one(".statistic__number").get_text() == "4,000"
    assert figure.get_text() == "more than 4,000"
