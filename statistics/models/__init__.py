"""The statistics app's models: FOI data (datasets and their observations) and the widgets that show it."""

from statistics.models.data import (
    Area,
    AreaType,
    Dataset,
    Observation,
    Period,
    Platform,
    Qualifier,
    Unit,
)
from statistics.models.widgets import (
    Calculation,
    Orientation,
    Rounding,
    SortOrder,
    StatisticWidget,
    StatisticWidgetObservation,
    WidgetKind,
)

__all__ = [
    "Area",
    "AreaType",
    "Calculation",
    "Dataset",
    "Observation",
    "Orientation",
    "Period",
    "Platform",
    "Qualifier",
    "Rounding",
    "SortOrder",
    "StatisticWidget",
    "StatisticWidgetObservation",
    "Unit",
    "WidgetKind",
]
