"""Signals the statistics app sends for other parts of the site to react to.

`datasets_changed` is sent, after the change is committed, with `dataset_ids=[...]` whenever what a
dataset holds or says of itself may have changed (data imported, an observation or a dataset edited
or deleted, a period, area or platform it uses renamed), whether or not a widget shows it. The data
pages are purged from the page cache on it (statistics.apps).

`widgets_changed` is sent, after the change is committed, with `widget_ids=[...]` whenever what those
widgets show may have changed: a widget saved or deleted, data imported, an observation or dataset
edited. The cached widget HTML is already cleared when it is sent; a receiver purges whatever it keeps
itself (for example cached pages that show the widgets).
"""

from django.dispatch import Signal

widgets_changed = Signal()
datasets_changed = Signal()
