"""Reading through the shared cache without depending on it: if the cache is down, compute instead."""

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def cached(key, timeout, compute):
    """The cached value for `key`, or `compute()` stored for `timeout` seconds.

    Each cache backend raises its own errors (Redis: connection errors), so any error counts as
    "no cache": pages keep working from the database while the cache is away.
    """
    try:
        value = cache.get(key)
    except Exception:  # noqa: BLE001 - see the docstring
        logger.warning("Cache unavailable, computing %s", key.split(":")[1])
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout=timeout)
        except Exception:  # noqa: BLE001 - see the docstring
            logger.warning("Cache unavailable, %s not stored", key.split(":")[1])
    return value


def forget(key):
    try:
        cache.delete(key)
    except Exception:  # noqa: BLE001 - the cached value expires on its own within seconds
        logger.warning("Cache unavailable, %s left to expire", key.split(":")[1])
