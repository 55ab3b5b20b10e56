"""Public petition views: sign, check your email, confirm, the count as JSON and the list of signers.

Views stay thin: the form validates, `petitions.signing.signatures` does the work. No URL carries personal
data: after signing, the visitor is redirected to a page that names only the petition. Each URL lets in
exactly who the petition page lets in (`petitions.signing.restrictions`).
"""

import logging

from django.conf import settings
from django.core import signing
from django.db import IntegrityError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.caching import cached
from core.middleware import form_posts_only
from petitions.mail.confirmation import read_confirmation_token
from petitions.models import PetitionPage, Signature
from petitions.models.counts import get_counts
from petitions.models.public_signers import public_signers_page
from petitions.selfservice.links import signer_page_token
from petitions.sign_form.form import SignatureForm
from petitions.sign_form.source import source_from_query
from petitions.signing.facts import signing_facts
from petitions.signing.rate_limit import client_ip, count_sign_attempt, hash_client
from petitions.signing.restrictions import petition_endpoint, refusal
from petitions.signing.signatures import SignatureDetails, confirm_signature, record_signature

logger = logging.getLogger(__name__)


def _live_petition(petition_id):
    # Private petitions too: `petition_endpoint` has let in only those the page lets in.
    return get_object_or_404(PetitionPage.objects.live(), pk=petition_id)


@form_posts_only
@require_POST
@petition_endpoint
def sign(request, facts):
    # The facts, not the page: every signature needs them, and they come from the shared cache.
    petition_id = facts.pk
    closed_message = facts.signing_closed_message()
    if closed_message:
        return render(
            request,
            "petitions/signing_closed.html",
            {"petition": _petition(petition_id), "message": closed_message},
            status=403,
        )

    ip_hash = hash_client(client_ip(request))
    # A form posted to the sign URL with `?source=` on it (a partner's own form, say) keeps that code.
    form = SignatureForm(request.POST, petition=facts, source=source_from_query(request.GET))
    honeypot = form.is_honeypot_filled()
    valid = form.is_valid() and not honeypot
    # The rate limit and the single use of the form token, in one round trip to the shared cache.
    attempt = count_sign_attempt(
        ip_hash, token_id=form.form_token_id if valid else None, email=form.cleaned_data.get("email", "")
    )
    if attempt.over_rate_limit:
        logger.info("Sign request refused by the rate limit on petition %s", petition_id)
        context = {"petition": _petition(petition_id)}
        return render(request, "petitions/rate_limited.html", context, status=429)
    if honeypot:
        # Bots are told what people are told, so they learn nothing; nothing is kept.
        logger.info("Honeypot filled on petition %s; nothing recorded", petition_id)
        return redirect("petitions:check_email", petition_id=petition_id)
    if valid and attempt.token_spent:
        logger.info("Form token already spent on another signature of petition %s", petition_id)
        form.refuse_spent_token()
        valid = False
    if not valid:
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
        source=data["source"],
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
@petition_endpoint
def check_email(request, facts):
    petition = _live_petition(facts.pk)
    return render(request, "petitions/check_your_email.html", {"petition": petition, "page": petition})


def _invalid_link(request, expired):
    context = {"expired": expired, "valid_days": settings.PETITION_CONFIRMATION_MAX_AGE_DAYS}
    return render(request, "petitions/confirmation_invalid.html", context, status=410 if expired else 404)


@form_posts_only
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def confirm(request, token):
    """The link in the confirmation mail: a page with one button, which confirms (a POST).

    Mail security scanners open every link in a mail before the person does, so following the
    link changes nothing; pressing the button does, once. The token stays in the URL path: the
    page's form posts back to the URL it was opened at, and a confirmed signature's link shows the
    thanks.
    """
    try:
        signature_id = read_confirmation_token(token)
    except signing.SignatureExpired:
        return _invalid_link(request, expired=True)
    except signing.BadSignature:
        return _invalid_link(request, expired=False)
    signature = Signature.objects.filter(pk=signature_id).only("petition_id", "confirmed_at").first()
    facts = None if signature is None else signing_facts(signature.petition_id)
    if facts is None:
        # Deleted since (unconfirmed for too long, or erased): the same advice as an expired link.
        return _invalid_link(request, expired=True)
    refused = refusal(request, facts, return_url=request.path)
    if refused is not None:
        return refused

    if request.method == "POST":
        signature, _newly = confirm_signature(signature_id)
        if signature is None:
            return _invalid_link(request, expired=True)
        # Back to the link, which now shows the thanks: reloading that page sends nothing again.
        return redirect(request.path)

    petition = PetitionPage.objects.get(pk=signature.petition_id)
    if signature.confirmed_at is None:
        return render(request, "petitions/confirm.html", {"petition": petition, "page": petition})
    # The thanks lead on to sharing: the share panel (petitions.templatetags.after_signing) draws it.
    # The confirmation link is already theirs, so the thanks may lead to their own page too.
    signer_page_path = reverse("petitions:signer_page", args=[signer_page_token(signature)])
    context = {"petition": petition, "page": petition, "signer_page_path": signer_page_path}
    return render(request, "petitions/confirmed.html", context)


@require_GET
@petition_endpoint(refuse_as_not_found=True)
def count_json(request, facts):
    def payload():
        petition = PetitionPage.objects.live().filter(pk=facts.pk).first()
        if petition is None:
            return {}
        return {"petition": petition.pk, "title": petition.title, **get_counts(petition).as_dict()}

    # Read from the cache only once the visitor has been let in, so a private count reaches no one else.
    data = cached(f"petitions:count-json:{facts.pk}", settings.PETITION_COUNT_CACHE_SECONDS, payload)
    if not data:
        raise Http404("No such petition")
    response = JsonResponse(data)
    if facts.restricted:
        # As Wagtail serves private pages: no shared cache (a CDN, say) may keep it for others.
        add_never_cache_headers(response)
    else:
        patch_cache_control(response, public=True, max_age=settings.PETITION_COUNT_CACHE_SECONDS)
    return response


@require_GET
@petition_endpoint
def signers(request, facts):
    petition = _live_petition(facts.pk)
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
