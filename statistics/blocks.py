"""The StreamField block that puts a statistic widget on a page.

A page's widgets are loaded together (`bulk_to_python`) and their HTML is fetched together on the first
render, so a page with many widgets costs the same few queries as a page with one.
"""

import datetime
from decimal import Decimal

from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock

from core.blocks import HeadingLevel, heading_tag
from statistics.choices import AreaType, SortOrder, Unit, WidgetKind, WidgetWidth
from statistics.models import (
    Area,
    Dataset,
    Observation,
    Period,
    Platform,
    StatisticWidget,
    StatisticWidgetObservation,
)
from statistics.rendering import render_widget, render_widgets
from statistics.widget_html import render_widget_uncached


class _RenderBatch:
    """The widgets of one StreamField, rendered together when the first of them is shown."""

    def __init__(self, widgets):
        self.widgets = widgets
        self._html = None

    def html_for(self, widget):
        if self._html is None:
            self._html = render_widgets(self.widgets)
        return self._html.get(widget.pk, "")


class StatisticWidgetValue(blocks.StructValue):
    render_batch = None

    @property
    def heading_tag(self):
        return heading_tag(self.get("heading_level"))

    @property
    def widget_html(self):
        widget = self.get("widget")
        if widget is None:
            return ""
        if widget.pk is None:
            return render_widget_uncached(widget)
        if self.render_batch is not None:
            return self.render_batch.html_for(widget)
        return render_widget(widget)


def _example_widget():
    """An unsaved bar chart of seed figures, so the block picker shows a statistic before any exists."""

    dataset = Dataset(
        title="Example", slug="example", source="FOI requests to police forces", publisher="NSPCC"
    )
    period = Period(
        label="2018/19", start_date=datetime.date(2018, 4, 1), end_date=datetime.date(2019, 3, 31)
    )
    area = Area(name="East of England", name_in_text="the East of England", area_type=AreaType.REGION)
    figures = {"Facebook": 162, "Instagram": 288, "WhatsApp": 32}
    widget = StatisticWidget(
        title="Facebook apps in the East of England (example)",
        kind=WidgetKind.BAR_CHART,
        dataset=dataset,
        sort_order=SortOrder.AS_LISTED,
    )
    widget.widget_observations = [
        StatisticWidgetObservation(
            sort_order=index,
            observation=Observation(
                dataset=dataset,
                period=period,
                area=area,
                platform=Platform(name=name),
                measure="Child abuse image and online child sexual offences",
                value=Decimal(value),
                unit=Unit.COUNT,
            ),
        )
        for index, (name, value) in enumerate(figures.items())
    ]
    return widget


def _preview_value():
    return {
        "widget": StatisticWidget.objects.order_by("pk").first() or _example_widget(),
        "heading_level": HeadingLevel.H2,
        "width": WidgetWidth.TEXT,
    }


class StatisticWidgetBlock(blocks.StructBlock):
    widget = SnippetChooserBlock(
        "statistics.StatisticWidget",
        label="Widget",
        help_text=(
            "A figure or chart made under Statistics → Widgets. It always shows the current "
            "data, with its source."
        ),
    )
    heading_level = blocks.ChoiceBlock(
        choices=HeadingLevel.choices,
        default=HeadingLevel.H2,
        label="Heading level",
        help_text="The level of the widget's title in the page's outline of headings.",
    )
    width = blocks.ChoiceBlock(
        choices=WidgetWidth.choices,
        default=WidgetWidth.TEXT,
        label="Width",
        help_text="Wide suits charts with many bars or a table with many columns.",
    )

    class Meta:
        label = "Statistic"
        icon = "table"
        template = "statistics/blocks/statistic_widget.html"
        description = "A figure, chart or table from the campaign's data, with its source and a download."
        # Static so that Wagtail calls it without a block instance; evaluated when the picker opens.
        preview_value = staticmethod(_preview_value)
        value_class = StatisticWidgetValue
        form_layout = blocks.BlockGroup(children=["widget"], settings=["heading_level", "width"])

    def bulk_to_python(self, values):
        struct_values = super().bulk_to_python(values)
        batch = _RenderBatch([value["widget"] for value in struct_values if value["widget"] is not None])
        for value in struct_values:
            value.render_batch = batch
        return struct_values
