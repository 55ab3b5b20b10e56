"""Every fixed list of choices in the statistics app, stated once.

Models, forms, blocks, the importer and the figure calculations all take their choices from here,
so a value means the same thing everywhere (and the import format's words are the stored values).
Heading levels, which campaign's blocks share, are `core.blocks.HeadingLevel`.
"""

from django.db import models


class AreaType(models.TextChoices):
    NATION = "nation", "Nation"
    REGION = "region", "Region"
    POLICE_FORCE = "police_force", "Police force"


class Unit(models.TextChoices):
    COUNT = "count", "Count"
    PERCENT = "percent", "Percent"


class Qualifier(models.TextChoices):
    # The import format writes an exact figure's qualifier as an empty cell.
    EXACT = "exact", "Exact"
    MORE_THAN = "more_than", "More than"


class WidgetKind(models.TextChoices):
    HEADLINE = "headline", "Headline figure"
    BAR_CHART = "bar_chart", "Bar chart"
    SHARE_BAR = "share_bar", "Share of a whole (bar)"
    TABLE = "table", "Comparison table"
    CHANGE = "change", "Change over periods"


# The widget fields that apply to some kinds only; the editor shows each for these kinds alone.
WIDGET_KIND_FIELDS = {
    "calculation": (WidgetKind.HEADLINE.value,),
    "label": (WidgetKind.HEADLINE.value,),
    "whole": (WidgetKind.HEADLINE.value, WidgetKind.SHARE_BAR.value),
    "rounding": (WidgetKind.HEADLINE.value, WidgetKind.SHARE_BAR.value),
    "orientation": (WidgetKind.BAR_CHART.value, WidgetKind.SHARE_BAR.value, WidgetKind.CHANGE.value),
    "sort_order": (WidgetKind.BAR_CHART.value, WidgetKind.SHARE_BAR.value, WidgetKind.TABLE.value),
}


class Calculation(models.TextChoices):
    VALUE = "value", "The figure as stored"
    SUM = "sum", "Sum of the figures"
    SHARE = "share", "Share of the whole, as a percentage (299 of 9,259 → 3%)"
    RATE_PER_DAY = "rate_per_day", "Average a day over the period (4,000 in a year → 11 a day)"
    PART_OF_WHOLE = "part_of_whole", "'X of Y' (40 of 94)"


class Rounding(models.TextChoices):
    WHOLE = "whole", "Whole number (10.96 → 11)"
    ONE_DECIMAL = "one_decimal", "One decimal place (10.96 → 11.0)"
    TWO_DECIMALS = "two_decimals", "Two decimal places (10.958 → 10.96)"
    TENS = "tens", "Nearest ten (4,023 → 4,020)"
    HUNDREDS = "hundreds", "Nearest hundred (4,063 → 4,100)"
    THOUSANDS = "thousands", "Nearest thousand (4,600 → 5,000)"


class Orientation(models.TextChoices):
    HORIZONTAL = "horizontal", "Horizontal bars (best for long names)"
    VERTICAL = "vertical", "Vertical columns"


class SortOrder(models.TextChoices):
    LARGEST_FIRST = "largest_first", "Largest first"
    SMALLEST_FIRST = "smallest_first", "Smallest first"
    ALPHABETICAL = "alphabetical", "A to Z by name"
    AS_LISTED = "as_listed", "In the order the figures are listed below"


class WidgetWidth(models.TextChoices):
    TEXT = "text", "As wide as the text"
    WIDE = "wide", "Wider than the text"
