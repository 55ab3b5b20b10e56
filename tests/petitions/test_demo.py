"""The demo open letter and its signatures, as `load_demo` makes them."""

from collections import Counter

from petitions.counts import get_counts, recount_signatures
from petitions.demo import add_demo_signatures, create_demo_petition
from petitions.models import Signature


def test_demo_petition_and_signatures_are_made_once(home):
    petition = create_demo_petition(home)

    assert create_demo_petition(home) == petition
    assert petition.live
    assert petition.target == 50_000
    assert "end to end" in petition.letter
    assert add_demo_signatures(petition) > 300
    assert add_demo_signatures(petition) == 0


def test_demo_signatures_are_a_realistic_mix_with_consistent_counts(home):
    petition = create_demo_petition(home)
    add_demo_signatures(petition)
    signatures = Signature.objects.filter(petition=petition)

    shown = get_counts(petition)
    statuses = Counter(signature.status for signature in signatures)

    assert statuses["confirmed"] > statuses["unconfirmed"] > 0
    assert statuses["invalidated"] > 0
    assert shown.total == signatures.counted().count()
    assert len(shown.by_region) >= 10
    assert recount_signatures([petition.pk]) == {petition.pk: shown.total}
