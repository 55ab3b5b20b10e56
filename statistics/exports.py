"""Observations written out for download: CSV in the import format (so a download can be corrected and
imported again, unchanged: the importer reads back the spreadsheet-safe cells written here) and JSON with
the dataset's source and licence."""

import csv

from core.spreadsheets import neutralise_reversibly
from statistics.import_format import COLUMNS, observation_cells


def write_observations_csv(observations, stream):
    """Write a header row and one row an observation to `stream`, every cell spreadsheet-safe in a way the
    importer undoes (`core.spreadsheets.restore_neutralised`)."""
    writer = csv.writer(stream)
    writer.writerow(COLUMNS)
    for observation in observations:
        cells = observation_cells(observation)
        writer.writerow([neutralise_reversibly(cells[column]) for column in COLUMNS])


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
