"""What each kind of widget shows, worked out from its chosen observations: the finding in words, the
figure, the bars and the table behind them (`build_widget_view`), for the widget templates to draw."""

from dataclasses import dataclass, field
from decimal import Decimal

from statistics.choices import Calculation, Qualifier, Rounding, SortOrder, Unit, WidgetKind
from statistics.figures.checks import all_same, widget_problems
from statistics.figures.numbers import (
    capitalise_first,
    format_decimal,
    join_words,
    make_number,
    periods_text,
    stored_number,
)

_HUNDRED = Decimal(100)


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

    @property
    def figure_parts(self):
        """(qualifier, number) of the headline figure: ('more than', '4,000'), or ('', '11 a day').

        Set apart so that the number never breaks across lines while the words before it may."""
        qualifier = "more than "
        if self.figure.startswith(qualifier):
            return qualifier.strip(), self.figure.removeprefix(qualifier)
        return "", self.figure


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
    # A bar's label is the name the data uses; the summary says the short name a sentence uses.
    if across_platforms:
        label_of, said_of, dimension = (
            (lambda o: str(o.platform)),
            (lambda o: o.platform.sentence_name),
            "Platform",
        )
        context = f"in {first.area.sentence_name}"
    else:
        label_of, said_of, dimension = (lambda o: str(o.area)), (lambda o: o.area.sentence_name), "Area"
        context = f"on {first.platform.sentence_name}"
    ordered = _sorted(observations, widget.sort_order, lambda o: o.value, label_of)
    longest = max(observation.value for observation in observations)
    bars = [Bar(label_of(o), o.value_text, _length(o.value, longest)) for o in ordered]
    leaders = [o for o in observations if o.value == longest]
    superlative = "most" if first.unit == Unit.COUNT else "highest share of"
    finding = capitalise_first(
        f"{join_words(said_of(o) for o in leaders)} had the {superlative} {first.measure_in_text} "
        f"{context}: {leaders[0].value_text}."
    )
    return WidgetView(
        **common,
        finding=finding,
        bars=bars,
        orientation=widget.orientation,
        table=Table(
            caption=f"{first.measure} {_full_context(first, across_platforms)}, {common['periods']}",
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


def _said_difference(observation, whole):
    """`_difference` as a sentence says it ('WhatsApp', 'Facebook's apps in Hertfordshire')."""
    parts = []
    if observation.platform_id != whole.platform_id:
        parts.append(observation.platform.sentence_name)
    if observation.area_id != whole.area_id:
        parts.append(f"in {observation.area.sentence_name}")
    return " ".join(parts) or observation.platform.sentence_name


def _full_context(observation, across_platforms):
    """Where a chart's figures are, with the full names the data uses (for a table's caption)."""
    return f"in {observation.area.sentence_name}" if across_platforms else f"on {observation.platform}"


def _share_bar_view(widget, observations, whole, common):
    def share(observation):
        return make_number(observation.value / whole.value * _HUNDRED, widget.rounding, False)

    ordered = _sorted(observations, widget.sort_order, lambda o: o.value, lambda o: _difference(o, whole))
    whole_label = f"{whole.platform}, {whole.area}" if all_same(observations, "area_id") else str(whole.area)
    bars = [
        Bar(
            label=_difference(observation, whole),
            value_text=observation.value_text,
            length=_length(observation.value, whole.value),
            detail=f"{share(observation).words}% of {whole.value_text}",
        )
        for observation in ordered
    ]
    parts = join_words(
        f"{_said_difference(observation, whole)} {observation.value_text} ({share(observation).words}%)"
        for observation in ordered
    )
    finding = (
        f"Of the {whole.value_text} {whole.measure_in_text} on {whole.platform.sentence_name} in "
        f"{whole.area.sentence_name}: {parts}."
    )
    return WidgetView(
        **common,
        finding=finding,
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
    leaders = [o for o in observations if o.value == longest]
    if len(areas) == 1:
        said = join_words(o.platform.sentence_name for o in leaders)
        where = f" in {first.area.sentence_name}"
    elif len(platforms) == 1:
        said = join_words(o.area.sentence_name for o in leaders)
        where = f" on {first.platform.sentence_name}"
    else:
        said = join_words(f"{o.platform.sentence_name} in {o.area.sentence_name}" for o in leaders)
        where = ""
    finding = capitalise_first(
        f"{said} had the most {first.measure_in_text}{where}: {leaders[0].value_text}."
    )
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
    subject = f"{first.measure_in_text} on {first.platform.sentence_name} in {first.area.sentence_name}"
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
