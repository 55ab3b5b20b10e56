"""One-click unsubscribe (RFC 8058): the link opens a page (no change), its button or a mail provider's
one-click POST withdraws the "hear more" consent for the campaign, once, and later news skips them."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.secret_paths import mask_secrets
from petitions.mail.confirmation import make_confirmation_token
from petitions.models import Audience, PetitionUpdate, Signature, UpdateDelivery, UpdateStatus
from petitions.signals import contact_consent_withdrawn
from petitions.updates.sending import start_sending
from petitions.updates.unsubscribe import make_unsubscribe_token

from .factories import PetitionPageFactory, SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ann(petition):
    return SignatureFactory(
        petition=petition, email="ann@example.org", contact_consent=True, confirmed_at=timezone.now()
    )


def link(signature):
    return reverse("petitions:unsubscribe", args=[make_unsubscribe_token(signature.pk)])


def one_click(client, path):
    """What a mailbox provider sends when its Unsubscribe button is pressed (RFC 8058, section 3.1)."""
    return client.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")


def test_opening_the_link_shows_a_button_and_changes_nothing(client, ann):
    response = client.get(link(ann))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Stop emails" in page and '<form method="post"' in page
    ann.refresh_from_db()
    assert ann.contact_consent is True and ann.contact_withdrawn_at is None
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]


def test_the_one_click_post_withdraws_consent_without_login_or_csrf_token_and_only_once(
    petition, plain_home_page, ann
):
    other_letter = PetitionPageFactory(parent=plain_home_page)
    ann_elsewhere = SignatureFactory(
        petition=other_letter, email="ANN@example.org", contact_consent=True, confirmed_at=timezone.now()
    )
    someone_else = SignatureFactory(petition=petition, email="bob@example.org", contact_consent=True)
    heard = []

    def receiver(sender, signature_ids, via, **kwargs):
        heard.append((sorted(signature_ids), via))

    contact_consent_withdrawn.connect(receiver)
    try:
        mail_client = Client(enforce_csrf_checks=True)
        response = one_click(mail_client, link(ann))
        assert response.status_code == 200
        assert "You will get no more emails from the campaign" in response.content.decode()
        first_withdrawal = Signature.objects.get(pk=ann.pk).contact_withdrawn_at

        again = one_click(mail_client, link(ann))
        assert again.status_code == 200
    finally:
        contact_consent_withdrawn.disconnect(receiver)

    for signature in (ann, ann_elsewhere):
        signature.refresh_from_db()
        assert signature.contact_consent is False
        # The wording agreed to stays, with the time of withdrawal beside it.
        assert signature.contact_consent_wording_id is not None
    assert ann.contact_withdrawn_at == first_withdrawal
    someone_else.refresh_from_db()
    assert someone_else.contact_consent is True
    assert heard == [(sorted([ann.pk, ann_elsewhere.pk]), "unsubscribe-link")]


def test_the_button_on_the_page_withdraws_and_leads_to_the_done_page(client, ann):
    response = client.post(link(ann), {})
    assert response.status_code == 302
    assert response["Location"] == reverse("petitions:unsubscribed")
    done = client.get(response["Location"])
    assert "You will get no more emails from the campaign" in done.content.decode()
    ann.refresh_from_db()
    assert ann.contact_consent is False


def test_a_broken_link_says_so_and_changes_nothing(client, ann):
    token = make_unsubscribe_token(ann.pk)
    for path in (
        reverse("petitions:unsubscribe", args=[token[:-3] + "xyz"]),
        reverse("petitions:unsubscribe", args=["not-a-token-at-all"]),
    ):
        assert client.get(path).status_code == 404
        response = one_click(client, path)
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()
    ann.refresh_from_db()
    assert ann.contact_consent is True


def test_the_link_of_an_erased_signature_answers_and_changes_nothing(client, ann):
    path = link(ann)
    Signature.objects.filter(pk=ann.pk).delete()
    assert client.get(path).status_code == 200
    assert one_click(client, path).status_code == 200


def test_a_confirmation_token_is_not_an_unsubscribe_token(client, ann):
    path = reverse("petitions:unsubscribe", args=[make_confirmation_token(ann.pk)])
    assert one_click(client, path).status_code == 404
    ann.refresh_from_db()
    assert ann.contact_consent is True


def test_the_token_is_masked_in_log_lines(ann):
    token = make_unsubscribe_token(ann.pk)
    assert (
        mask_secrets(f"GET /petitions/unsubscribe/{token}/ 200") == "GET /petitions/unsubscribe/[token]/ 200"
    )


def test_the_next_news_update_does_not_go_to_someone_who_unsubscribed(client, petition, ann, mailoutbox):
    one_click(client, link(ann))
    update = PetitionUpdate.objects.create(
        petition=petition,
        audience=Audience.CAMPAIGN_NEWS,
        subject="Next steps",
        body="<p>One more thing.</p>",
        status=UpdateStatus.APPROVED,
    )
    assert start_sending(update.pk) == 0
    assert not UpdateDelivery.objects.filter(update=update).exists()
