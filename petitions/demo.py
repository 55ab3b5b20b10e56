"""Demo content: the open letter to Facebook, and a realistic spread of signatures on it.

The letter's words are in `demo.toml` beside this file (why TOML: `core.demo_content`); the
signatures are made up here. Both functions are idempotent, so `load_demo` can run again on the same
database. The demo signatures use addresses at example.org (a domain reserved for examples) and are
made directly, not through the mail queue; the counters are rebuilt from them afterwards.
"""

import random
from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from core.demo_content import field_values, plain_text, read_demo_content
from petitions.models import MailStatus, PetitionPage, Signature
from petitions.models.counts import recount_signatures
from petitions.regions import Region, region_for_postcode
from petitions.signing.facts import consent_wording_ids

DEMO_CONTENT = Path(__file__).resolve().parent / "demo.toml"
DEMO_EMAIL_DOMAIN = "demo.example.org"
DEMO_SIGNATURES = 420

# Roughly where people live, so the count by region looks like a UK-wide campaign.
_REGION_POSTCODES = [
    (Region.LONDON, ["SW1A 1AA", "E1 6AN", "N1 9GU", "SE1 7PB"], 14),
    (Region.SOUTH_EAST, ["RG1 1AA", "BN1 1AE", "OX1 2JD", "GU1 3AA"], 13),
    (Region.NORTH_WEST, ["M1 1AE", "L1 8JQ", "PR1 2HE"], 11),
    (Region.EAST, ["CB2 1TN", "NR1 3JU", "AL1 3JE"], 9),
    (Region.WEST_MIDLANDS, ["B1 1BB", "CV1 5FB", "WV1 1TQ"], 9),
    (Region.SOUTH_WEST, ["BS1 4DJ", "EX1 1HS", "PL1 2AA"], 8),
    (Region.YORKSHIRE, ["LS1 4AP", "S1 2HH", "YO1 7HH"], 8),
    (Region.EAST_MIDLANDS, ["NG1 5FS", "LE1 5YA", "DE1 3QT"], 7),
    (Region.SCOTLAND, ["EH1 1YZ", "G1 1XQ", "AB10 1AQ"], 8),
    (Region.NORTH_EAST, ["NE1 4ST", "SR1 3SD", "DH1 3HP"], 4),
    (Region.WALES, ["CF10 1EP", "SA1 1DP", "LL57 1UT"], 5),
    (Region.NORTHERN_IRELAND, ["BT1 5GS", "BT7 1NN"], 3),
    (Region.OUTSIDE_UK, [""], 1),
]

_FIRST_NAMES = [
    "Amira", "Ben", "Chloe", "Dev", "Emma", "Finn", "Grace", "Harry", "Isla", "Jack", "Kiran", "Leah",
    "Mohammed", "Niamh", "Oliver", "Priya", "Rhys", "Sophie", "Tom", "Zara",
]  # fmt: skip
_LAST_NAMES = [
    "Ahmed", "Brown", "Campbell", "Davies", "Evans", "Fraser", "Green", "Hughes", "Jones", "Khan",
    "Lewis", "Murphy", "Patel", "Roberts", "Smith", "Taylor", "Walker", "Wilson",
]  # fmt: skip


def create_demo_petition(parent_page):
    """The open letter to Facebook under `parent_page`, published; the existing one if already there."""
    copy = dict(read_demo_content(DEMO_CONTENT)["letter"])
    asks = [("ask", plain_text(ask)) for ask in copy.pop("asks")]
    existing = PetitionPage.objects.child_of(parent_page).filter(slug=copy["slug"]).first()
    if existing:
        return existing
    petition = PetitionPage(asks=asks, **field_values(PetitionPage, copy))
    parent_page.add_child(instance=petition)
    petition.save_revision().publish()
    return petition


def add_demo_signatures(petition, count=DEMO_SIGNATURES, seed=2019):
    """A few hundred signatures over the last three weeks: mostly confirmed, some not, a few invalidated.

    Does nothing if the petition already has demo signatures. Returns how many it added.
    """
    demo = Signature.objects.filter(petition_id=petition.pk, email__endswith="@" + DEMO_EMAIL_DOMAIN)
    if demo.exists():
        return 0
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not a secret
    contact_wording_id, show_wording_id = consent_wording_ids(petition)
    now = timezone.now()
    regions = [entry for entry in _REGION_POSTCODES for _ in range(entry[2])]
    signatures = []
    for n in range(count):
        _region, postcodes, _weight = rng.choice(regions)
        postcode = rng.choice(postcodes)
        first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
        # More signatures lately, as a campaign in the news gathers pace.
        signed_at = now - timedelta(minutes=int(21 * 24 * 60 * rng.random() ** 2))
        roll = rng.random()
        confirmed = roll < 0.9
        invalidated = roll > 0.96
        signatures.append(
            Signature(
                petition_id=petition.pk,
                first_name=first,
                last_name=last,
                email=f"{first}.{last}.{n}@{DEMO_EMAIL_DOMAIN}".lower(),
                postcode=postcode,
                region=region_for_postcode(postcode),
                created_at=signed_at,
                confirmed_at=signed_at + timedelta(minutes=rng.randint(1, 90)) if confirmed else None,
                contact_consent=rng.random() < 0.4,
                contact_consent_wording_id=contact_wording_id,
                show_publicly=rng.random() < 0.6,
                show_publicly_wording_id=show_wording_id,
                privacy_notice_version=petition.privacy_notice_version,
                invalidated_at=now if invalidated else None,
                invalidation_reason="Demo: many signatures from one client in a minute"
                if invalidated
                else "",
                invalidation_category="rate-limit" if invalidated else "",
                ip_hash=f"{rng.getrandbits(256):064x}",
                mail_status=MailStatus.SENT,
                mail_attempts=1,
                mail_sent_at=signed_at,
            )
        )
    with transaction.atomic():
        Signature.objects.bulk_create(signatures, batch_size=500)
        recount_signatures(petition_ids=[petition.pk])
    return len(signatures)
