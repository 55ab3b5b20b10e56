"""The petition in a partner's frame: the count and the sign form, then "check your email", compact.

Every response here may be framed, but only by the partner's listed origins
(`Content-Security-Policy: frame-ancestors`, and no `X-Frame-Options`); every other response of the site
keeps `frame-ancestors 'none'`. An unknown or inactive partner, or a private petition, is a 404.

No cookie is needed or set: browsers block or partition cookies in a third-party frame, so the form
carries no CSRF token (its cookie could not be kept) and the POST is exempt from Django's CSRF check.
What that check would protect, acting with a visitor's cookies, does not exist here: these views read
no session or cookie, and private petitions (the only ones a cookie lets in) are refused. The signed,
single-use form token (`petitions.sign_form.token`) still has to be valid, and a POST whose `Origin`
is another site, or "null" (a sandboxed frame, a data: page), is refused before the form is read.
docs/petitions.md ("Partner sites") has the whole design.
"""

import logging

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from core.middleware import form_posts_only
from petitions.models import EmbedPartner, PetitionPage
from petitions.models.counts import get_counts
from petitions.sign_form.form import SignatureForm
from petitions.signing.facts import signing_facts
from petitions.signing.submission import Outcome, submit_signature

logger = logging.getLogger(__name__)


def _embed_target(petition_id, partner_code):
    """The partner and the petition's facts, or 404: no such active partner, or no public live petition."""
    partner = (
        EmbedPartner.objects.active()
        .filter(petition_id=petition_id, source_code=partner_code)
        .only("pk", "source_code", "allowed_origins", "petition_id")
        .first()
    )
    if partner is None:
        raise Http404("No such partner")
    facts = signing_facts(petition_id)
    # A private petition lets people in by a cookie, which a partner's frame does not carry.
    if facts is None or not facts.live or facts.restricted:
        raise Http404("No such petition")
    return partner, facts


def framed_by(response, partner):
    """`response`, framable by the partner's origins only (and by no one else)."""
    response._csp_replace = {"frame-ancestors": partner.origins}
    response.xframe_options_exempt = True
    # Each view carries a form token of its own, and the count is read from its cache
    # (PETITION_COUNT_CACHE_SECONDS, as count.json): no shared cache may keep the page.
    add_never_cache_headers(response)
    return response


def _urls(petition_id, partner):
    args = (petition_id, partner.source_code)
    return reverse("petitions:embed", args=args), reverse("petitions:embed_check_email", args=args)


def _sign_page(request, partner, facts, form=None, status=200):
    petition = PetitionPage.objects.live().get(pk=facts.pk)
    sign_url, _done_url = _urls(facts.pk, partner)
    closed_message = facts.signing_closed_message()
    if form is None and not closed_message:
        form = SignatureForm(petition=facts, source=partner.source_code)
    context = {
        "petition": petition,
        "page": petition,
        "counts": get_counts(petition),
        "closed_message": closed_message,
        "form": form,
        "form_action": sign_url,
    }
    return TemplateResponse(request, "petitions/embed/sign.html", context, status=status)


def _message(request, partner, facts, heading, paragraphs, status):
    petition = PetitionPage.objects.live().get(pk=facts.pk)
    sign_url, _done_url = _urls(facts.pk, partner)
    context = {"petition": petition, "heading": heading, "paragraphs": paragraphs, "sign_url": sign_url}
    return TemplateResponse(request, "petitions/embed/message.html", context, status=status)


def _allowed_origins(request):
    return {f"{request.scheme}://{request.get_host()}", *settings.CSRF_TRUSTED_ORIGINS}


def posted_from_elsewhere(request):
    """Whether the browser says the POST comes from a page of another site (or hides where from).

    Browsers send `Origin` with every form POST; for the embed's own form it is this site's origin, as
    the frame's page is ours. Without the header (an old browser) the form token alone decides.
    """
    origin = request.headers.get("Origin")
    return origin is not None and origin not in _allowed_origins(request)


@form_posts_only
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def embed(request, petition_id, partner_code):
    partner, facts = _embed_target(petition_id, partner_code)
    if request.method != "POST":
        return framed_by(_sign_page(request, partner, facts), partner)

    if posted_from_elsewhere(request):
        logger.info("Embed sign request from another origin refused on petition %s", petition_id)
        paragraphs = [
            "This form can be sent only from the letter's own page. Go back to the form and sign there."
        ]
        response = _message(request, partner, facts, "Your signature was not taken", paragraphs, status=403)
        return framed_by(response, partner)
    result = submit_signature(request, facts, partner_source=partner.source_code)
    if result.outcome is Outcome.CLOSED:
        response = _message(request, partner, facts, "Your signature was not taken", [result.message], 403)
    elif result.outcome is Outcome.RATE_LIMITED:
        paragraphs = [
            "The sign form has been sent many times from your connection in a short while, so we have "
            "paused it for you. Wait a few minutes, then try again.",
            "If several people share your connection, for example at work or school, they can sign again "
            "a little later.",
        ]
        response = _message(request, partner, facts, "Please wait a few minutes", paragraphs, 429)
    elif result.outcome is Outcome.INVALID:
        response = _sign_page(request, partner, facts, form=result.form)
    else:
        # Signed, or a filled honeypot answered like a success: on to "check your email", in the frame.
        return framed_by(redirect("petitions:embed_check_email", petition_id, partner.source_code), partner)
    return framed_by(response, partner)


@require_GET
def embed_check_email(request, petition_id, partner_code):
    partner, facts = _embed_target(petition_id, partner_code)
    petition = PetitionPage.objects.live().get(pk=facts.pk)
    sign_url, _done_url = _urls(facts.pk, partner)
    context = {"petition": petition, "page": petition, "sign_url": sign_url}
    return framed_by(TemplateResponse(request, "petitions/embed/check_your_email.html", context), partner)
