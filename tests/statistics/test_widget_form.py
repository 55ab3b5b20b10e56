"""The widget editor in plain words: every field explains itself with an example, and only the fields
that apply to the widget's kind are in sight (in the page as served, so without JavaScript too)."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from statistics.choices import WIDGET_KIND_FIELDS, WidgetKind
from statistics.models import StatisticWidget, StatisticWidgetObservation

pytestmark = pytest.mark.django_db

EDITED_FIELDS = ["title", "kind", "dataset", "calculation", "label", "rounding", "whole", "orientation"]
EDITED_FIELDS += ["sort_order", "note"]


@pytest.mark.parametrize("name", EDITED_FIELDS)
def test_every_widget_field_has_help_with_an_example(name):
    help_text = str(StatisticWidget._meta.get_field(name).help_text)

    assert "e.g." in help_text, help_text


def test_the_chosen_figure_field_has_help_with_an_example():
    assert "e.g." in str(StatisticWidgetObservation._meta.get_field("observation").help_text)


def _panels(client, widget):
    page = BeautifulSoup(
        client.get(reverse("wagtailsnippets_statistics_statisticwidget:edit", args=[widget.pk])).content,
        "html.parser",
    )
    return {
        section.select_one("[name]")["name"]: section.has_attr("hidden")
        for section in page.select("[data-widget-kinds]")
    }


@pytest.mark.parametrize(
    "widget_name", ["facebook_apps_per_day", "east_of_england_chart", "east_of_england_table"]
)
def test_only_the_fields_of_the_widgets_kind_are_in_sight(client, editor, demo_widgets, widget_name):
    client.force_login(editor)
    widget = demo_widgets[widget_name]

    hidden = _panels(client, widget)

    assert set(hidden) == set(WIDGET_KIND_FIELDS)
    shown = {name for name, is_hidden in hidden.items() if not is_hidden}
    assert shown == {name for name, kinds in WIDGET_KIND_FIELDS.items() if widget.kind in kinds}


def test_a_bar_chart_shows_its_layout_and_not_the_headline_words(client, editor, demo_widgets):
    client.force_login(editor)

    hidden = _panels(client, demo_widgets["east_of_england_chart"])

    assert demo_widgets["east_of_england_chart"].kind == WidgetKind.BAR_CHART
    assert (hidden["orientation"], hidden["sort_order"]) == (False, False)
    assert (hidden["label"], hidden["calculation"]) == (True, True)


def test_the_editor_page_loads_the_script_that_follows_a_change_of_kind(client, editor, demo_widgets):
    client.force_login(editor)
    widget = demo_widgets["east_of_england_chart"]

    page = client.get(reverse("wagtailsnippets_statistics_statisticwidget:edit", args=[widget.pk]))

    assert "statistics/widget-form.js" in page.content.decode()
