"""The demo open letter and its signatures, as `load_demo` makes them."""

from collections import Counter

import petitions.demo
from petitions.demo import add_demo_signatures, create_demo_petition
from petitions.models import Signature
from petitions.models.counts import get_counts, recount_signatures


def test_demo_petition_and_signatures_are_made_once(plain_home_page):
    petition = create_demo_petition(plain_home_page)

    assert create_demo_petition(plain_home_page) == petition
    assert petition.live
    assert petition.target == 50_000
    assert "end to end" in petition.letter
    assert add_demo_signatures(petition) > 300
    assert add_demo_signatures(petition) == 0


def test_demo_signatures_are_a_realistic_mix_with_consistent_counts(plain_home_page):
    petition = create_demo_petition(plain_home_page)
    add_demo_signatures(petition)
    signatures = Signature.objects.filter(petition=petition)

    shown = get_counts(petition)
    statuses = Counter(signature.status for signature in signatures)

    assert statuses["confirmed"] > statuses["unconfirmed"] > 0
    assert statuses["invalidated"] > 0
    assert shown.total == signatures.counted().count()
    assert len(shown.by_region) >= 10
    assert recount_signatures([petition.pk]) == {petition.pk: shown.total}


def test_the_letter_is_written_in_the_demo_file(plain_home_page, edit_demo_words):
    edit_demo_words(
        petitions.demo,
        [
            ("Dear Mark Zuckerberg,", "Dear Mr Zuckerberg,"),
            (
                '"Publish detailed reports',
                '"Report to the public every year.",\n    "Publish detailed reports',
            ),
            ("target = 50_000", "target = 75_000"),
        ],
    )

    petition = create_demo_petition(plain_home_page)

    assert petition.letter.startswith(
        "<p>Dear Mr Zuckerberg,</p><p>Facebook, Instagram and WhatsApp were used"
    )
    assert petition.letter.count("<p>") == 4, "a blank line starts a paragraph; a line break is a space"
    assert [ask.value for ask in petition.asks][2:] == [
        "Report to the public every year.",
        "Publish detailed reports on how you keep children safe on Facebook, Instagram and WhatsApp.",
    ]
    assert petition.target == 75_000
