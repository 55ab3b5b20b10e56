"""Widget HTML: rendered from the database once, kept in Django's cache, cleared when it may change.

Each widget's HTML is stored under a key holding the template version and the widget's *generation*,
a number kept in the same cache. Clearing a widget is giving it a new generation after the change is
committed: a request that read the old data while the change was being saved can only store its HTML
under the old generation, which nobody reads again, so a stale figure cannot come back.

Pages render many widgets at once (`render_widgets`): one cache round trip for the generations, one for
the HTML, and for the widgets not cached, three queries however many there are.
"""

import logging
import time
from collections import defaultdict

from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

from statistics.figures import WidgetUnavailable, build_widget_view
from statistics.models import Dataset, Observation, StatisticWidget, StatisticWidgetObservation
from statistics.signals import widgets_changed

logger = logging.getLogger(__name__)

# Raise when the widget templates or the figures' wording change, so no HTML from before is served.
WIDGET_CACHE_VERSION = 1
# Entries are cleared on every change; the timeout only bounds how long an unused one is kept.
WIDGET_CACHE_TIMEOUT = 60 * 60 * 24
_OBSERVATION_RELATED = ("period", "area", "platform")


def _generation_key(widget_id):
    return f"statistics:widget-generation:{widget_id}"


def widget_cache_key(widget_id, generation):
    return f"statistics:widget:v{WIDGET_CACHE_VERSION}:{widget_id}:{generation}"


def _generations(widget_ids):
    keys = {_generation_key(widget_id): widget_id for widget_id in widget_ids}
    found = cache.get_many(keys)
    generations = {keys[key]: value for key, value in found.items()}
    missing = [widget_id for widget_id in widget_ids if widget_id not in generations]
    if missing:
        # A clock-based start can never fall back onto a generation used before the cache lost it.
        start = time.time_ns()
        for widget_id in missing:
            cache.add(_generation_key(widget_id), start, timeout=None)
        generations.update(
            {keys[key]: value for key, value in cache.get_many([_generation_key(i) for i in missing]).items()}
        )
    return generations


def render_widgets(widgets):
    """{widget id: HTML} for the given saved widgets, from the cache where possible."""
    widgets = list({widget.pk: widget for widget in widgets if widget is not None and widget.pk}.values())
    if not widgets:
        return {}
    generations = _generations([widget.pk for widget in widgets])
    keys = {widget.pk: widget_cache_key(widget.pk, generations.get(widget.pk, 0)) for widget in widgets}
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


def render_widget_uncached(widget):
    """The HTML of a widget as it stands in memory, unsaved edits included (for the admin's preview)."""
    links = sorted(widget.widget_observations.all(), key=lambda link: link.sort_order or 0)
    observations = [link.observation for link in links]
    return _render(widget, observations, widget.whole, widget.dataset)


def _render_from_database(widgets):
    observation_fields = [f"observation__{name}" for name in _OBSERVATION_RELATED]
    links = (
        StatisticWidgetObservation.objects.filter(widget__in=widgets)
        .select_related(*observation_fields)
        .order_by("widget_id", "sort_order", "pk")
    )
    observations = defaultdict(list)
    for link in links:
        observations[link.widget_id].append(link.observation)
    wholes = Observation.objects.select_related(*_OBSERVATION_RELATED).in_bulk(
        {widget.whole_id for widget in widgets if widget.whole_id}
    )
    datasets = Dataset.objects.in_bulk({widget.dataset_id for widget in widgets})
    return {
        widget.pk: _render(
            widget, observations[widget.pk], wholes.get(widget.whole_id), datasets[widget.dataset_id]
        )
        for widget in widgets
    }


def _render(widget, observations, whole, dataset):
    try:
        view = build_widget_view(widget, observations, whole)
    except WidgetUnavailable as error:
        # Data corrected after the widget was set up can make it meaningless (a part above its whole);
        # readers get a plain notice, editors the reason in the log and in the widget's form.
        logger.warning("Statistic widget %s cannot be shown: %s", widget.pk, error)
        return render_to_string("statistics/widgets/unavailable.html", {"widget": widget})
    dataset_url = dataset.get_absolute_url()
    download_url = reverse("statistics:dataset_csv", kwargs={"slug": dataset.slug})
    if view.filters:
        download_url += "?" + urlencode(view.filters)
    return render_to_string(
        f"statistics/widgets/{view.kind}.html",
        {
            "view": view,
            "widget": widget,
            "dataset": dataset,
            "dataset_url": dataset_url,
            "download_url": download_url,
        },
    )


def widgets_changed_after_commit(widget_ids):
    """Once the current transaction commits, clear these widgets' HTML and send `widgets_changed`."""
    widget_ids = sorted({widget_id for widget_id in widget_ids if widget_id is not None})
    if widget_ids:
        transaction.on_commit(lambda: _clear(widget_ids))


def datasets_changed_after_commit(dataset_ids):
    """As `widgets_changed_after_commit`, for every widget showing data from these datasets."""
    dataset_ids = sorted(set(dataset_ids))

    def clear():
        widgets = StatisticWidget.objects.filter(dataset_id__in=dataset_ids)
        _clear(sorted(widgets.values_list("pk", flat=True)))

    if dataset_ids:
        transaction.on_commit(clear)


def _clear(widget_ids):
    if not widget_ids:
        return
    generation = time.time_ns()
    cache.set_many({_generation_key(widget_id): generation for widget_id in widget_ids}, timeout=None)
    widgets_changed.send(sender=StatisticWidget, widget_ids=widget_ids)
