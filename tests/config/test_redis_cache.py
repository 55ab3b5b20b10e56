"""The project's Redis cache backend against a real Redis: the counter and claim the sign form uses.

Skipped where no Redis answers at REDIS_TEST_URL (default redis://127.0.0.1:6379/13); the outage
behaviour is tested without one (tests/campaign/test_cache_outage.py).
"""

import os

import pytest
import redis

from core.cache_backend import ResilientRedisCache

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/13")
KEY = "test-redis-cache:sign-rate"
CLAIM = "test-redis-cache:form-token"


def require_redis():
    """REDIS_TEST_URL, or skip the test when no Redis answers there."""
    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"No Redis answers at {REDIS_TEST_URL}")
    return REDIS_TEST_URL


@pytest.fixture
def redis_cache():
    cache = ResilientRedisCache(require_redis(), {})
    cache.delete_many([KEY, CLAIM])
    yield cache
    cache.delete_many([KEY, CLAIM])


def test_window_counter_counts_from_one_and_expires_with_its_window(redis_cache):
    counts = [redis_cache.count_in_window(KEY, 600) for _ in range(3)]

    assert counts == [1, 2, 3]
    seconds_left = redis_cache._cache.get_client(write=True).ttl(redis_cache.make_key(KEY))
    assert 0 < seconds_left <= 600


def test_window_counter_is_an_ordinary_cache_value(redis_cache):
    redis_cache.count_in_window(KEY, 600)

    assert redis_cache.get(KEY) == 1
    assert redis_cache.incr(KEY) == 2
    assert redis_cache.count_in_window(KEY, 600) == 3


def test_count_and_claim_counts_and_keeps_the_first_claim_until_it_expires(redis_cache):
    first = redis_cache.count_and_claim(KEY, 600, CLAIM, "first holder", 900)
    second = redis_cache.count_and_claim(KEY, 600, CLAIM, "second holder", 900)

    assert first == (1, "first holder")
    assert second == (2, "first holder")
    assert redis_cache.get(CLAIM) == "first holder"
    assert redis_cache.count_in_window(KEY, 600) == 3
    seconds_left = redis_cache._cache.get_client(write=True).ttl(redis_cache.make_key(CLAIM))
    assert 600 < seconds_left <= 900


def record_round_trips(monkeypatch):
    """A list that gets what each round trip to Redis sent: its commands and their arguments, as text.

    A pipeline is one round trip of several commands; any other command (a script among them) is one of
    its own.
    """
    round_trips = []
    execute_pipeline = redis.client.Pipeline.execute
    execute_command = redis.client.Redis.execute_command

    def as_text(args):
        return [arg.decode(errors="replace") if isinstance(arg, bytes) else str(arg) for arg in args]

    def recorded_pipeline(pipeline, *args, **kwargs):
        round_trips.append([as_text(command[0]) for command in pipeline.command_stack])
        return execute_pipeline(pipeline, *args, **kwargs)

    def recorded_command(client, *args, **options):
        round_trips.append([as_text(args)])
        return execute_command(client, *args, **options)

    monkeypatch.setattr(redis.client.Pipeline, "execute", recorded_pipeline)
    monkeypatch.setattr(redis.client.Redis, "execute_command", recorded_command)
    return round_trips


def test_count_and_claim_is_one_round_trip(redis_cache, monkeypatch):
    round_trips = record_round_trips(monkeypatch)
    redis_cache.count_and_claim(KEY, 600, CLAIM, "holder", 900)

    assert len(round_trips) == 1
    [[command, _digest, key_count, *keys]] = [sent[:5] for sent in round_trips[0]]
    assert (command, key_count) == ("EVALSHA", "2")
    assert keys == [redis_cache.make_key(KEY), redis_cache.make_key(CLAIM)]


def test_count_and_claim_works_after_redis_forgot_its_script(redis_cache):
    redis_cache.count_and_claim(KEY, 600, CLAIM, "holder", 900)
    redis_cache._cache.get_client(write=True).script_flush()

    assert redis_cache.count_and_claim(KEY, 600, CLAIM, "another holder", 900) == (2, "holder")


def test_window_counter_refuses_while_redis_is_unreachable():
    cache = ResilientRedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 1}})

    with pytest.raises(ValueError):
        cache.count_in_window(KEY, 600)
    with pytest.raises(ValueError):
        cache.count_and_claim(KEY, 600, CLAIM, "holder", 900)
