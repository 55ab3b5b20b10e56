"""A sign form's POST, from the letter's page or a partner's frame: checks, then the signature.

One flow for both, so the rate limit, the single-use form token, the honeypot and the closed window
hold the same wherever the form is; each view draws the outcome its own way.
"""

import enum
import logging
from dataclasses import dataclass

from django.db import IntegrityError
from django.http import Http404

from petitions.sign_form.form import SignatureForm
from petitions.signing.facts import signing_facts
from petitions.signing.rate_limit import client_ip, count_sign_attempt, hash_client
from petitions.signing.signatures import SignatureDetails, record_signature

logger = logging.getLogger(__name__)


class Outcome(enum.Enum):
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


def submit_signature(request, facts, *, query_source="", partner_source=None):
    """Check `request.POST` as a signature of the petition of `facts` and record it if it passes.

    The signature's source code is the form's hidden `source`, else `query_source` (the sign URL's
    `?source=`); a `partner_source` (a partner's frame, already valid) is used whatever the form says.
    """
    petition_id = facts.pk
    closed_message = facts.signing_closed_message()
    if closed_message:
        return Submission(Outcome.CLOSED, message=closed_message)

    ip_hash = hash_client(client_ip(request))
    form = SignatureForm(request.POST, petition=facts, source=query_source)
    honeypot = form.is_honeypot_filled()
    valid = form.is_valid() and not honeypot
    # The rate limit and the single use of the form token, in one round trip to the shared cache.
    attempt = count_sign_attempt(
        ip_hash, token_id=form.form_token_id if valid else None, email=form.cleaned_data.get("email", "")
    )
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
