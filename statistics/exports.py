"""Observations written out for download: CSV in the import format (so a download can be corrected and
imported again, unchanged: the importer reads back the spreadsheet-safe cells written here) and JSON with
the dataset's source and licence."""

import csv

from openpyxl import Workbook

from core.spreadsheets import neutralise_reversibly
from statistics.import_format import COLUMNS, observation_cells


def _rows(observations):
    """The header row, then one row of spreadsheet-safe cells an observation, in a way the importer undoes
    (`core.spreadsheets.restore_neutralised`)."""
    yield list(COLUMNS)
    for observation in observations:
        cells = observation_cells(observation)
        yield [neutralise_reversibly(cells[column]) for column in COLUMNS]


def write_observations_csv(observations, stream):
    """Write the observations to `stream` as CSV in the import format (only the header row, if none)."""
    csv.writer(stream).writerows(_rows(observations))


def write_observations_xlsx(observations, stream):
    """Write the observations to `stream` as an XLSX workbook in the import format, every cell text: a
    spreadsheet would otherwise run a cell starting with '=' as a formula (docs: FINDINGS, openpyxl)."""
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = "Figures"
    for row_number, row in enumerate(_rows(observations), start=1):
        for column_number, text in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column_number)
            cell.value = text
            cell.data_type = "s"
    workbook.save(stream)


def observations_json(dataset, observations, dataset_url):
    """The dataset's description and its observations (the import format's columns), values as JSON
    numbers and an exact figure's qualifier as null."""
    records = []
    for observation in observations:
        record = observation_cells(observation)
        value = observation.value
        record["value"] = int(value) if value == value.to_integral_value() else float(value)
        record["qualifier"] = record["qualifier"] or None
        records.append(record)
    return {
        "dataset": {
            "title": dataset.title,
            "slug": dataset.slug,
            "url": dataset_url,
            "description": dataset.description,
            "source": dataset.source,
            "publisher": dataset.publisher,
            "methodology": dataset.methodology,
            "licence": dataset.licence,
            "licence_url": dataset.licence_url,
            "date_published": dataset.date_published.isoformat() if dataset.date_published else None,
        },
        "observations": records,
    }
