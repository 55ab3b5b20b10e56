"""The admin, through its real URLs: who may import, the upload → preview → confirm flow, and editors
building widgets (refused in plain words when the figures make no sense), with preview and history."""

from datetime import date

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import ModelLogEntry
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from statistics.choices import Calculation, Orientation, Rounding, SortOrder, WidgetKind
from statistics.importers.plan import IMPORT_ACTION, apply_import
from statistics.importers.reading import read_rows
from statistics.models import Dataset, Observation, Period, StatisticWidget

from .factories import DatasetFactory
from .test_import import csv_with_a_nul_after_the_first_8_kb

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/admin/statistics_import/"


def upload(client, dataset, content, name="foi.csv"):
    return client.post(UPLOAD_URL, {"dataset": dataset.pk, "file": SimpleUploadedFile(name, content)})


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


# Who may import ---------------------------------------------------------------------------------


def test_the_import_pages_need_a_login(client):
    response = client.get(UPLOAD_URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_an_editor_without_the_import_permission_is_turned_away(client, editor, reference_csv):
    dataset = DatasetFactory()
    client.force_login(editor)
    preview_url = reverse("statistics_import:preview", kwargs={"token": "anything"})

    # Wagtail's admin answers a refused permission by sending the user back to the dashboard.
    for response in (client.get(UPLOAD_URL), upload(client, dataset, reference_csv), client.get(preview_url)):
        assert (response.status_code, response["Location"]) == (302, "/admin/")
    dashboard = client.get("/admin/").content.decode()
    assert "Sorry, you do not have permission to access this area." in dashboard
    assert UPLOAD_URL not in dashboard
    assert not Observation.objects.exists()


def test_data_staff_and_superusers_may_import_and_see_the_menu_entry(client, data_staff, superuser):
    for user in (data_staff, superuser):
        client.force_login(user)
        assert client.get(UPLOAD_URL).status_code == 200
        assert UPLOAD_URL in client.get("/admin/").content.decode()


def test_the_data_staff_group_is_made_with_the_right_permissions(import_permission):
    data_staff = Group.objects.get(name="Data staff")
    codenames = set(data_staff.permissions.values_list("codename", flat=True))

    assert {
        "access_admin",
        "import_observations",
        "change_observation",
        "add_dataset",
        "view_area",
    } <= codenames
    assert "delete_dataset" not in codenames
    assert {"add_measure", "change_measure", "view_measure"} <= codenames
    assert not codenames & {"add_statisticwidget", "change_statisticwidget"}
    assert import_permission not in Group.objects.get(name="Editors").permissions.all()
    assert Group.objects.get(name="Editors").permissions.filter(codename="change_statisticwidget").exists()


# The upload → preview → confirm flow ------------------------------------------------------------


def test_data_staff_upload_see_the_preview_confirm_and_the_import_is_logged(
    client, data_staff, reference_csv
):
    dataset = DatasetFactory(title="FOI 2018/19")
    client.force_login(data_staff)

    response = upload(client, dataset, reference_csv, name="foi_2018_19.csv")

    assert response.status_code == 302
    preview_url = response["Location"]
    assert not Observation.objects.exists(), "nothing is saved before confirmation"
    preview = soup(client.get(preview_url))
    summary = preview.select_one(".nice-padding p").get_text(" ", strip=True)
    assert "Importing foi_2018_19.csv into FOI 2018/19 will add 9 figures, change 0" in summary
    added = [
        [cell.get_text() for cell in row.select("td")] for row in preview.select("table.listing tbody tr")
    ]
    assert added[1][:4] == ["3", "2018/19", "England and Wales", "Facebook, Instagram or WhatsApp"]
    assert added[1][5] == "more than 4,000"
    fingerprint = preview.select_one("input[name=fingerprint]")["value"]

    response = client.post(preview_url, {"fingerprint": fingerprint}, follow=True)

    assert response.redirect_chain[-1][0].endswith(
        f"/admin/snippets/statistics/observation/?dataset={dataset.pk}"
    )
    assert (
        "Imported foi_2018_19.csv into FOI 2018/19: 9 added, 0 changed, 0 unchanged."
        in response.content.decode()
    )
    assert Observation.objects.filter(dataset=dataset).count() == 9
    entry = ModelLogEntry.objects.get(action=IMPORT_ACTION)
    assert (entry.user, entry.data["file_name"], entry.data["added"]) == (data_staff, "foi_2018_19.csv", 9)
    assert client.get(preview_url).status_code == 302, "a confirmed import cannot be confirmed twice"
    history = client.get(reverse("wagtailsnippets_statistics_dataset:history", args=[dataset.pk]))
    assert "Imported foi_2018_19.csv: 9 added, 0 changed, 0 unchanged" in history.content.decode()


def test_a_bad_file_lists_its_problems_by_row_and_column_and_saves_nothing(client, data_staff, reference_csv):
    dataset = DatasetFactory()
    client.force_login(data_staff)
    bad = reference_csv.replace(b",288,", b",two hundred,").replace(b",police_force,", b",constabulary,")

    response = upload(client, dataset, bad)

    assert response.status_code == 200
    page = soup(response)
    assert "Nothing was imported." in page.select_one("[role=alert]").get_text()
    problems = [
        [cell.get_text() for cell in row.select("td")]
        for row in page.select("table.import-problems tbody tr")
    ]
    assert problems == [
        ["6", "value", "'two hundred' is not a number. Write digits only, such as 4000 or 3.2."],
        ["9", "area_type", "'constabulary' is not an area type: write nation, region or police_force."],
        ["10", "area_type", "'constabulary' is not an area type: write nation, region or police_force."],
    ]
    assert not Observation.objects.exists()
    assert not any(key.startswith("statistics-import:") for key, _value in client.session.items())


@pytest.mark.postgres
def test_a_nul_late_in_the_file_is_listed_at_upload_not_a_failure_at_confirmation(
    client, data_staff, reference_csv
):
    client.force_login(data_staff)
    content, last_row = csv_with_a_nul_after_the_first_8_kb(reference_csv)

    response = upload(client, DatasetFactory(), content)

    assert response.status_code == 200
    rows = soup(response).select("table.import-problems tbody tr")
    problems = [[cell.get_text() for cell in row.select("td")] for row in rows]
    assert [problem[:2] for problem in problems] == [[str(last_row), "note"]]
    assert "hidden character that cannot be stored" in problems[0][2]
    assert not any(key.startswith("statistics-import:") for key, _value in client.session.items())


def test_a_file_that_is_not_data_is_refused_in_plain_words(client, data_staff):
    client.force_login(data_staff)

    response = upload(client, DatasetFactory(), b"%PDF-1.4 a letter", name="letter.pdf")

    rows = soup(response).select("table.import-problems tbody tr")
    problems = [[cell.get_text() for cell in row.select("td")] for row in rows]
    assert problems == [
        [
            "The whole file",
            "—",
            "letter.pdf is not a CSV or XLSX file. Upload the data as CSV (UTF-8) or XLSX.",
        ]
    ]


def test_a_preview_made_stale_by_another_import_is_shown_again_not_applied(client, data_staff, reference_csv):
    dataset = DatasetFactory()
    apply_import(dataset, read_rows("first.csv", reference_csv), file_name="first.csv")
    client.force_login(data_staff)
    mine = reference_csv.replace(b",288,", b",290,")
    preview_url = upload(client, dataset, mine)["Location"]
    fingerprint = soup(client.get(preview_url)).select_one("input[name=fingerprint]")["value"]
    theirs = reference_csv.replace(b",288,", b",295,")
    apply_import(dataset, read_rows("theirs.csv", theirs), file_name="theirs.csv")

    response = client.post(preview_url, {"fingerprint": fingerprint}, follow=True)

    assert "The stored data changed while you were checking." in response.content.decode()
    assert "288 → 290" not in response.content.decode()
    assert "295 → 290" in response.content.decode()
    assert Observation.objects.get(platform__name="Instagram").value == 295


def test_a_confirmation_the_stored_data_has_made_wrong_lists_the_problems_and_saves_nothing(
    client, data_staff, reference_csv
):
    dataset = DatasetFactory()
    client.force_login(data_staff)
    preview_url = upload(client, dataset, reference_csv)["Location"]
    fingerprint = soup(client.get(preview_url)).select_one("input[name=fingerprint]")["value"]
    Period.objects.create(label="2018/19", start_date=date(2018, 1, 1), end_date=date(2018, 12, 31))

    response = client.post(preview_url, {"fingerprint": fingerprint})

    assert response.status_code == 200
    assert "Period 2018/19 is stored as 2018-01-01 to 2018-12-31" in response.content.decode()
    assert not Observation.objects.exists()


def test_a_confirmation_without_its_fingerprint_shows_the_preview_again(client, data_staff, reference_csv):
    dataset = DatasetFactory()
    client.force_login(data_staff)
    preview_url = upload(client, dataset, reference_csv)["Location"]

    response = client.post(preview_url, {})

    assert response.status_code == 302
    assert response["Location"] == preview_url
    assert not Observation.objects.exists()


# Building widgets --------------------------------------------------------------------------------


def widget_form(dataset, observations, whole=None, **fields):
    data = {
        "title": "A widget",
        "kind": WidgetKind.HEADLINE,
        "dataset": dataset.pk,
        "calculation": Calculation.VALUE,
        "label": "offences",
        "rounding": Rounding.WHOLE,
        "whole": whole.pk if whole else "",
        "orientation": Orientation.HORIZONTAL,
        "sort_order": SortOrder.LARGEST_FIRST,
        "note": "",
        "widget_observations": inline_formset([{"observation": o.pk, "id": ""} for o in observations]),
    }
    data.update(fields)
    return nested_form_data(data)


def observation(area, platform):
    return Observation.objects.get(area__name=area, platform__name=platform)


def test_an_editor_is_told_why_a_share_above_its_whole_cannot_be_saved(client, editor, demo_dataset):
    client.force_login(editor)
    whole = observation("Hertfordshire", "Facebook, Instagram or WhatsApp")
    part = observation("Hertfordshire", "Any platform")

    response = client.post(
        reverse("wagtailsnippets_statistics_statisticwidget:add"),
        widget_form(demo_dataset, [part], whole=whole, calculation=Calculation.SHARE),
    )

    assert response.status_code == 200
    assert "The figures add up to 94, more than the whole (40), so they cannot be a share of it." in (
        response.content.decode()
    )
    assert not StatisticWidget.objects.exists()


def test_an_editor_builds_a_widget_from_stored_figures_with_a_revision(client, editor, demo_dataset):
    client.force_login(editor)
    parts = [observation("East of England", name) for name in ("Facebook", "Instagram", "WhatsApp")]

    response = client.post(
        reverse("wagtailsnippets_statistics_statisticwidget:add"),
        widget_form(demo_dataset, parts, title="East of England", calculation=Calculation.SUM),
    )

    assert response.status_code == 302
    widget = StatisticWidget.objects.get(title="East of England")
    assert [link.observation for link in widget.widget_observations.order_by("sort_order")] == parts
    assert widget.revisions.count() == 1
    edit = client.get(reverse("wagtailsnippets_statistics_statisticwidget:edit", args=[widget.pk]))
    assert edit.status_code == 200
    usage = client.get(reverse("wagtailsnippets_statistics_statisticwidget:usage", args=[widget.pk]))
    assert usage.status_code == 200


def test_a_new_widget_form_does_not_autosave_but_a_saved_widgets_form_does(client, editor, demo_dataset):
    """Autosave on the create form would make a second widget when the editor presses Save meanwhile."""
    client.force_login(editor)
    new_form = client.get(reverse("wagtailsnippets_statistics_statisticwidget:add")).content.decode()
    widget = StatisticWidget.objects.create(title="Saved", dataset=demo_dataset)
    edit_form = client.get(
        reverse("wagtailsnippets_statistics_statisticwidget:edit", args=[widget.pk])
    ).content.decode()

    assert "data-w-autosave-interval-value" not in new_form
    assert "data-w-autosave-interval-value" in edit_form


def test_live_preview_shows_the_unsaved_widget(client, editor, demo_dataset):
    client.force_login(editor)
    preview_url = reverse("wagtailsnippets_statistics_statisticwidget:preview_on_add")
    part = observation("Hertfordshire", "Facebook, Instagram or WhatsApp")
    whole = observation("Hertfordshire", "Any platform")
    data = widget_form(
        demo_dataset, [part], whole=whole, calculation=Calculation.PART_OF_WHOLE, label="in Herts"
    )

    assert client.post(preview_url, data).json() == {"is_valid": True, "is_available": True}
    preview = soup(client.get(preview_url))

    assert preview.select_one(".statistic__figure").get_text() == "40 of 94"
    assert preview.select_one(".statistic__explanation").get_text() == "(43%)"
    assert not StatisticWidget.objects.exists()


def test_the_observation_chooser_filters_by_area(client, editor, demo_dataset):
    client.force_login(editor)
    hertfordshire = observation("Hertfordshire", "Any platform").area

    response = client.get(
        reverse("wagtailsnippetchoosers_statistics_observation:choose_results"), {"area": hertfordshire.pk}
    )

    titles = [link.get_text(strip=True) for link in soup(response).select("tbody a")]
    assert len(titles) == 2
    assert all(title.startswith("Hertfordshire, ") for title in titles)
    assert Dataset.objects.count() == 1


@pytest.mark.parametrize("model", ["dataset", "observation", "area", "platform", "period"])
def test_data_staff_manage_the_data_in_listings_with_filters_and_search(
    client, data_staff, demo_dataset, model
):
    client.force_login(data_staff)
    listing = reverse(f"wagtailsnippets_statistics_{model}:list")

    response = client.get(listing, {"q": "Hertfordshire" if model in ("observation", "area") else ""})

    assert response.status_code == 200
    rows = [row.get_text(" ", strip=True) for row in soup(response).select("table.listing tbody tr")]
    # Searched for Hertfordshire: its area, and its two figures; otherwise everything the demo holds.
    assert len(rows) == {"dataset": 1, "observation": 2, "area": 1, "platform": 6, "period": 1}[model]
    if model in ("observation", "area"):
        assert all(row.startswith("Hertfordshire") or " Hertfordshire " in row for row in rows), rows


def test_editors_list_and_search_widgets_but_do_not_change_the_data(client, editor, demo_widgets):
    client.force_login(editor)

    response = client.get(reverse("wagtailsnippets_statistics_statisticwidget:list"), {"kind": "bar_chart"})

    assert response.status_code == 200
    assert "Facebook apps in the East of England" in response.content.decode()
    assert "Offences where police knew the platform" not in response.content.decode()
    observation_edit = reverse(
        "wagtailsnippets_statistics_observation:edit", args=[Observation.objects.first().pk]
    )
    assert client.get(observation_edit).status_code == 302
