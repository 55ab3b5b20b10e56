"""Where widgets are used, read from Wagtail's reference index (the same records as each widget's usage
report): counts for the widget chooser, and the pages an import's changed figures reach, with the pages
whose own words quote a figure that is about to change."""

import re
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.utils.html import strip_tags
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.fields import StreamField
from wagtail.models import ReferenceIndex

from statistics.figures.numbers import format_decimal


def usage_counts(widgets):
    """{widget id: how many pages (or other objects) use it}, in one query."""
    sources = defaultdict(set)
    references = ReferenceIndex.get_references_to_in_bulk(list(widgets)).values_list(
        "to_object_id", "base_content_type_id", "object_id"
    )
    for widget_id, content_type_id, object_id in references:
        sources[widget_id].add((content_type_id, object_id))
    return {widget.pk: len(sources[str(widget.pk)]) for widget in widgets}


@dataclass(frozen=True)
class Use:
    """A page (or other object) that shows a widget."""

    title: str
    edit_url: str
    # The figures, as written, that the object's own text quotes and that are about to change.
    quoted: tuple = ()


def uses_of(widgets, user=None, old_values=None):
    """{widget id: [Use, ...]} for these widgets, each object once per widget, in title order.

    `old_values` ({widget id: Decimals}) are the figures about to change: a use whose own text quotes one
    of its widget's is marked, since a widget updates itself and the words around it do not.
    """
    old_values = old_values or {}
    finder = AdminURLFinder(user)
    by_widget = defaultdict(set)
    references = ReferenceIndex.get_references_to_in_bulk(list(widgets)).values_list(
        "to_object_id", "base_content_type_id", "object_id"
    )
    for widget_id, content_type_id, object_id in references:
        by_widget[int(widget_id)].add((content_type_id, object_id))
    objects = {}
    wanted = defaultdict(set)
    for keys in by_widget.values():
        for content_type_id, object_id in keys:
            wanted[content_type_id].add(object_id)
    for content_type_id, object_ids in wanted.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        queryset = model.objects.filter(pk__in=object_ids)
        if hasattr(queryset, "specific"):
            queryset = queryset.specific()
        for obj in queryset:
            objects[(content_type_id, str(obj.pk))] = obj
    uses = {}
    for widget in widgets:
        patterns = [
            (_figure_pattern(value), format_decimal(value)) for value in sorted(old_values.get(widget.pk, ()))
        ]
        found = [objects[key] for key in by_widget.get(widget.pk, ()) if key in objects]
        uses[widget.pk] = sorted(
            (
                Use(
                    title=str(obj),
                    edit_url=finder.get_edit_url(obj) or "",
                    quoted=_quoted_figures(obj, patterns),
                )
                for obj in found
            ),
            key=lambda use: use.title.casefold(),
        )
    return uses


def _figure_pattern(value):
    """A figure as text may write it: '4,000' or '4000', not inside a longer number."""
    written = {re.escape(format_decimal(value)), re.escape(format_decimal(value).replace(",", ""))}
    return re.compile(rf"(?<![\d.,])(?:{'|'.join(sorted(written))})(?![\d]|[.,]\d)")


def _quoted_figures(obj, patterns):
    text = " ".join(_texts(obj))
    return tuple(written for pattern, written in patterns if pattern.search(text))


def _texts(obj):
    """The words an editor wrote on the object: its text fields and the text inside its StreamFields.

    Numbers a StreamField holds for chosen things (a widget's id) are not text and are left out.
    """
    for model_field in obj._meta.concrete_fields:
        value = getattr(obj, model_field.attname, None)
        if isinstance(model_field, StreamField):
            yield from _strings(list(value.raw_data))
        elif isinstance(value, str) and model_field.get_internal_type() in ("CharField", "TextField"):
            yield strip_tags(value)


def _strings(data):
    """Every string in a StreamField's raw data but the blocks' ids and type names, tags stripped."""
    if isinstance(data, str):
        yield strip_tags(data)
    elif isinstance(data, dict):
        for key, value in data.items():
            if key not in ("id", "type"):
                yield from _strings(value)
    elif isinstance(data, list):
        for item in data:
            yield from _strings(item)
