"""The public list of signers: first name and region of those who asked to be shown, newest first."""

from dataclasses import dataclass

from django.conf import settings

from core.caching import cached, forget
from petitions.models.signature import Signature
from petitions.regions import Region

RECENT_COUNT = 10
PAGE_SIZE = 50


@dataclass(frozen=True)
class PublicSigner:
    id: int
    first_name: str
    area: str


def _signers(petition_id, before_id=None, limit=PAGE_SIZE):
    queryset = Signature.objects.shown_publicly().filter(petition_id=petition_id)
    if before_id:
        queryset = queryset.filter(pk__lt=before_id)
    labels = dict(Region.choices)
    rows = queryset.order_by("-pk").values_list("pk", "first_name", "region")[:limit]
    return [
        PublicSigner(id=pk, first_name=first_name, area=labels[region]) for pk, first_name, region in rows
    ]


def _recent_key(petition_id):
    return f"petitions:recent-signers:{petition_id}"


def recent_public_signers(petition):
    """The latest few public signers, cached as briefly as the count."""
    return cached(
        _recent_key(petition.pk),
        settings.PETITION_COUNT_CACHE_SECONDS,
        lambda: _signers(petition.pk, limit=RECENT_COUNT),
    )


def forget_recent_public_signers(petition_id):
    """Drop the cached latest signers, after a signer joined or left the public list."""
    forget(_recent_key(petition_id))


def public_signers_page(petition, before_id=None):
    """One page of the public list, newest first, and the id to ask for the next page (or None).

    Keyset pagination on the id: each page costs an index range read, however long the list.
    """
    signers = _signers(petition.pk, before_id=before_id, limit=PAGE_SIZE + 1)
    next_before = signers[PAGE_SIZE - 1].id if len(signers) > PAGE_SIZE else None
    return signers[:PAGE_SIZE], next_before
