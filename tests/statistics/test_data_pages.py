"""The public data pages: the list of datasets, a dataset's filterable observations, and its CSV and JSON
downloads (the CSV in the import format, safe to open in a spreadsheet)."""

import csv
import io

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from statistics.import_format import COLUMNS
from statistics.importers.plan import prepare_import
from statistics.models import Area, Observation, Platform

pytestmark = pytest.mark.django_db


def page(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def csv_rows(response):
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_the_data_index_lists_each_dataset_with_its_source(client, demo_dataset):
    html = page(client.get("/data/"))

    assert html.h1.get_text() == "Data behind the campaign"
    link = html.select_one(".data-pages__item h2 a")
    assert (link.get_text(), link["href"]) == (
        "Wild West Web FOI 2018/19",
        "/data/wild-west-web-foi-2018-19/",
    )
    assert "FOI requests answered by 32 UK police forces (NSPCC). 9 figures." in html.get_text(
        " ", strip=True
    )


def test_a_dataset_page_shows_source_method_and_every_observation(client, demo_dataset):
    html = page(client.get(demo_dataset.get_absolute_url()))

    assert html.select_one("main#main-content h1").get_text() == "Wild West Web FOI 2018/19"
    facts = [item.get_text() for item in html.select(".data-pages__facts dt, .data-pages__facts dd")]
    assert facts == ["Source", "FOI requests answered by 32 UK police forces", "Publisher", "NSPCC"]
    assert "kept by financial year" in html.get_text()
    table = html.select_one("table.data-pages__table")
    assert table.caption.get_text() == "9 figures"
    figures = [row.select("td")[4].get_text() for row in table.select("tbody tr")]
    assert "more than 4,000" in figures and "9,259" in figures


def test_filters_work_as_a_plain_get_form(client, demo_dataset):
    html = page(client.get(demo_dataset.get_absolute_url()))
    form = html.select_one("form.data-filters")
    assert form["method"] == "get"
    labels = {label["for"]: label.get_text() for label in form.select("label")}
    assert set(labels.values()) == {"Period", "Area", "Platform", "Measure"}
    for field_id in labels:
        assert form.select_one(f"#{field_id}") is not None, "every label points at its field"
    east = Area.objects.get(name="East of England")

    filtered = page(client.get(demo_dataset.get_absolute_url(), {"area": east.pk}))

    rows = filtered.select("table.data-pages__table tbody tr")
    assert [row.select("td")[2].get_text() for row in rows] == [
        "Facebook",
        "Facebook, Instagram or WhatsApp",
        "Instagram",
        "WhatsApp",
    ]
    csv_link = filtered.select_one(".data-pages__downloads a[download]")["href"]
    assert csv_link == f"/data/wild-west-web-foi-2018-19.csv?area={east.pk}"
    assert filtered.select_one(".data-filters__actions a").get_text() == "Clear filters"


def test_a_filter_value_the_dataset_does_not_have_is_explained(client, demo_dataset):
    html = page(client.get(demo_dataset.get_absolute_url(), {"area": "999999"}))

    assert "Select a valid choice" in html.select_one(".data-filters__error").get_text()
    assert html.select_one("table.data-pages__table") is None
    assert "No figures match these filters." in html.get_text()


def test_the_csv_download_is_the_import_format_and_imports_back_unchanged(client, demo_dataset):
    rows = csv_rows(client.get(reverse("statistics:dataset_csv", kwargs={"slug": demo_dataset.slug})))

    assert rows[0] == list(COLUMNS)
    assert len(rows) == 10
    facebook_apps = next(
        row for row in rows if row[6] == "Facebook, Instagram or WhatsApp" and row[3] == "England and Wales"
    )
    assert facebook_apps[8:11] == ["4000", "count", "more than"]
    content = client.get(f"/data/{demo_dataset.slug}.csv").content
    _raw_rows, plan = prepare_import(demo_dataset, "download.csv", content)
    assert (len(plan.added), len(plan.changed), plan.unchanged) == (0, 0, 9)


def test_the_csv_download_follows_the_filters(client, demo_dataset):
    instagram = Platform.objects.get(name="Instagram")

    rows = csv_rows(client.get(f"/data/{demo_dataset.slug}.csv", {"platform": instagram.pk}))

    assert [(row[3], row[6], row[8]) for row in rows[1:]] == [("East of England", "Instagram", "288")]


def test_spreadsheet_formulas_in_the_data_are_neutralised_in_the_csv(client, demo_dataset):
    Observation.objects.filter(platform__name="WhatsApp", area__name="East of England").update(
        note='=HYPERLINK("http://example.com","Click")'
    )
    Observation.objects.filter(platform__name="Instagram").update(note="@SUM(1+1)")

    rows = csv_rows(client.get(f"/data/{demo_dataset.slug}.csv"))

    notes = {row[6]: row[11] for row in rows[1:] if row[3] == "East of England"}
    assert notes["WhatsApp"] == '\'=HYPERLINK("http://example.com","Click")'
    assert notes["Instagram"] == "'@SUM(1+1)"


def test_the_json_download_has_the_dataset_and_numeric_values(client, demo_dataset):
    response = client.get(f"/data/{demo_dataset.slug}.json")

    data = response.json()
    assert data["dataset"]["source"] == "FOI requests answered by 32 UK police forces"
    assert data["dataset"]["url"] == "http://testserver/data/wild-west-web-foi-2018-19/"
    first = next(
        o
        for o in data["observations"]
        if o["platform"] == "Facebook, Instagram or WhatsApp" and o["area"] == "England and Wales"
    )
    assert (first["value"], first["unit"], first["qualifier"]) == (4000, "count", "more than")
    assert len(data["observations"]) == 9


def test_downloads_refuse_filters_that_do_not_fit_in_plain_text(client, demo_dataset):
    response = client.get(f"/data/{demo_dataset.slug}.csv", {"measure": "<script>alert(1)</script>"})

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert b"These filters are not valid for this dataset" in response.content


def test_an_unknown_dataset_is_not_found(client, db):
    assert client.get("/data/no-such-data/").status_code == 404
    assert client.get("/data/no-such-data.csv").status_code == 404
