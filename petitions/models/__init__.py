"""The petitions app's models: the petition page, its signatures, consent wordings and counters."""

from petitions.models.consent import ConsentWording
from petitions.models.counts import SignatureCount, SignatureDayCount, SignatureHourCount
from petitions.models.delivery_pack import DeliveryPack, PackStatus
from petitions.models.embeds import EmbedPartner
from petitions.models.milestones import PetitionMilestone
from petitions.models.petition_page import PetitionPage
from petitions.models.record import Measure, RecordCount
from petitions.models.signature import InvalidationCategory, MailStatus, Signature, SignatureQuerySet
from petitions.models.updates import Audience, DeliveryStatus, PetitionUpdate, UpdateDelivery, UpdateStatus
from petitions.models.webhooks import WebhookDelivery, WebhookEndpoint, WebhookEvent, WebhookStatus

__all__ = [
    "Audience",
    "DeliveryStatus",
    "PetitionUpdate",
    "UpdateDelivery",
    "UpdateStatus",
    "ConsentWording",
    "DeliveryPack",
    "PackStatus",
    "EmbedPartner",
    "InvalidationCategory",
    "Measure",
    "PetitionMilestone",
    "RecordCount",
    "SignatureHourCount",
    "MailStatus",
    "PetitionPage",
    "Signature",
    "SignatureCount",
    "SignatureDayCount",
    "SignatureQuerySet",
    "WebhookDelivery",
    "WebhookEndpoint",
    "WebhookEvent",
    "WebhookStatus",
]
