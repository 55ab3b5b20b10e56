"""A URLconf for the logging tests: a future self-service link that opts into masking with `<secret:...>`."""

import logging

from django.urls import include, path

logger = logging.getLogger("tests.self_service")


def unsubscribe(request, person, code):
    logger.info("Unsubscribe link followed for person %s", person)
    raise ValueError(f"No subscription has the code {code}")


urlpatterns = [
    path("people/<int:person>/", include([path("unsubscribe/<secret:code>/", unsubscribe)])),
]
