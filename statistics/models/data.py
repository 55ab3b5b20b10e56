"""FOI data as published: datasets, the areas, platforms and periods they cover, and their observations.

The rules that protect the figures (one observation per identity, no negative values, no percentage
over 100, no period that ends before it starts) are database constraints, so neither the importer nor
an admin form nor a shell session can break them.
"""

from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.urls import reverse

from statistics.choices import AreaType, Qualifier, Unit
from statistics.figures.numbers import format_observation_value, lower_first


class Dataset(models.Model):
    title = models.CharField(
        max_length=255,
        help_text="The dataset's name as the public data page shows it, e.g. 'Wild West Web FOI 2018/19'.",
    )
    slug = models.SlugField(
        unique=True,
        help_text=(
            "Used in the web address of the public data page (/data/<slug>/) and by the import "
            "command. Lowercase letters, numbers and hyphens only."
        ),
    )
    description = models.TextField(
        blank=True,
        help_text="A sentence or two saying what the data is about, shown at the top of its public page.",
    )
    source = models.CharField(
        max_length=255,
        help_text=(
            "Where the figures come from, shown under every figure and chart, e.g. "
            "'FOI requests answered by 32 UK police forces'."
        ),
    )
    publisher = models.CharField(
        max_length=255, help_text="Who published the figures, e.g. 'NSPCC'. Shown with the source."
    )
    methodology = models.TextField(
        blank=True,
        help_text=(
            "How the figures were collected and what they do and do not count, in plain words. "
            "Shown on the public data page so journalists can check the figures."
        ),
    )
    licence = models.CharField(
        max_length=255,
        blank=True,
        help_text="The terms on which others may reuse the data, e.g. 'Open Government Licence v3.0'.",
    )
    licence_url = models.URLField(
        "licence link", blank=True, help_text="A link to the licence's full text, if it has one."
    )
    date_published = models.DateField(
        null=True, blank=True, help_text="When the publisher released the figures, if known."
    )

    class Meta:
        ordering = ["title"]
        permissions = [("import_observations", "Can import figures from a CSV or XLSX file")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("statistics:dataset_detail", kwargs={"slug": self.slug})


class Area(models.Model):
    name = models.CharField(
        max_length=255,
        unique=True,
        help_text="The area's name exactly as the data files write it, e.g. 'East of England'.",
    )
    name_in_text = models.CharField(
        "name inside a sentence",
        max_length=255,
        blank=True,
        help_text=(
            "How the name reads inside a sentence, if that differs, e.g. 'the East of England'. "
            "Charts use it in their summary ('… in the East of England'). Leave empty to use the name."
        ),
    )
    area_type = models.CharField(
        "type of area",
        max_length=20,
        choices=AreaType.choices,
        help_text="A nation, a region or a police force.",
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="lies in",
        help_text="The larger area this one lies in, e.g. a police force's region. Empty for a nation.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="statistics_area_not_its_own_parent"),
        ]

    def __str__(self):
        return self.name

    @property
    def sentence_name(self):
        return self.name_in_text or self.name


class Platform(models.Model):
    name = models.CharField(
        max_length=255,
        unique=True,
        help_text=(
            "The platform or group of platforms exactly as the data files write it, e.g. 'Instagram' "
            "or 'Facebook, Instagram or WhatsApp'."
        ),
    )
    name_in_text = models.CharField(
        "short name inside a sentence",
        max_length=100,
        blank=True,
        help_text=(
            "A short name that reads well inside a sentence, e.g. 'Facebook's apps' for 'Facebook, "
            "Instagram or WhatsApp', or 'any known platform'. Chart summaries use it. Leave empty to use "
            "the name."
        ),
    )
    members = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="groups",
        help_text=(
            "Only for a group such as 'Facebook, Instagram or WhatsApp': the platforms it covers. "
            "Widgets use this to stop a platform being added to its own group and counted twice."
        ),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def sentence_name(self):
        return self.name_in_text or self.name


class Measure(models.Model):
    """The words for what was counted, stored once: the full name the data files use and a short one for
    sentences. Observations name their measure by its full text, as the import format does."""

    name = models.CharField(
        max_length=255,
        unique=True,
        help_text=(
            "What was counted, exactly as the data files write it, e.g. 'Child abuse image and online "
            "child sexual offences'."
        ),
    )
    name_in_text = models.CharField(
        "short name inside a sentence",
        max_length=100,
        help_text=(
            "A short name that reads well inside a sentence, in lower case, e.g. 'child sex offences'. "
            "Chart summaries say 'Instagram had the most child sex offences in the East of England'."
        ),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Period(models.Model):
    label = models.CharField(
        max_length=100,
        unique=True,
        help_text="The period's name as the data files write it, e.g. '2018/19'.",
    )
    start_date = models.DateField("first day", help_text="The first day the figures cover.")
    end_date = models.DateField("last day", help_text="The last day the figures cover.")

    class Meta:
        ordering = ["start_date", "label"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__lte=F("end_date")), name="statistics_period_starts_before_end"
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def days(self):
        """How many days the period covers, counting its first and last day."""
        return (self.end_date - self.start_date).days + 1


class Observation(models.Model):
    dataset = models.ForeignKey(
        Dataset,
        on_delete=models.CASCADE,
        related_name="observations",
        help_text="The dataset this figure belongs to.",
    )
    period = models.ForeignKey(
        Period, on_delete=models.PROTECT, related_name="observations", help_text="When it was counted."
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="observations", help_text="Where it was counted."
    )
    platform = models.ForeignKey(
        Platform,
        on_delete=models.PROTECT,
        related_name="observations",
        help_text="The online platform, or group of platforms, it was counted on.",
    )
    measure = models.CharField(
        max_length=255,
        help_text="What was counted, e.g. 'Child abuse image and online child sexual offences'.",
    )
    value = models.DecimalField(
        max_digits=18,
        decimal_places=4,
        help_text="The figure. Never negative; a percentage is at most 100.",
    )
    unit = models.CharField(
        max_length=10, choices=Unit.choices, help_text="Whether the figure is a count or a percentage."
    )
    qualifier = models.CharField(
        max_length=10,
        choices=Qualifier.choices,
        default=Qualifier.EXACT,
        help_text=(
            "'More than' when the source gives only a lower bound (for example 'just over 4,000'); "
            "widgets then say 'more than'."
        ),
    )
    note = models.TextField(blank=True, help_text="The source's own remark about this figure, if any.")

    class Meta:
        ordering = ["dataset", "period__start_date", "area__name", "platform__name", "measure"]
        # Editors and the public read "figure"; the code and the import format keep "observation".
        verbose_name = "figure"
        verbose_name_plural = "figures"
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "period", "area", "platform", "measure"],
                name="statistics_observation_one_per_identity",
                violation_error_message=(
                    "This dataset already has a figure for this period, area, platform and measure."
                ),
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="statistics_observation_value_not_negative",
                violation_error_message="A figure cannot be negative.",
            ),
            models.CheckConstraint(
                condition=~Q(unit=Unit.PERCENT) | Q(value__lte=100),
                name="statistics_observation_percent_at_most_100",
                violation_error_message="A percentage cannot be more than 100.",
            ),
        ]

    def __str__(self):
        return f"{self.reading} ({self.measure})"

    @property
    def reading(self):
        """The figure as a reader would say it, in the order editors look for it: area, platform, period,
        value ('East of England, Instagram, 2018/19: 288')."""
        return f"{self.area}, {self.platform}, {self.period}: {self.value_text}"

    @property
    def value_text(self):
        """The figure as a reader sees it: 'more than 4,000', '3.2%'."""
        return format_observation_value(self)

    @property
    def measure_in_text(self):
        """What was counted, as a sentence says it: the measure's short name where the query brought it
        (`measure_words_of`) or `attach_measure_words` set it, else the full name in lower case."""
        return getattr(self, "measure_name_in_text", None) or lower_first(self.measure)


def measure_words_of(measure_field):
    """An annotation: the short name of the measure named by `measure_field`, in the same query."""
    return Subquery(Measure.objects.filter(name=OuterRef(measure_field)).values("name_in_text")[:1])


def attach_measure_words(observations):
    """Give observations loaded without `measure_words_of` their measures' short names (one query)."""
    names = dict(
        Measure.objects.filter(name__in={o.measure for o in observations}).values_list("name", "name_in_text")
    )
    for observation in observations:
        observation.measure_name_in_text = names.get(observation.measure)
