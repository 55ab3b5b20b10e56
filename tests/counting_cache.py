"""Django's local-memory cache, counting its round trips: each call a caller makes is one trip to Redis.

Tests that keep the number of trips small switch to it with the `counting_cache` fixture
(tests/conftest.py). Calls the backend makes to itself (`get_many` asking `get` per key) are not
counted: against Redis they are one command.
"""

import threading

from django.core.cache.backends.locmem import LocMemCache

_COUNTED = ("add", "get", "get_many", "set", "set_many", "touch", "delete", "delete_many", "incr", "has_key")


class CountingLocMemCache(LocMemCache):
    def __init__(self, name, params):
        super().__init__(name, params)
        self.round_trips = []
        self._depth = threading.local()


def _counted(name):
    def method(self, *args, **kwargs):
        depth = getattr(self._depth, "value", 0)
        if depth == 0:
            self.round_trips.append(name)
        self._depth.value = depth + 1
        try:
            return getattr(LocMemCache, name)(self, *args, **kwargs)
        finally:
            self._depth.value = depth

    method.__name__ = name
    return method


for _name in _COUNTED:
    setattr(CountingLocMemCache, _name, _counted(_name))
