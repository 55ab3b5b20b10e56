"""Cached campaign pages show a widget's new figure as soon as the data behind it is corrected."""

import pytest

from .factories import CampaignPageFactory, block

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


@pytest.fixture
def page_with_widget(home_page, demo_widgets):
    widget = demo_widgets["facebook_apps_total"]
    CampaignPageFactory(
        parent=home_page,
        slug="campaign",
        body=[block("statistic", {"widget": widget.pk, "heading_level": "h2"})],
    )
    return widget


def test_correcting_an_observation_purges_pages_that_show_it(
    client, page_with_widget, django_capture_on_commit_callbacks
):
    first = client.get("/campaign/")
    assert "4,000" in first.text
    assert client.get("/campaign/")["X-Page-Cache"] == "HIT"

    observation = page_with_widget.widget_observations.get().observation
    observation.value = 5123
    with django_capture_on_commit_callbacks(execute=True):
        observation.save()

    response = client.get("/campaign/")
    assert response["X-Page-Cache"] == "MISS"
    assert "5,123" in response.text


def test_editing_a_widget_purges_pages_that_show_it(
    client, page_with_widget, django_capture_on_commit_callbacks
):
    client.get("/campaign/")

    page_with_widget.label = "offences recorded in one year"
    with django_capture_on_commit_callbacks(execute=True):
        page_with_widget.save()

    response = client.get("/campaign/")
    assert response["X-Page-Cache"] == "MISS"
    assert "offences recorded in one year" in response.text
