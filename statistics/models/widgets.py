"""Widgets: figures and charts that editors build from stored observations and place on pages.

A widget never holds a number of its own: it points at observations, so a corrected import shows on
every page at once. Saving a widget clears its cached HTML (see `statistics.widget_cache`).
"""

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel
from wagtail.models import Orderable, PreviewableMixin, RevisionMixin
from wagtail.search import index

from statistics.choices import Calculation, Orientation, Rounding, SortOrder, WidgetKind
from statistics.models.data import Dataset, Observation, attach_measure_words
from statistics.widget_cache import widgets_changed_after_commit
from statistics.widget_html import render_widget_uncached


class StatisticWidget(PreviewableMixin, RevisionMixin, index.Indexed, ClusterableModel):
    title = models.CharField(
        max_length=255,
        help_text="Shown as the widget's heading, e.g. 'Facebook apps in the East of England'.",
    )
    kind = models.CharField(
        "kind of widget",
        max_length=20,
        choices=WidgetKind.choices,
        default=WidgetKind.HEADLINE,
        help_text=(
            "Headline figure: one big number, e.g. '11 a day'. Bar chart: one measure compared across "
            "platforms or areas. Share of a whole: how much of a total each figure is. Comparison "
            "table: figures side by side. Change over periods: the same figure in different years. "
            "The settings below are those that apply to the kind chosen."
        ),
    )
    dataset = models.ForeignKey(
        Dataset,
        on_delete=models.PROTECT,
        related_name="widgets",
        help_text=(
            "The dataset the figures come from, e.g. 'Wild West Web FOI 2018/19'. Its source is shown "
            "under the widget."
        ),
    )
    calculation = models.CharField(
        max_length=20,
        choices=Calculation.choices,
        default=Calculation.VALUE,
        help_text=(
            "How to turn the figures below into one number, e.g. 'Average a day' shows 4,000 offences "
            "in a year as '11 a day'."
        ),
    )
    label = models.CharField(
        max_length=255,
        blank=True,
        help_text=(
            "The words shown after the number, e.g. 'offences on Facebook, Instagram or WhatsApp in a year'."
        ),
    )
    rounding = models.CharField(
        max_length=20,
        choices=Rounding.choices,
        default=Rounding.WHOLE,
        help_text=("How to round calculated figures and percentages, e.g. 'Whole number' shows 10.96 as 11."),
    )
    whole = models.ForeignKey(
        Observation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="widgets_as_whole",
        verbose_name="whole (the total)",
        help_text=(
            "For a share, 'X of Y' or a share bar: the total the figures below are part of, e.g. all "
            "9,259 instances where the platform was known."
        ),
    )
    orientation = models.CharField(
        max_length=20,
        choices=Orientation.choices,
        default=Orientation.HORIZONTAL,
        help_text="Which way the bars run, e.g. horizontal bars leave room for long platform names.",
    )
    sort_order = models.CharField(
        "order of bars and rows",
        max_length=20,
        choices=SortOrder.choices,
        default=SortOrder.LARGEST_FIRST,
        help_text=(
            "The order the figures appear in, e.g. 'Largest first' puts the platform with most offences "
            "on top."
        ),
    )
    note = models.TextField(
        blank=True,
        help_text="Optional remark shown under the widget, e.g. what the figures do not include.",
    )
    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="statistic_widget")

    search_fields = [
        index.SearchField("title"),
        index.AutocompleteField("title"),
        index.FilterField("kind"),
    ]

    class Meta:
        ordering = ["title"]
        verbose_name = "statistic widget"

    def __str__(self):
        return self.title

    @property
    def revisions(self):
        return self._revisions

    def save(self, *args, **kwargs):
        # Cleared here rather than on post_save: a ClusterableModel saves its chosen observations
        # after the post_save signal, and the cache must not be refilled in between.
        super().save(*args, **kwargs)
        widgets_changed_after_commit([self.pk])

    def get_preview_template(self, request, mode_name):
        return "statistics/statistic_widget.html"

    def get_preview_context(self, request, mode_name):
        context = super().get_preview_context(request, mode_name)
        observations = [link.observation for link in self.widget_observations.all() if link.observation_id]
        attach_measure_words([*observations, *([self.whole] if self.whole_id else [])])
        context["widget_html"] = render_widget_uncached(self)
        return context


class StatisticWidgetObservation(Orderable):
    widget = ParentalKey(StatisticWidget, on_delete=models.CASCADE, related_name="widget_observations")
    observation = models.ForeignKey(
        Observation,
        on_delete=models.PROTECT,
        related_name="widget_uses",
        verbose_name="figure",
        help_text=(
            "A stored figure. Filter the list by dataset, period, area or platform to find it, e.g. "
            "Platform: Instagram and Area: East of England."
        ),
    )

    panels = [FieldPanel("observation")]

    class Meta(Orderable.Meta):
        verbose_name = "figure"
