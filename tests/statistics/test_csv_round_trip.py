"""A dataset's public CSV download imports back unchanged, through the admin and the command, even where
its cells start like spreadsheet formulas and carry the apostrophe that keeps spreadsheets from running them.
"""

import csv
import io

import pytest
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from openpyxl import Workbook

from statistics.importers.plan import prepare_import
from statistics.models import Area, Observation, Platform

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/admin/statistics_import/"

# Notes a source could really send: each starts like a formula, like a neutralised cell, or with an
# apostrophe of its own. (A NUL cannot be stored, so it is not among them.)
TRICKY_NOTES = ["=1+1", "'=x", "-5", "@home", "\tTab first", "\rCR first", "\nLF first", "'", "''="]


@pytest.fixture
def tricky_dataset(demo_dataset):
    """The demo dataset with a tricky note on each observation, and tricky area and platform names."""
    observations = Observation.objects.filter(dataset=demo_dataset).order_by("pk")
    for observation, note in zip(observations, TRICKY_NOTES, strict=True):
        observation.note = note
        observation.save()
    Area.objects.filter(name="Hertfordshire").update(name="+Hertfordshire")
    Platform.objects.filter(name="Instagram").update(name="@Instagram")
    return demo_dataset


def stored(dataset):
    return sorted(
        Observation.objects.filter(dataset=dataset).values_list(
            "period__label", "area__name", "platform__name", "measure", "value", "unit", "qualifier", "note"
        )
    )


def download(client, dataset):
    response = client.get(f"/data/{dataset.slug}.csv")
    assert response.status_code == 200
    return response.content


def test_the_download_keeps_formula_like_cells_from_running_in_a_spreadsheet(client, tricky_dataset):
    text = download(client, tricky_dataset).decode("utf-8-sig")

    cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r", "\n")]
    assert {
        "'=1+1",
        "''=x",
        "'-5",
        "'@home",
        "'\tTab first",
        "'''=",
        "'+Hertfordshire",
        "'@Instagram",
    } <= set(cells)


def test_data_staff_import_the_download_through_the_admin_and_nothing_changes(
    client, data_staff, tricky_dataset
):
    before = stored(tricky_dataset)
    content = download(client, tricky_dataset)
    client.force_login(data_staff)

    response = client.post(
        UPLOAD_URL,
        {"dataset": tricky_dataset.pk, "file": SimpleUploadedFile(f"{tricky_dataset.slug}.csv", content)},
    )

    assert response.status_code == 302
    preview = BeautifulSoup(client.get(response["Location"]).content, "html.parser")
    summary = preview.select_one(".nice-padding p").get_text(" ", strip=True)
    assert "will add 0 figures, change 0" in summary
    fingerprint = preview.select_one("input[name=fingerprint]")["value"]

    confirmed = client.post(response["Location"], {"fingerprint": fingerprint}, follow=True)

    assert "0 added, 0 changed, 9 unchanged." in confirmed.content.decode()
    assert stored(tricky_dataset) == before


def test_the_download_imported_by_the_command_changes_nothing(client, tmp_path, tricky_dataset):
    before = stored(tricky_dataset)
    path = tmp_path / "download.csv"
    path.write_bytes(download(client, tricky_dataset))
    output = io.StringIO()

    call_command("import_observations", tricky_dataset.slug, str(path), stdout=output)

    assert "0 added, 0 changed, 9 unchanged." in output.getvalue()
    assert stored(tricky_dataset) == before


def test_the_download_saved_from_a_spreadsheet_as_xlsx_imports_back_unchanged(client, tricky_dataset):
    """A spreadsheet that shows the apostrophes keeps them as text: the import reads them the same way."""
    # XLSX is XML, which stores a carriage return as a line feed: that note cannot make this trip.
    Observation.objects.filter(note="\rCR first").update(note="CR first")
    before = stored(tricky_dataset)
    workbook = Workbook()
    for row in csv.reader(io.StringIO(download(client, tricky_dataset).decode("utf-8-sig"), newline="")):
        workbook.active.append(row)
    for row in workbook.active.iter_rows():
        for cell in row:
            cell.data_type = "s"
    saved = io.BytesIO()
    workbook.save(saved)

    _raw_rows, plan = prepare_import(tricky_dataset, "download.xlsx", saved.getvalue())

    assert (len(plan.added), len(plan.changed), plan.unchanged) == (0, 0, 9)
    assert stored(tricky_dataset) == before


def test_a_hand_made_file_says_a_note_starts_with_an_apostrophe_and_equals_by_doubling_it(
    client, tricky_dataset
):
    text = download(client, tricky_dataset).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    note_of = {row[11]: row for row in rows[1:]}
    # As typed in a text editor: one apostrophe is a spreadsheet's "this is text" mark, two keep one.
    note_of["''=x"][11] = "'=x"
    note_of["'''="][11] = "'tis"
    edited = io.StringIO()
    csv.writer(edited).writerows(rows)

    _raw_rows, plan = prepare_import(tricky_dataset, "edited.csv", edited.getvalue().encode())

    changes = sorted(difference for change in plan.changed for difference in change.differences)
    assert changes == [("note", "''=", "'tis"), ("note", "'=x", "=x")]
