"""Observations written out for download: CSV in the import format (so a download can be corrected and
imported again, unchanged: the importer reads back the spreadsheet-safe cells written here) and JSON with
the dataset's source and licence."""

import csv

from core.spreadsheets import neutralise_reversibly
from statistics.choices import Qualifier
from statistics.figures import format_decimal
from statistics.importers import COLUMNS

_QUALIFIER_TEXT = {Qualifier.EXACT: "", Qualifier.MORE_THAN: "more than"}


def observation_record(observation):
    """One observation as the import format's columns (values as text, as a CSV cell holds them)."""
    area = observation.area
    return {
        "period": observation.period.label,
        "period_start": observation.period.start_date.isoformat(),
        "period_end": observation.period.end_date.isoformat(),
        "area": area.name,
        "area_type": area.area_type,
        "parent_area": area.parent.name if area.parent else "",
        "platform": observation.platform.name,
        "measure": observation.measure,
        "value": format_decimal(observation.value).replace(",", ""),
        "unit": observation.unit,
        "qualifier": _QUALIFIER_TEXT[observation.qualifier],
        "note": observation.note,
    }


def write_observations_csv(observations, stream):
    """Write a header row and one row an observation to `stream`, every cell spreadsheet-safe in a way the
    importer undoes (`core.spreadsheets.restore_neutralised`)."""
    writer = csv.writer(stream)
    writer.writerow(COLUMNS)
    for observation in observations:
        record = observation_record(observation)
        writer.writerow([neutralise_reversibly(record[column]) for column in COLUMNS])


def observations_json(dataset, observations, dataset_url):
    """The dataset's description and its observations, values as JSON numbers."""
    records = []
    for observation in observations:
        record = observation_record(observation)
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
