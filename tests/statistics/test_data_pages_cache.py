"""The data pages from the whole-page cache: served to anonymous visitors until the data changes, never
a filtered view, never a signed-in editor's own rendering."""

import pytest

from statistics.importers.plan import apply_import, prepare_import
from statistics.models import Dataset, Observation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


def views(client, url, count=2):
    return [client.get(url) for _ in range(count)]


@pytest.mark.parametrize("url", ["/data/", "/data/wild-west-web-foi-2018-19/"])
def test_a_second_anonymous_view_of_a_data_page_is_served_whole_from_the_cache(
    client, demo_dataset, url, django_assert_num_queries
):
    first = client.get(url)
    with django_assert_num_queries(0):
        second = client.get(url)

    assert (first.status_code, first["X-Page-Cache"]) == (200, "MISS")
    assert (second.status_code, second["X-Page-Cache"]) == (200, "HIT")
    assert second.content == first.content


def test_an_import_that_changes_a_figure_purges_the_dataset_page(
    client, demo_dataset, django_capture_on_commit_callbacks
):
    url = demo_dataset.get_absolute_url()
    assert [r["X-Page-Cache"] for r in views(client, url)] == ["MISS", "HIT"]
    assert "9,259" in client.get(url).text
    content = client.get(f"/data/{demo_dataset.slug}.csv").content.replace(b",9259,", b",9300,")
    raw_rows, plan = prepare_import(demo_dataset, "corrected.csv", content)
    assert len(plan.changed) == 1

    with django_capture_on_commit_callbacks(execute=True):
        apply_import(demo_dataset, raw_rows, file_name="corrected.csv")

    after = client.get(url)
    assert after["X-Page-Cache"] != "HIT"
    assert "9,300" in after.text and "9,259" not in after.text
    assert client.get(url)["X-Page-Cache"] == "HIT"


def test_a_dataset_edited_or_deleted_in_the_admin_purges_the_data_index(
    client, demo_dataset, django_capture_on_commit_callbacks
):
    assert [r["X-Page-Cache"] for r in views(client, "/data/")] == ["MISS", "HIT"]
    with django_capture_on_commit_callbacks(execute=True):
        demo_dataset.title = "Wild West Web FOI, corrected"
        demo_dataset.save()
    assert "Wild West Web FOI, corrected" in client.get("/data/").text

    client.get("/data/")
    with django_capture_on_commit_callbacks(execute=True):
        Observation.objects.filter(dataset=demo_dataset).delete()
        Dataset.objects.filter(pk=demo_dataset.pk).delete()
    assert "Wild West Web FOI, corrected" not in client.get("/data/").text


def test_a_filtered_dataset_view_is_rendered_every_time(client, demo_dataset):
    platform = Observation.objects.filter(dataset=demo_dataset).first().platform
    url = f"{demo_dataset.get_absolute_url()}?platform={platform.pk}"

    answers = views(client, url, count=3)

    assert all(r.status_code == 200 and "X-Page-Cache" not in r for r in answers)


def test_a_signed_in_editors_data_page_is_neither_served_from_nor_stored_in_the_cache(
    client, demo_dataset, editor
):
    url = demo_dataset.get_absolute_url()
    client.get(url)
    client.get(url)
    client.force_login(editor)

    answers = views(client, url)

    assert all("X-Page-Cache" not in r for r in answers)
    client.logout()
    assert client.get(url)["X-Page-Cache"] == "HIT"
