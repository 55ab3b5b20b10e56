"""What the sign view knows of a petition: its signing window and consent wordings, from the shared cache.

`signing_facts` gives them without loading the page; saving a petition or publishing anything
(a page-cache purge) makes the next reader load them again.
"""

from dataclasses import asdict, dataclass
from datetime import datetime

from django.db import transaction

from core.caching import cached, cached_as_read, cached_keys, forget
from core.page_cache.purge import content_generation
from petitions.models import ConsentWording, PetitionPage
from petitions.models.petition_page import signing_closed_message

# Kept until the next publish anywhere on the site (a page-cache purge) or a save of the petition;
# the timeout only bounds what nothing invalidates, like a database restored under a running cache.
_FACTS_SECONDS = 300


def consent_wording_ids(petition):
    """The ids of the petition's current consent wordings, adding a wording the first time it is shown."""
    return ConsentWording.current_ids(petition)


@dataclass(frozen=True)
class SigningFacts:
    """What signing needs to know of a petition: the window, its wordings and the ids they are kept as.

    Small and plain, so the sign view keeps it in the shared cache (`signing_facts`) instead of
    loading the page with its privacy notice and looking up the wordings for every signature.
    `SignatureForm` and `record_signature` take it where they would take the page. `restricted` says
    whether the page or a page above it has view restrictions (`petitions.signing.restrictions`), so
    that the public petition URLs check them only where there are some.
    """

    pk: int
    live: bool
    opens_at: datetime | None
    closes_at: datetime | None
    confirmation_required: bool
    contact_consent_wording: str
    show_publicly_wording: str
    privacy_notice_version: str
    contact_wording_id: int
    show_wording_id: int
    restricted: bool

    @classmethod
    def of(cls, petition):
        contact_wording_id, show_wording_id = consent_wording_ids(petition)
        return cls(
            pk=petition.pk,
            live=petition.live,
            opens_at=petition.opens_at,
            closes_at=petition.closes_at,
            confirmation_required=petition.confirmation_required,
            contact_consent_wording=petition.contact_consent_wording,
            show_publicly_wording=petition.show_publicly_wording,
            privacy_notice_version=petition.privacy_notice_version,
            contact_wording_id=contact_wording_id,
            show_wording_id=show_wording_id,
            restricted=petition.get_view_restrictions().exists(),
        )

    def signing_closed_message(self, now=None):
        return signing_closed_message(self.live, self.opens_at, self.closes_at, now)


def _facts_key(petition_id):
    return f"petitions:signing-facts:{petition_id}"


def _facts_from_database(petition_id):
    """The facts as a dict, so that a cached copy from an older release cannot pass for new facts."""
    petition = PetitionPage.objects.select_related("privacy_notice").filter(pk=petition_id).first()
    return None if petition is None else asdict(SigningFacts.of(petition))


def signing_facts_keys(petition_id):
    """The shared cache's keys `signing_facts(petition_id, found=...)` is read from (with their cache)."""
    generation = content_generation()
    return generation.cache, cached_keys(_facts_key(petition_id), generation=generation)


def signing_facts(petition_id, *, fresh=False, found=None):
    """The petition's SigningFacts (None when there is no such petition), cached until the next purge.

    `fresh` reads the database and replaces what the cache held. `found` is what the cache held under
    `signing_facts_keys(petition_id)`, read by the caller with something else in one round trip.
    """
    key = _facts_key(petition_id)
    generation = content_generation()

    def compute():
        return _facts_from_database(petition_id)

    if fresh:
        forget(key, generation=generation)
    if found is not None and not fresh:
        facts = cached_as_read(key, _FACTS_SECONDS, compute, generation=generation, found=found)
    else:
        facts = cached(key, _FACTS_SECONDS, compute, generation=generation)
    if facts is None:
        return None
    try:
        return SigningFacts(**facts)
    except TypeError:
        # Cached by a release whose facts had other fields.
        forget(key, generation=content_generation())
        facts = _facts_from_database(petition_id)
        return None if facts is None else SigningFacts(**facts)


def forget_signing_facts(petition_id):
    forget(_facts_key(petition_id), generation=content_generation())


def forget_signing_facts_of_saved_petition(sender, instance, **kwargs):
    """Signal receiver: a saved or deleted petition's facts are read afresh, now and after the commit.

    Publishing also purges, but only once committed; a save that publishes nothing (a data fix, a
    test) purges nothing. Forgetting again after the commit drops facts that a request read from
    the database before the commit and stored meanwhile.
    """
    forget_signing_facts(instance.pk)
    transaction.on_commit(lambda: forget_signing_facts(instance.pk))
