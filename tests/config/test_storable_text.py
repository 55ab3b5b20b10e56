"""Text PostgreSQL cannot store (NUL, lone surrogates) gets a clear 400, never a 500, wherever a request
carries it: query strings, form fields, the path, cookies, headers and JSON bodies. Through the real URLs,
on PostgreSQL, where NUL fails."""

import json

import pytest
from axes.models import AccessAttempt
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.documents.models import Document
from wagtail.models import Page
from wagtail.users.models import UserProfile

from petitions.models import Signature
from tests.petitions.factories import SignatureFactory

pytestmark = pytest.mark.postgres

BROWSER = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}
FRIENDLY_HEADING = "Sorry, we could not read that"


def assert_refused(response):
    assert response.status_code == 400
    assert FRIENDLY_HEADING in response.text
    assert "no-store" in response["Cache-Control"]


# Query strings


def test_visitor_searching_with_a_nul_is_told_the_request_could_not_be_read(client, public_page):
    response = client.get("/search/", {"q": "offences\x00"}, **BROWSER)

    assert_refused(response)
    assert "type again any text you pasted" in response.text


def test_a_script_gets_one_plain_line_instead_of_the_page(client, public_page):
    response = client.get("/search/", {"q": "\x00"}, HTTP_ACCEPT="*/*")

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.text.startswith("Bad request: it contains a character that cannot be stored")


def test_ordinary_accented_and_emoji_text_still_searches(client, public_page):
    response = client.get("/search/", {"q": "café 🙂 Ōtautahi"}, **BROWSER)

    assert response.status_code == 200


@pytest.mark.parametrize(
    "params",
    [{"q": "ann\x00"}, {"q": "ann\x00", "export": "csv"}, {"q": "ann\x00", "export": "xlsx"}],
    ids=["search", "csv-export", "xlsx-export"],
)
def test_staff_listing_signatories_with_a_nul_in_the_search_get_a_400(superuser_client, petition, params):
    SignatureFactory(petition=petition, email="ann@example.org")

    assert_refused(superuser_client.get(reverse("signatories:index"), params, **BROWSER))


def test_staff_select_all_with_a_nul_in_the_search_changes_no_signature(superuser_client, petition):
    SignatureFactory(petition=petition, email="ann@example.org")
    url = reverse("wagtail_bulk_action", args=["petitions", "signature", "invalidate"])

    response = superuser_client.post(url + "?id=all&q=ann%00", {"reason": "Bot"}, **BROWSER)

    assert_refused(response)
    assert not Signature.objects.invalidated().exists()


# Form bodies


def test_editor_saving_a_page_with_a_nul_in_its_title_gets_a_400_and_nothing_saved(
    superuser_client, public_page
):
    response = superuser_client.post(
        reverse("wagtailadmin_pages:edit", args=[public_page.pk]),
        {"title": "Plumbing\x00", "slug": "plumbing-home"},
        **BROWSER,
    )

    assert_refused(response)
    assert Page.objects.get(pk=public_page.pk).title == "Plumbing test home"
    assert not public_page.revisions.exists()


def test_sign_in_with_a_nul_in_the_username_gets_a_400(client, superuser):
    response = client.post(
        reverse("wagtailadmin_login"), {"username": "ada.lovelace\x00", "password": "wrong"}, **BROWSER
    )

    assert_refused(response)


def test_multipart_form_fields_are_checked_but_file_contents_are_not(superuser_client):
    binary = b"%PDF-1.4\n\x00\x01\x02 binary content with NUL bytes\n"

    refused = superuser_client.post(
        reverse("wagtaildocs:add"),
        {"title": "Report\x00", "file": SimpleUploadedFile("report.pdf", binary)},
        **BROWSER,
    )
    accepted = superuser_client.post(
        reverse("wagtaildocs:add"), {"title": "Report", "file": SimpleUploadedFile("report.pdf", binary)}
    )

    assert_refused(refused)
    assert accepted.status_code == 302
    assert list(Document.objects.values_list("title", flat=True)) == ["Report"]


# The path, cookies and headers


@pytest.mark.parametrize("path", ["/%00/", "/child/%00/", "/admin/pages/%00/", "/petitions/confirm/%00/"])
def test_a_nul_in_the_address_gets_a_400(client, public_page, path):
    assert_refused(client.get(path, **BROWSER))


def test_a_session_cookie_with_a_nul_gets_a_400_not_a_failed_session_lookup(client, db):
    # An octal escape in a quoted cookie value is how a NUL gets through any HTTP server.
    response = client.get("/admin/", HTTP_COOKIE='sessionid="abcdefghijk\\000l"', **BROWSER)

    assert_refused(response)


def test_a_failed_sign_in_with_a_nul_in_the_user_agent_records_nothing_and_gets_a_400(client, superuser):
    response = client.post(
        reverse("wagtailadmin_login"),
        {"username": "ada.lovelace", "password": "wrong"},
        HTTP_USER_AGENT="Mozilla/5.0\x00",
        **BROWSER,
    )

    assert_refused(response)
    assert not AccessAttempt.objects.exists()


# JSON bodies


@pytest.mark.parametrize("body", ['{"tour\\u0000": true}', '{"tour": "\\ud800"}'], ids=["nul", "surrogate"])
def test_admin_json_with_unstorable_text_gets_a_400_and_changes_nothing(superuser_client, superuser, body):
    response = superuser_client.patch(
        reverse("wagtailadmin_dismissibles"), body, content_type="application/json", **BROWSER
    )

    assert_refused(response)
    assert UserProfile.get_for_user(superuser).dismissibles == {}


def test_admin_json_with_ordinary_text_is_still_saved(superuser_client, superuser):
    response = superuser_client.patch(
        reverse("wagtailadmin_dismissibles"), json.dumps({"tour": "café"}), content_type="application/json"
    )

    assert response.status_code == 200
    assert UserProfile.get_for_user(superuser).dismissibles == {"tour": "café"}
