"""The receivers of petitions.signals: each event becomes one delivery row per endpoint that hears it.

The rows are written in the transaction that made the change (so a change rolled back sends nothing,
and a process lost after the commit loses no event: the rows are the outbox), and the sending task is
asked for on commit, never sent to from the request. Connected in petitions.apps.
"""

import uuid

from django.db import transaction
from django.utils import timezone

from core.caching import cached, forget
from petitions.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from petitions.webhooks.payloads import confirmed_data, consent_withdrawn_data, erased_data
from petitions.webhooks.tasks import request_sending

_SUBSCRIPTION = {
    WebhookEvent.SIGNATURE_CONFIRMED: "sends_signature_confirmed",
    WebhookEvent.CONSENT_WITHDRAWN: "sends_consent_withdrawn",
    WebhookEvent.SIGNATURE_ERASED: "sends_signature_erased",
}


# Which endpoints hear which event, cached: signing and confirming must not pay a query for it (and a
# new signature must cost what a repeat costs when no endpoint is set up). Forgotten when one is saved.
_LISTENING_KEY = "petitions:webhook-endpoints-listening"
_LISTENING_SECONDS = 60


def _listening_by_event():
    fields = list(_SUBSCRIPTION.values())
    rows = list(WebhookEndpoint.objects.filter(active=True).order_by("pk").values_list("pk", *fields))
    return {
        str(event): [row[0] for row in rows if row[1 + fields.index(field)]]
        for event, field in _SUBSCRIPTION.items()
    }


def _listening(event):
    return cached(_LISTENING_KEY, _LISTENING_SECONDS, _listening_by_event)[str(event)]


def forget_listening_endpoints(sender, **kwargs):
    """Receiver of WebhookEndpoint's post_save and post_delete: the next event reads them afresh.

    Now, and again after the commit, in case an event read the old endpoints back in between.
    """
    forget(_LISTENING_KEY)
    transaction.on_commit(lambda: forget(_LISTENING_KEY))


def record_event(event, endpoint_ids, data_by_signature, now):
    """One delivery per signature and endpoint, in the signatures' order; sending asked for on commit."""
    rows = []
    for data in data_by_signature:
        event_id = uuid.uuid4()
        rows.extend(
            WebhookDelivery(
                endpoint_id=endpoint_id,
                event_id=event_id,
                event=event,
                occurred_at=now,
                payload=data,
                next_attempt_at=now,
            )
            for endpoint_id in endpoint_ids
        )
    WebhookDelivery.objects.bulk_create(rows, batch_size=1000)
    transaction.on_commit(lambda: request_sending(endpoint_ids))
    return len(rows)


def _ordered(data_by_id, ids):
    return [data_by_id[pk] for pk in ids if pk in data_by_id]


def on_signature_confirmed(sender, signature_id, petition_id, **kwargs):
    endpoint_ids = _listening(WebhookEvent.SIGNATURE_CONFIRMED)
    if endpoint_ids:
        data = confirmed_data([signature_id])
        record_event(
            WebhookEvent.SIGNATURE_CONFIRMED, endpoint_ids, _ordered(data, [signature_id]), timezone.now()
        )


def on_contact_consent_withdrawn(sender, signature_ids, via, **kwargs):
    endpoint_ids = _listening(WebhookEvent.CONSENT_WITHDRAWN)
    if endpoint_ids:
        now = timezone.now()
        ids = sorted(signature_ids)
        record_event(
            WebhookEvent.CONSENT_WITHDRAWN,
            endpoint_ids,
            _ordered(consent_withdrawn_data(ids, via, now), ids),
            now,
        )


def on_signature_erased(sender, signature_ids, petition_ids, **kwargs):
    endpoint_ids = _listening(WebhookEvent.SIGNATURE_ERASED)
    if endpoint_ids:
        now = timezone.now()
        data = erased_data(list(signature_ids), list(petition_ids), now)
        record_event(WebhookEvent.SIGNATURE_ERASED, endpoint_ids, _ordered(data, list(signature_ids)), now)
