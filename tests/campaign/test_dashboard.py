"""The campaign dashboard on the admin home: signing figures, pages awaiting review, recent imports.

Each panel is shown only to those allowed to see it, names no signer, and costs the same queries
whatever the number of signatures (issue 15, "What to add").
"""

from datetime import datetime, timedelta

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time
from wagtail.models import Page, Workflow

from petitions.models import Signature
from petitions.models.counts import recount_signatures
from petitions.signing.signatures import confirm_signature
from petitions.staff.invalidation import invalidate_signatures
from tests.petitions.factories import SignatureFactory

pytestmark = pytest.mark.django_db

HOME = "wagtailadmin_home"
# A Wednesday afternoon in winter (GMT), so "the last 7 days" reach back to the Thursday before.
NOW = datetime(2026, 12, 2, 14, 5, tzinfo=timezone.get_fixed_timezone(0))


def dashboard(client, user):
    client.force_login(user)
    response = client.get(reverse(HOME))
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def panel(soup, panel_id):
    return soup.find(id=f"{panel_id}-section")


def cells(table):
    return [
        [cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])]
        for row in table.find_all("tr")
    ]


def uk_day(moment):
    day = timezone.localdate(moment)
    return f"{day:%a} {day.day} {day:%b %Y}"


def sign(petition, n, *, confirmed_at=None, postcode="SW1A 1AA", created_at=None, first_name="Ann"):
    """`n` signatures stored directly, then the counters rebuilt from them (as `recount_signatures` does)."""
    SignatureFactory.create_batch(
        n,
        petition=petition,
        postcode=postcode,
        first_name=first_name,
        confirmed_at=confirmed_at,
        created_at=created_at or confirmed_at or timezone.now(),
    )


@freeze_time(NOW)
def test_campaign_staff_see_signatures_today_this_week_in_total_per_day_and_by_region(
    client, campaign_staff, petition
):
    today = NOW
    sign(petition, 3, confirmed_at=today, postcode="M1 1AE")
    sign(petition, 2, confirmed_at=today - timedelta(days=3), postcode="CF10 1EP")
    sign(petition, 4, confirmed_at=today - timedelta(days=10))
    sign(petition, 1, created_at=today)  # awaiting confirmation, signed today
    sign(petition, 2, created_at=today - timedelta(days=5))
    recount_signatures()

    signing = panel(dashboard(client, campaign_staff), "dashboard-signing")

    counts = cells(signing.find("table"))
    assert counts[1:] == [
        ["Confirmed (in the public count)", "3", "5", "9"],
        ["Awaiting confirmation (mail sent, link not yet pressed)", "1", "3", "3"],
    ]
    chart = signing.select(".bar-chart__item")
    assert len(chart) == 14
    assert [item.get_text(" ", strip=True) for item in chart[-1:]] == ["2 Dec 3"]
    per_day = cells(signing.find("details").find("table"))
    assert per_day[1] == ["Wed 2 Dec 2026", "3"]
    assert ["Sun 29 Nov 2026", "2"] in per_day
    assert ["Sun 22 Nov 2026", "4"] in per_day
    regions = cells(signing.find_all("table")[2])
    assert regions[1:] == [["London", "4"], ["North West", "3"], ["Wales", "2"]]


def test_the_counters_follow_confirmations_invalidations_and_the_recount_day_by_day(
    client, campaign_staff, petition
):
    """What the counters hold is what a recount from the table would make, day by day."""
    yesterday = timezone.now() - timedelta(days=1)
    with freeze_time(yesterday):
        early = SignatureFactory.create_batch(3, petition=petition)
        for signature in early:
            confirm_signature(signature.pk)
    for signature in SignatureFactory.create_batch(2, petition=petition):
        confirm_signature(signature.pk)
    invalidate_signatures(Signature.objects.filter(pk=early[0].pk), "Bot", campaign_staff)

    def per_day():
        table = panel(dashboard(client, campaign_staff), "dashboard-signing").find("details").find("table")
        return cells(table)[1:3]

    kept = per_day()
    today, day_before = timezone.localdate(), timezone.localdate(yesterday)
    assert kept == [
        [f"{today:%a} {today.day} {today:%b %Y}", "2"],
        [f"{day_before:%a} {day_before.day} {day_before:%b %Y}", "2"],
    ]
    recount_signatures()
    assert per_day() == kept


def test_no_panel_names_a_signer(client, campaign_staff, petition):
    sign(petition, 2, confirmed_at=timezone.now(), first_name="Zebedee")
    recount_signatures()

    page = dashboard(client, campaign_staff).get_text()

    assert "Zebedee" not in page


def test_an_editor_sees_no_signing_figures_and_no_imports_but_the_pages_awaiting_review(
    client, editor, petition, demo_dataset
):
    soup = dashboard(client, editor)

    assert panel(soup, "dashboard-signing") is None
    assert panel(soup, "dashboard-recent-imports") is None
    assert panel(soup, "dashboard-pages-awaiting-review") is not None


def test_pages_awaiting_review_are_listed_with_links_to_edit_them(client, editor, moderator, home_page):
    workflow = Workflow.objects.get(active=True)
    submitted = home_page.add_child(instance=Page(title="Police figures, part two", slug="part-two"))
    submitted.save_revision(user=editor)
    workflow.start(submitted, editor)
    home_page.add_child(instance=Page(title="Not submitted", slug="not-submitted")).save_revision()

    review = panel(dashboard(client, moderator), "dashboard-pages-awaiting-review")

    assert "1 page submitted" in review.get_text(" ", strip=True)
    links = [(a.get_text(strip=True), a["href"]) for a in review.find("ul").find_all("a")]
    assert links == [("Police figures, part two", reverse("wagtailadmin_pages:edit", args=[submitted.pk]))]


def test_data_staff_see_the_recent_imports_with_what_each_changed(client, data_staff, demo_dataset):
    imports = panel(dashboard(client, data_staff), "dashboard-recent-imports")

    rows = cells(imports.find("table"))
    assert len(rows) == 2
    when, dataset, file_name, changes, _by = rows[1]
    assert dataset == str(demo_dataset)
    assert file_name and changes.endswith("added, 0 changed") and not changes.startswith("0 ")
    assert when.endswith(("GMT", "BST"))
    assert panel(dashboard(client, data_staff), "dashboard-signing") is None


def test_the_dashboard_costs_the_same_queries_for_10_and_1000_signatures(
    client, campaign_staff, petition, django_assert_max_num_queries
):
    client.force_login(campaign_staff)
    sign(petition, 6, confirmed_at=timezone.now() - timedelta(days=2))
    sign(petition, 4, created_at=timezone.now())
    recount_signatures()
    client.get(reverse(HOME))  # the session and the permissions, as on any visit after the first
    with CaptureQueriesContext(connection) as ten:
        client.get(reverse(HOME))
    sign(petition, 594, confirmed_at=timezone.now() - timedelta(days=1), postcode="M1 1AE")
    sign(petition, 396, created_at=timezone.now() - timedelta(days=1))
    recount_signatures()

    with django_assert_max_num_queries(len(ten)):
        response = client.get(reverse(HOME))

    counts = cells(panel(BeautifulSoup(response.content, "html.parser"), "dashboard-signing").find("table"))
    assert [row[-1] for row in counts[1:]] == ["600", "400"]
