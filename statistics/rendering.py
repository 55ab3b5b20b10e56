"""Widget HTML for pages: rendered from the database once, then kept in Django's cache until it may change.

Pages render many widgets at once (`render_widgets`): one cache round trip for the widgets'
generations, one for the HTML, and for the widgets not cached, three queries however many there are.
Where the HTML is kept and how it is cleared: `statistics.widget_cache`.
"""

from collections import defaultdict

from django.core.cache import cache
from django.db import transaction
from django.utils.safestring import mark_safe

from core.caching import Generation
from statistics.figures.presenters import WidgetUnavailable, build_widget_view
from statistics.models import (
    Dataset,
    Observation,
    StatisticWidget,
    StatisticWidgetObservation,
    measure_words_of,
)
from statistics.signals import datasets_changed
from statistics.widget_cache import WIDGET_CACHE_TIMEOUT, clear_widgets, widget_cache_key, widget_generation
from statistics.widget_html import render_widget_html

_OBSERVATION_RELATED = ("period", "area", "platform")


def render_widgets(widgets):
    """{widget id: HTML} for the given saved widgets, from the cache where possible."""
    widgets = list({widget.pk: widget for widget in widgets if widget is not None and widget.pk}.values())
    if not widgets:
        return {}
    generations = {widget.pk: widget_generation(widget.pk) for widget in widgets}
    current = Generation.current_many(generations.values())
    keys = {pk: widget_cache_key(pk, current[generation]) for pk, generation in generations.items()}
    cached = cache.get_many(list(keys.values()))
    html = {widget_id: cached[key] for widget_id, key in keys.items() if key in cached}
    missing = [widget for widget in widgets if widget.pk not in html]
    if missing:
        fresh = _render_from_database(missing)
        cache.set_many({keys[widget_id]: text for widget_id, text in fresh.items()}, WIDGET_CACHE_TIMEOUT)
        html.update(fresh)
    # Built by our own templates with autoescaping on; a cache backend may hand back a plain str.
    return {widget_id: mark_safe(text) for widget_id, text in html.items()}  # noqa: S308


def render_widget(widget):
    """The HTML of one saved widget, from the cache where possible."""
    return render_widgets([widget]).get(widget.pk, "")


def load_figures(widgets):
    """What the widgets show, in three queries: ({widget id: observations}, wholes, datasets)."""
    observation_fields = [f"observation__{name}" for name in _OBSERVATION_RELATED]
    links = (
        StatisticWidgetObservation.objects.filter(widget__in=widgets)
        .select_related(*observation_fields)
        .annotate(measure_name_in_text=measure_words_of("observation__measure"))
        .order_by("widget_id", "sort_order", "pk")
    )
    observations = defaultdict(list)
    for link in links:
        link.observation.measure_name_in_text = link.measure_name_in_text
        observations[link.widget_id].append(link.observation)
    wholes = (
        Observation.objects.select_related(*_OBSERVATION_RELATED)
        .annotate(measure_name_in_text=measure_words_of("measure"))
        .in_bulk({widget.whole_id for widget in widgets if widget.whole_id})
    )
    datasets = Dataset.objects.in_bulk({widget.dataset_id for widget in widgets})
    return observations, wholes, datasets


def _render_from_database(widgets):
    observations, wholes, datasets = load_figures(widgets)
    return {
        widget.pk: render_widget_html(
            widget, observations[widget.pk], wholes.get(widget.whole_id), datasets[widget.dataset_id]
        )
        for widget in widgets
    }


def widget_findings(widgets):
    """{widget id: what the widget says, in one sentence}: for the admin, where a widget is chosen."""
    observations, wholes, _datasets = load_figures(widgets)
    findings = {}
    for widget in widgets:
        try:
            findings[widget.pk] = build_widget_view(
                widget, observations[widget.pk], wholes.get(widget.whole_id)
            ).finding
        except WidgetUnavailable as error:
            findings[widget.pk] = f"Cannot be shown: {error}"
    return findings


def datasets_changed_after_commit(dataset_ids):
    """As `widgets_changed_after_commit`, for every widget showing data from these datasets; then
    `datasets_changed` for the datasets themselves."""
    dataset_ids = sorted(set(dataset_ids))

    def clear():
        widgets = StatisticWidget.objects.filter(dataset_id__in=dataset_ids)
        clear_widgets(sorted(widgets.values_list("pk", flat=True)))
        datasets_changed.send(sender=Dataset, dataset_ids=dataset_ids)

    if dataset_ids:
        transaction.on_commit(clear)
