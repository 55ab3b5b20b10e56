"""Public petition views: sign, check your email, confirm, the count as JSON and the list of signers.

Views stay thin: the form validates, `petitions.signing.signatures` does the work. No URL carries personal
data: after signing, the visitor is redirected to a page that names only the petition. Each URL lets in
exactly who the petition page lets in (`petitions.signing.restrictions`).
"""

import logging

from django.conf import settings
from django.core import signing
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
from petitions.sign_form.source import source_from_query
from petitions.signing.facts import signing_facts
from petitions.signing.restrictions import petition_endpoint, refusal
from petitions.signing.signatures import confirm_signature
from petitions.signing.submission import Outcome, submit_signature

logger = logging.getLogger(__name__)


def _live_petition(petition_id):
    # Private petitions too: `petition_endpoint` has let in only those the page lets in.
    return get_object_or_404(PetitionPage.objects.live(), pk=petition_id)


@form_posts_only
@require_POST
def sign(request, petition_id):
    # The facts, not the page: every signature needs them, and they come from the shared cache, read
    # with the rate limit (so `submit_signature` answers as `petition_endpoint` does, by the facts).
    # A form posted to the sign URL with `?source=` on it (a partner's own form, say) keeps that code.
    result = submit_signature(request, petition_id, query_source=source_from_query(request.GET))
    if result.outcome is Outcome.REFUSED:
        return result.response
    if result.outcome is Outcome.CLOSED:
        context = {"petition": _petition(petition_id), "message": result.message}
        return render(request, "petitions/signing_closed.html", context, status=403)
    if result.outcome is Outcome.RATE_LIMITED:
        context = {"petition": _petition(petition_id)}
        return render(request, "petitions/rate_limited.html", context, status=429)
    if result.outcome is Outcome.INVALID:
        petition = _petition(petition_id)
        context = petition.get_context(request)
        context["form"] = result.form
        return TemplateResponse(request, petition.get_template(request), context)
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
    response = render(
        request,
        "petitions/signers.html",
        {"petition": petition, "page": petition, "signers": page_signers, "next_before": next_before},
    )
    if facts.restricted:
        # As Wagtail serves private pages: neither the page cache nor a CDN keeps it for others.
        add_never_cache_headers(response)
    return response


def signers_cache_seconds():
    """How long a public list of signers may be served from the page cache: as long as the count."""
    return settings.PETITION_COUNT_CACHE_SECONDS
