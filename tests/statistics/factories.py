"""Factories for the statistics tests: datasets, the dimensions of their observations, and widgets."""

import datetime
from decimal import Decimal

import factory

from statistics.choices import AreaType, Qualifier, Unit, WidgetKind
from statistics.models import (
    Area,
    Dataset,
    Observation,
    Period,
    Platform,
    StatisticWidget,
    StatisticWidgetObservation,
)


class DatasetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dataset
        django_get_or_create = ["slug"]

    title = factory.Sequence(lambda n: f"Dataset {n}")
    slug = factory.Sequence(lambda n: f"dataset-{n}")
    source = "FOI requests answered by 32 UK police forces"
    publisher = "NSPCC"


class PeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Period
        django_get_or_create = ["label"]

    label = "2018/19"
    start_date = datetime.date(2018, 4, 1)
    end_date = datetime.date(2019, 3, 31)


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Area {n}")
    area_type = AreaType.REGION


class PlatformFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Platform
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Platform {n}")


class ObservationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Observation

    dataset = factory.SubFactory(DatasetFactory)
    period = factory.SubFactory(PeriodFactory)
    area = factory.SubFactory(AreaFactory)
    platform = factory.SubFactory(PlatformFactory)
    measure = "Child abuse image and online child sexual offences"
    value = Decimal(100)
    unit = Unit.COUNT
    qualifier = Qualifier.EXACT

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        # Values read back from the database are Decimals; tests may write them as ints.
        kwargs["value"] = Decimal(str(kwargs["value"]))
        return kwargs


class StatisticWidgetFactory(factory.django.DjangoModelFactory):
    """A saved widget showing `observations` (in that order), built as the admin builds one: the chosen
    figures saved with it. Its dataset is theirs (or its whole's)."""

    class Meta:
        model = StatisticWidget

    title = "A widget"
    kind = WidgetKind.HEADLINE
    whole = None
    observations = ()
    dataset = factory.LazyAttribute(lambda widget: (widget.whole or widget.observations[0]).dataset)

    @classmethod
    def _create(cls, model_class, *args, observations=(), **kwargs):
        widget = model_class(*args, **kwargs)
        widget.widget_observations = [
            StatisticWidgetObservation(observation=observation, sort_order=index)
            for index, observation in enumerate(observations)
        ]
        widget.save()
        return widget
