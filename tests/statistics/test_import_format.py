"""The import format is defined once (`statistics.import_format`): the docs, the README, the contract it was
agreed in and the upload form say what it says, and every word it allows makes the trip from a download
back through the import unchanged."""

import csv
import io
import itertools
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from statistics.choices import Qualifier
from statistics.import_format import AREA_TYPES, COLUMN, COLUMNS, IDENTITY, QUALIFIER_WORDS, UNITS, markdown
from statistics.importers.plan import apply_import, prepare_import
from statistics.models import Observation

from .factories import AreaFactory, DatasetFactory, ObservationFactory, PlatformFactory

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CONTRACT = PROJECT_ROOT / "statistics" / "data" / "README.md"
# Where the project owner keeps the contract on the project's own machines; the repository keeps a copy.
SHARED_CONTRACT = Path("/work/shared/data/README.md")


def section(markdown_text, heading):
    """The text under `heading` (a Markdown heading line), up to the next heading of the same level."""
    level = heading.split(" ", 1)[0]
    start = markdown_text.index(heading + "\n") + len(heading) + 1
    following = re.search(rf"^{level} ", markdown_text[start:], flags=re.MULTILINE)
    return markdown_text[start : start + following.start()] if following else markdown_text[start:]


def contract_columns(markdown_text):
    """{column: the words its 'values' cell allows} from a contract's table, in the table's order. A row may
    name several columns ("period_start, period_end"); the allowed words are the backquoted ones, and
    "empty" where a cell may be left empty."""
    table = section(markdown_text, "## The import format (the project's contract for FOI data)")
    columns = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("column", "---"):
            continue
        names, _meaning, values = cells
        words = set(re.findall(r"`([^`]*)`", values))
        if values.startswith("empty"):
            words.add("")
        for name in names.split(","):
            columns[name.strip().strip("`")] = words
    return columns


def test_the_data_model_doc_describes_the_format_as_it_is_defined():
    doc = (PROJECT_ROOT / "docs" / "data-model.md").read_text()

    assert markdown() in section(doc, "### The import format"), (
        "docs/data-model.md's 'The import format' is not what statistics/import_format.py defines. "
        "Replace its table and the paragraph under it with:\n\n" + markdown()
    )


def test_the_readme_names_the_columns_in_order_and_what_names_an_observation():
    readme = section((PROJECT_ROOT / "README.md").read_text(), "## Statistics data")

    named = re.search(r"naming the columns (.+?)\. ", readme, flags=re.DOTALL).group(1)
    assert re.findall(r"`(\w+)`", named) == list(COLUMNS)
    identified_by = re.search(r"identified by ([\w\s,]+?):", readme).group(1)
    assert re.split(r",\s*|\s+and\s+", " ".join(identified_by.split())) == list(IDENTITY)


@pytest.mark.parametrize(
    "contract",
    [
        pytest.param(CONTRACT, id="the repository's copy"),
        pytest.param(
            SHARED_CONTRACT,
            id="the project owner's",
            marks=pytest.mark.skipif(not SHARED_CONTRACT.exists(), reason="only on the project's machines"),
        ),
    ],
)
def test_the_agreed_contract_has_the_formats_columns_and_allowed_words(contract):
    agreed = contract_columns(contract.read_text())

    assert list(agreed) == list(COLUMNS)
    for name in COLUMNS:
        if COLUMN[name].choices:
            assert agreed[name] == set(COLUMN[name].choices), name


def test_data_staff_are_told_the_columns_on_the_upload_form(client, data_staff):
    client.force_login(data_staff)

    page = BeautifulSoup(client.get(reverse("statistics_import:upload")).content, "html.parser")

    headings = [code.get_text() for code in page.select("[aria-labelledby=import-columns-heading] code")]
    assert headings == list(COLUMNS)


@pytest.mark.django_db
def test_every_word_the_format_allows_comes_back_unchanged_from_a_download(client):
    dataset = DatasetFactory()
    areas = {area_type: AreaFactory(name=f"A {area_type}", area_type=area_type) for area_type in AREA_TYPES}
    for index, (area_type, unit, qualifier) in enumerate(
        itertools.product(AREA_TYPES, UNITS, QUALIFIER_WORDS)
    ):
        ObservationFactory(
            dataset=dataset,
            area=areas[area_type],
            platform=PlatformFactory(name=f"Platform {index}"),
            unit=unit,
            qualifier=qualifier,
            value="12.5",
        )
    download = client.get(reverse("statistics:dataset_csv", kwargs={"slug": dataset.slug})).content
    rows = list(csv.DictReader(io.StringIO(download.decode("utf-8-sig"))))

    _raw_rows, plan = prepare_import(dataset, "download.csv", download)

    assert {row["area_type"] for row in rows} == set(AREA_TYPES)
    assert {row["unit"] for row in rows} == set(UNITS)
    assert {row["qualifier"] for row in rows} == set(QUALIFIER_WORDS.values())
    assert (len(plan.added), len(plan.changed), plan.unchanged) == (0, 0, len(rows))


@pytest.mark.django_db
def test_a_qualifier_is_read_whatever_its_capitals_and_spacing(reference_csv):
    dataset = DatasetFactory()
    content = reference_csv.replace(b",more than,", b", More  THAN ,")
    assert content != reference_csv

    raw_rows, _plan = prepare_import(dataset, "shouty.csv", content)
    apply_import(dataset, raw_rows, file_name="shouty.csv")

    lower_bound = Observation.objects.get(qualifier=Qualifier.MORE_THAN)
    assert (lower_bound.area.name, lower_bound.value) == ("England and Wales", 4000)
    assert Observation.objects.filter(qualifier=Qualifier.EXACT).count() == 8


@pytest.mark.django_db
def test_the_columns_may_come_in_any_order_with_other_columns_beside_them(reference_csv):
    rows = list(csv.reader(io.StringIO(reference_csv.decode())))
    rows = [[*reversed(row), "Checked by Sam"] for row in rows]
    rows[0][-1] = "comment"
    reordered = io.StringIO()
    csv.writer(reordered).writerows(rows)
    dataset = DatasetFactory()

    _raw_rows, from_reordered = prepare_import(dataset, "reordered.csv", reordered.getvalue().encode())

    _raw_rows, from_reference = prepare_import(dataset, "reference.csv", reference_csv)
    assert len(from_reordered.added) == 9
    assert from_reordered.added == from_reference.added
