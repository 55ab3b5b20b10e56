"""Demo content: the Wild West Web FOI dataset and widgets that reproduce every figure of the seed articles.

The words (the dataset's description, the widgets' titles and labels) and which figures each widget
shows are in `demo.toml` beside this file (why TOML: `core.demo_content`); the figures come from the
reference data file it names. Both functions are safe to run again: the dataset is imported through the
real importer (only when the stored data differs from the file), and a widget that already exists (by
title) is left as editors may have changed it. The campaign's `load_demo` command calls them.
"""

from pathlib import Path

from core.demo_content import field_values, read_demo_content
from statistics.choices import Calculation, Orientation, Rounding, SortOrder, WidgetKind
from statistics.importers.plan import apply_import, prepare_import
from statistics.models import (
    Area,
    Dataset,
    Measure,
    Observation,
    Platform,
    StatisticWidget,
    StatisticWidgetObservation,
)

APP_FOLDER = Path(__file__).resolve().parent
DEMO_CONTENT = APP_FOLDER / "demo.toml"
# A widget's settings in the file, by the choices each must be one of.
_WIDGET_CHOICES = {
    "kind": WidgetKind,
    "calculation": Calculation,
    "rounding": Rounding,
    "orientation": Orientation,
    "sort_order": SortOrder,
}
_DATASET_TEXT = ("title", "description", "source", "publisher", "methodology")


def load_demo_dataset(content=None):
    """The demo dataset, with the reference file imported into it."""
    copy = (content or read_demo_content(DEMO_CONTENT))["dataset"]
    dataset, _ = Dataset.objects.get_or_create(
        slug=copy["slug"], defaults=field_values(Dataset, {name: copy[name] for name in _DATASET_TEXT})
    )
    data_file = APP_FOLDER / copy["data_file"]
    raw_rows, plan = prepare_import(dataset, data_file.name, data_file.read_bytes())
    if plan.changes_anything:
        apply_import(dataset, raw_rows, file_name=data_file.name)
    for group_name, member_names in copy["platform_groups"].items():
        Platform.objects.get(name=group_name).members.add(*Platform.objects.filter(name__in=member_names))
    for model, names in ((Area, copy["area_names_in_text"]), (Platform, copy["platform_names_in_text"])):
        for name, name_in_text in names.items():
            model.objects.filter(name=name, name_in_text="").update(name_in_text=name_in_text)
    for name, name_in_text in copy["measure_names_in_text"].items():
        Measure.objects.get_or_create(name=name, defaults={"name_in_text": name_in_text})
    return dataset


def create_demo_widgets():
    """The demo widgets, keyed by their names in the file ("facebook_apps_per_day", …)."""
    content = read_demo_content(DEMO_CONTENT)
    dataset = load_demo_dataset(content)

    def observation(figure, measure):
        return Observation.objects.get(
            dataset=dataset,
            period__label=content["period"],
            area__name=figure["area"],
            platform__name=figure["platform"],
            measure=figure.get("measure", measure),
        )

    widgets = {}
    for name, copy in content["widgets"].items():
        words = field_values(StatisticWidget, {"title": copy["title"], "label": copy.get("label", "")})
        widget = StatisticWidget.objects.filter(title=words["title"]).first()
        if widget is None:
            measure = copy.get("measure", content["measure"])
            settings = {key: choices(copy[key]) for key, choices in _WIDGET_CHOICES.items() if key in copy}
            widget = StatisticWidget(
                dataset=dataset,
                whole=observation(copy["whole"], measure) if "whole" in copy else None,
                **words,
                **settings,
            )
            widget.widget_observations = [
                StatisticWidgetObservation(observation=observation(figure, measure), sort_order=index)
                for index, figure in enumerate(copy["figures"])
            ]
            widget.save()
            widget.save_revision()
        widgets[name] = widget
    return widgets
