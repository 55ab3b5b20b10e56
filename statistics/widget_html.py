"""A widget's HTML drawn from the observations given, with no cache and no queries of its own.

`statistics.rendering` feeds it from the database and the cache; the admin's preview feeds it the
widget as it stands in the editor, unsaved edits included.
"""

import logging

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode

from statistics.figures.presenters import WidgetUnavailable, build_widget_view

logger = logging.getLogger(__name__)


def render_widget_uncached(widget):
    """The HTML of a widget as it stands in memory, unsaved edits included (for the admin's preview)."""
    links = sorted(widget.widget_observations.all(), key=lambda link: link.sort_order or 0)
    observations = [link.observation for link in links]
    return render_widget_html(widget, observations, widget.whole, widget.dataset)


def render_widget_html(widget, observations, whole, dataset):
    """The HTML for `widget` showing these observations of `dataset` (and `whole`, for shares)."""
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
