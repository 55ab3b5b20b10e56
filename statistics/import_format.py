"""The import format, defined once: the file data staff import, which is also a dataset's CSV download.

One observation a row under a header row: `COLUMNS` (these names, in this order), what each may hold,
the words allowed where only some are (area types, units, qualifiers) and the stored value each word
stands for, which columns name an observation (`IDENTITY`), and how a stored observation is written
back as cells. The importer (`statistics.importers`), the downloads (`statistics.exports`), the upload
form and the description in docs/data-model.md (`markdown()`) all take the format from here.
`tests/statistics/test_import_format.py` holds that description, the README's list of columns and the
contract the format was agreed in (`statistics/data/README.md`) to it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from statistics.choices import AreaType, Qualifier, Unit
from statistics.figures.numbers import format_decimal, join_words

# The stored values are the format's words, so a file and the database spell them alike.
AREA_TYPES = tuple(AreaType.values)
UNITS = tuple(Unit.values)
MAX_PERCENT = 100
# The word a qualifier cell holds for each stored qualifier: an exact figure's cell is empty.
QUALIFIER_WORDS = {Qualifier.EXACT: "", Qualifier.MORE_THAN: "more than"}
# An observation is named by these columns: a file naming a stored one again corrects its figure.
IDENTITY = ("period", "area", "platform", "measure")
# A larger file makes a long preview and a long import transaction: split it instead.
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
FILE_TOO_LARGE = f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB. Split it into smaller files."


def any_of(words):
    """'a, b or c': the words a cell may hold, for messages and the docs."""
    return join_words(words, "or")


def _quoted(words):
    return any_of(f"`{word}`" for word in words)


def value_cell(value):
    """A figure as a cell holds it: '4000', '3.2' (no thousands separator, no trailing zeros)."""
    return format_decimal(value).replace(",", "")


def qualifier_from_word(text):
    """The stored qualifier a cell's words stand for ('More  than' is 'more than'), or None if none."""
    words = " ".join(text.lower().split())
    return next((qualifier for qualifier, word in QUALIFIER_WORDS.items() if word == words), None)


@dataclass(frozen=True)
class Column:
    """One column: what it means and may hold (as the docs say it), and how a stored observation fills it."""

    name: str
    # What the import page calls it: words an editor reads, the name above is what the file's header says.
    label: str
    meaning: str
    values: str
    # The cell's text for a stored observation (with its period, area and the area's parent, platform).
    cell: Callable
    # What an empty cell leaves out ("a period label, such as 2018/19"); empty where a cell may be empty.
    needs: str = ""
    # The only words allowed (in any case), where only some are.
    choices: tuple = ()
    # The most characters the cell may hold, where its text is stored as it is.
    max_length: int | None = None

    @property
    def values_text(self):
        """`values` for a page rather than the docs: without the Markdown code marks."""
        return self.values.replace("`", "")


_COLUMNS = (
    Column(
        "period",
        "Period",
        "label of the reporting period",
        "e.g. `2018/19`",
        cell=lambda o: o.period.label,
        needs="a period label, such as 2018/19",
        max_length=100,
    ),
    Column(
        "period_start",
        "First day",
        "the period's first day",
        "an ISO date, e.g. `2018-04-01`",
        cell=lambda o: o.period.start_date.isoformat(),
        needs="the period's first day",
    ),
    Column(
        "period_end",
        "Last day",
        "the period's last day",
        "an ISO date, not before `period_start`",
        cell=lambda o: o.period.end_date.isoformat(),
        needs="the period's last day",
    ),
    Column(
        "area",
        "Area",
        "where",
        "a nation, region or police force name",
        cell=lambda o: o.area.name,
        needs="an area name",
        max_length=255,
    ),
    Column(
        "area_type",
        "Type of area",
        "what kind of area",
        _quoted(AREA_TYPES),
        cell=lambda o: o.area.area_type,
        needs=f"an area type ({any_of(AREA_TYPES)})",
        choices=AREA_TYPES,
    ),
    Column(
        "parent_area",
        "Lies in",
        "the area it lies in, if any",
        "an area name (in the file or already stored), or empty",
        cell=lambda o: o.area.parent.name if o.area.parent_id else "",
        max_length=255,
    ),
    Column(
        "platform",
        "Platform",
        "the online platform, or a group of them",
        "e.g. `Instagram`, `Facebook, Instagram or WhatsApp`, `Any known platform`",
        cell=lambda o: o.platform.name,
        needs="a platform",
        max_length=255,
    ),
    Column(
        "measure",
        "Measure",
        "what was counted",
        "e.g. `Child abuse image and online child sexual offences`",
        cell=lambda o: o.measure,
        needs="a measure (what was counted)",
        max_length=255,
    ),
    Column(
        "value",
        "Figure",
        "the figure",
        "a number, not negative, with at most 4 decimal places, e.g. `4000`, `3.2` (`4,000` is read too)",
        cell=lambda o: value_cell(o.value),
        needs="a value",
    ),
    Column(
        "unit",
        "Unit",
        "what the number is",
        f"{_quoted(UNITS)} (a percentage from 0 to {MAX_PERCENT})",
        cell=lambda o: o.unit,
        needs=f"a unit ({any_of(UNITS)})",
        choices=UNITS,
    ),
    Column(
        "qualifier",
        "Qualifier",
        "how exact it is",
        f"empty (exact) or {_quoted(word for word in QUALIFIER_WORDS.values() if word)} "
        '(a lower bound: "just over 4,000")',
        cell=lambda o: QUALIFIER_WORDS[o.qualifier],
        choices=tuple(QUALIFIER_WORDS.values()),
    ),
    Column("note", "Note", "the source's own remark", "free text, may be empty", cell=lambda o: o.note),
)
COLUMN = {column.name: column for column in _COLUMNS}
COLUMNS = tuple(COLUMN)
COLUMN_ORDER = {name: index for index, name in enumerate(COLUMNS)}


def observation_cells(observation):
    """A stored observation as the format's cells, {column: text} in column order."""
    return {column.name: column.cell(observation) for column in _COLUMNS}


def observation_identity(observation):
    """The cells that name a stored observation in a file (`IDENTITY`); needs its period, area, platform."""
    return tuple(COLUMN[name].cell(observation) for name in IDENTITY)


def markdown():
    """The format as docs/data-model.md describes it: a table of the columns, then what names an
    observation and how the qualifier's words are stored."""
    lines = ["| column | meaning | values |", "| --- | --- | --- |"]
    lines += [f"| `{column.name}` | {column.meaning} | {column.values} |" for column in _COLUMNS]
    identity = join_words(f"`{name}`" for name in IDENTITY)
    words = join_words(
        f"`{qualifier}` ({f'`{word}`' if word else 'an empty cell'})"
        for qualifier, word in QUALIFIER_WORDS.items()
    )
    lines += [
        "",
        f"An observation is named by {identity}. A qualifier is stored as {words}; area types and units are "
        "stored as they are written.",
    ]
    return "\n".join(lines)
