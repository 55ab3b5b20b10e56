"""The one caching idiom: cached values, and generations that make many of them stale at once."""

from core.caching import Generation, cached, forget


def test_a_cached_value_is_computed_once_until_forgotten(counting_cache):
    computed = []

    def compute():
        computed.append(1)
        return {"count": len(computed)}

    assert cached("test:value", 60, compute) == {"count": 1}
    assert cached("test:value", 60, compute) == {"count": 1}
    forget("test:value")

    assert cached("test:value", 60, compute) == {"count": 2}
    assert len(computed) == 2


def test_a_value_kept_under_a_generation_is_read_with_it_in_one_round_trip(counting_cache):
    generation = Generation("test:generation")
    cached("test:facts", 60, lambda: "first", generation=generation)
    counting_cache.round_trips.clear()

    assert cached("test:facts", 60, lambda: "recomputed", generation=generation) == "first"
    assert counting_cache.round_trips == ["get_many"]


def test_bumping_a_generation_makes_its_values_stale_and_none_is_kept_too(counting_cache):
    generation = Generation("test:generation")
    computed = []

    def compute():
        computed.append(1)

    cached("test:missing", 60, compute, generation=generation)
    cached("test:missing", 60, compute, generation=generation)
    assert len(computed) == 1, "a computed None is kept like any value"
    generation.bump()

    cached("test:missing", 60, compute, generation=generation)
    assert len(computed) == 2


def test_a_lost_generation_starts_again_from_the_clock_not_from_a_value_used_before(counting_cache):
    generation = Generation("test:generation")
    first = generation.current()
    generation.bump()
    counting_cache.delete(generation.key)

    restarted = generation.current()

    assert restarted not in (first, first + 1)
    assert restarted > first + 1


def test_a_bump_adds_one_and_starts_a_lost_generation(counting_cache):
    generation = Generation("test:generation")
    before = generation.current()

    generation.bump()
    assert generation.current() == before + 1

    counting_cache.delete(generation.key)
    generation.bump()
    assert generation.current() is not None


def test_many_generations_are_read_in_one_round_trip_once_started(counting_cache):
    generations = [Generation(f"test:widget-generation:{n}") for n in range(5)]
    started = Generation.current_many(generations)
    counting_cache.round_trips.clear()

    assert Generation.current_many(generations) == started
    assert counting_cache.round_trips == ["get_many"]
    assert len(set(started.values())) == 1, "started together, from one clock reading"
