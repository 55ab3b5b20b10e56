"""Filters for a dataset's public page and downloads: by period, area, platform and measure."""

import django_filters

from statistics.models import Area, Observation, Period, Platform


class ObservationFilter(django_filters.FilterSet):
    period = django_filters.ModelChoiceFilter(queryset=Period.objects.none(), empty_label="All periods")
    area = django_filters.ModelChoiceFilter(queryset=Area.objects.none(), empty_label="All areas")
    platform = django_filters.ModelChoiceFilter(queryset=Platform.objects.none(), empty_label="All platforms")
    measure = django_filters.ChoiceFilter(choices=[], empty_label="All measures")

    class Meta:
        model = Observation
        fields = ["period", "area", "platform", "measure"]

    def __init__(self, data=None, queryset=None, *, dataset, **kwargs):
        super().__init__(data, queryset, **kwargs)
        # Offer only what this dataset has, so no choice leads to an empty table.
        observations = Observation.objects.filter(dataset=dataset)
        self.filters["period"].queryset = Period.objects.filter(observations__in=observations).distinct()
        self.filters["area"].queryset = Area.objects.filter(observations__in=observations).distinct()
        self.filters["platform"].queryset = Platform.objects.filter(observations__in=observations).distinct()
        measures = observations.order_by("measure").values_list("measure", flat=True).distinct()
        self.filters["measure"].extra["choices"] = [(measure, measure) for measure in measures]
