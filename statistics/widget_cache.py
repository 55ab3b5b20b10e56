"""Where widget HTML is cached, and clearing it when what a widget shows may have changed.

Each widget's HTML is stored under a key holding the template version and the widget's *generation*
(a `core.caching.Generation` of its own). Clearing a widget is bumping its generation after the change
is committed: a request that read the old data while the change was being saved can only store its
HTML under the old generation, which nobody reads again, so a stale figure cannot come back.
"""

from django.apps import apps
from django.db import transaction

from core.caching import Generation
from statistics.signals import widgets_changed

# Raise when the widget templates or the figures' wording change, so no HTML from before is served.
WIDGET_CACHE_VERSION = 1
# Entries are cleared on every change; the timeout only bounds how long an unused one is kept.
WIDGET_CACHE_TIMEOUT = 60 * 60 * 24


def widget_generation(widget_id):
    return Generation(f"statistics:widget-generation:{widget_id}")


def widget_cache_key(widget_id, generation):
    return f"statistics:widget:v{WIDGET_CACHE_VERSION}:{widget_id}:{generation}"


def widgets_changed_after_commit(widget_ids):
    """Once the current transaction commits, clear these widgets' HTML and send `widgets_changed`."""
    widget_ids = sorted({widget_id for widget_id in widget_ids if widget_id is not None})
    if widget_ids:
        transaction.on_commit(lambda: clear_widgets(widget_ids))


def clear_widgets(widget_ids):
    """Clear these widgets' HTML now and send `widgets_changed`; call it once the change is committed."""
    if not widget_ids:
        return
    for widget_id in widget_ids:
        widget_generation(widget_id).bump()
    # By its label: the model module saves widgets through this one (statistics.models.widgets).
    sender = apps.get_model("statistics", "StatisticWidget")
    widgets_changed.send(sender=sender, widget_ids=widget_ids)
