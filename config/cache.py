"""Django's Redis cache, made to behave like an empty cache while Redis cannot be reached.

Django's `RedisCache` raises redis-py's `ConnectionError` or `TimeoutError` from every call when Redis
is down, and the cache is read all over the request path (Wagtail's site lookup, widgets, counts, the
page cache, the rate limit). Rather than guard each caller, this backend answers as Django's
`DummyCache` does while Redis is away: reads miss, writes are dropped, `incr` raises `ValueError`. The
site then serves everything from the database, and `/healthz` reports the cache as unavailable because
what it writes does not read back.

After a failure the backend does not try Redis again for `RETRY_AFTER_SECONDS`, so an unreachable
host costs one connection timeout every few seconds, not one per cache call.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

_UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class ResilientRedisCache(RedisCache):
    RETRY_AFTER_SECONDS = 5

    def __init__(self, server, params):
        super().__init__(server, params)
        self._unavailable_until = 0.0
        self._lock = threading.Lock()

    def _attempt(self, fallback, operation, *args):
        """`operation(*args)`, or `fallback()` while Redis is unreachable."""
        if time.monotonic() < self._unavailable_until:
            return fallback()
        try:
            return operation(*args)
        except _UNREACHABLE as error:
            with self._lock:
                first_failure = time.monotonic() >= self._unavailable_until
                self._unavailable_until = time.monotonic() + self.RETRY_AFTER_SECONDS
            if first_failure:
                logger.warning(
                    "Cache unreachable (%s); serving without it, next try in %s seconds.",
                    type(error).__name__,
                    self.RETRY_AFTER_SECONDS,
                )
            return fallback()

    @staticmethod
    def _not_found():
        raise ValueError("Key not found: the cache is unreachable.")

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(lambda: False, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._attempt(lambda: default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._attempt(lambda: None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._attempt(lambda: False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._attempt(lambda: False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._attempt(dict, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._attempt(lambda: False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        return self._attempt(self._not_found, super().incr, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Like Django's other backends, the keys that could not be stored.
        return self._attempt(lambda: list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        self._attempt(lambda: None, super().delete_many, keys, version)

    def clear(self):
        return self._attempt(lambda: False, super().clear)
