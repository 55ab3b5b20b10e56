"""Figures worked out from observations: their numbers and wording, the checks that refuse a selection
which makes no sense, and what each kind of widget shows.

Everything here works on observations already loaded (with their period, area and platform), and
runs no queries: the same code serves a cached page render, the admin's live preview and the widget
form's validation.
"""
