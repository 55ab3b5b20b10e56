"""The checks that refuse, in plain words, a widget's selection of figures that makes no sense: the
widget form shows them to the editor, and rendering refuses to draw a widget whose data no longer fits."""

from dataclasses import dataclass

from statistics.choices import Calculation, Qualifier, Unit, WidgetKind
from statistics.figures.numbers import format_decimal


@dataclass(frozen=True)
class Problem:
    """Why a widget's selection makes no sense; `field` is the form field to show it on, if any."""

    field: str | None
    message: str


def all_same(observations, attribute):
    """Whether the observations all have the same `attribute` (true of one, or of none)."""
    return len({getattr(observation, attribute) for observation in observations}) <= 1


def _overlaps(observations, platform_members, area_parents):
    """Messages for pairs where one figure already includes the other (a group and its member, or an
    area and an area inside it, for the same measure and period), which would count it twice."""

    def ancestors(area_id):
        seen = []
        parent = area_parents.get(area_id)
        while parent is not None and parent not in seen:
            seen.append(parent)
            parent = area_parents.get(parent)
        return seen

    messages = []
    for first in observations:
        for second in observations:
            if first is second or (first.period_id, first.measure) != (second.period_id, second.measure):
                continue
            same_area = first.area_id == second.area_id
            same_platform = first.platform_id == second.platform_id
            if same_area and second.platform_id in platform_members.get(first.platform_id, ()):
                messages.append(
                    f"{first.platform} already includes {second.platform}, so adding both counts "
                    f"{second.platform} twice."
                )
            elif same_platform and first.area_id in ancestors(second.area_id):
                messages.append(
                    f"{first.area} already includes {second.area}, so adding both counts {second.area} twice."
                )
    return messages


def widget_problems(
    kind, calculation, dataset_id, observations, whole, platform_members=None, area_parents=None
):
    """Everything wrong with a widget's settings and chosen observations, in plain words.

    `platform_members` ({group id: {member ids}}) and `area_parents` ({area id: parent id}) let the check
    catch a figure counted twice; leave them out where only the arithmetic must be safe (rendering).
    """
    problems = []

    def add(field_name, message):
        problems.append(Problem(field_name, message))

    if not observations:
        add("widget_observations", "Choose at least one figure.")
        return problems
    for observation in [*observations, *([whole] if whole else [])]:
        if dataset_id is not None and observation.dataset_id != dataset_id:
            add(None, f"'{observation}' is from another dataset. Choose figures from the widget's dataset.")
    seen = set()
    for observation in observations:
        if observation.pk is not None and observation.pk in seen:
            add("widget_observations", f"'{observation}' is chosen twice.")
        seen.add(observation.pk)

    uses_whole = kind == WidgetKind.SHARE_BAR or (
        kind == WidgetKind.HEADLINE and calculation in (Calculation.SHARE, Calculation.PART_OF_WHOLE)
    )
    if whole is not None and not uses_whole:
        add("whole", "Only a share, an 'X of Y' figure or a share bar uses a whole: clear this field.")
    if uses_whole:
        problems.extend(_whole_problems(kind, observations, whole))
    elif kind == WidgetKind.HEADLINE:
        problems.extend(_headline_problems(calculation, observations))
    else:
        problems.extend(_comparison_problems(kind, observations))

    adds_up = kind == WidgetKind.HEADLINE and calculation != Calculation.VALUE
    if adds_up and platform_members is not None and area_parents is not None:
        for message in _overlaps(observations, platform_members, area_parents):
            add("widget_observations", message)
    return problems


def _headline_problems(calculation, observations):
    problems = []
    count = len(observations)
    if calculation == Calculation.VALUE and count != 1:
        problems.append(
            Problem(
                "calculation",
                f"'The figure as stored' shows exactly one figure, and {count} are chosen. To add "
                "figures up, choose 'Sum of the figures'.",
            )
        )
    if calculation == Calculation.SUM and count < 2:
        problems.append(Problem("calculation", "A sum needs at least two figures to add up."))
    if calculation in (Calculation.SUM, Calculation.RATE_PER_DAY):
        if any(observation.unit == Unit.PERCENT for observation in observations):
            word = "added up" if calculation == Calculation.SUM else "turned into a rate per day"
            problems.append(Problem("calculation", f"Percentages cannot be {word}: choose counts."))
        if not all_same(observations, "measure"):
            problems.append(
                Problem("widget_observations", "The figures count different things (measures): choose one.")
            )
        if not all_same(observations, "period_id"):
            problems.append(
                Problem("widget_observations", "The figures cover different periods: choose one period.")
            )
    return problems


def _whole_problems(kind, observations, whole):
    if whole is None:
        return [Problem("whole", "Choose the whole: the total the figures are part of.")]
    problems = []
    if whole.unit == Unit.PERCENT or any(observation.unit == Unit.PERCENT for observation in observations):
        problems.append(Problem(None, "A share is worked out from counts: choose counts, not percentages."))
        return problems
    if whole.qualifier == Qualifier.MORE_THAN:
        problems.append(
            Problem(
                "whole",
                f"The whole ({whole.value_text}) is only a lower bound, so no share of it can be given.",
            )
        )
    if whole.value == 0:
        problems.append(Problem("whole", "The whole is zero, so nothing can be a share of it."))
    if any((o.measure, o.period_id) != (whole.measure, whole.period_id) for o in observations):
        problems.append(
            Problem(None, "The figures and the whole must count the same thing (measure) in the same period.")
        )
    if kind == WidgetKind.SHARE_BAR:
        for observation in observations:
            if observation.value > whole.value:
                problems.append(
                    Problem(
                        None,
                        f"{observation.value_text} ({observation.platform}, {observation.area}) is more "
                        f"than the whole ({whole.value_text}), so it cannot be a share of it.",
                    )
                )
    else:
        total = sum(observation.value for observation in observations)
        if total > whole.value:
            problems.append(
                Problem(
                    None,
                    f"The figures add up to {format_decimal(total)}, more than the whole "
                    f"({whole.value_text}), so they cannot be a share of it.",
                )
            )
    return problems


def _comparison_problems(kind, observations):
    problems = []
    minimum = {WidgetKind.BAR_CHART: 2, WidgetKind.TABLE: 2, WidgetKind.CHANGE: 2}[kind]
    if len(observations) < minimum:
        problems.append(Problem("widget_observations", f"Choose at least {minimum} figures to compare."))
        return problems
    if not all_same(observations, "measure"):
        problems.append(
            Problem("widget_observations", "The figures count different things (measures): choose one.")
        )
    if kind == WidgetKind.CHANGE:
        if not (all_same(observations, "area_id") and all_same(observations, "platform_id")):
            problems.append(
                Problem(
                    "widget_observations",
                    "A change over periods follows one area and one platform: these figures differ in "
                    "area or platform.",
                )
            )
        if len({observation.period_id for observation in observations}) != len(observations):
            problems.append(Problem("widget_observations", "Choose one figure for each period."))
    elif not all_same(observations, "period_id"):
        problems.append(
            Problem(
                "widget_observations",
                "The figures cover different periods: choose one period, or make a 'Change over periods'.",
            )
        )
    if not all_same(observations, "unit"):
        problems.append(
            Problem("widget_observations", "Counts and percentages cannot be compared on one scale.")
        )
    if kind == WidgetKind.BAR_CHART and not (
        all_same(observations, "area_id") or all_same(observations, "platform_id")
    ):
        problems.append(
            Problem(
                "widget_observations",
                "A bar chart compares one thing: choose figures for one area across platforms, or for "
                "one platform across areas. These figures differ in both.",
            )
        )
    return problems
