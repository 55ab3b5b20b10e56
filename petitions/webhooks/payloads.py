"""What each event says: its data when it happens (no contact details), and the body when it is sent.

Contact details (first name, last name, email) are added only when sending, only to an endpoint trusted
for personal data, only to a "signature confirmed" event, and only if the signer has agreed to hear more
and the signature still exists then. Erasure events carry the signature's id and petition only: the CRM
finds its copy by the id it was sent with the confirmation, and nothing about the erased person is kept
here to send (docs/petitions.md, "Webhooks for the CRM").
"""

import json

from petitions.models import PetitionPage, Signature, WebhookEvent
from petitions.regions import Region


def _time(value):
    return value.isoformat() if value else None


def _petitions(ids):
    return {
        pk: {"id": pk, "title": title}
        for pk, title in PetitionPage.objects.filter(pk__in=set(ids)).values_list("pk", "title")
    }


def confirmed_data(signature_ids):
    """{signature id: data} for confirmed signatures."""
    rows = list(
        Signature.objects.filter(pk__in=signature_ids).values(
            "pk", "petition_id", "region", "created_at", "confirmed_at", "source"
        )
    )
    petitions = _petitions(row["petition_id"] for row in rows)
    return {
        row["pk"]: {
            "signature_id": row["pk"],
            "petition": petitions.get(row["petition_id"], {"id": row["petition_id"], "title": None}),
            "region": {"code": row["region"], "name": Region(row["region"]).label if row["region"] else None},
            "signed_at": _time(row["created_at"]),
            "confirmed_at": _time(row["confirmed_at"]),
            "source": row["source"] or None,
        }
        for row in rows
    }


def consent_withdrawn_data(signature_ids, via, now):
    rows = list(Signature.objects.filter(pk__in=signature_ids).values_list("pk", "petition_id"))
    petitions = _petitions(petition_id for _pk, petition_id in rows)
    return {
        pk: {
            "signature_id": pk,
            "petition": petitions.get(petition_id, {"id": petition_id, "title": None}),
            "withdrawn_at": _time(now),
            "via": via,
        }
        for pk, petition_id in rows
    }


def erased_data(signature_ids, petition_ids, now):
    """The signatures are gone: only their ids, and their petitions' (the two lists in the same order)."""
    pairs = (
        list(zip(signature_ids, petition_ids, strict=False))
        if len(petition_ids) == len(signature_ids)
        else []
    )
    if not pairs:
        pairs = [(pk, None) for pk in signature_ids]
    petitions = _petitions(petition_id for _pk, petition_id in pairs if petition_id)
    return {
        pk: {
            "signature_id": pk,
            "petition": petitions.get(petition_id, {"id": petition_id, "title": None}),
            "erased_at": _time(now),
        }
        for pk, petition_id in pairs
    }


def consent_and_contact(endpoint, delivery):
    """(whether the signer agrees to hear more now, their name and email or None where they must not go)."""
    row = (
        Signature.objects.filter(pk=delivery.payload.get("signature_id"), anonymised_at__isnull=True)
        .values("contact_consent", "first_name", "last_name", "email")
        .first()
    )
    if row is None or not row.pop("contact_consent"):
        return False, None
    return True, (row if endpoint.trusted_for_personal_data else None)


def body_for(endpoint, delivery):
    """The JSON body (bytes) of a delivery as it is sent now."""
    data = dict(delivery.payload)
    if delivery.event == WebhookEvent.SIGNATURE_CONFIRMED:
        data["contact_consent"], data["contact"] = consent_and_contact(endpoint, delivery)
    message = {
        "event": delivery.event,
        "id": str(delivery.event_id),
        "occurred_at": _time(delivery.occurred_at),
        "data": data,
    }
    return json.dumps(message, separators=(",", ":"), sort_keys=True).encode()
