"""Django's Redis cache, made to behave like an empty cache while Redis cannot be reached.

Django's `RedisCache` raises redis-py's `ConnectionError` or `TimeoutError` from every call when Redis
is down, and the cache is read all over the request path (Wagtail's site lookup, widgets, counts, the
page cache, the rate limit). Rather than guard each caller, this backend answers as Django's
`DummyCache` does while Redis is away: reads miss, writes are dropped, `incr` raises `ValueError`. The
site then serves everything from the database, and `/healthz` reports the cache as unavailable because
what it writes does not read back.

After a failure the backend does not try Redis again for `RETRY_AFTER_SECONDS`, so an unreachable
host costs one connection timeout every few seconds, not one per cache call.

It also keeps one redis-py client per connection pool: Django builds a new `redis.Redis` for every
call, which costs more CPU than the round trip itself (redis-py 8 fills its table of response
callbacks each time).
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

_UNREACHABLE = (RedisConnectionError, RedisTimeoutError)

# `count_claim_and_read`: KEYS[1] is the counter (ARGV[1] its lifetime in seconds); if ARGV[2] is "1",
# KEYS[2] is the claim (ARGV[3] its value, ARGV[4] its lifetime); the keys after those are read.
# Returns {count, the claim's holder or nil, each key read or nil}.
_COUNT_AND_CLAIM_LUA = """
redis.call('SET', KEYS[1], 0, 'EX', ARGV[1], 'NX')
local result = {redis.call('INCR', KEYS[1]), false}
local first_read = 2
if ARGV[2] == '1' then
    redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[4], 'NX')
    result[2] = redis.call('GET', KEYS[2])
    first_read = 3
end
for i = first_read, #KEYS do
    result[#result + 1] = redis.call('GET', KEYS[i])
end
return result
"""


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis client wrapper, handing out one `redis.Redis` per pool instead of a new one per call.

    A `redis.Redis` holds no connection of its own (it borrows one from the pool for each command), so
    sharing it between threads is safe.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class ResilientRedisCache(RedisCache):
    RETRY_AFTER_SECONDS = 5

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        self._unavailable_until = 0.0
        self._lock = threading.Lock()
        self._scripts = {}

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
        # True, as DummyCache says: callers that add a "someone is on it" note must then do it themselves.
        return self._attempt(lambda: True, super().add, key, value, timeout, version)

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

    def count_in_window(self, key, timeout):
        """Add one to the counter `key`, created to expire after `timeout` seconds; the new count.

        What `add(key, 0, timeout)` then `incr(key)` do, in one round trip instead of three (Django's
        `incr` asks whether the key exists first). Raises ValueError while Redis is unreachable.
        """
        return self._attempt(self._not_found, self._count_claim_and_read, key, timeout)[0]

    def count_and_claim(self, key, timeout, claim_key, claim_value, claim_timeout):
        """`count_in_window(key, timeout)` and, in the same round trip, a claim: (new count, holder).

        The claim is `add(claim_key, claim_value, claim_timeout)` followed by reading what `claim_key`
        holds, so the holder is `claim_value` if this call made the claim and what an earlier one put
        there otherwise: for things that may be done once (a form token spent on one signature) and are
        checked beside a rate limit. Raises ValueError while Redis is unreachable.
        """
        count, holder, _found = self._attempt(
            self._not_found, self._count_claim_and_read, key, timeout, (claim_key, claim_value, claim_timeout)
        )
        return count, holder

    def count_claim_and_read(self, key, timeout, claim=None, read=()):
        """`count_in_window(key, timeout)`, the claim `(key, value, timeout)` if given (as `count_and_claim`)
        and `get_many(read)`, all in one round trip: (new count, holder or None, {key: value found}).

        For a request that needs a few cached values beside its counter (a sign POST: the petition's
        signing facts and their generation). Raises ValueError while Redis is unreachable.
        """
        return self._attempt(self._not_found, self._count_claim_and_read, key, timeout, claim, read)

    def _count_claim_and_read(self, key, timeout, claim=None, read=()):
        keys = [self.make_and_validate_key(key)]
        args = [self.get_backend_timeout(timeout), "0"]
        serializer = self._cache._serializer
        if claim is not None:
            claim_key, claim_value, claim_timeout = claim
            keys.append(self.make_and_validate_key(claim_key))
            args[1] = "1"
            args += [serializer.dumps(claim_value), self.get_backend_timeout(claim_timeout)]
        keys += [self.make_and_validate_key(name) for name in read]
        client = self._cache.get_client(keys[0], write=True)
        # One command, run by Redis as a whole (so the claim's read follows its add with nothing between):
        # a script costs this process a third of the CPU of the MULTI/EXEC pipeline of the same commands,
        # and the values read with it cost no round trip of their own.
        results = self._count_and_claim_script(client)(keys=keys, args=args, client=client)
        holder = serializer.loads(results[1]) if claim is not None and results[1] is not None else None
        found = {
            name: serializer.loads(value)
            for name, value in zip(read, results[2:], strict=True)
            if value is not None
        }
        return results[0], holder, found

    def _count_and_claim_script(self, client):
        # Registered once per client: redis-py sends it by its digest (EVALSHA), loading it again only
        # when a Redis restart has forgotten it.
        script = self._scripts.get(id(client))
        if script is None:
            script = self._scripts.setdefault(id(client), client.register_script(_COUNT_AND_CLAIM_LUA))
        return script

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        # Like Django's other backends, the keys that could not be stored.
        return self._attempt(lambda: list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        self._attempt(lambda: None, super().delete_many, keys, version)

    def clear(self):
        return self._attempt(lambda: False, super().clear)


def count_in_window(cache, key, timeout):
    """Add one to the counter `key` in `cache`, created to expire after `timeout` seconds; the new count.

    A fixed window with nothing to clean up. `ResilientRedisCache` counts in one round trip; other
    backends add the key, then increment it. Raises what the backend raises when it cannot count
    (`ValueError` from `ResilientRedisCache` while Redis is unreachable): each caller decides whether
    that lets the request through.
    """
    if hasattr(cache, "count_in_window"):
        return cache.count_in_window(key, timeout)
    cache.add(key, 0, timeout=timeout)
    return cache.incr(key)
