"""Importing FOI observations: the reference file, every kind of bad input, idempotence, updates,
atomicity, the audit log and the management command.

Past ~400 lines because every kind of bad input gets its own story; they share this file's
file-building helpers."""

import csv
import datetime
import io
import re
import zipfile
from decimal import Decimal
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook
from wagtail.models import ModelLogEntry

from statistics.import_format import COLUMNS
from statistics.importers.plan import IMPORT_ACTION, apply_import, prepare_import
from statistics.importers.problems import ImportRejected
from statistics.models import Area, Observation, Period, Platform

from .factories import DatasetFactory

pytestmark = pytest.mark.django_db


def reference_rows(reference_csv):
    return [dict(row) for row in csv.DictReader(io.StringIO(reference_csv.decode("utf-8")))]


def to_csv(rows, columns=COLUMNS, line_ending="\n", bom=False):
    stream = io.StringIO()
    writer = csv.DictWriter(stream, fieldnames=columns, lineterminator=line_ending, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + stream.getvalue()).encode("utf-8")


def import_file(dataset, content, name="figures.csv", user=None):
    raw_rows, _plan = prepare_import(dataset, name, content)
    return apply_import(dataset, raw_rows, file_name=name, user=user)


def rejected_problems(dataset, content, name="figures.csv"):
    with pytest.raises(ImportRejected) as caught:
        prepare_import(dataset, name, content)
    return caught.value.problems


def stored(dataset, area, platform):
    return Observation.objects.get(dataset=dataset, area__name=area, platform__name=platform)


def test_reference_file_imports_every_row_with_its_qualifier_note_and_hierarchy(reference_csv):
    dataset = DatasetFactory()

    plan = import_file(dataset, reference_csv)

    assert len(plan.added) == 9
    assert plan.new_platforms == [
        "Any known platform",
        "Any platform",
        "Facebook",
        "Facebook, Instagram or WhatsApp",
        "Instagram",
        "WhatsApp",
    ]
    facebook_apps = stored(dataset, "England and Wales", "Facebook, Instagram or WhatsApp")
    assert facebook_apps.value == 4000
    assert facebook_apps.qualifier == "more_than"
    assert facebook_apps.note == "Reported as just over 4,000"
    assert stored(dataset, "East of England", "Instagram").value == 288
    hertfordshire = Area.objects.get(name="Hertfordshire")
    assert (hertfordshire.area_type, hertfordshire.parent.name, hertfordshire.parent.parent.name) == (
        "police_force",
        "East of England",
        "England and Wales",
    )
    period = Period.objects.get(label="2018/19")
    assert (period.start_date, period.end_date, period.days) == (
        datetime.date(2018, 4, 1),
        datetime.date(2019, 3, 31),
        365,
    )


def test_importing_the_same_file_again_changes_nothing(reference_csv):
    dataset = DatasetFactory()
    import_file(dataset, reference_csv)

    plan = import_file(dataset, reference_csv)

    assert (len(plan.added), len(plan.changed), plan.unchanged) == (0, 0, 9)
    assert not plan.changes_anything
    assert Observation.objects.count() == 9
    assert (Area.objects.count(), Platform.objects.count(), Period.objects.count()) == (3, 6, 1)


def test_a_corrected_file_updates_only_the_corrected_values(reference_csv):
    dataset = DatasetFactory()
    import_file(dataset, reference_csv)
    rows = reference_rows(reference_csv)
    instagram = next(r for r in rows if r["area"] == "East of England" and r["platform"] == "Instagram")
    instagram["value"] = "290"
    instagram["note"] = "Corrected by the force"

    raw_rows, preview = prepare_import(dataset, "corrected.csv", to_csv(rows))

    assert [change.differences for change in preview.changed] == [
        [("value", "288", "290"), ("note", "", "Corrected by the force")]
    ]
    assert (len(preview.added), preview.unchanged) == (0, 8)
    assert stored(dataset, "East of England", "Instagram").value == 288, "a preview saves nothing"
    apply_import(dataset, raw_rows, file_name="corrected.csv")
    assert stored(dataset, "East of England", "Instagram").value == 290
    assert stored(dataset, "East of England", "Facebook").value == 162


def test_byte_order_mark_and_crlf_line_endings_are_accepted(reference_csv):
    dataset = DatasetFactory()
    content = to_csv(reference_rows(reference_csv), line_ending="\r\n", bom=True)
    assert content.startswith(b"\xef\xbb\xbf") and b"\r\n" in content

    plan = import_file(dataset, content)

    assert len(plan.added) == 9
    assert stored(dataset, "England and Wales", "WhatsApp").note == (
        "About three per cent of instances where the platform was known"
    )


def test_an_xlsx_first_sheet_with_numbers_and_date_cells_is_the_same_data(reference_csv):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    for row in reference_rows(reference_csv):
        cells = [row[column] for column in COLUMNS]
        cells[1] = datetime.datetime.fromisoformat(row["period_start"])
        cells[2] = datetime.date.fromisoformat(row["period_end"])
        cells[8] = int(row["value"])
        sheet.append(cells)
    workbook.create_sheet("Notes").append(["ignored"])
    content = io.BytesIO()
    workbook.save(content)
    from_csv, from_xlsx = DatasetFactory(), DatasetFactory()
    import_file(from_csv, reference_csv)

    import_file(from_xlsx, content.getvalue(), name="figures.xlsx")

    snapshot_fields = ["period__label", "area__name", "platform__name", "measure", "value", "unit"]
    snapshot_fields += ["qualifier", "note"]

    def snapshot(dataset):
        return sorted(Observation.objects.filter(dataset=dataset).values_list(*snapshot_fields))

    assert snapshot(from_xlsx) == snapshot(from_csv)


def _set(row_index, **changes):
    def mutate(rows):
        rows[row_index].update(changes)
        return rows

    return mutate


BAD_ROWS = [
    pytest.param(_set(1, value="lots"), 3, "value", "'lots' is not a number", id="not-a-number"),
    pytest.param(_set(1, value="-5"), 3, "value", "-5 is negative", id="negative"),
    pytest.param(_set(0, area_type="county"), 2, "area_type", "'county' is not an area type", id="area-type"),
    pytest.param(_set(2, unit="percent", value="120"), 4, "value", "more than 100", id="percent-over-100"),
    pytest.param(_set(3, unit="people"), 5, "unit", "'people' is not a unit", id="unknown-unit"),
    pytest.param(
        _set(4, period_start="2019-04-01"), 6, "period_end", "ends (2019-03-31) before it", id="ends-first"
    ),
    pytest.param(_set(0, period_start="01/04/2018"), 2, "period_start", "YYYY-MM-DD", id="date-format"),
    pytest.param(_set(0, period_end="2019-02-30"), 2, "period_end", "not a real date", id="impossible-date"),
    pytest.param(_set(5, qualifier="about"), 7, "qualifier", "'about' is not a qualifier", id="qualifier"),
    pytest.param(_set(7, measure=""), 9, "measure", "This cell is empty", id="empty-measure"),
    pytest.param(
        _set(8, area_type="region"),
        10,
        "area_type",
        "Hertfordshire is a police force in East of England on row 9 but a region in East of England here",
        id="area-differs",
    ),
    pytest.param(
        lambda rows: [*rows, dict(rows[1])], 11, "measure", "same observation as row 3", id="duplicate"
    ),
]


@pytest.mark.parametrize(("mutate", "row", "column", "message"), BAD_ROWS)
def test_a_bad_row_is_reported_by_row_and_column_and_nothing_is_imported(
    reference_csv, mutate, row, column, message
):
    dataset = DatasetFactory()
    content = to_csv(mutate(reference_rows(reference_csv)))

    problems = rejected_problems(dataset, content)

    assert [(problem.row, problem.column) for problem in problems] == [(row, column)]
    assert message in problems[0].message
    assert f"Row {row}, column {column}: " in str(problems[0])
    assert not Observation.objects.exists()
    assert not Area.objects.exists() and not Platform.objects.exists() and not Period.objects.exists()


def test_every_problem_in_a_file_is_listed_at_once(reference_csv):
    rows = reference_rows(reference_csv)
    rows[0]["value"] = "n/a"
    rows[3]["unit"] = "percentage"
    rows[3]["period_end"] = "2019-13-01"

    problems = rejected_problems(DatasetFactory(), to_csv(rows))

    assert [(problem.row, problem.column) for problem in problems] == [
        (2, "value"),
        (5, "period_end"),
        (5, "unit"),
    ]


def test_missing_columns_are_named(reference_csv):
    columns = [column for column in COLUMNS if column not in ("unit", "qualifier")]

    problems = rejected_problems(DatasetFactory(), to_csv(reference_rows(reference_csv), columns=columns))

    assert [str(problem) for problem in problems] == [
        "Row 1, column unit: The column 'unit' is missing from the header row.",
        "Row 1, column qualifier: The column 'qualifier' is missing from the header row.",
    ]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "f.pdf", "is not a CSV or XLSX file", id="pdf"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "f.png", "is not a CSV or XLSX file", id="png"),
        pytest.param(b"PK\x03\x04 not really a workbook", "f.xlsx", "not an Excel workbook", id="fake-xlsx"),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "f.xls", "old Excel (.xls)", id="xls"),
        pytest.param("period,value\n2018/19,£4\n".encode("latin-1"), "f.csv", "not UTF-8", id="latin-1"),
        pytest.param(b"", "figures.csv", "The file is empty", id="empty"),
        pytest.param(",".join(COLUMNS).encode(), "figures.csv", "no data rows", id="header-only"),
    ],
)
def test_a_file_that_is_not_a_readable_csv_or_xlsx_is_refused_as_a_whole(content, name, message):
    problems = rejected_problems(DatasetFactory(), content, name=name)

    assert len(problems) == 1
    assert problems[0].row is None
    assert message in problems[0].message
    assert str(problems[0]).startswith("The file: ")


def csv_with_a_nul_after_the_first_8_kb(reference_csv):
    """The reference rows with a long note first (so the file passes 8 KB) and a NUL in the last note."""
    rows = reference_rows(reference_csv)
    rows[0]["note"] = "A long explanatory note. " * 400
    rows[-1]["note"] = "Damaged\x00note"
    content = to_csv(rows)
    assert content.index(b"\x00") > 8192
    return content, len(rows) + 1


@pytest.mark.postgres
def test_a_nul_anywhere_in_a_csv_is_a_problem_at_its_row_and_column_and_nothing_is_imported(reference_csv):
    dataset = DatasetFactory()
    content, last_row = csv_with_a_nul_after_the_first_8_kb(reference_csv)

    problems = rejected_problems(dataset, content)

    assert [(problem.row, problem.column) for problem in problems] == [(last_row, "note")]
    assert "hidden character that cannot be stored" in problems[0].message
    assert "\x00" not in str(problems[0])
    assert not Observation.objects.exists()


def test_a_nul_early_in_a_csv_is_a_bad_cell_not_a_file_that_is_not_data(reference_csv):
    rows = reference_rows(reference_csv)
    rows[0]["note"] = "Source:\x00 FOI"

    problems = rejected_problems(DatasetFactory(), to_csv(rows))

    assert [(problem.row, problem.column) for problem in problems] == [(2, "note")]
    assert "hidden character that cannot be stored" in problems[0].message


def xlsx_with_a_damaged_note(reference_csv, *, shared):
    """The reference rows as a workbook whose last note holds a character XML forbids (`&#0;`): in the
    sheet itself, or in the table of strings the sheet's cells share, as Excel stores text."""
    workbook = Workbook()
    workbook.active.append(list(COLUMNS))
    for row in reference_rows(reference_csv):
        workbook.active.append([row[column] for column in COLUMNS])
    workbook.active["L10"] = "DAMAGED"
    saved = io.BytesIO()
    workbook.save(saved)
    damaged = io.BytesIO()
    with zipfile.ZipFile(saved) as original, zipfile.ZipFile(damaged, "w") as copy:
        for name in original.namelist():
            data = original.read(name)
            if name == "xl/worksheets/sheet1.xml":
                cell = (
                    b'<c r="L10" t="s"><v>0</v></c>'
                    if shared
                    else b'<c r="L10" t="inlineStr"><is><t>x&#0;y</t></is></c>'
                )
                data = re.sub(rb'<c r="L10"[^>]*>.*?</c>', cell, data)
            if name == "[Content_Types].xml" and shared:
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            copy.writestr(name, data)
        if shared:
            copy.writestr(
                "xl/sharedStrings.xml",
                '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
                'uniqueCount="1"><si><t>x&#0;y</t></si></sst>',
            )
    return damaged.getvalue()


def test_an_xlsx_cell_holding_a_nul_is_a_problem_at_its_row_and_column(reference_csv):
    content = xlsx_with_a_damaged_note(reference_csv, shared=False)

    problems = rejected_problems(DatasetFactory(), content, name="figures.xlsx")

    assert [str(problem) for problem in problems] == [
        "Row 10, column L: This cell holds a hidden character that cannot be stored (a NUL, often left by "
        "copying from another program or by a damaged file). Type the cell's text again and save the file."
    ]


def test_an_xlsx_whose_shared_text_holds_a_nul_is_refused_as_a_whole_in_plain_words(reference_csv):
    content = xlsx_with_a_damaged_note(reference_csv, shared=True)

    problems = rejected_problems(DatasetFactory(), content, name="figures.xlsx")

    assert len(problems) == 1
    assert problems[0].row is None
    assert "holds a hidden character a workbook may not contain" in problems[0].message
    assert "save it again as .xlsx" in problems[0].message


def test_a_period_stored_with_other_dates_is_a_problem_not_a_silent_change(reference_csv):
    dataset = DatasetFactory()
    import_file(dataset, reference_csv)
    rows = reference_rows(reference_csv)
    for row in rows:
        row["period_end"] = "2019-04-30"

    problems = rejected_problems(dataset, to_csv(rows))

    assert [(problem.row, problem.column) for problem in problems] == [(2, "period_start")]
    assert "stored as 2018-04-01 to 2019-03-31" in problems[0].message
    assert Period.objects.get().end_date == datetime.date(2019, 3, 31)


def test_an_area_that_would_lie_inside_itself_is_refused(reference_csv):
    rows = reference_rows(reference_csv)
    for row in rows:
        if row["area"] == "England and Wales":
            row["parent_area"] = "Hertfordshire"

    problems = rejected_problems(DatasetFactory(), to_csv(rows))

    assert {problem.column for problem in problems} == {"parent_area"}
    assert "would lie inside itself" in problems[0].message


def test_a_failure_while_writing_leaves_the_data_as_it_was(reference_csv):
    dataset = DatasetFactory()
    import_file(dataset, reference_csv)
    rows = reference_rows(reference_csv)
    rows[1]["value"] = "4100"
    rows.append({**rows[0], "platform": "Snapchat", "value": "12", "note": ""})
    raw_rows, _plan = prepare_import(dataset, "corrected.csv", to_csv(rows))

    failing_log = mock.patch(
        "statistics.importers.plan.log", side_effect=RuntimeError("audit log unavailable")
    )
    with failing_log, pytest.raises(RuntimeError):
        apply_import(dataset, raw_rows, file_name="corrected.csv")

    assert stored(dataset, "England and Wales", "Facebook, Instagram or WhatsApp").value == 4000
    assert not Platform.objects.filter(name="Snapchat").exists()
    assert Observation.objects.count() == 9


def test_every_import_is_recorded_in_the_audit_log_with_who_when_and_what(reference_csv, data_staff):
    dataset = DatasetFactory(slug="foi")
    user = data_staff
    import_file(dataset, reference_csv, name="foi_2018_19.csv", user=user)
    rows = reference_rows(reference_csv)
    rows[3]["value"] = "163"

    import_file(dataset, to_csv(rows), name="foi_corrected.csv", user=user)

    entries = ModelLogEntry.objects.filter(action=IMPORT_ACTION).order_by("timestamp", "pk")
    # No widget shows these figures, so the imports reach nothing on the site.
    common = {"dataset": "foi", "rows": 9, "placed_areas": [], "reach": []}
    assert [entry.data for entry in entries] == [
        {
            "file_name": "foi_2018_19.csv",
            **common,
            "added": 9,
            "changed": 0,
            "unchanged": 0,
            "new_areas": ["East of England", "England and Wales", "Hertfordshire"],
        },
        {
            "file_name": "foi_corrected.csv",
            **common,
            "added": 0,
            "changed": 1,
            "unchanged": 8,
            "new_areas": [],
        },
    ]
    latest = entries.last()
    assert latest.user == user
    assert latest.timestamp is not None
    assert latest.object_id == str(dataset.pk)
    assert latest.message == "Imported foi_corrected.csv: 0 added, 1 changed, 8 unchanged"


def test_command_dry_run_shows_the_preview_and_saves_nothing(tmp_path, reference_csv):
    DatasetFactory(slug="foi")
    path = tmp_path / "foi.csv"
    path.write_bytes(reference_csv)
    output = io.StringIO()

    call_command("import_observations", "foi", str(path), "--dry-run", stdout=output)

    text = output.getvalue()
    assert "9 to add, 0 to change, 0 unchanged" in text
    assert "+ row 8: 2018/19 · East of England · Facebook, Instagram or WhatsApp" in text
    assert "Dry run: nothing was saved." in text
    assert not Observation.objects.exists()
    assert not ModelLogEntry.objects.filter(action=IMPORT_ACTION).exists()


def test_command_imports_and_reports_changes(tmp_path, reference_csv):
    dataset = DatasetFactory(slug="foi")
    path = tmp_path / "foi.csv"
    path.write_bytes(reference_csv)
    call_command("import_observations", "foi", str(path), stdout=io.StringIO())
    rows = reference_rows(reference_csv)
    rows[2]["value"] = "300"
    path.write_bytes(to_csv(rows))
    output = io.StringIO()

    call_command("import_observations", "foi", str(path), stdout=output)

    assert "~ row 4: 2018/19 · England and Wales · WhatsApp" in output.getvalue()
    assert "value '299' → '300'" in output.getvalue()
    assert "0 added, 1 changed, 8 unchanged" in output.getvalue()
    assert stored(dataset, "England and Wales", "WhatsApp").value == Decimal(300)


def test_command_lists_every_problem_and_imports_nothing(tmp_path, reference_csv):
    DatasetFactory(slug="foi")
    rows = reference_rows(reference_csv)
    rows[1]["value"] = "4,000.5.1"
    rows[6]["area_type"] = "town"
    path = tmp_path / "foi.csv"
    path.write_bytes(to_csv(rows))

    with pytest.raises(CommandError) as caught:
        call_command("import_observations", "foi", str(path), stdout=io.StringIO())

    message = str(caught.value)
    assert "Nothing was imported: the file has 2 problem(s)." in message
    assert "Row 3, column value: '4,000.5.1' is not a number" in message
    assert "Row 8, column area_type: 'town' is not an area type" in message
    assert not Observation.objects.exists()


@pytest.mark.postgres
def test_command_reports_a_nul_late_in_the_file_by_row_and_column_and_imports_nothing(
    tmp_path, reference_csv
):
    DatasetFactory(slug="foi")
    content, last_row = csv_with_a_nul_after_the_first_8_kb(reference_csv)
    path = tmp_path / "foi.csv"
    path.write_bytes(content)

    with pytest.raises(CommandError) as caught:
        call_command("import_observations", "foi", str(path), stdout=io.StringIO())

    assert "Nothing was imported: the file has 1 problem(s)." in str(caught.value)
    assert f"Row {last_row}, column note: This cell holds a hidden character" in str(caught.value)
    assert not Observation.objects.exists()


def test_command_names_an_unknown_dataset(tmp_path):
    with pytest.raises(CommandError, match="No dataset has the slug 'nope'"):
        call_command("import_observations", "nope", str(tmp_path / "missing.csv"))


def test_thousands_separators_are_read_as_numbers(reference_csv):
    dataset = DatasetFactory()
    rows = reference_rows(reference_csv)
    rows[0]["value"] = "9,259"

    import_file(dataset, to_csv(rows))

    assert stored(dataset, "England and Wales", "Any known platform").value == 9259


# A later file adding to the area hierarchy -----------------------------------------------------------


def _united_kingdom_above(rows):
    """The reference rows, England and Wales placed in a new United Kingdom with a row of its own."""
    for row in rows:
        if row["area"] == "England and Wales":
            row["parent_area"] = "United Kingdom"
    uk = dict(rows[0], area="United Kingdom", parent_area="", value="10000", note="")
    return [*rows, uk]


def test_a_later_file_may_place_a_stored_top_level_area_inside_a_new_larger_one(reference_csv):
    dataset = DatasetFactory()
    import_file(dataset, reference_csv)
    content = to_csv(_united_kingdom_above(reference_rows(reference_csv)))

    _raw, plan = prepare_import(dataset, "uk.csv", content)

    assert plan.placed_areas == [("England and Wales", "United Kingdom")]
    assert plan.new_areas == ["United Kingdom"]
    import_file(dataset, content)
    england_and_wales = Area.objects.get(name="England and Wales")
    assert england_and_wales.parent.name == "United Kingdom"
    assert Area.objects.get(name="Hertfordshire").parent.parent.parent.name == "United Kingdom"


def test_a_parent_neither_in_the_file_nor_stored_is_offered_as_new_and_created(reference_csv):
    dataset = DatasetFactory()
    rows = reference_rows(reference_csv)
    for row in rows:
        if row["area"] == "England and Wales":
            row["parent_area"] = "United Kingdom"

    _raw, plan = prepare_import(dataset, "uk.csv", to_csv(rows))
    import_file(dataset, to_csv(rows))

    assert plan.implied_parents == [("United Kingdom", "nation", "England and Wales")]
    uk = Area.objects.get(name="United Kingdom")
    assert (uk.area_type, uk.parent) == ("nation", None)
    assert Area.objects.get(name="England and Wales").parent == uk


def test_moving_a_stored_area_to_another_parent_is_refused_with_how_to_fix_it(reference_csv):
    dataset = DatasetFactory()
    import_file(dataset, reference_csv)
    rows = reference_rows(reference_csv)
    for row in rows:
        if row["area"] == "Hertfordshire":
            row["parent_area"] = "England and Wales"

    problems = rejected_problems(dataset, to_csv(rows))

    assert [(problem.row, problem.column) for problem in problems] == [(9, "parent_area")]
    assert "Hertfordshire is stored as a police force in East of England" in problems[0].message
    assert "change the area under Statistics → Areas first" in problems[0].message
    assert Area.objects.get(name="Hertfordshire").parent.name == "East of England"
