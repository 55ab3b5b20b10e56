"""The count's next goal: milestones far from the target, the target once it is within reach."""

import pytest

from petitions.models.counts import Counts, next_goal


@pytest.mark.parametrize(
    ("total", "target", "goal"),
    [
        (0, 50_000, 100),
        (99, 50_000, 100),
        (100, 50_000, 500),
        (387, 50_000, 500),
        (500, 50_000, 1_000),
        (2_400, 50_000, 2_500),
        (9_999, 50_000, 10_000),
        (10_000, 50_000, 25_000),
        # Half the target or more: the target itself.
        (24_999, 50_000, 25_000),
        (25_000, 50_000, 50_000),
        (49_999, 50_000, 50_000),
        # A small target comes before the next milestone.
        (120, 300, 300),
        (0, 50, 50),
        # Past the target: the next milestone after the count.
        (50_000, 50_000, 100_000),
        (60_000, 50_000, 100_000),
        (120_000, 50_000, 250_000),
    ],
)
def test_next_goal_is_the_next_milestone_until_the_target_is_near(total, target, goal):
    assert next_goal(total, target) == goal


def test_the_goal_is_always_ahead_of_the_count():
    for total in range(0, 300_000, 997):
        assert next_goal(total, 50_000) > total


def test_counts_say_whether_the_goal_is_the_target_and_whether_it_is_reached():
    assert Counts(total=387, target=50_000).goal_is_target is False
    assert Counts(total=30_000, target=50_000).goal_is_target is True
    assert Counts(total=30_000, target=50_000).target_reached is False
    assert Counts(total=50_000, target=50_000).target_reached is True
