"""The update mail one signer gets: HTML and plain text, their links in the body, absolute links; and
the line beside the sign form that tells signers they will hear the outcome."""

import pytest
from django.core import mail as django_mail

from petitions.models import Audience
from petitions.updates.mail import body_text, compose_update_message

from .update_helpers import confirmed, make_update

pytestmark = pytest.mark.django_db

UNSUBSCRIBE = "https://campaign.example.org/unsubscribe/abc/"
SIGNER_PAGE = "https://campaign.example.org/my-signature/xyz/"


def test_one_update_mail_goes_to_the_signer_alone_with_both_links_in_html_and_text(
    petition, superuser, mailoutbox
):
    signer = confirmed(petition, contact_consent=True, first_name="Rosa", email="rosa@example.org")
    update = make_update(petition, superuser)

    message = compose_update_message(update, signer, UNSUBSCRIBE, SIGNER_PAGE)
    message.send()

    sent = django_mail.outbox[0]
    assert sent.to == ["rosa@example.org"] and not sent.cc and not sent.bcc
    assert sent.subject == "The letter was delivered"
    html = sent.alternatives[0].content
    assert sent.alternatives[0].mimetype == "text/html"
    for text in (sent.body, html):
        assert "Dear Rosa," in text
        assert UNSUBSCRIBE in text and SIGNER_PAGE in text
        assert "agreed to hear more from the campaign" in text
    assert f'<a href="{UNSUBSCRIBE}"' in html
    assert "<li>One</li>" in html
    assert "We handed it in." in sent.body and "<p>" not in sent.body


def test_an_outcome_mail_says_why_every_signer_gets_it(petition, superuser):
    petition.tells_outcome = True
    petition.save()
    signer = confirmed(petition, contact_consent=False)
    update = make_update(petition, superuser, Audience.OUTCOME)

    message = compose_update_message(update, signer, UNSUBSCRIBE, SIGNER_PAGE)

    assert "we said we would tell you the outcome of the letter" in message.body
    assert "agreed to hear more" not in message.body


def test_links_to_the_sites_pages_in_the_body_are_absolute(petition, superuser):
    signer = confirmed(petition)
    update = make_update(
        petition, superuser, body=f'<p><a linktype="page" id="{petition.pk}">Our letter</a></p>'
    )

    message = compose_update_message(update, signer, UNSUBSCRIBE, SIGNER_PAGE)

    root = petition.get_site().root_url
    assert f'href="{root}{petition.url}"' in message.alternatives[0].content
    assert f"Our letter ({root}{petition.url})" in message.body


def test_the_plain_text_keeps_headings_numbered_lists_and_entities_readable():
    text = body_text("<h2>What next</h2><ol><li>Share</li><li>Write &amp; ask</li></ol><p>Thanks</p>")

    assert text == "What next\n\n1. Share\n2. Write & ask\n\nThanks"


# Beside the sign form

OUTCOME_LINE = "We will email you the outcome of this letter."


def test_the_sign_form_says_signers_will_hear_the_outcome_only_when_the_notice_says_so(client, petition):
    assert OUTCOME_LINE not in client.get(petition.url).text

    petition.tells_outcome = True
    petition.save_revision().publish()

    assert OUTCOME_LINE in client.get(petition.url).text


@pytest.mark.usefixtures("page_cache_on")
def test_the_cached_letter_page_shows_the_outcome_line_once_the_change_is_published(
    client, petition, django_capture_on_commit_callbacks
):
    client.get(petition.url)
    assert client.get(petition.url)["X-Page-Cache"] == "HIT"

    petition.tells_outcome = True
    with django_capture_on_commit_callbacks(execute=True):
        petition.save_revision().publish()

    response = client.get(petition.url)
    assert response["X-Page-Cache"] == "MISS"
    assert OUTCOME_LINE in response.text
