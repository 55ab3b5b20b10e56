"""What an import's changed figures reach on the site: each widget that shows one, what it says now and
what it will say, and the pages it is on (Wagtail's reference index), marking the pages whose own words
quote a figure that will change, since a widget updates itself and the text around it does not.

The preview shows it before confirmation; `apply_import` keeps the same list in the import's history
entry (`as_log_data`).
"""

import copy
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from statistics.figures.presenters import WidgetUnavailable, build_widget_view
from statistics.models import StatisticWidget, StatisticWidgetObservation
from statistics.rendering import load_figures
from statistics.usage import uses_of

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


@dataclass(frozen=True)
class WidgetReach:
    widget: StatisticWidget
    says_now: str
    will_say: str
    # Use objects (statistics.usage): the pages showing the widget.
    uses: list

    @property
    def pages_to_edit(self):
        return [use for use in self.uses if use.quoted]


def import_reach(plan, user=None):
    """The widgets (in title order) that show a figure the plan changes, with the pages they are on."""
    stored = {change.stored.pk: change for change in plan.changed}
    if not stored:
        return []
    widget_ids = set(
        StatisticWidgetObservation.objects.filter(observation__in=stored).values_list("widget_id", flat=True)
    ) | set(StatisticWidget.objects.filter(whole__in=stored).values_list("pk", flat=True))
    widgets = list(StatisticWidget.objects.filter(pk__in=widget_ids).order_by("title"))
    observations, wholes, _datasets = load_figures(widgets)
    findings = {}
    old_values = {}
    for widget in widgets:
        now = observations[widget.pk]
        whole = wholes.get(widget.whole_id)
        says_now = _finding(widget, now, whole)
        will_say = _finding(widget, [_as_imported(o, stored) for o in now], _as_imported(whole, stored))
        findings[widget.pk] = (says_now, will_say)
        changed_values = {
            stored[o.pk].stored.value for o in [*now, whole] if o is not None and o.pk in stored
        }
        old_values[widget.pk] = changed_values | (_numbers(says_now) - _numbers(will_say))
    uses = uses_of(widgets, user, old_values)
    return [
        WidgetReach(
            widget=widget,
            says_now=findings[widget.pk][0],
            will_say=findings[widget.pk][1],
            uses=uses[widget.pk],
        )
        for widget in widgets
    ]


def as_log_data(reach):
    """The reach as the history entry keeps it: plain values, no objects."""
    return [
        {
            "widget": item.widget.title,
            "widget_id": item.widget.pk,
            "says_now": item.says_now,
            "will_say": item.will_say,
            "pages": [{"title": use.title, "quotes": list(use.quoted)} for use in item.uses],
        }
        for item in reach
    ]


def _finding(widget, observations, whole):
    try:
        return build_widget_view(widget, observations, whole).finding
    except WidgetUnavailable as error:
        return f"Cannot be shown: {error}"


def _as_imported(observation, stored):
    """The observation as it will be once the file's row is imported (a copy; nothing is saved)."""
    if observation is None or observation.pk not in stored:
        return observation
    row = stored[observation.pk].row
    imported = copy.copy(observation)
    imported.value, imported.unit, imported.qualifier, imported.note = (
        row.value,
        row.unit,
        row.qualifier,
        row.note,
    )
    return imported


def _numbers(text):
    """The figures a sentence states ('482', '4,000', '3.2'), as Decimals."""
    numbers = set()
    for written in _NUMBER.findall(text):
        try:
            numbers.add(Decimal(written.replace(",", "")))
        except InvalidOperation:
            continue
    return numbers
