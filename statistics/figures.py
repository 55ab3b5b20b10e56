"""Figures worked out from observations: calculations, rounding, wording, chart data and the checks
that refuse a selection which makes no sense.

Everything here works on observations already loaded (with their period, area and platform), and
runs no queries: the same code serves a cached page render, the admin's live preview and the widget
form's validation.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from statistics.choices import Calculation, Qualifier, Rounding, SortOrder, Unit, WidgetKind

_ROUNDING_STEPS = {
    Rounding.WHOLE: Decimal("1"),
    Rounding.ONE_DECIMAL: Decimal("0.1"),
    Rounding.TWO_DECIMALS: Decimal("0.01"),
    Rounding.TENS: Decimal("10"),
    Rounding.HUNDREDS: Decimal("100"),
    Rounding.THOUSANDS: Decimal("1000"),
}
_HUNDRED = Decimal(100)


# Numbers and their wording ------------------------------------------------------------------------


def format_decimal(value, places=None):
    """'4,000', '3.2', '10.96': thousands separated, trailing zeros dropped unless places is given."""
    if places is not None:
        return f"{value:,.{places}f}"
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


def format_observation_value(observation):
    """A stored figure as a reader sees it: 'more than 4,000', '3.2%'."""
    return stored_number(observation).words


def round_value(value, rounding):
    """Round half up to the editor's choice (4,023 to the nearest ten is 4,020; 10.96 whole is 11)."""
    step = _ROUNDING_STEPS[Rounding(rounding)]
    return (value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


@dataclass(frozen=True)
class Number:
    """A worked-out figure, rounded for display, that may be only a lower bound."""

    text: str
    more_than: bool

    @property
    def words(self):
        return f"more than {self.text}" if self.more_than else self.text


def make_number(exact, rounding, lower_bound=False):
    """Round `exact` for display. A lower bound keeps its 'more than' only if rounding did not raise it:
    more than 4,000 a year is 10.96 a day at least, which rounds up to 11, and 'more than 11' would
    claim too much."""
    rounded = round_value(exact, rounding)
    places = max(0, -_ROUNDING_STEPS[Rounding(rounding)].as_tuple().exponent)
    return Number(text=format_decimal(rounded, places), more_than=lower_bound and rounded <= exact)


def stored_number(observation):
    """A stored figure as it is, with no rounding beyond dropping trailing zeros."""
    suffix = "%" if observation.unit == Unit.PERCENT else ""
    return Number(
        text=format_decimal(observation.value) + suffix,
        more_than=observation.qualifier == Qualifier.MORE_THAN,
    )


def lower_first(text):
    """'Child abuse image …' → 'child abuse image …', leaving acronyms such as 'FOI requests' alone."""
    first_word = text.split(" ", 1)[0]
    if sum(character.isupper() for character in first_word) > 1:
        return text
    return text[:1].lower() + text[1:]


def capitalise_first(text):
    return text[:1].upper() + text[1:]


def join_words(words):
    """'A', 'A and B', 'A, B and C'."""
    words = list(words)
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def periods_text(periods):
    """'2018/19', '2017/18 and 2018/19', or '2015/16 to 2018/19' for the periods a widget covers."""
    periods = sorted({period.pk: period for period in periods}.values(), key=lambda p: p.start_date)
    if len(periods) <= 2:
        return join_words(period.label for period in periods)
    return f"{periods[0].label} to {periods[-1].label}"


# Checks ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """Why a widget's selection makes no sense; `field` is the form field to show it on, if any."""

    field: str | None
    message: str


def _same(observations, attribute):
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
        if not _same(observations, "measure"):
            problems.append(
                Problem("widget_observations", "The figures count different things (measures): choose one.")
            )
        if not _same(observations, "period_id"):
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
    if not _same(observations, "measure"):
        problems.append(
            Problem("widget_observations", "The figures count different things (measures): choose one.")
        )
    if kind == WidgetKind.CHANGE:
        if not (_same(observations, "area_id") and _same(observations, "platform_id")):
            problems.append(
                Problem(
                    "widget_observations",
                    "A change over periods follows one area and one platform: these figures differ in "
                    "area or platform.",
                )
            )
        if len({observation.period_id for observation in observations}) != len(observations):
            problems.append(Problem("widget_observations", "Choose one figure for each period."))
    elif not _same(observations, "period_id"):
        problems.append(
            Problem(
                "widget_observations",
                "The figures cover different periods: choose one period, or make a 'Change over periods'.",
            )
        )
    if not _same(observations, "unit"):
        problems.append(
            Problem("widget_observations", "Counts and percentages cannot be compared on one scale.")
        )
    if kind == WidgetKind.BAR_CHART and not (
        _same(observations, "area_id") or _same(observations, "platform_id")
    ):
        problems.append(
            Problem(
                "widget_observations",
                "A bar chart compares one thing: choose figures for one area across platforms, or for "
                "one platform across areas. These figures differ in both.",
            )
        )
    return problems


# What a widget shows ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    value_text: str
    # The bar's length as a percentage of the longest bar (or of the whole, for a share bar).
    length: float
    detail: str = ""

    @property
    def gap(self):
        """The space above a vertical bar, in the same percentage units."""
        return round(100 - self.length, 2)


@dataclass(frozen=True)
class Table:
    caption: str
    headers: list
    rows: list


@dataclass
class WidgetView:
    """What a widget shows: built by `build_widget_view`, drawn by the widget templates."""

    kind: str
    finding: str
    table: Table
    periods: str
    filters: dict
    figure: str = ""
    label: str = ""
    explanation: str = ""
    bars: list = field(default_factory=list)
    orientation: str = ""


class WidgetUnavailable(Exception):
    """The widget's observations no longer make sense together (say, a part corrected above its whole)."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("; ".join(problem.message for problem in problems))


def _observation_rows(observations):
    return [[str(o.platform), str(o.area), str(o.period), o.measure, o.value_text] for o in observations]


_OBSERVATION_HEADERS = ["Platform", "Area", "Period", "Measure", "Figure"]


def _filters(observations):
    """Public data page filters that select (at least) these observations."""
    filters = {}
    for name, attribute in (("period", "period_id"), ("area", "area_id"), ("platform", "platform_id")):
        values = {getattr(observation, attribute) for observation in observations}
        if len(values) == 1 and None not in values:
            filters[name] = values.pop()
    measures = {observation.measure for observation in observations}
    if len(measures) == 1:
        filters["measure"] = measures.pop()
    return filters


def build_widget_view(widget, observations, whole=None):
    """Work out what `widget` shows from its chosen observations (in the editor's order).

    Raises WidgetUnavailable when the figures cannot be shown as set up.
    """
    problems = widget_problems(widget.kind, widget.calculation, widget.dataset_id, observations, whole)
    if problems:
        raise WidgetUnavailable(problems)
    every = [*observations, *([whole] if whole else [])]
    common = {
        "periods": periods_text(observation.period for observation in every),
        "filters": _filters(every),
        "kind": widget.kind,
    }
    builders = {
        WidgetKind.HEADLINE: _headline_view,
        WidgetKind.BAR_CHART: _bar_chart_view,
        WidgetKind.SHARE_BAR: _share_bar_view,
        WidgetKind.TABLE: _table_view,
        WidgetKind.CHANGE: _change_view,
    }
    return builders[WidgetKind(widget.kind)](widget, observations, whole, common)


def _headline_view(widget, observations, whole, common):
    calculation = Calculation(widget.calculation)
    rows = _observation_rows(observations)
    total = sum(observation.value for observation in observations)
    lower_bound = any(observation.qualifier == Qualifier.MORE_THAN for observation in observations)
    explanation = ""
    if calculation == Calculation.VALUE:
        observation = observations[0]
        number = make_number(observation.value, widget.rounding, lower_bound)
        figure = number.words + ("%" if observation.unit == Unit.PERCENT else "")
    elif calculation == Calculation.SUM:
        number = make_number(total, widget.rounding, lower_bound)
        figure = number.words
        explanation = " + ".join(stored_number(observation).words for observation in observations)
        rows.append(["Sum", "", "", "", number.words])
    elif calculation == Calculation.RATE_PER_DAY:
        period = observations[0].period
        rate = total / period.days
        figure = f"{make_number(rate, widget.rounding, lower_bound).words} a day"
        explanation = f"{_total_words(total, lower_bound)} in the {period.days:,} days of {period.label}"
        rows.append([f"Days in {period.label}", "", "", "", f"{period.days:,}"])
        rows.append(["Average a day", "", "", "", make_number(rate, Rounding.TWO_DECIMALS).text])
    else:
        share = make_number(total / whole.value * _HUNDRED, widget.rounding, lower_bound)
        rows.append(
            [f"Whole: {whole.platform}", str(whole.area), str(whole.period), whole.measure, whole.value_text]
        )
        if calculation == Calculation.SHARE:
            figure = f"{share.words}%"
            explanation = f"{_total_words(total, lower_bound)} of {whole.value_text}"
        else:
            figure = f"{_total_words(total, lower_bound)} of {whole.value_text}"
            explanation = f"{share.words}%"
        rows.append(["Share", "", "", "", f"{share.words}%"])
    finding = capitalise_first(f"{figure} {widget.label}".strip())
    if explanation:
        finding += f" ({explanation})"
    return WidgetView(
        **common,
        finding=finding + ".",
        figure=figure,
        label=widget.label,
        explanation=explanation,
        table=Table(caption=f"The figures behind '{widget.title}'", headers=_OBSERVATION_HEADERS, rows=rows),
    )


def _total_words(total, lower_bound):
    return f"more than {format_decimal(total)}" if lower_bound else format_decimal(total)


def _sorted(items, sort_order, value, label):
    if sort_order == SortOrder.LARGEST_FIRST:
        return sorted(items, key=lambda item: (-value(item), label(item).casefold()))
    if sort_order == SortOrder.SMALLEST_FIRST:
        return sorted(items, key=lambda item: (value(item), label(item).casefold()))
    if sort_order == SortOrder.ALPHABETICAL:
        return sorted(items, key=lambda item: label(item).casefold())
    return list(items)


def _length(value, longest):
    return float(round(value / longest * _HUNDRED, 2)) if longest else 0.0


def _bar_chart_view(widget, observations, whole, common):
    across_platforms = len({observation.area_id for observation in observations}) == 1
    first = observations[0]
    if across_platforms:
        label_of, dimension = (lambda o: str(o.platform)), "Platform"
        context = f"in {first.area.sentence_name}"
    else:
        label_of, dimension = (lambda o: str(o.area)), "Area"
        context = f"on {first.platform}"
    ordered = _sorted(observations, widget.sort_order, lambda o: o.value, label_of)
    longest = max(observation.value for observation in observations)
    bars = [Bar(label_of(o), o.value_text, _length(o.value, longest)) for o in ordered]
    leaders = [o for o in observations if o.value == longest]
    superlative = "most" if first.unit == Unit.COUNT else "highest share of"
    finding = (
        f"{join_words(label_of(o) for o in leaders)} had the {superlative} {lower_first(first.measure)} "
        f"{context}: {leaders[0].value_text}."
    )
    return WidgetView(
        **common,
        finding=finding,
        bars=bars,
        orientation=widget.orientation,
        table=Table(
            caption=f"{first.measure} {context}, {common['periods']}",
            headers=[dimension, "Figure"],
            rows=[[bar.label, bar.value_text] for bar in bars],
        ),
    )


def _difference(observation, whole):
    """What sets a part apart from its whole: its platform, its area, or both."""
    parts = []
    if observation.platform_id != whole.platform_id:
        parts.append(str(observation.platform))
    if observation.area_id != whole.area_id:
        parts.append(str(observation.area))
    return ", ".join(parts) or str(observation.platform)


def _share_bar_view(widget, observations, whole, common):
    def share(observation):
        return make_number(observation.value / whole.value * _HUNDRED, widget.rounding, False)

    ordered = _sorted(observations, widget.sort_order, lambda o: o.value, lambda o: _difference(o, whole))
    whole_label = f"{whole.platform}, {whole.area}" if _same(observations, "area_id") else str(whole.area)
    bars = [
        Bar(
            label=_difference(observation, whole),
            value_text=observation.value_text,
            length=_length(observation.value, whole.value),
            detail=f"{share(observation).words}% of {whole.value_text}",
        )
        for observation in ordered
    ]
    finding = "; ".join(
        f"{bar.label}: {bar.value_text} ({share(observation).words}%) of {whole.value_text}"
        for bar, observation in zip(bars, ordered, strict=True)
    )
    return WidgetView(
        **common,
        finding=f"{finding} ({lower_first(whole.measure)}, {whole_label}).",
        bars=bars,
        orientation=widget.orientation,
        table=Table(
            caption=f"{whole.measure}: parts of {whole_label}, {common['periods']}",
            headers=["Part", "Figure", "Whole", "Share"],
            rows=[
                [bar.label, bar.value_text, whole.value_text, f"{share(observation).words}%"]
                for bar, observation in zip(bars, ordered, strict=True)
            ],
        ),
    )


def _table_view(widget, observations, whole, common):
    first = observations[0]
    areas = list(dict.fromkeys(str(observation.area) for observation in observations))
    platforms = list(dict.fromkeys(str(observation.platform) for observation in observations))
    cells = {(str(o.area), str(o.platform)): o for o in observations}
    longest = max(observation.value for observation in observations)
    leaders = [f"{o.platform}, {o.area}" for o in observations if o.value == longest]
    leader_value = next(o for o in observations if o.value == longest)
    finding = f"Highest: {join_words(leaders)}: {leader_value.value_text}."
    if len(areas) > 1 and len(platforms) > 1:
        # Areas down the side, platforms across the top; rows follow the first platform's figures.
        def row_value(area):
            observation = cells.get((area, platforms[0]))
            return observation.value if observation else Decimal(-1)

        ordered_areas = _sorted(areas, widget.sort_order, row_value, str)
        rows = [
            [area, *[cells[(area, p)].value_text if (area, p) in cells else "No figure" for p in platforms]]
            for area in ordered_areas
        ]
        headers = ["Area", *platforms]
    else:
        across_platforms = len(areas) == 1
        label_of = (lambda o: str(o.platform)) if across_platforms else (lambda o: str(o.area))
        ordered = _sorted(observations, widget.sort_order, lambda o: o.value, label_of)
        rows = [[label_of(o), o.value_text] for o in ordered]
        headers = ["Platform" if across_platforms else "Area", "Figure"]
    return WidgetView(
        **common,
        finding=finding,
        table=Table(caption=f"{first.measure}, {common['periods']}", headers=headers, rows=rows),
    )


def _change_view(widget, observations, whole, common):
    ordered = sorted(observations, key=lambda observation: observation.period.start_date)
    first, last = ordered[0], ordered[-1]
    longest = max(observation.value for observation in observations)
    bars = [Bar(str(o.period), o.value_text, _length(o.value, longest)) for o in ordered]
    rows = []
    previous = None
    for observation in ordered:
        rows.append([str(observation.period), observation.value_text, _change_words(previous, observation)])
        previous = observation
    direction = "Up" if last.value > first.value else "Down"
    if last.value == first.value:
        direction = "No change"
    finding = f"{direction} from {first.value_text} in {first.period} to {last.value_text} in {last.period}"
    change = _change_words(first, last)
    if change and direction != "No change":
        finding += f": {change}"
    subject = f"{lower_first(first.measure)} on {first.platform} in {first.area.sentence_name}"
    return WidgetView(
        **common,
        finding=f"{finding} ({subject}).",
        bars=bars,
        orientation=widget.orientation,
        table=Table(
            caption=f"{first.measure} on {first.platform} in {first.area.sentence_name}, {common['periods']}",
            headers=["Period", "Figure", "Change from the period before"],
            rows=rows,
        ),
    )


def _change_words(before, after):
    """'a rise of 1,000 (33%)', or '' where it cannot be stated (no earlier figure, or a lower bound)."""
    if before is None or Qualifier.MORE_THAN in (before.qualifier, after.qualifier):
        return ""
    difference = after.value - before.value
    if difference == 0:
        return "no change"
    word = "a rise" if difference > 0 else "a fall"
    if before.unit == Unit.PERCENT:
        return f"{word} of {format_decimal(abs(difference))} percentage points"
    words = f"{word} of {format_decimal(abs(difference))}"
    if before.value:
        words += f" ({make_number(abs(difference) / before.value * _HUNDRED, Rounding.WHOLE).text}%)"
    return words
