"""The statistics app's models: FOI data (datasets and their observations) and the widgets that show it.

Their choices (units, kinds of widget, ...) live in `statistics.choices`.
"""

from statistics.models.data import (
    Area,
    Dataset,
    Measure,
    Observation,
    Period,
    Platform,
    attach_measure_words,
    measure_words_of,
)
from statistics.models.widgets import StatisticWidget, StatisticWidgetObservation

__all__ = [
    "Area",
    "Dataset",
    "Measure",
    "Observation",
    "Period",
    "Platform",
    "StatisticWidget",
    "StatisticWidgetObservation",
    "attach_measure_words",
    "measure_words_of",
]
