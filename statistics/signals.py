"""Signals the statistics app sends for other parts of the site to react to.

`widgets_changed` is sent, after the change is committed, with `widget_ids=[...]` whenever what those
widgets show may have changed: a widget saved or deleted, data imported, an observation or dataset
edited. The cached widget HTML is already cleared when it is sent; a receiver purges whatever it keeps
itself (for example cached pages that show the widgets).
"""

from django.dispatch import Signal

widgets_changed = Signal()
