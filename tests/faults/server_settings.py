"""Production settings for the servers the fault tests start, less the collected static files.

The static files are beside the point of these tests: collecting them (and the manifest that
`{% static %}` needs in production, the error pages' stylesheet included) is slow, and a leftover
`static_collected/` folder in the working tree must not change what the servers do.
"""

from config.settings import *  # noqa: F403

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
STATIC_ROOT = None
