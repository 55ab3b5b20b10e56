"""The shared foundation every app stands on: the site frame (settings, templates, tags) and the plumbing.

It imports none of the feature apps (`campaign`, `petitions`, `statistics`), so each of them may use it.
"""
