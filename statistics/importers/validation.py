"""Checking the rows: each alone (every cell as the format allows), against the other rows (the same
observation twice, a period or area described two ways) and against what is stored (a period's dates,
an area's place), so that a file either imports whole or lists every problem."""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from core.spreadsheets import restore_neutralised
from core.storable_text import is_storable
from statistics.choices import AreaType, Unit
from statistics.figures.numbers import format_observation_value
from statistics.import_format import (
    AREA_TYPES,
    COLUMN,
    COLUMNS,
    IDENTITY,
    MAX_PERCENT,
    QUALIFIER_WORDS,
    UNITS,
    any_of,
    qualifier_from_word,
)
from statistics.importers.problems import UNSTORABLE_CELL, ImportProblem, ImportRejected
from statistics.models import Area, Period

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBER = re.compile(r"\d+(\.\d+)?")
_NUMBER_WITH_THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")
_LARGEST_VALUE = Decimal(10) ** 14


@dataclass(frozen=True)
class ObservationRow:
    """A checked row of the file."""

    row: int
    period: str
    period_start: date
    period_end: date
    area: str
    area_type: str
    parent_area: str
    platform: str
    measure: str
    value: Decimal
    unit: str
    qualifier: str
    note: str

    @property
    def key(self):
        """What names the observation: its cells in the format's `IDENTITY` columns."""
        return tuple(getattr(self, name) for name in IDENTITY)

    @property
    def value_text(self):
        # Worded as a stored observation is, so the preview shows the figure as pages will.
        return format_observation_value(self)


def validate_rows(raw_rows):
    """Check every row (alone, against the other rows and against what is stored).

    Returns the rows as ObservationRow, or raises ImportRejected listing every problem found.
    """
    problems = []
    rows = []
    for row_number, cells in raw_rows:
        row_problems = []
        parsed = _parse_row(row_number, cells, row_problems)
        problems += row_problems
        if parsed is not None:
            rows.append(parsed)
    problems += _consistency_problems(rows)
    if problems:
        raise ImportRejected(problems)
    return rows


def _parse_row(row_number, cells, problems):
    def add(column, message):
        problems.append(ImportProblem(row_number, column, message))

    # Checked first, and alone: the other messages would quote the character back.
    for column in COLUMNS:
        if not is_storable(cells[column]):
            add(column, UNSTORABLE_CELL)
    if problems:
        return None
    # A dataset's CSV download keeps formula-like text safe with an apostrophe: read back what it wrote.
    cells = {column: restore_neutralised(text) for column, text in cells.items()}

    for column in COLUMN.values():
        text = cells[column.name]
        if column.needs and not text:
            add(column.name, f"This cell is empty: every row needs {column.needs}.")
        if column.max_length is not None and len(text) > column.max_length:
            add(column.name, f"This is {len(text)} characters long; at most {column.max_length} are allowed.")
    start = _parse_date(cells["period_start"], "period_start", add)
    end = _parse_date(cells["period_end"], "period_end", add)
    if start and end and end < start:
        add("period_end", f"The period ends ({end.isoformat()}) before it starts ({start.isoformat()}).")
    area_type = cells["area_type"].lower()
    if cells["area_type"] and area_type not in AREA_TYPES:
        add("area_type", f"'{cells['area_type']}' is not an area type: write {any_of(AREA_TYPES)}.")
    if cells["parent_area"] and cells["parent_area"] == cells["area"]:
        add("parent_area", "An area cannot lie inside itself.")
    unit = cells["unit"].lower()
    if cells["unit"] and unit not in UNITS:
        add("unit", f"'{cells['unit']}' is not a unit: write {any_of(UNITS)}.")
    value = _parse_value(cells["value"], add)
    if value is not None and unit == Unit.PERCENT and value > MAX_PERCENT:
        add("value", f"{cells['value']} is more than {MAX_PERCENT}, but the unit is {Unit.PERCENT.value}.")
    qualifier = qualifier_from_word(cells["qualifier"])
    if qualifier is None:
        words = any_of(f"'{word}'" for word in QUALIFIER_WORDS.values() if word)
        add(
            "qualifier",
            f"'{cells['qualifier']}' is not a qualifier: leave it empty for an exact figure, or write "
            f"{words}.",
        )
    if problems:
        return None
    return ObservationRow(
        row=row_number,
        period=cells["period"],
        period_start=start,
        period_end=end,
        area=cells["area"],
        area_type=area_type,
        parent_area=cells["parent_area"],
        platform=cells["platform"],
        measure=cells["measure"],
        value=value,
        unit=unit,
        qualifier=qualifier,
        note=cells["note"],
    )


def _parse_date(text, column, add):
    if not text:
        return None
    if _ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            add(column, f"'{text}' is not a real date.")
            return None
    add(column, f"'{text}' is not a date written as YYYY-MM-DD (for example 2018-04-01).")
    return None


def _parse_value(text, add):
    if not text:
        return None
    if text.startswith("-") and (_NUMBER.fullmatch(text[1:]) or _NUMBER_WITH_THOUSANDS.fullmatch(text[1:])):
        add("value", f"{text} is negative: a figure cannot be below zero.")
        return None
    if _NUMBER_WITH_THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    elif not _NUMBER.fullmatch(text):
        add("value", f"'{text}' is not a number. Write digits only, such as 4000 or 3.2.")
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        add("value", f"'{text}' is not a number.")
        return None
    if value >= _LARGEST_VALUE:
        add("value", f"{text} is too large to store.")
        return None
    if value != value.quantize(Decimal("0.0001")):
        add("value", f"{text} has more than 4 decimal places.")
        return None
    return value


def _consistency_problems(rows):
    """Problems between rows, and between rows and what is stored: the same observation twice, a period or
    area described differently, a parent area nobody knows, an area that would lie inside itself."""
    problems = []
    first_row_of = {}
    periods = {}
    areas = {}
    for row in rows:
        if row.key in first_row_of:
            problems.append(
                ImportProblem(
                    row.row,
                    "measure",
                    f"This is the same observation as row {first_row_of[row.key]} (same period, area, "
                    "platform and measure). Keep one of the two rows.",
                )
            )
        else:
            first_row_of[row.key] = row.row
        dates = (row.period_start, row.period_end)
        if row.period in periods and periods[row.period][0] != dates:
            earlier_dates, earlier_row = periods[row.period]
            problems.append(
                ImportProblem(
                    row.row,
                    "period_start",
                    f"Period {row.period} runs from {_dates_text(*earlier_dates)} on row {earlier_row} but "
                    f"from {_dates_text(*dates)} here.",
                )
            )
        periods.setdefault(row.period, (dates, row.row))
        described = (row.area_type, row.parent_area)
        if row.area in areas and areas[row.area][0] != described:
            (earlier_type, earlier_parent), earlier_row = areas[row.area]
            problems.append(
                ImportProblem(
                    row.row,
                    "area_type" if earlier_type != row.area_type else "parent_area",
                    f"{row.area} is {_area_text(earlier_type, earlier_parent)} on row {earlier_row} but "
                    f"{_area_text(row.area_type, row.parent_area)} here.",
                )
            )
        areas.setdefault(row.area, (described, row.row))

    stored_periods = {p.label: p for p in Period.objects.filter(label__in=periods)}
    for label, ((start, end), row_number) in periods.items():
        stored = stored_periods.get(label)
        if stored and (stored.start_date, stored.end_date) != (start, end):
            problems.append(
                ImportProblem(
                    row_number,
                    "period_start",
                    f"Period {label} is stored as {_dates_text(stored.start_date, stored.end_date)}, but "
                    f"this row says {_dates_text(start, end)}. Correct the file, or the period under "
                    "Statistics → Periods if the stored dates are wrong.",
                )
            )
    stored_parents = {
        name: (area_type, parent or "")
        for name, area_type, parent in Area.objects.values_list("name", "area_type", "parent__name")
    }
    for name, ((area_type, parent), row_number) in areas.items():
        stored = stored_parents.get(name)
        if stored and not _fits_stored_area(stored, (area_type, parent)):
            problems.append(
                ImportProblem(
                    row_number,
                    "area_type" if stored[0] != area_type else "parent_area",
                    f"{name} is stored as {_area_text(*stored)}, but this row says "
                    f"{_area_text(area_type, parent)}. An area lies in one larger area and has one type: "
                    "correct the file to match, or, if the file is right, change the area under "
                    "Statistics → Areas first and upload the file again.",
                )
            )
    # A parent neither in the file nor stored is created (see `plan.implied_parents`), as is a larger area
    # the file places a stored top-level area in: neither contradicts anything stored.
    parent_of = {name: parent for name, (_, parent) in stored_parents.items()}
    parent_of.update({name: parent for name, ((_, parent), _) in areas.items()})
    for name, (_, row_number) in areas.items():
        chain = [name]
        parent = parent_of.get(name)
        while parent and parent not in chain:
            chain.append(parent)
            parent = parent_of.get(parent)
        if parent == name:
            problems.append(
                ImportProblem(
                    row_number,
                    "parent_area",
                    f"{name} would lie inside itself: {' → '.join([*chain, name])}.",
                )
            )
    return problems


def _fits_stored_area(stored, described):
    """Whether a row's (type, parent) for a stored area agrees with it: the same, or the same type placed
    inside a larger area where the stored one lies in none (a later file adding a level above)."""
    (stored_type, stored_parent), (area_type, parent) = stored, described
    return stored_type == area_type and stored_parent in ("", parent)


def _dates_text(start, end):
    return f"{start.isoformat()} to {end.isoformat()}"


def _area_text(area_type, parent):
    kind = AreaType(area_type).label.lower()
    return f"a {kind} in {parent}" if parent else f"a {kind} in no larger area"
