import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Django's application, answering fresh cached pages before Django's own request handling.
from core.page_cache.wsgi import get_wsgi_application  # noqa: E402 - needs the settings module named

application = get_wsgi_application()
