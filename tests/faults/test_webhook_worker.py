"""The CRM webhooks through the real task worker (`manage.py db_worker` in its own process).

Confirming through the real view only queues a task on commit; the worker process signs and posts the
event to a real HTTP server on a loopback port, retries a failed one, and keeps the order.
"""

import json

import pytest
from django.urls import reverse

from petitions.mail.confirmation import make_confirmation_token
from petitions.models import WebhookDelivery, WebhookEndpoint, WebhookStatus
from petitions.webhooks.verification import verify_signature
from tests.petitions.conftest import press_confirm
from tests.petitions.factories import SignatureFactory
from tests.petitions.webhook_receiver import WebhookReceiver

from .services import manage, run_worker_batch, service_env

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_worker_sends_signed_events_in_order_and_retries_a_failed_one(petition, client, settings):
    settings.PETITION_WEBHOOK_ALLOW_HTTP_LOOPBACK = True
    env = service_env(PETITION_WEBHOOK_ALLOW_HTTP_LOOPBACK="true", PETITION_WEBHOOK_RETRY_SECONDS="0")
    with WebhookReceiver() as crm:
        endpoint = WebhookEndpoint.objects.create(name="CRM", url=crm.url, trusted_for_personal_data=True)
        first = SignatureFactory(petition=petition, contact_consent=True, email="first@example.org")
        second = SignatureFactory(petition=petition, contact_consent=False)
        for signature in (first, second):
            confirm_path = reverse("petitions:confirm", args=[make_confirmation_token(signature.pk)])
            assert press_confirm(client, confirm_path).status_code == 302
        assert crm.requests == []
        crm.answer(500)

        run_worker_batch(env)
        # A retry the worker did not reach in this batch is queued again by the sweeper, as cron would.
        manage("retry_webhook_deliveries", env=env)
        run_worker_batch(env)

        assert [m["data"]["signature_id"] for m in crm.bodies()] == [first.pk, first.pk, second.pk]
        for headers, body in crm.requests:
            assert verify_signature(endpoint.secret, body, headers["X-Webhook-Signature"])
        contacts = [m["data"]["contact"] for m in crm.bodies()]
        assert contacts[0]["email"] == "first@example.org" and contacts[2] is None
        assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {WebhookStatus.SENT}
        assert "first@example.org" not in json.dumps(
            list(WebhookDelivery.objects.values_list("payload", flat=True))
        )
