"""The import page helps data staff start a file: the one dataset chosen already, a template and the
current data to download (CSV and XLSX), and each column explained in words as well as its heading."""

import io

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from openpyxl import load_workbook

from statistics.import_format import COLUMNS
from statistics.importers.plan import prepare_import

from .factories import DatasetFactory

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/admin/statistics_import/"


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def test_with_one_dataset_the_select_starts_on_it(client, data_staff, demo_dataset):
    client.force_login(data_staff)

    select = soup(client.get(UPLOAD_URL)).select_one("select[name=dataset]")

    options = [(option["value"], option.has_attr("selected")) for option in select.select("option")]
    assert options == [(str(demo_dataset.pk), True)]


def test_with_several_datasets_the_editor_chooses(client, data_staff, demo_dataset):
    DatasetFactory(title="Another")
    client.force_login(data_staff)

    select = soup(client.get(UPLOAD_URL)).select_one("select[name=dataset]")

    assert [option["value"] for option in select.select("option[selected]")] == [""]


def test_the_page_names_each_column_in_words_beside_its_heading(client, data_staff, demo_dataset):
    client.force_login(data_staff)

    table = soup(client.get(UPLOAD_URL)).select_one("[aria-labelledby=import-columns-heading] table")

    rows = {row.th.get_text(strip=True): row.code.get_text() for row in table.select("tbody tr")}
    assert list(rows.values()) == list(COLUMNS)
    assert rows["Lies in"] == "parent_area"
    assert rows["First day"] == "period_start"


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_template_is_the_header_row_alone(client, data_staff, extension):
    client.force_login(data_staff)

    response = client.get(reverse("statistics_import:template", args=[extension]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="figures-template.{extension}"'
    if extension == "csv":
        assert response.content.decode().splitlines() == [",".join(COLUMNS)]
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [list(COLUMNS)]


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_current_data_imports_back_changing_nothing(client, data_staff, demo_dataset, extension):
    client.force_login(data_staff)

    response = client.get(reverse("statistics_import:starting_file", args=[demo_dataset.pk, extension]))

    assert response.status_code == 200
    _raw, plan = prepare_import(demo_dataset, f"start.{extension}", response.content)
    assert (len(plan.added), len(plan.changed), plan.unchanged) == (0, 0, 9)
    assert not plan.changes_anything


def test_the_downloads_need_the_import_permission(client, editor, demo_dataset):
    client.force_login(editor)
    template = reverse("statistics_import:template", args=["csv"])
    starting = reverse("statistics_import:starting_file", args=[demo_dataset.pk, "xlsx"])

    # Wagtail's admin answers a refused permission by sending the user back to the dashboard.
    for url in (template, starting):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, "/admin/")


def test_an_unknown_file_type_is_not_found(client, data_staff):
    client.force_login(data_staff)

    assert client.get(reverse("statistics_import:template", args=["pdf"])).status_code == 404
