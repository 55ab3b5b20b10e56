"""Public petition views: sign, check your email, confirm, the count as JSON and the list of signers.

Views stay thin: the form validates, `petitions.signing` does the work. No URL carries personal
data: after signing, the visitor is redirected to a page that names only the petition.
"""

import logging

from django.conf import settings
from django.core import signing
from django.db import IntegrityError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET, require_POST

from core.caching import cached
from core.sharing import ShareNetwork, share_links
from petitions.abuse import client_ip, hash_client, sign_rate_limited
from petitions.counts import get_counts
from petitions.forms import SignatureForm
from petitions.models import PetitionPage
from petitions.signers import public_signers_page
from petitions.signing import (
    SignatureDetails,
    confirm_signature,
    read_confirmation_token,
    record_signature,
    signing_facts,
)

logger = logging.getLogger(__name__)

# Where a confirmed signer is offered to share the letter (the share links block's addresses).
_CONFIRMED_SHARE_NETWORKS = [ShareNetwork.FACEBOOK, ShareNetwork.X, ShareNetwork.WHATSAPP, ShareNetwork.EMAIL]


def _live_petition(petition_id):
    return get_object_or_404(PetitionPage.objects.live().public(), pk=petition_id)


@require_POST
def sign(request, petition_id):
    # The facts, not the page: every signature needs them, and they come from the shared cache.
    facts = signing_facts(petition_id)
    if facts is None:
        raise Http404("No such petition")
    closed_message = facts.signing_closed_message()
    if closed_message:
        return render(
            request,
            "petitions/signing_closed.html",
            {"petition": _petition(petition_id), "message": closed_message},
            status=403,
        )

    ip_hash = hash_client(client_ip(request))
    if sign_rate_limited(ip_hash):
        logger.info("Sign request refused by the rate limit on petition %s", petition_id)
        context = {"petition": _petition(petition_id)}
        return render(request, "petitions/rate_limited.html", context, status=429)

    form = SignatureForm(request.POST, petition=facts)
    if form.is_honeypot_filled():
        # Bots are told what people are told, so they learn nothing; nothing is kept.
        logger.info("Honeypot filled on petition %s; nothing recorded", petition_id)
        return redirect("petitions:check_email", petition_id=petition_id)
    if not form.is_valid():
        petition = _petition(petition_id)
        context = petition.get_context(request)
        context["form"] = form
        return TemplateResponse(request, petition.get_template(request), context)

    data = form.cleaned_data
    details = SignatureDetails(
        first_name=data["first_name"],
        last_name=data["last_name"],
        email=data["email"],
        postcode=data["postcode"],
        contact_consent=data["contact_consent"],
        show_publicly=data["show_publicly"],
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
    return redirect("petitions:check_email", petition_id=petition_id)


def _petition(petition_id):
    return get_object_or_404(PetitionPage, pk=petition_id)


@require_GET
def check_email(request, petition_id):
    petition = _live_petition(petition_id)
    return render(request, "petitions/check_your_email.html", {"petition": petition, "page": petition})


def _invalid_link(request, expired):
    context = {"expired": expired, "valid_days": settings.PETITION_CONFIRMATION_MAX_AGE_DAYS}
    return render(request, "petitions/confirmation_invalid.html", context, status=410 if expired else 404)


@require_GET
def confirm(request, token):
    try:
        signature_id = read_confirmation_token(token)
    except signing.SignatureExpired:
        return _invalid_link(request, expired=True)
    except signing.BadSignature:
        return _invalid_link(request, expired=False)

    signature, _newly = confirm_signature(signature_id)
    if signature is None:
        # Deleted since (unconfirmed for too long, or erased): the same advice as an expired link.
        return _invalid_link(request, expired=True)
    petition = PetitionPage.objects.get(pk=signature.petition_id)
    share_url = petition.get_full_url(request)
    return render(
        request,
        "petitions/confirmed.html",
        {
            "petition": petition,
            "page": petition,
            "share_url": share_url,
            "share_links": share_links(_CONFIRMED_SHARE_NETWORKS, share_url, petition.share_text),
        },
    )


@require_GET
def count_json(request, petition_id):
    def payload():
        petition = PetitionPage.objects.live().public().filter(pk=petition_id).first()
        if petition is None:
            return {}
        return {"petition": petition.pk, "title": petition.title, **get_counts(petition).as_dict()}

    data = cached(f"petitions:count-json:{petition_id}", settings.PETITION_COUNT_CACHE_SECONDS, payload)
    if not data:
        raise Http404("No such petition")
    response = JsonResponse(data)
    patch_cache_control(response, public=True, max_age=settings.PETITION_COUNT_CACHE_SECONDS)
    return response


@require_GET
def signers(request, petition_id):
    petition = _live_petition(petition_id)
    try:
        before = int(request.GET.get("before", "")) or None
    except ValueError:
        before = None
    page_signers, next_before = public_signers_page(petition, before_id=before)
    return render(
        request,
        "petitions/signers.html",
        {"petition": petition, "page": petition, "signers": page_signers, "next_before": next_before},
    )
