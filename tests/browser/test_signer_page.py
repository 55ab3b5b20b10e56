"""The signer's own page and the letter's outcome timeline in Chromium at 375 px: axe finds nothing
serious, and a signer with JavaScript off takes their name off the public list in two presses."""

import json

import pytest
from playwright.sync_api import expect

from petitions.models import Signature
from petitions.selfservice.links import signer_page_token
from petitions.signing.signatures import confirm_signature
from tests.petitions.factories import SignatureFactory

from .conftest import axe

pytestmark = pytest.mark.browser


def test_the_signer_page_works_without_javascript_and_passes_axe_on_a_phone(
    demo_site, open_browser, screenshot
):
    petition = demo_site["petition"]
    signature = SignatureFactory(
        petition=petition, email="phone.signer@example.org", first_name="Ngozi", show_publicly=True
    )
    confirm_signature(signature.pk)
    petition.tells_outcome = True
    petition.outcome_timeline = json.dumps(
        [
            {
                "type": "delivered",
                "value": {
                    "date": "2026-11-20",
                    "text": "We handed over the letter and your signatures.",
                    "how": "by hand at their London office",
                    "to_whom": "Meta's UK public policy team",
                },
            },
            {
                "type": "next_ask",
                "value": {
                    "date": "2026-12-02",
                    "text": "Ask your MP to back the amendment.",
                    "link": "https://example.org/write-to-your-mp",
                    "link_text": "Write to your MP",
                },
            },
        ]
    )
    petition.save_revision().publish()
    path = f"/petitions/you/{signer_page_token(signature)}/"

    checked = open_browser(phone=True, bypass_csp=True)
    for url in (path, f"{path}?change=public-off", f"{path}?change=withdraw", petition.url):
        response = checked.goto(url)
        assert response.status == 200, url
        assert axe(checked) == [], url
    expect(checked.locator(".outcome-timeline li")).to_have_count(2)
    screenshot(checked, "petition-with-timeline")

    page = open_browser(phone=True, javascript=False)
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your signature")
    expect(page.get_by_text("Ngozi, ")).to_be_visible()
    screenshot(page, "signer-page")
    page.get_by_role("link", name="Take my name off the public list").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Take your name off the public list?")
    page.get_by_role("button", name="Yes, take my name off").click()

    expect(page.get_by_role("status")).to_contain_text("Your name is no longer on the public list.")
    expect(page.get_by_text("Nothing: your name is not on the public list")).to_be_visible()
    assert Signature.objects.get(pk=signature.pk).show_publicly is False
    assert axe_after_change(open_browser, page.url) == []


def axe_after_change(open_browser, url):
    checked = open_browser(phone=True, bypass_csp=True)
    checked.goto(url)
    return axe(checked)
