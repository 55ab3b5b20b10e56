"""Reading through the shared cache: cached values and the generations that make many of them stale at once.

The cache backend absorbs outages (`core.cache_backend.ResilientRedisCache` answers like an empty cache
while Redis is away), so nothing here guards its calls: with the cache down, `cached` computes every
time, and a `Generation` reads as None, which its callers take as "keep nothing".

A `Generation` is a named counter in the shared cache. Whatever is stored under a generation's current
value goes stale everywhere at once when it is bumped; the page cache keeps one for all published
content, statistics one per widget.
"""

import time

from django.core.cache import DEFAULT_CACHE_ALIAS, caches


def cached(key, timeout, compute, *, generation=None):
    """The cached value for `key`, or `compute()` stored for `timeout` seconds.

    With a `generation`, the value is kept in that generation's cache with the generation's value and
    read back with it in one round trip: it goes stale when the generation is bumped (for facts
    drawn from published content, purged with the pages). The generation is read before computing,
    so a bump while computing leaves the value stale at once. A value of None is then kept too.
    """
    if generation is None:
        cache = caches[DEFAULT_CACHE_ALIAS]
        value = cache.get(key)
        if value is None:
            value = compute()
            cache.set(key, value, timeout=timeout)
        return value

    current, found = generation.read_with([key])
    return _kept_or_computed(key, timeout, compute, generation, current, found.get(key))


def cached_as_read(key, timeout, compute, *, generation, found):
    """`cached(key, timeout, compute, generation=generation)` from values the caller read itself.

    `found` holds what the generation's cache gave for `generation.key` and `key`, read in one round
    trip with something else (`cached_keys` names them). A generation missing from it (lost, or the
    cache is away) is read, and started, as `cached` does.
    """
    if generation.key not in found:
        return cached(key, timeout, compute, generation=generation)
    return _kept_or_computed(key, timeout, compute, generation, found[generation.key], found.get(key))


def cached_keys(key, *, generation):
    """The keys `cached_as_read` reads a value kept under a generation from."""
    return [generation.key, key]


def _kept_or_computed(key, timeout, compute, generation, current, stored):
    if current is not None and stored is not None and stored[0] == current:
        return stored[1]
    value = compute()
    if current is not None:
        generation.cache.set(key, (current, value), timeout)
    return value


def forget(key, *, generation=None):
    """Drop a value kept by `cached` (from its generation's cache, when it was given one)."""
    cache = caches[DEFAULT_CACHE_ALIAS] if generation is None else generation.cache
    cache.delete(key)


class Generation:
    """A named counter in the shared cache: what is stored under its current value is fresh.

    `bump()` makes all of it stale at once, on every server. A counter the cache lost (evicted, or a
    Redis restart) starts again from the clock, so it cannot fall back onto a value entries were stored
    under before the loss. While the cache keeps nothing its value reads as None.
    """

    def __init__(self, key, alias=DEFAULT_CACHE_ALIAS):
        self.key = key
        self.alias = alias

    def __repr__(self):
        return f"Generation({self.key!r}, {self.alias!r})"

    def __eq__(self, other):
        return isinstance(other, Generation) and (self.key, self.alias) == (other.key, other.alias)

    def __hash__(self):
        return hash((self.key, self.alias))

    @property
    def cache(self):
        return caches[self.alias]

    def current(self):
        """The current value, starting the counter if the cache lost it; None if the cache keeps nothing."""
        return self.read_with([])[0]

    def read_with(self, keys):
        """(current value, {key: value} of the `keys` found) in one round trip, all from this cache.

        Starting a lost counter costs two more round trips; the values found are then still returned
        (they can only be stale).
        """
        found = self.cache.get_many([self.key, *keys])
        current = found.pop(self.key, None)
        if current is None:
            current = Generation.current_many([self])[self]
        return current, found

    def bump(self):
        """Make everything stored under the current value stale, on every server; the new value.

        None when the counter had to start afresh (lost, or the cache is away): the new value then does
        not follow the old one.
        """
        try:
            return self.cache.incr(self.key)
        except ValueError:
            # Lost (or the cache is away, when this keeps nothing either): a fresh start is new too.
            self._start([self])
            return None

    @staticmethod
    def current_many(generations):
        """{generation: current value} for generations kept in one cache, in one round trip.

        Lost counters are started together (two more round trips). A value is None while the cache keeps
        nothing.
        """
        generations = list(generations)
        if not generations:
            return {}
        cache = generations[0].cache
        found = cache.get_many([generation.key for generation in generations])
        missing = [generation for generation in generations if generation.key not in found]
        if missing:
            Generation._start(missing)
            found.update(cache.get_many([generation.key for generation in missing]))
        return {generation: found.get(generation.key) for generation in generations}

    @staticmethod
    def _start(generations):
        # Added, not set: a counter another server started (or bumped) meanwhile is kept.
        start = time.time_ns()
        for generation in generations:
            generation.cache.add(generation.key, start, timeout=None)
