"""Import FOI observations from a CSV or XLSX file in the project's import format.

The format (one observation a row; see README "Statistics data") is the contract with data staff.
`prepare_import` reads a file, checks every row and compares it with what is stored; `apply_import`
writes the rows in one transaction and records the import in Wagtail's audit log. The admin's upload
and `manage.py import_observations` both use these two functions. A file with any problem imports
nothing: `ImportRejected` lists every problem by row and column, as a spreadsheet numbers them.
"""

import csv
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import ParseError

from django.db import transaction
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from wagtail.log_actions import log

from core.spreadsheets import restore_neutralised
from core.storable_text import is_storable
from statistics.choices import AreaType, Qualifier, Unit
from statistics.figures import format_decimal, format_observation_value
from statistics.models import Area, Dataset, Observation, Period, Platform
from statistics.rendering import datasets_changed_after_commit

COLUMNS = (
    "period",
    "period_start",
    "period_end",
    "area",
    "area_type",
    "parent_area",
    "platform",
    "measure",
    "value",
    "unit",
    "qualifier",
    "note",
)
IMPORT_ACTION = "statistics.import_observations"
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
_REQUIRED = {
    "period": "a period label, such as 2018/19",
    "period_start": "the period's first day",
    "period_end": "the period's last day",
    "area": "an area name",
    "area_type": "an area type (nation, region or police_force)",
    "platform": "a platform",
    "measure": "a measure (what was counted)",
    "value": "a value",
    "unit": "a unit (count or percent)",
}
_MAX_TEXT = {"period": 100, "area": 255, "parent_area": 255, "platform": 255, "measure": 255}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBER = re.compile(r"\d+(\.\d+)?")
_NUMBER_WITH_THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")
_LARGEST_VALUE = Decimal(10) ** 14
_QUALIFIER_WORDS = {"": Qualifier.EXACT, "more than": Qualifier.MORE_THAN}
_COLUMN_ORDER = {name: index for index, name in enumerate(COLUMNS)}
_DAMAGED_WORKBOOK = (
    "The workbook holds a hidden character a workbook may not contain (such as a NUL), so it cannot be "
    "read. Open it in Excel or LibreOffice, save it again as .xlsx (or as 'CSV UTF-8') and import that."
)
# A cell's reference in a sheet's XML: <c r="B7" ...>.
_CELL_REFERENCE = re.compile(r'<c\b[^>]*?\br="(?P<column>[A-Z]{1,3})(?P<row>[0-9]+)"')
_UNSTORABLE_CELL = (
    "This cell holds a hidden character that cannot be stored (a NUL, often left by copying from another "
    "program or by a damaged file). Type the cell's text again and save the file."
)


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with a file. `row` is the spreadsheet row (the header is row 1); None is the file."""

    row: int | None
    column: str
    message: str

    def __str__(self):
        where = "The file" if self.row is None else f"Row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"


class ImportRejected(Exception):
    """The file has problems; nothing was imported."""

    def __init__(self, problems):
        self.problems = sorted(
            problems, key=lambda problem: (problem.row or 0, _COLUMN_ORDER.get(problem.column, 99))
        )
        super().__init__("\n".join(str(problem) for problem in self.problems))


class ImportOutdated(Exception):
    """The stored data changed after the preview was shown; nothing was imported."""


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
        return (self.period, self.area, self.platform, self.measure)

    @property
    def value_text(self):
        # Worded as a stored observation is, so the preview shows the figure as pages will.
        return format_observation_value(self)


@dataclass(frozen=True)
class Change:
    row: ObservationRow
    # (what, stored, in the file) for each field that differs.
    differences: list


@dataclass
class ImportPlan:
    """What importing the rows does to the dataset: shown as the preview, then applied."""

    dataset: Dataset
    rows: list
    added: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    unchanged: int = 0
    new_periods: list = field(default_factory=list)
    new_areas: list = field(default_factory=list)
    new_platforms: list = field(default_factory=list)

    @property
    def changes_anything(self):
        return bool(self.added or self.changed or self.new_periods or self.new_areas or self.new_platforms)

    @property
    def fingerprint(self):
        """A short digest of what the plan changes, to tell whether a preview someone saw is still true."""
        summary = repr(
            (
                [row.key for row in self.added],
                [(change.row.key, change.differences) for change in self.changed],
                self.unchanged,
                self.new_periods,
                self.new_areas,
                self.new_platforms,
            )
        )
        return hashlib.sha256(summary.encode()).hexdigest()[:32]


# Reading the file -------------------------------------------------------------------------------


def read_rows(file_name, content):
    """The file's data rows as [(row number, {column: text})], or ImportRejected.

    CSV must be UTF-8 (a byte-order mark and CRLF line endings are fine); XLSX is read from its first
    sheet. Columns beyond the format's are ignored; blank rows are skipped.
    """
    if not content:
        _reject_file("The file is empty.")
    if len(content) > MAX_FILE_BYTES:
        _reject_file(
            f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB. Split it into smaller files."
        )
    if content.startswith(b"PK\x03\x04"):
        cells = _read_xlsx(content)
    elif content.startswith(b"\xd0\xcf\x11\xe0"):
        _reject_file(
            "This is an old Excel (.xls) file. Save it as an Excel workbook (.xlsx) or as 'CSV UTF-8'."
        )
    elif content.startswith(b"%PDF"):
        _reject_not_data(file_name)
    else:
        cells = _read_csv(file_name, content)
    return _rows_from_cells(cells)


def _reject_file(message):
    raise ImportRejected([ImportProblem(None, "", message)])


def _reject_not_data(file_name):
    _reject_file(f"{file_name} is not a CSV or XLSX file. Upload the data as CSV (UTF-8) or XLSX.")


def _read_csv(file_name, content):
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # NUL bytes in a file that is not UTF-8 mean binary data (or UTF-16), not a spreadsheet's CSV.
        # In UTF-8 text a stray NUL is only a bad cell: the rows' checks name it.
        if b"\x00" in content[:8192]:
            _reject_not_data(file_name)
        _reject_file(
            "The file is not UTF-8 text, so some letters would come out wrong. In Excel choose "
            "'Save as' → 'CSV UTF-8 (Comma delimited)'; in LibreOffice choose the UTF-8 character set."
        )
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        _reject_file(f"The file cannot be read as CSV ({error}).")


def _read_xlsx(content):
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError):
        _reject_file(
            "The file looks like a zip archive but is not an Excel workbook (.xlsx) that can be read."
        )
    except ParseError:
        # The text the sheets share holds a character a workbook may not contain (a NUL, say).
        _reject_file(_DAMAGED_WORKBOOK)
    try:
        sheet = workbook.worksheets[0]
        try:
            return [[_xlsx_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        except ParseError as error:
            raise ImportRejected([_damaged_cell(sheet, error)]) from error
    finally:
        workbook.close()


def _damaged_cell(sheet, error):
    """The problem at the cell where the sheet's XML stops parsing, or for the whole file if it cannot
    be told. The parser reads ahead, so the rows read so far do not say where it stopped: the XML does."""
    try:
        line, column = error.position
        # openpyxl's own opener of the sheet's XML.
        with sheet._get_source() as source:
            lines = source.read().split(b"\n")
        before = b"\n".join(lines[: line - 1]).decode("utf-8", "replace") + "\n"
        before += lines[line - 1].decode("utf-8", "replace")[:column]
        *_, cell = _CELL_REFERENCE.finditer(before)
    except (AttributeError, IndexError, ValueError, OSError):
        return ImportProblem(None, "", _DAMAGED_WORKBOOK)
    return ImportProblem(int(cell["row"]), cell["column"], _UNSTORABLE_CELL)


def _xlsx_text(value):
    """A cell's value as the text a CSV export of it would hold."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(Decimal(repr(value)), "f")
    return str(value)


def _rows_from_cells(cells):
    if not cells or not any(cell.strip() for cell in cells[0]):
        _reject_file("The first row must be the header row naming the columns: " + ", ".join(COLUMNS) + ".")
    header = [cell.strip().lower() for cell in cells[0]]
    problems = [
        ImportProblem(1, column, f"The column '{column}' is missing from the header row.")
        for column in COLUMNS
        if column not in header
    ]
    problems += [
        ImportProblem(1, column, f"The column '{column}' appears more than once in the header row.")
        for column in COLUMNS
        if header.count(column) > 1
    ]
    if problems:
        raise ImportRejected(problems)
    positions = {column: header.index(column) for column in COLUMNS}
    rows = []
    for row_number, row in enumerate(cells[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        rows.append(
            [
                row_number,
                {column: (row[i] if i < len(row) else "").strip() for column, i in positions.items()},
            ]
        )
    if not rows:
        _reject_file("The file has a header row but no data rows under it.")
    if len(rows) > MAX_ROWS:
        _reject_file(f"The file has {len(rows):,} rows; at most {MAX_ROWS:,} can be imported at once.")
    return rows


# Checking the rows -----------------------------------------------------------------------------


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
            add(column, _UNSTORABLE_CELL)
    if problems:
        return None
    # A dataset's CSV download keeps formula-like text safe with an apostrophe: read back what it wrote.
    cells = {column: restore_neutralised(text) for column, text in cells.items()}

    for column, what in _REQUIRED.items():
        if not cells[column]:
            add(column, f"This cell is empty: every row needs {what}.")
    for column, limit in _MAX_TEXT.items():
        if len(cells[column]) > limit:
            add(column, f"This is {len(cells[column])} characters long; at most {limit} are allowed.")
    start = _parse_date(cells["period_start"], "period_start", add)
    end = _parse_date(cells["period_end"], "period_end", add)
    if start and end and end < start:
        add("period_end", f"The period ends ({end.isoformat()}) before it starts ({start.isoformat()}).")
    area_type = cells["area_type"].lower()
    if cells["area_type"] and area_type not in AreaType.values:
        add("area_type", f"'{cells['area_type']}' is not an area type: write nation, region or police_force.")
    if cells["parent_area"] and cells["parent_area"] == cells["area"]:
        add("parent_area", "An area cannot lie inside itself.")
    unit = cells["unit"].lower()
    if cells["unit"] and unit not in Unit.values:
        add("unit", f"'{cells['unit']}' is not a unit: write count or percent.")
    value = _parse_value(cells["value"], add)
    if value is not None and unit == Unit.PERCENT and value > 100:
        add("value", f"{cells['value']} is more than 100, but the unit is percent.")
    qualifier = _QUALIFIER_WORDS.get(" ".join(cells["qualifier"].lower().split()))
    if qualifier is None:
        add(
            "qualifier",
            f"'{cells['qualifier']}' is not a qualifier: leave it empty for an exact figure, or write "
            "'more than'.",
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
        if stored and stored != (area_type, parent):
            problems.append(
                ImportProblem(
                    row_number,
                    "area_type" if stored[0] != area_type else "parent_area",
                    f"{name} is stored as {_area_text(*stored)}, but this row says "
                    f"{_area_text(area_type, parent)}. Correct the file, or the area under Statistics → "
                    "Areas if the stored one is wrong.",
                )
            )
        if parent and parent not in areas and parent not in stored_parents:
            problems.append(
                ImportProblem(
                    row_number,
                    "parent_area",
                    f"'{parent}' is not an area in this file or already stored. Add a row for it, or check "
                    "the spelling.",
                )
            )
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


def _dates_text(start, end):
    return f"{start.isoformat()} to {end.isoformat()}"


def _area_text(area_type, parent):
    kind = AreaType(area_type).label.lower()
    return f"a {kind} in {parent}" if parent else f"a {kind} in no larger area"


# Comparing and writing ---------------------------------------------------------------------------


def plan_import(dataset, rows):
    """Compare the checked rows with the dataset's stored observations."""
    plan = ImportPlan(dataset=dataset, rows=rows)
    stored = _stored_observations(dataset)
    for row in rows:
        observation = stored.get(row.key)
        if observation is None:
            plan.added.append(row)
            continue
        differences = []
        if observation.value != row.value:
            differences.append(("value", format_decimal(observation.value), format_decimal(row.value)))
        if observation.unit != row.unit:
            differences.append(("unit", observation.unit, row.unit))
        if observation.qualifier != row.qualifier:
            differences.append(
                ("qualifier", Qualifier(observation.qualifier).label, Qualifier(row.qualifier).label)
            )
        if observation.note != row.note:
            differences.append(("note", observation.note, row.note))
        if differences:
            plan.changed.append(Change(row=row, differences=differences))
        else:
            plan.unchanged += 1
    plan.new_periods = _new_names(Period, "label", {row.period for row in rows})
    plan.new_areas = _new_names(Area, "name", {row.area for row in rows})
    plan.new_platforms = _new_names(Platform, "name", {row.platform for row in rows})
    return plan


def _stored_observations(dataset):
    """The dataset's observations by their identity in the import format."""
    observations = Observation.objects.filter(dataset=dataset).select_related("period", "area", "platform")
    return {(o.period.label, o.area.name, o.platform.name, o.measure): o for o in observations}


def _new_names(model, field_name, names):
    stored = set(model.objects.filter(**{f"{field_name}__in": names}).values_list(field_name, flat=True))
    return sorted(names - stored)


def prepare_import(dataset, file_name, content):
    """Read and check a file and compare it with the dataset: (raw rows, plan), or ImportRejected.

    The raw rows are plain lists and strings, safe to keep in a session until the import is confirmed.
    """
    raw_rows = read_rows(file_name, content)
    return raw_rows, plan_import(dataset, validate_rows(raw_rows))


def apply_import(dataset, raw_rows, *, file_name, user=None, expected_fingerprint=None):
    """Check the rows again against the data as it is now, write them in one transaction and record the
    import in the audit log. Returns the plan that was applied.

    Writes nothing and raises ImportRejected if any row has a problem, or ImportOutdated if
    `expected_fingerprint` (that of the preview the user confirmed) no longer matches.
    """
    with transaction.atomic():
        # One import per dataset at a time: a second waits here and then sees the first one's rows.
        dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
        rows = validate_rows(raw_rows)
        plan = plan_import(dataset, rows)
        if expected_fingerprint is not None and expected_fingerprint != plan.fingerprint:
            raise ImportOutdated
        periods = _ensure_periods(rows)
        areas = _ensure_areas(rows)
        platforms = _ensure_platforms(rows)
        Observation.objects.bulk_create(
            [
                Observation(
                    dataset=dataset,
                    period=periods[row.period],
                    area=areas[row.area],
                    platform=platforms[row.platform],
                    measure=row.measure,
                    value=row.value,
                    unit=row.unit,
                    qualifier=row.qualifier,
                    note=row.note,
                )
                for row in plan.added
            ]
        )
        if plan.changed:
            stored = _stored_observations(dataset)
            updated = []
            for change in plan.changed:
                observation = stored[change.row.key]
                observation.value = change.row.value
                observation.unit = change.row.unit
                observation.qualifier = change.row.qualifier
                observation.note = change.row.note
                updated.append(observation)
            Observation.objects.bulk_update(updated, ["value", "unit", "qualifier", "note"])
        log(
            instance=dataset,
            action=IMPORT_ACTION,
            user=user,
            data={
                "file_name": file_name,
                "dataset": dataset.slug,
                "rows": len(rows),
                "added": len(plan.added),
                "changed": len(plan.changed),
                "unchanged": plan.unchanged,
            },
        )
        if plan.changes_anything:
            datasets_changed_after_commit([dataset.pk])
    return plan


def _ensure_periods(rows):
    wanted = {row.period: row for row in rows}
    periods = {period.label: period for period in Period.objects.filter(label__in=wanted)}
    for label, row in wanted.items():
        if label not in periods:
            periods[label] = Period.objects.create(
                label=label, start_date=row.period_start, end_date=row.period_end
            )
    return periods


def _ensure_areas(rows):
    wanted = {row.area: row for row in rows}
    names = set(wanted) | {row.parent_area for row in rows if row.parent_area}
    areas = {area.name: area for area in Area.objects.filter(name__in=names)}
    pending = [row for name, row in wanted.items() if name not in areas]
    # Create parents before the areas inside them; the checks ruled out loops, so this ends.
    while pending:
        ready = [row for row in pending if not row.parent_area or row.parent_area in areas]
        for row in ready:
            areas[row.area] = Area.objects.create(
                name=row.area, area_type=row.area_type, parent=areas.get(row.parent_area)
            )
        pending = [row for row in pending if row.area not in areas]
    return areas


def _ensure_platforms(rows):
    names = {row.platform for row in rows}
    platforms = {platform.name: platform for platform in Platform.objects.filter(name__in=names)}
    missing = [Platform(name=name) for name in sorted(names - set(platforms))]
    for platform in Platform.objects.bulk_create(missing):
        platforms[platform.name] = platform
    return platforms
