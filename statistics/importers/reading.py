"""Reading a file: CSV (UTF-8) or an XLSX workbook's first sheet, as rows of text cells under the format's
columns, or `ImportRejected` saying in plain words why the file cannot be read."""

import csv
import io
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal
from xml.etree.ElementTree import ParseError

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from statistics.import_format import COLUMNS, FILE_TOO_LARGE, MAX_FILE_BYTES, MAX_ROWS
from statistics.importers.problems import UNSTORABLE_CELL, ImportProblem, ImportRejected

_DAMAGED_WORKBOOK = (
    "The workbook holds a hidden character a workbook may not contain (such as a NUL), so it cannot be "
    "read. Open it in Excel or LibreOffice, save it again as .xlsx (or as 'CSV UTF-8') and import that."
)
# A cell's reference in a sheet's XML: <c r="B7" ...>.
_CELL_REFERENCE = re.compile(r'<c\b[^>]*?\br="(?P<column>[A-Z]{1,3})(?P<row>[0-9]+)"')


def read_rows(file_name, content):
    """The file's data rows as [(row number, {column: text})], or ImportRejected.

    CSV must be UTF-8 (a byte-order mark and CRLF line endings are fine); XLSX is read from its first
    sheet. Columns beyond the format's are ignored; blank rows are skipped.
    """
    if not content:
        _reject_file("The file is empty.")
    if len(content) > MAX_FILE_BYTES:
        _reject_file(FILE_TOO_LARGE)
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
    return ImportProblem(int(cell["row"]), cell["column"], UNSTORABLE_CELL)


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
