"""Webhooks for the campaign's CRM: signed events, in order, with retries, and personal data only where due.

A real HTTP server on a loopback port stands in for the CRM (`webhook_receiver.py`). Sending is run
here by calling the worker's own function (`send_due`) with a fixed clock, so that retries and backoff
are checked without waiting; tests/faults/test_webhook_worker.py runs the real worker process.
"""

import json
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from wagtail.models import ModelLogEntry

from petitions.mail.confirmation import make_confirmation_token
from petitions.models import Signature, WebhookDelivery, WebhookEndpoint, WebhookEvent, WebhookStatus
from petitions.personal_data.consent_changes import withdraw_contact_consent
from petitions.personal_data.erasure import erase_signatory
from petitions.signing.signatures import confirm_signature
from petitions.webhooks.sending import backoff, refused_by_resolution, send_due
from petitions.webhooks.verification import verify_signature

from .conftest import post_form, press_confirm, sign
from .factories import PetitionPageFactory, SignatureFactory
from .webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[2] / "docs" / "petitions.md"
SEND_TASK = "petitions.webhooks.tasks.send_webhook_deliveries"


def documented_check():
    """The verification function exactly as docs/petitions.md gives it to CRMs."""
    text = DOCS.read_text()
    code = re.search(r"<!-- webhook-verification -->\n```python\n(.*?)```", text, re.S).group(1)
    namespace = {}
    exec(code, namespace)  # noqa: S102 (our own documentation, to prove the snippet works)
    return namespace["webhook_is_genuine"]


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    settings.PETITION_WEBHOOK_ALLOW_HTTP_LOOPBACK = True
    settings.PETITION_WEBHOOK_RETRY_SECONDS = 30
    settings.PETITION_WEBHOOK_RETRY_MAX_SECONDS = 3600
    settings.PETITION_WEBHOOK_MAX_ATTEMPTS = 4


@pytest.fixture
def crm():
    with WebhookReceiver() as receiver:
        yield receiver


def endpoint_for(receiver, **kwargs):
    return WebhookEndpoint.objects.create(name="Supporter CRM", url=receiver.url, **kwargs)


def confirmed_signature(petition, **kwargs):
    signature = SignatureFactory(petition=petition, **kwargs)
    confirm_signature(signature.pk)
    return signature


def test_confirming_by_link_sends_a_signed_event_the_documented_check_accepts(client, petition, crm):
    endpoint = endpoint_for(crm)
    signature = SignatureFactory(
        petition=petition, source="whatsapp-share", first_name="Jane", contact_consent=True
    )

    response = press_confirm(
        client, reverse("petitions:confirm", args=[make_confirmation_token(signature.pk)])
    )
    assert response.status_code == 302
    assert crm.requests == []  # nothing is sent by the request itself

    assert send_due(endpoint.pk).sent == 1
    [(headers, body)] = crm.requests
    assert documented_check()(endpoint.secret, body, headers["X-Webhook-Signature"])
    assert not documented_check()("another secret", body, headers["X-Webhook-Signature"])
    assert not documented_check()(endpoint.secret, body + b" ", headers["X-Webhook-Signature"])
    message = json.loads(body)
    assert message["event"] == "signature.confirmed"
    assert headers["X-Webhook-Id"] == message["id"]
    data = message["data"]
    assert data["signature_id"] == signature.pk
    assert data["petition"] == {"id": petition.pk, "title": petition.title}
    assert data["region"] == {"code": "london", "name": "London"}
    assert data["source"] == "whatsapp-share"
    assert data["contact_consent"] is True
    assert data["contact"] is None  # the endpoint is not trusted for personal data
    assert "Jane" not in body.decode() and signature.email not in body.decode()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (WebhookStatus.SENT, 1, 200)


def test_a_replayed_message_is_refused_after_the_window():
    check = documented_check()
    body = b'{"event":"signature.confirmed"}'
    from petitions.webhooks.verification import signature_header

    fresh = signature_header("s3cret", body, int(time.time()))
    old = signature_header("s3cret", body, int(time.time()) - 301)
    assert check("s3cret", body, fresh) and verify_signature("s3cret", body, fresh)
    assert not check("s3cret", body, old) and not verify_signature("s3cret", body, old)
    assert not check("s3cret", body, "v1=abc") and not verify_signature("s3cret", body, "nonsense")


def test_a_trusted_endpoint_gets_contact_details_only_of_signers_who_agreed_to_hear_more(petition, crm):
    endpoint = endpoint_for(crm, trusted_for_personal_data=True)
    agreed = confirmed_signature(petition, first_name="Jane", last_name="Doughty", contact_consent=True)
    declined = confirmed_signature(petition, first_name="Joe", contact_consent=False)

    send_due(endpoint.pk)

    by_id = {message["data"]["signature_id"]: message["data"] for message in crm.bodies()}
    assert by_id[agreed.pk]["contact"] == {
        "first_name": "Jane",
        "last_name": "Doughty",
        "email": agreed.email,
    }
    assert by_id[declined.pk]["contact"] is None
    assert by_id[declined.pk]["contact_consent"] is False
    assert declined.email not in json.dumps(by_id)
    # The outbox itself holds no contact details.
    assert agreed.email not in json.dumps(list(WebhookDelivery.objects.values_list("payload", flat=True)))


def test_consent_withdrawn_before_sending_means_no_contact_details_and_its_own_event(petition, crm):
    endpoint = endpoint_for(crm, trusted_for_personal_data=True)
    signature = confirmed_signature(petition, contact_consent=True)
    withdraw_contact_consent(Signature.objects.filter(pk=signature.pk), via="unsubscribe-link")

    send_due(endpoint.pk)

    confirmed, withdrawn = crm.bodies()
    assert confirmed["event"] == "signature.confirmed"
    assert (confirmed["data"]["contact"], confirmed["data"]["contact_consent"]) == (None, False)
    assert withdrawn["event"] == "consent.withdrawn"
    assert withdrawn["data"]["signature_id"] == signature.pk
    assert withdrawn["data"]["via"] == "unsubscribe-link"


def test_erasure_sends_an_erasure_event_with_ids_only_even_to_a_trusted_endpoint(petition, crm, superuser):
    endpoint = endpoint_for(crm, trusted_for_personal_data=True)
    other_petition = PetitionPageFactory(parent=petition.get_parent())
    first = confirmed_signature(petition, email="jane@example.org", contact_consent=True)
    second = confirmed_signature(other_petition, email="JANE@example.org", contact_consent=True)
    send_due(endpoint.pk)
    crm.requests.clear()

    erase_signatory("jane@example.org", superuser)
    assert not Signature.objects.filter(pk__in=[first.pk, second.pk]).exists()
    send_due(endpoint.pk)

    erased = crm.bodies()
    assert [message["event"] for message in erased] == ["signature.erased", "signature.erased"]
    assert {(m["data"]["signature_id"], m["data"]["petition"]["id"]) for m in erased} == {
        (first.pk, petition.pk),
        (second.pk, other_petition.pk),
    }
    assert "jane" not in json.dumps(erased).lower()


def test_a_failed_delivery_is_retried_with_backoff_and_later_events_wait_behind_it(petition, crm):
    endpoint = endpoint_for(crm)
    first = confirmed_signature(petition)
    second = confirmed_signature(petition)
    crm.answer(500)
    start = timezone.now()

    result = send_due(endpoint.pk, now=start)

    failed = WebhookDelivery.objects.get(payload__signature_id=first.pk)
    waiting = WebhookDelivery.objects.get(payload__signature_id=second.pk)
    assert (failed.status, failed.attempts, failed.last_status_code, failed.last_error) == (
        WebhookStatus.FAILED,
        1,
        500,
        "error-answer",
    )
    assert failed.next_attempt_at == start + timedelta(seconds=30)
    assert result.retry_at == failed.next_attempt_at
    assert (waiting.status, waiting.attempts) == (WebhookStatus.PENDING, 0)
    assert len(crm.requests) == 1

    # Before the next try is due nothing goes, not even the later event.
    send_due(endpoint.pk, now=start + timedelta(seconds=29))
    assert len(crm.requests) == 1

    assert send_due(endpoint.pk, now=start + timedelta(seconds=30)).sent == 2
    order = [message["data"]["signature_id"] for message in crm.bodies()]
    assert order == [first.pk, first.pk, second.pk]
    assert len({message["id"] for message in crm.bodies()[:2]}) == 1  # a retry keeps the event's id
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_status_code) == (WebhookStatus.SENT, 2, 200)


def test_backoff_doubles_up_to_the_ceiling_and_a_delivery_is_given_up_after_the_last_attempt(
    petition, crm, settings
):
    assert [backoff(n).total_seconds() for n in range(1, 9)] == [30, 60, 120, 240, 480, 960, 1920, 3600]
    endpoint = endpoint_for(crm)
    first = confirmed_signature(petition)
    second = confirmed_signature(petition)
    crm.answer(503, 503, 503, 503)
    now = timezone.now()
    for _ in range(settings.PETITION_WEBHOOK_MAX_ATTEMPTS):
        send_due(endpoint.pk, now=now)
        now += timedelta(hours=2)

    given_up = WebhookDelivery.objects.get(payload__signature_id=first.pk)
    assert (given_up.status, given_up.attempts) == (WebhookStatus.GAVE_UP, 4)
    # Once the first is given up, the next goes.
    assert [m["data"]["signature_id"] for m in crm.bodies()] == [first.pk] * 4 + [second.pk]
    assert WebhookDelivery.objects.get(payload__signature_id=second.pk).status == WebhookStatus.SENT


def test_an_unreachable_crm_is_a_failed_attempt_not_an_error(petition, crm):
    endpoint = endpoint_for(crm)
    crm.__exit__()  # the CRM goes away
    confirmed_signature(petition)
    send_due(endpoint.pk)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_error, delivery.last_status_code) == (
        WebhookStatus.FAILED,
        "connection",
        None,
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://10.1.2.3/hooks",  # the private network
        "https://169.254.169.254/latest/meta-data/",  # the cloud's metadata service
        "https://[fd00::1]/hooks",
        "https://[::ffff:192.168.0.1]/hooks",
    ],
)
def test_the_worker_does_not_post_to_internal_addresses_even_if_one_got_past_the_form(petition, url):
    endpoint = WebhookEndpoint.objects.create(name="Internal", url=url)  # no form, no validators
    confirmed_signature(petition)

    send_due(endpoint.pk)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_error) == (WebhookStatus.FAILED, "address-refused")


def test_a_name_is_checked_as_it_resolves_at_each_send(settings):
    # "localhost" resolves to this machine: allowed only where loopback is (development, tests).
    settings.PETITION_WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    assert refused_by_resolution("https://localhost/hooks").error == "address-refused"
    assert refused_by_resolution("https://no-such-host.invalid/hooks").error == "unknown-host"
    settings.PETITION_WEBHOOK_ALLOW_HTTP_LOOPBACK = True
    assert refused_by_resolution("https://localhost/hooks") is None


def test_nothing_is_queued_before_the_commit_and_nothing_at_all_after_a_rollback(
    petition, crm, django_capture_on_commit_callbacks
):
    endpoint_for(crm)
    signature = SignatureFactory(petition=petition)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        confirm_signature(signature.pk)
        assert WebhookDelivery.objects.count() == 1
        assert not DBTaskResult.objects.filter(task_path=SEND_TASK).exists()
    assert len(callbacks) == 1
    assert DBTaskResult.objects.filter(task_path=SEND_TASK).count() == 1
    assert crm.requests == []

    other = SignatureFactory(petition=petition)
    with pytest.raises(RuntimeError), transaction.atomic():
        confirm_signature(other.pk)
        raise RuntimeError("the confirmation fails after counting")
    assert not WebhookDelivery.objects.filter(payload__signature_id=other.pk).exists()


def test_only_active_endpoints_that_hear_an_event_get_it(petition, crm):
    endpoint_for(crm, active=False)
    endpoint_for(crm, sends_signature_confirmed=False)
    listening = endpoint_for(crm)
    confirmed_signature(petition)
    assert list(WebhookDelivery.objects.values_list("endpoint_id", flat=True)) == [listening.pk]


def test_signing_a_petition_that_asks_no_confirmation_is_a_confirmation(client, plain_home_page, crm):
    petition = PetitionPageFactory(parent=plain_home_page, confirmation_required=False)
    endpoint_for(crm)
    assert sign(client, petition).status_code == 302
    signature = Signature.objects.get(petition=petition)
    assert signature.confirmed_at is not None
    delivery = WebhookDelivery.objects.get()
    assert (delivery.event, delivery.payload["signature_id"]) == (
        WebhookEvent.SIGNATURE_CONFIRMED,
        signature.pk,
    )


# The admin ------------------------------------------------------------------------------------------


def endpoint_form(url, **overrides):
    data = {
        "name": "Supporter CRM",
        "url": url,
        "sends_signature_confirmed": "on",
        "sends_consent_withdrawn": "on",
        "sends_signature_erased": "on",
        "active": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_campaign_staff_add_an_endpoint_see_its_secret_once_asked_and_the_audit_log_records_it(
    client, campaign_staff, settings
):
    settings.PETITION_WEBHOOK_ALLOW_HTTP_LOOPBACK = False
    client.force_login(campaign_staff)
    add_url = reverse("petitions_webhook_endpoints:add")

    refused = post_form(client, add_url, endpoint_form("http://crm.example.org/hooks"))
    assert refused.status_code == 200
    assert "must start with https://" in refused.content.decode()
    assert not WebhookEndpoint.objects.exists()

    for internal in ("https://192.168.1.20/hooks", "https://169.254.169.254/", "https://localhost/hooks"):
        refused = post_form(client, add_url, endpoint_form(internal))
        assert refused.status_code == 200
        assert "private network or this server" in refused.content.decode()
    assert not WebhookEndpoint.objects.exists()

    response = post_form(
        client, add_url, endpoint_form("https://crm.example.org/hooks", trusted_for_personal_data="on")
    )
    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("petitions_webhook_endpoints:secret", args=[endpoint.pk])
    assert endpoint.trusted_for_personal_data is True
    assert len(endpoint.secret) >= 40

    secret_page = client.get(response.url)
    assert endpoint.secret in secret_page.content.decode()
    assert (
        "no-cache" in secret_page.headers["Cache-Control"]
        or "no-store" in secret_page.headers["Cache-Control"]
    )
    assert endpoint.secret not in client.get(reverse("petitions_webhook_endpoints:index")).content.decode()

    post_form(client, reverse("petitions_webhook_endpoints:secret", args=[endpoint.pk]))
    old_secret = endpoint.secret
    endpoint.refresh_from_db()
    assert endpoint.secret != old_secret

    actions = list(
        ModelLogEntry.objects.filter(object_id=str(endpoint.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["wagtail.create", "petitions.webhook_secret_shown", "petitions.webhook_secret_changed"]
    assert all(old_secret not in json.dumps(entry.data) for entry in ModelLogEntry.objects.all())


def test_editing_an_endpoint_keeps_its_secret_and_is_in_the_audit_log(client, campaign_staff):
    endpoint = WebhookEndpoint.objects.create(name="CRM", url="https://crm.example.org/hooks")
    client.force_login(campaign_staff)
    response = post_form(
        client,
        reverse("petitions_webhook_endpoints:edit", args=[endpoint.pk]),
        endpoint_form("https://crm.example.org/hooks", name="CRM (paused)", active=None),
    )
    assert response.status_code == 302
    before = endpoint.secret
    endpoint.refresh_from_db()
    assert (endpoint.name, endpoint.active, endpoint.secret) == ("CRM (paused)", False, before)
    assert ModelLogEntry.objects.filter(object_id=str(endpoint.pk), action="wagtail.edit").exists()


def test_editors_cannot_see_or_add_webhooks(client, editor):
    client.force_login(editor)
    for url in [
        reverse("petitions_webhook_endpoints:index"),
        reverse("petitions_webhook_endpoints:add"),
        reverse("petitions_webhook_deliveries:index"),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response.url == reverse("wagtailadmin_home"), url


def test_staff_who_may_not_export_cannot_turn_on_sending_personal_data(client, django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("crm-admin", "crm@example.org", "x")
    user.user_permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "access_admin",
                "add_webhookendpoint",
                "change_webhookendpoint",
                "view_webhookendpoint",
            ]
        )
    )
    client.force_login(user)
    response = post_form(
        client,
        reverse("petitions_webhook_endpoints:add"),
        endpoint_form("https://crm.example.org/hooks", trusted_for_personal_data="on"),
    )
    assert response.status_code == 302
    assert WebhookEndpoint.objects.get().trusted_for_personal_data is False


def test_deliveries_are_listed_without_personal_data_and_staff_can_try_one_again_now(
    client, campaign_staff, petition, crm
):
    endpoint = endpoint_for(crm, trusted_for_personal_data=True)
    signature = confirmed_signature(petition, first_name="Zebedee", contact_consent=True)
    crm.answer(502)
    send_due(endpoint.pk)
    delivery = WebhookDelivery.objects.get()
    client.force_login(campaign_staff)

    listing = client.get(reverse("petitions_webhook_deliveries:index"), {"endpoint": endpoint.pk})
    page = listing.content.decode()
    assert listing.status_code == 200
    assert "Failed, will try again" in page and "502" in page
    assert "Zebedee" not in page and signature.email not in page
    retry_url = reverse("petitions_webhook_deliveries:retry", args=[delivery.pk])
    assert retry_url in page

    response = post_form(client, retry_url)
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == WebhookStatus.PENDING and delivery.next_attempt_at <= timezone.now()
    assert ModelLogEntry.objects.filter(
        object_id=str(endpoint.pk), action="petitions.webhook_retried"
    ).exists()
    send_due(endpoint.pk)
    delivery.refresh_from_db()
    assert delivery.status == WebhookStatus.SENT
