"""Production settings for the servers the fault tests start, less the static-file manifest.

The manifest comes from `collectstatic`, which is slow and beside the point of these tests; with it
missing, every `{% static %}` tag (the error pages' stylesheet included) would fail.
"""

from config.settings import *  # noqa: F403

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
