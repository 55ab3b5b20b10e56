"""The petitions app's models: the petition page, its signatures, consent wordings and counters."""

from petitions.models.consent import ConsentWording
from petitions.models.counts import SignatureCount, SignatureDayCount
from petitions.models.petition_page import PetitionPage
from petitions.models.signature import MailStatus, Signature, SignatureQuerySet

__all__ = [
    "ConsentWording",
    "MailStatus",
    "PetitionPage",
    "Signature",
    "SignatureCount",
    "SignatureDayCount",
    "SignatureQuerySet",
]
