"""The signer's own page: opened by the signed link in their mails, every change asked once more and made by
POST, each leaving its record; old, broken and foreign links get a page that says what to do."""

import json
import re
import time
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from django.core import signing
from django.test import Client
from django.urls import reverse
from wagtail.models import ModelLogEntry, PageLogEntry

from petitions.mail.confirmation import build_confirmation_email, make_confirmation_token
from petitions.models import ConsentWording, Signature
from petitions.models.counts import get_counts
from petitions.selfservice import links
from petitions.selfservice.changes import CONSENT_CHANGED_ACTION, SIGNATURE_WITHDRAWN_ACTION
from petitions.selfservice.links import signature_from_token, signer_page_token, signer_page_url
from petitions.signals import contact_consent_withdrawn, signature_erased
from petitions.signing.signatures import confirm_signature
from tests.petitions.factories import PetitionPageFactory, SignatureFactory

from .conftest import post_form, press_confirm

pytestmark = pytest.mark.django_db


def page_path(signature):
    return reverse("petitions:signer_page", args=[signer_page_token(signature)])


def confirmed_signature(petition, **fields):
    signature = SignatureFactory(petition=petition, **fields)
    confirm_signature(signature.pk)
    signature.refresh_from_db()
    return signature


def text_of(response):
    return " ".join(BeautifulSoup(response.content, "html.parser").get_text(" ").split())


def make_change(csrf_client, signature, change):
    """Open the page, follow the change's button to its confirm step, and press the button there, as the
    signer does (with the CSRF token the step's form carries); the answer to the press."""
    path = page_path(signature)
    page = csrf_client.get(path)
    assert page.status_code == 200
    soup = BeautifulSoup(page.content, "html.parser")
    link = soup.find("a", href=f"{path}?change={change}")
    assert link is not None, f"no button for {change}"
    step = csrf_client.get(link["href"])
    assert step.status_code == 200
    html = step.content.decode()
    csrf_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert f'name="change" value="{change}"' in html
    return post_form(csrf_client, path, {"csrfmiddlewaretoken": csrf_token, "change": change})


@pytest.fixture
def csrf_client():
    """A client that sends the CSRF token as a browser would. (Not `browser`: that name is
    pytest-playwright's fixture, and taking it moved these tests among the browser tests.)"""
    return Client(enforce_csrf_checks=True)


@pytest.fixture
def received():
    """What the signals said, by name."""
    heard = {"withdrawn": [], "erased": []}

    def on_withdrawn(sender, signature_ids, via, **kwargs):
        heard["withdrawn"].append((sorted(signature_ids), via))

    def on_erased(sender, signature_ids, petition_ids, **kwargs):
        heard["erased"].append((sorted(signature_ids), petition_ids))

    contact_consent_withdrawn.connect(on_withdrawn)
    signature_erased.connect(on_erased)
    yield heard
    contact_consent_withdrawn.disconnect(on_withdrawn)
    signature_erased.disconnect(on_erased)


def test_the_page_shows_what_they_signed_and_agreed_to_with_the_exact_words(client, petition):
    signature = confirmed_signature(
        petition, first_name="Ann", postcode="SW1A 1AA", contact_consent=True, show_publicly=True
    )
    response = client.get(page_path(signature))

    assert response.status_code == 200
    text = text_of(response)
    assert petition.title in text
    assert "Confirmed" in text
    assert "Ann, London" in text
    assert petition.contact_consent_wording.strip() in text
    assert petition.show_publicly_wording.strip() in text
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.find("time", datetime=signature.created_at.isoformat(timespec="microseconds"))
    assert "Example" not in text, "the last name is not shown: the page shows what is public and the consents"
    assert soup.find("meta", attrs={"name": "robots"})["content"] == "noindex, nofollow"
    assert soup.find("meta", attrs={"name": "referrer"})["content"] == "strict-origin"
    assert not soup.find("link", rel="canonical"), "a canonical address would repeat the secret"


def test_the_page_is_kept_by_no_cache_and_sends_no_referrer(client, petition, page_cache_on):
    signature = confirmed_signature(petition)
    path = page_path(signature)

    responses = [client.get(path), client.get(path)]

    for response in responses:
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= cache_control
        assert response["Referrer-Policy"] == "strict-origin"
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert "X-Page-Cache" not in response or response["X-Page-Cache"] != "HIT"


def test_a_signer_who_did_not_tick_a_box_sees_the_words_they_were_shown_and_not_agreed(client, petition):
    signature = confirmed_signature(petition, contact_consent=False, show_publicly=False)
    text = text_of(client.get(page_path(signature)))
    assert "Nothing: your name is not on the public list" in text
    assert text.count("You have not agreed to this.") == 2


def test_opening_the_page_and_every_confirm_step_changes_nothing(client, petition):
    signature = confirmed_signature(petition, contact_consent=True, show_publicly=True)
    before = Signature.objects.filter(pk=signature.pk).values().get()
    path = page_path(signature)

    for change in ("contact-off", "public-off", "withdraw"):
        step = client.get(f"{path}?change={change}")
        assert step.status_code == 200
        assert '<form method="post"' in step.content.decode()
    client.head(path)

    assert Signature.objects.filter(pk=signature.pk).values().get() == before
    assert get_counts(petition).total == 1


def test_withdrawing_contact_consent_stops_campaign_news_for_all_their_letters_on_the_site(
    csrf_client, petition, received
):
    signature = confirmed_signature(petition, email="Ann@Example.org", contact_consent=True)
    other_letter = PetitionPageFactory(parent=petition.get_parent())
    same_person = confirmed_signature(other_letter, email="ann@example.org", contact_consent=True)
    someone_else = confirmed_signature(petition, email="bob@example.org", contact_consent=True)

    response = make_change(csrf_client, signature, "contact-off")

    assert response.status_code == 302
    # Back to their page (its token made afresh, so compared by the signature it opens).
    path, _, done = response.url.partition("?")
    assert done == "done=contact-off"
    assert signature_from_token(path.split("/")[-2]) == signature
    for row in (signature, same_person):
        row.refresh_from_db()
        assert (row.contact_consent, row.contact_withdrawn_at is not None) == (False, True)
    someone_else.refresh_from_db()
    assert someone_else.contact_consent is True
    assert received["withdrawn"] == [(sorted([signature.pk, same_person.pk]), "signer-page")]
    entry = PageLogEntry.objects.get(action=CONSENT_CHANGED_ACTION)
    assert entry.data == {
        "signature": signature.pk,
        "consent": "contact",
        "agreed": False,
        "wording": signature.contact_consent_wording_id,
        "via": "signer-page",
    }
    done = text_of(csrf_client.get(response.url))
    assert "You will not get emails about the campaign from now on." in done
    assert "You withdrew your agreement on" in done


def test_giving_contact_consent_again_records_the_words_shown_now_and_the_time(csrf_client, petition):
    signature = confirmed_signature(petition, contact_consent=False)
    signed_wording = signature.contact_consent_wording_id
    petition.contact_consent_wording = "Yes, email me about this campaign and what comes next."
    petition.save_revision().publish()

    step = csrf_client.get(page_path(signature) + "?change=contact-on")
    assert "Yes, email me about this campaign and what comes next." in text_of(step)
    response = make_change(csrf_client, signature, "contact-on")

    assert response.status_code == 302
    signature.refresh_from_db()
    wording = ConsentWording.objects.get(pk=signature.contact_consent_wording_id)
    assert signature.contact_consent is True
    assert signature.contact_consent_given_at is not None
    assert signature.contact_consent_given_at > signature.created_at
    assert wording.pk != signed_wording
    assert (wording.kind, wording.text) == (
        "contact",
        "Yes, email me about this campaign and what comes next.",
    )
    entry = PageLogEntry.objects.get(action=CONSENT_CHANGED_ACTION)
    assert (entry.data["agreed"], entry.data["wording"]) == (True, wording.pk)


def test_taking_the_name_off_the_public_list_removes_it_from_the_signers_page(csrf_client, client, petition):
    signature = confirmed_signature(petition, first_name="Zelda", show_publicly=True)
    signers_path = reverse("petitions:signers", args=[petition.pk])
    assert "Zelda" in text_of(client.get(signers_path))

    response = make_change(csrf_client, signature, "public-off")

    assert response.status_code == 302
    assert "Zelda" not in text_of(client.get(signers_path))
    signature.refresh_from_db()
    assert (signature.show_publicly, signature.show_publicly_withdrawn_at is not None) == (False, True)
    assert get_counts(petition).total == 1, "the signature still counts"

    make_change(csrf_client, signature, "public-on")
    assert "Zelda" in text_of(client.get(signers_path))
    signature.refresh_from_db()
    assert signature.show_publicly_given_at is not None


def test_withdrawing_the_signature_erases_it_lowers_the_count_and_audits_without_the_address(
    csrf_client, petition, received
):
    signature = confirmed_signature(petition, email="private.person@example.org", first_name="Quill")
    kept = confirmed_signature(petition)
    assert get_counts(petition).total == 2
    path = page_path(signature)

    response = make_change(csrf_client, signature, "withdraw")

    assert response.status_code == 302
    assert response.url == reverse("petitions:signer_page_withdrawn")
    assert "Your signature has been withdrawn" in text_of(csrf_client.get(response.url))
    assert not Signature.objects.filter(pk=signature.pk).exists()
    assert Signature.objects.filter(pk=kept.pk).exists()
    assert get_counts(petition).total == 1
    assert received["erased"] == [([signature.pk], [petition.pk])]
    entry = PageLogEntry.objects.get(action=SIGNATURE_WITHDRAWN_ACTION)
    assert entry.page_id == petition.pk
    assert entry.data == {"via": "signer-page", "count": 1}
    every_entry = json.dumps(
        [list(PageLogEntry.objects.values()), list(ModelLogEntry.objects.values())], default=str
    )
    assert "private.person" not in every_entry
    assert "Quill" not in every_entry
    again = csrf_client.get(path)
    assert again.status_code == 410
    assert "Nothing is kept for this link" in text_of(again)


def test_a_change_without_the_csrf_token_changes_nothing(petition, csrf_client):
    signature = confirmed_signature(petition, contact_consent=True)
    response = post_form(csrf_client, page_path(signature), {"change": "contact-off"})
    assert response.status_code == 403
    signature.refresh_from_db()
    assert signature.contact_consent is True


def test_an_unknown_change_gets_a_clear_page_and_changes_nothing(client, petition):
    signature = confirmed_signature(petition, contact_consent=True)
    response = post_form(client, page_path(signature), {"change": "delete-everyone"})
    assert response.status_code == 400
    assert "That change is not one we know" in text_of(response)
    signature.refresh_from_db()
    assert signature.contact_consent is True


def test_an_expired_link_says_how_to_get_a_new_one(client, petition, settings, monkeypatch):
    settings.SIGNER_PAGE_MAX_AGE_DAYS = 90
    signature = confirmed_signature(petition)
    real_time = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() - 91 * 86_400)
    old_token = signer_page_token(signature)
    monkeypatch.setattr(signing.time, "time", real_time)

    for method in (client.get, lambda path: post_form(client, path, {"change": "withdraw"})):
        response = method(reverse("petitions:signer_page", args=[old_token]))
        assert response.status_code == 410
        text = text_of(response)
        assert "This link has expired" in text
        assert "open the most recent email we sent you" in text
        assert response["Referrer-Policy"] == "strict-origin"
    assert Signature.objects.filter(pk=signature.pk).exists()


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda signature: signer_page_token(signature)[:-3] + "abc", id="tampered"),
        pytest.param(lambda signature: make_confirmation_token(signature.pk), id="confirmation-token"),
        pytest.param(lambda signature: "not-a-token-at-all", id="garbage"),
        pytest.param(
            lambda signature: signing.TimestampSigner(salt=links._SIGNER_PAGE_SALT).sign("abc"),
            id="not-an-id",
        ),
    ],
)
def test_a_broken_or_foreign_link_gets_a_clear_page_not_an_error(client, petition, make_token):
    signature = confirmed_signature(petition)
    response = client.get(reverse("petitions:signer_page", args=[make_token(signature)]))
    assert response.status_code == 404
    assert "This link does not work" in text_of(response)


def test_the_confirmation_mail_links_to_the_signers_page_with_an_absolute_url(client, petition):
    signature = SignatureFactory(petition=petition)
    message = build_confirmation_email(signature, petition)
    url = signer_page_url(signature)

    assert url.startswith(("http://", "https://"))
    assert url in message.body
    assert f'href="{url}"' in message.alternatives[0][0]
    response = client.get(urlsplit(url).path)
    assert response.status_code == 200
    assert "Not confirmed yet" in text_of(response)


def test_the_thanks_after_confirming_link_to_the_signers_own_page(client, petition):
    signature = SignatureFactory(petition=petition)
    confirm_path = reverse("petitions:confirm", args=[make_confirmation_token(signature.pk)])

    thanks = client.get(press_confirm(client, confirm_path).url)

    link = BeautifulSoup(thanks.content, "html.parser").find("a", string="go to your own page")
    assert link["href"].startswith("/petitions/you/")
    assert signature_from_token(link["href"].split("/")[-2]) == signature
    assert client.get(link["href"]).status_code == 200
