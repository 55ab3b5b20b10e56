"""After signing: the pages lead to sharing in the editor's words, then back to the campaign; a broken
confirmation link leads back to the letter."""

from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from petitions.mail.confirmation import make_confirmation_token

from .conftest import press_confirm
from .factories import SignatureFactory

pytestmark = pytest.mark.django_db


def soup_of(response):
    return BeautifulSoup(response.content, "html.parser")


def share_hrefs(soup):
    return {link.get_text(): link["href"] for link in soup.select(".share-panel .share-links__link")}


def test_check_your_email_page_offers_sharing_in_the_editors_words(client, petition):
    petition.share_text = "I signed. Will you?"
    petition.share_email_subject = "Sign this with me"
    petition.save_revision().publish()
    letter_url = petition.get_full_url()

    soup = soup_of(client.get(reverse("petitions:check_email", args=[petition.pk])))

    hrefs = share_hrefs(soup)
    assert list(hrefs) == [
        "WhatsApp (opens in a new tab)",
        "Facebook (opens in a new tab)",
        "X (Twitter) (opens in a new tab)",
        "Email",
    ]
    # Each channel's address carries its own source code, so signatures are counted by channel.
    assert hrefs["WhatsApp (opens in a new tab)"] == "https://wa.me/?text=" + quote(
        f"I signed. Will you? {letter_url}?source=whatsapp-share", safe=""
    ).replace("%20", "+")
    assert hrefs["Email"] == (
        "mailto:?subject=Sign%20this%20with%20me&body="
        + quote(f"I signed. Will you? {letter_url}?source=email-share")
    )
    assert "source%3Dfacebook-share" in hrefs["Facebook (opens in a new tab)"]
    assert "source%3Dx-share" in hrefs["X (Twitter) (opens in a new tab)"]
    assert soup.select_one(".petition-share__text").get_text() == "I signed. Will you?"
    # Copying the link works without JavaScript: the address is in a field; the button is the script's.
    assert soup.find("input", id="copy-link-url")["value"] == f"{letter_url}?source=copy-link"
    assert soup.find("button", attrs={"data-copy-link-button": True}).has_attr("hidden")
    # A mistyped address: sign again on the letter's own form.
    assert soup.find("a", string="sign again")["href"] == petition.url + "#sign"
    # Then back to the campaign (the letter's parent, here the home page) or to the letter.
    assert [link.get_text() for link in soup.select(".petition-message__next a")] == [
        "Back to the home page",
        "Back to the open letter",
    ]


def test_new_letters_have_share_words_ready(petition):
    assert petition.share_email_subject == "Will you sign this open letter with me?"


def test_thank_you_page_leads_to_sharing_then_back(client, petition):
    signature = SignatureFactory(petition=petition, email="sharer@example.org")
    confirm_url = reverse("petitions:confirm", args=[make_confirmation_token(signature.pk)])

    soup = soup_of(client.get(press_confirm(client, confirm_url).url))

    assert soup.h1.get_text() == "Thank you: your signature is confirmed"
    assert "Facebook (opens in a new tab)" in share_hrefs(soup)
    assert soup.select(".petition-message__next a")[-1]["href"] == petition.url


def test_a_broken_confirmation_link_offers_to_sign_the_letter_again(client, petition):
    response = client.get(reverse("petitions:confirm", args=["not-a-token"]))

    assert response.status_code == 404
    sign_again = soup_of(response).select_one(".petition-message__next a.button")
    assert sign_again["href"] == f"{petition.url}#sign"
    assert sign_again.get_text() == f"Sign again: {petition.title}"
