"""The petitions app's models: the petition page, its signatures, consent wordings and counters."""

from petitions.models.consent import ConsentWording
from petitions.models.counts import SignatureCount, SignatureDayCount
from petitions.models.delivery_pack import DeliveryPack, PackStatus
from petitions.models.petition_page import PetitionPage
from petitions.models.signature import MailStatus, Signature, SignatureQuerySet
from petitions.models.updates import Audience, DeliveryStatus, PetitionUpdate, UpdateDelivery, UpdateStatus

__all__ = [
    "Audience",
    "DeliveryStatus",
    "PetitionUpdate",
    "UpdateDelivery",
    "UpdateStatus",
    "ConsentWording",
    "DeliveryPack",
    "PackStatus",
    "MailStatus",
    "PetitionPage",
    "Signature",
    "SignatureCount",
    "SignatureDayCount",
    "SignatureQuerySet",
]
