"""Admin viewsets: the Statistics menu with datasets, figures (observations), areas, platforms, periods,
widgets and the data import."""

from django import forms
from django.urls import path
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    ObjectList,
)
from wagtail.admin.ui.tables import Column, UpdatedAtColumn
from wagtail.admin.viewsets.base import ViewSet
from wagtail.snippets.views.chooser import ChooseResultsView, ChooseView, SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from core.admin_views import CreateWithoutAutosaveView
from statistics.choices import WIDGET_KIND_FIELDS, WidgetKind
from statistics.forms import ObservationChooserFilterForm, StatisticWidgetForm
from statistics.import_views import (
    IMPORT_PERMISSION,
    ObservationPreviewView,
    ObservationUploadView,
    import_file_download,
)
from statistics.models import Area, Dataset, Measure, Observation, Period, Platform, StatisticWidget
from statistics.rendering import widget_findings
from statistics.usage import usage_counts


class DatasetViewSet(SnippetViewSet):
    model = Dataset
    icon = "doc-full"
    menu_label = "Datasets"
    list_display = ["title", "slug", "publisher", "date_published"]
    search_fields = ["title", "source", "publisher"]
    panels = [
        FieldPanel("title"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("source"), FieldPanel("publisher")]),
        FieldPanel("methodology"),
        FieldRowPanel([FieldPanel("licence"), FieldPanel("licence_url")]),
        FieldPanel("date_published"),
    ]


class _ObservationChooseMixin:
    filter_form_class = ObservationChooserFilterForm
    per_page = 25

    def get_object_list(self):
        return Observation.objects.select_related("dataset", "period", "area", "platform")

    @property
    def columns(self):
        # Each row reads as the figure would on a page: where, on what, when, how many; then what was
        # counted and where it comes from, to tell apart figures that share the first four.
        title = self.title_column
        title.label = "Figure"
        title.accessor = lambda observation: observation.reading
        return [
            title,
            Column("measure", label="What was counted"),
            Column("dataset", label="Dataset"),
        ]


class ObservationChooseView(_ObservationChooseMixin, ChooseView):
    pass


class ObservationChooseResultsView(_ObservationChooseMixin, ChooseResultsView):
    pass


class ObservationChooserViewSet(SnippetChooserViewSet):
    choose_view_class = ObservationChooseView
    choose_results_view_class = ObservationChooseResultsView


class KindFieldPanel(FieldPanel):
    """A widget field that applies to some kinds of widget only (`WIDGET_KIND_FIELDS`): hidden, in the
    page as served, for a widget of another kind. Its value is still sent and kept, so changing the kind
    and back loses nothing; statistics/widget-form.js shows and hides it as the kind changes."""

    def __init__(self, field_name, *args, **kwargs):
        kinds = WIDGET_KIND_FIELDS[field_name]
        attrs = {"data-widget-kinds": " ".join(kinds), **kwargs.pop("attrs", {})}
        super().__init__(field_name, *args, attrs=attrs, **kwargs)

    def clone_kwargs(self):
        kwargs = super().clone_kwargs()
        kwargs["attrs"] = {key: value for key, value in self.attrs.items() if key != "data-widget-kinds"}
        return kwargs

    class BoundPanel(FieldPanel.BoundPanel):
        @property
        def attrs(self):
            kind = self.form["kind"].value() or WidgetKind.HEADLINE
            kinds = self.panel.attrs["data-widget-kinds"].split()
            # A field with an error stays in sight, whatever the kind, so the editor can correct it.
            hidden = kind not in kinds and not self.bound_field.errors
            return {**self.panel.attrs, "hidden": hidden}


class _WidgetChooseMixin:
    """Widgets told apart as an editor needs: the kind, what the widget says and how often it is used."""

    def get_object_list(self):
        return StatisticWidget.objects.all()

    def get_results_page(self, request):
        results = super().get_results_page(request)
        widgets = list(results.object_list)
        findings = widget_findings(widgets)
        counts = usage_counts(widgets)
        for widget in widgets:
            widget.chooser_finding = findings[widget.pk]
            widget.chooser_usage = _usage_words(counts[widget.pk])
        results.object_list = widgets
        return results

    @property
    def columns(self):
        return [
            self.title_column,
            Column("kind", label="Kind", accessor="get_kind_display"),
            Column("chooser_finding", label="Shows"),
            Column("chooser_usage", label="Used on"),
        ]


def _usage_words(count):
    return "Not used yet" if count == 0 else f"{count} page{'s' if count != 1 else ''}"


class WidgetChooseView(_WidgetChooseMixin, ChooseView):
    pass


class WidgetChooseResultsView(_WidgetChooseMixin, ChooseResultsView):
    pass


class WidgetChooserViewSet(SnippetChooserViewSet):
    choose_view_class = WidgetChooseView
    choose_results_view_class = WidgetChooseResultsView


class ObservationViewSet(SnippetViewSet):
    model = Observation
    icon = "list-ul"
    menu_label = "Figures"
    chooser_viewset_class = ObservationChooserViewSet
    list_display = [
        "period",
        "area",
        "platform",
        "measure",
        Column("value_text", label="Figure"),
        "dataset",
    ]
    list_filter = ["dataset", "period", "area", "platform", "unit", "qualifier"]
    search_fields = ["measure", "note", "area__name", "platform__name"]
    list_per_page = 50
    panels = [
        FieldPanel("dataset"),
        FieldRowPanel([FieldPanel("period"), FieldPanel("area"), FieldPanel("platform")]),
        FieldPanel("measure"),
        FieldRowPanel([FieldPanel("value"), FieldPanel("unit"), FieldPanel("qualifier")]),
        FieldPanel("note"),
    ]

    def get_queryset(self, request):
        return Observation.objects.select_related("dataset", "period", "area", "platform")


class AreaViewSet(SnippetViewSet):
    model = Area
    icon = "globe"
    menu_label = "Areas"
    list_display = ["name", "area_type", "parent"]
    list_filter = ["area_type"]
    search_fields = ["name"]
    panels = [FieldPanel("name"), FieldPanel("name_in_text"), FieldPanel("area_type"), FieldPanel("parent")]

    def get_queryset(self, request):
        return Area.objects.select_related("parent")


class PlatformViewSet(SnippetViewSet):
    model = Platform
    icon = "site"
    menu_label = "Platforms"
    list_display = ["name", "name_in_text"]
    search_fields = ["name", "name_in_text"]
    panels = [
        FieldPanel("name"),
        FieldPanel("name_in_text"),
        FieldPanel("members", widget=forms.CheckboxSelectMultiple),
    ]


class MeasureViewSet(SnippetViewSet):
    model = Measure
    icon = "tag"
    menu_label = "Measures"
    list_display = ["name", "name_in_text"]
    search_fields = ["name", "name_in_text"]
    panels = [FieldPanel("name"), FieldPanel("name_in_text")]


class PeriodViewSet(SnippetViewSet):
    model = Period
    icon = "calendar"
    menu_label = "Periods"
    list_display = ["label", "start_date", "end_date"]
    search_fields = ["label"]
    panels = [FieldPanel("label"), FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")])]


class StatisticWidgetViewSet(SnippetViewSet):
    model = StatisticWidget
    # A new widget is created by the editor's Save only, never also by an autosave under way.
    add_view_class = CreateWithoutAutosaveView
    icon = "table"
    menu_label = "Widgets"
    chooser_viewset_class = WidgetChooserViewSet
    list_display = ["title", "kind", "dataset", UpdatedAtColumn()]
    list_filter = ["kind", "dataset"]
    edit_handler = ObjectList(
        [
            FieldPanel("title"),
            FieldRowPanel([FieldPanel("kind"), FieldPanel("dataset")]),
            InlinePanel(
                "widget_observations",
                heading="Figures",
                label="Figure",
                min_num=1,
                help_text=(
                    "The stored figures this widget shows or works from, in order, e.g. Facebook, Instagram "
                    "and WhatsApp in the East of England. Numbers cannot be typed in: correct them in the "
                    "data and every widget updates."
                ),
            ),
            *(KindFieldPanel(name) for name in ("calculation", "whole", "label", "rounding")),
            *(KindFieldPanel(name) for name in ("orientation", "sort_order")),
            FieldPanel("note"),
        ],
        base_form_class=StatisticWidgetForm,
    )


class _ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(IMPORT_PERMISSION)


class ObservationImportViewSet(ViewSet):
    """The upload → preview → confirm import, as a menu entry shown only to those allowed to import."""

    name = "statistics_import"
    icon = "upload"
    menu_label = "Import data"

    def get_urlpatterns(self):
        return [
            path("", ObservationUploadView.as_view(), name="upload"),
            path("template.<str:extension>", import_file_download, name="template"),
            path("dataset-<int:dataset_id>.<str:extension>", import_file_download, name="starting_file"),
            path("<str:token>/", ObservationPreviewView.as_view(), name="preview"),
        ]

    def get_menu_item(self, order=None):
        return _ImportMenuItem(
            label=self.menu_label,
            url=self.menu_url,
            name="statistics-import",
            icon_name=self.icon,
            order=self.get_menu_item_order(order),
        )


class StatisticsViewSetGroup(SnippetViewSetGroup):
    menu_label = "Statistics"
    menu_icon = "table"
    menu_order = 300
    items = (
        StatisticWidgetViewSet,
        DatasetViewSet,
        ObservationViewSet,
        ObservationImportViewSet,
        AreaViewSet,
        PlatformViewSet,
        MeasureViewSet,
        PeriodViewSet,
    )
