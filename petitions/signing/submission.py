"""A sign form's POST, from the letter's page or a partner's frame: checks, then the signature.

One flow for both, so the rate limit, the single-use form token, the honeypot and the closed window
hold the same wherever the form is; each view draws the outcome its own way.
"""

import enum
import logging
from dataclasses import dataclass
from types import SimpleNamespace

from django.db import IntegrityError
from django.http import Http404

from petitions.sign_form.form import SignatureForm
from petitions.signing.facts import signing_facts, signing_facts_keys
from petitions.signing.rate_limit import client_ip, count_sign_attempt, hash_client
from petitions.signing.restrictions import refusal
from petitions.signing.signatures import SignatureDetails, record_signature

logger = logging.getLogger(__name__)


class Outcome(enum.Enum):
    # The petition's view restrictions keep this visitor out: the page's answer is in `response`.
    REFUSED = "refused"
    CLOSED = "closed"
    RATE_LIMITED = "rate-limited"
    # A filled honeypot: answered like a success, nothing kept.
    IGNORED = "ignored"
    INVALID = "invalid"
    SIGNED = "signed"


@dataclass
class Submission:
    outcome: Outcome
    # The bound form, for INVALID: to show again with its errors.
    form: SignatureForm | None = None
    # Why signing is closed, for CLOSED.
    message: str = ""
    # The page's answer, for REFUSED.
    response: object = None


def submit_signature(request, petition, *, query_source="", partner_source=None):
    """Check `request.POST` as a signature of `petition` and record it if it passes.

    `petition` is the petition's SigningFacts, or its id: the facts are then read in the round trip
    that counts the attempt (the form is checked first: that needs no facts), and a visitor the
    petition's view restrictions keep out gets the page's answer (REFUSED); no such petition is a 404.
    The signature's source code is the form's hidden `source`, else `query_source` (the sign URL's
    `?source=`); a `partner_source` (a partner's frame, already valid) is used whatever the form says.
    """
    facts = None if isinstance(petition, int) else petition
    petition_id = petition if facts is None else facts.pk
    ip_hash = hash_client(client_ip(request))
    form = SignatureForm(request.POST, petition=facts or _unread(petition_id), source=query_source)
    honeypot = form.is_honeypot_filled()
    valid = form.is_valid() and not honeypot
    # The rate limit and the single use of the form token (and the facts, when not given), in one round
    # trip to the shared cache.
    attempt = count_sign_attempt(
        ip_hash,
        token_id=form.form_token_id if valid else None,
        email=form.cleaned_data.get("email", ""),
        read=signing_facts_keys(petition_id) if facts is None else (None, ()),
    )
    if facts is None:
        facts = signing_facts(petition_id, found=attempt.found)
        if facts is None:
            raise Http404("No such petition")
        refused = refusal(request, facts)
        if refused is not None:
            return Submission(Outcome.REFUSED, response=refused)
        form.describe(facts)
    closed_message = facts.signing_closed_message()
    if closed_message:
        return Submission(Outcome.CLOSED, message=closed_message)
    if attempt.over_rate_limit:
        logger.info("Sign request refused by the rate limit on petition %s", petition_id)
        return Submission(Outcome.RATE_LIMITED)
    if honeypot:
        # Bots are told what people are told, so they learn nothing; nothing is kept.
        logger.info("Honeypot filled on petition %s; nothing recorded", petition_id)
        return Submission(Outcome.IGNORED)
    if valid and attempt.token_spent:
        logger.info("Form token already spent on another signature of petition %s", petition_id)
        form.refuse_spent_token()
        valid = False
    if not valid:
        return Submission(Outcome.INVALID, form=form)

    data = form.cleaned_data
    details = SignatureDetails(
        first_name=data["first_name"],
        last_name=data["last_name"],
        email=data["email"],
        postcode=data["postcode"],
        contact_consent=data["contact_consent"],
        show_publicly=data["show_publicly"],
        source=data["source"] if partner_source is None else partner_source,
    )
    try:
        record_signature(facts, details, ip_hash=ip_hash)
    except IntegrityError:
        # Cached facts naming rows that are gone (a database restored under a running cache):
        # once more with facts from the database.
        logger.warning("Signing facts of petition %s were out of date; read again", petition_id)
        facts = signing_facts(petition_id, fresh=True)
        if facts is None:
            raise Http404("No such petition") from None
        record_signature(facts, details, ip_hash=ip_hash)
    return Submission(Outcome.SIGNED)


def _unread(petition_id):
    """What the form needs of a petition to check a POST (its id), until the facts are read."""
    return SimpleNamespace(
        pk=petition_id, contact_consent_wording="", show_publicly_wording="", confirmation_required=True
    )
