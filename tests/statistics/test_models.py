"""The rules that protect the figures hold in the database itself, whatever writes to it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from statistics.choices import Unit
from statistics.models import Area, Period

from .factories import AreaFactory, ObservationFactory

pytestmark = pytest.mark.django_db


def violates_database_rule(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def test_one_observation_per_dataset_period_area_platform_and_measure():
    first = ObservationFactory()

    violates_database_rule(
        lambda: ObservationFactory(
            dataset=first.dataset, period=first.period, area=first.area, platform=first.platform, value=5
        )
    )


def test_no_negative_value_and_no_percentage_over_100():
    violates_database_rule(lambda: ObservationFactory(value=-1))
    violates_database_rule(lambda: ObservationFactory(unit=Unit.PERCENT, value=100.5))
    assert ObservationFactory(unit=Unit.COUNT, value=100.5).pk


def test_no_period_that_ends_before_it_starts():
    violates_database_rule(
        lambda: Period.objects.create(
            label="Backwards", start_date=datetime.date(2019, 4, 1), end_date=datetime.date(2019, 3, 31)
        )
    )


def test_no_area_inside_itself():
    area = AreaFactory()

    violates_database_rule(lambda: Area.objects.filter(pk=area.pk).update(parent=area.pk))


def test_admin_forms_turn_the_rules_into_plain_messages():
    first = ObservationFactory()
    duplicate = ObservationFactory.build(
        dataset=first.dataset,
        period=first.period,
        area=first.area,
        platform=first.platform,
        unit=Unit.PERCENT,
    )
    duplicate.value = 120

    with pytest.raises(ValidationError) as caught:
        duplicate.full_clean()

    assert caught.value.messages == [
        "This dataset already has a figure for this period, area, platform and measure.",
        "A percentage cannot be more than 100.",
    ]
