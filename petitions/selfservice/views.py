"""The signer's own page, opened by the signed link in each mail to them: no account, no session.

What they signed and when, what is shown publicly, their two consents with the words they agreed to,
and the changes they can make. Opening the page or a confirm step (GET) changes nothing: mail scanners
open links. Each change asks once more (`?change=...` shows the confirm step) and is made by a POST with
CSRF. The page is never cached by anyone and sends no referrer (its URL is a secret).
"""

from django.conf import settings
from django.core import signing
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.views.decorators.http import require_http_methods

from core.middleware import form_posts_only
from petitions.models import ConsentWording
from petitions.selfservice.changes import CHANGES, apply_change, available_changes
from petitions.selfservice.links import signature_from_token

REFERRER_POLICY = "strict-origin"


def _private(response):
    """No cache keeps the page, search engines leave it out, and no link on it sends its URL on.

    `strict-origin`, not `no-referrer`: both keep the path (the token) out of every Referer, but with
    `no-referrer` browsers send `Origin: null` with the page's own forms, which Django's CSRF check
    rightly refuses (tests/browser/test_signer_page.py found it)."""
    add_never_cache_headers(response)
    patch_cache_control(response, private=True, no_store=True)
    response["Referrer-Policy"] = REFERRER_POLICY
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _invalid_link(request, expired, status):
    context = {"expired": expired, "valid_days": settings.SIGNER_PAGE_MAX_AGE_DAYS}
    return _private(render(request, "petitions/signer_page_invalid.html", context, status=status))


def _consents(signature, petition):
    """The two consents as the page shows them: agreed or not, the words, when, and withdrawn when."""
    wordings = ConsentWording.objects.in_bulk(
        [signature.contact_consent_wording_id, signature.show_publicly_wording_id]
    )
    return [
        {
            "kind": "contact",
            "title": "Hearing more from the campaign",
            "agreed": signature.contact_consent,
            "wording": wordings[signature.contact_consent_wording_id],
            "agreed_at": signature.contact_consent_given_at or signature.created_at,
            "withdrawn_at": signature.contact_withdrawn_at,
        },
        {
            "kind": "public",
            "title": "Your name on the public list",
            "agreed": signature.show_publicly,
            "wording": wordings[signature.show_publicly_wording_id],
            "agreed_at": signature.show_publicly_given_at or signature.created_at,
            "withdrawn_at": signature.show_publicly_withdrawn_at,
        },
    ]


@form_posts_only
@require_http_methods(["GET", "HEAD", "POST"])
def signer_page(request, token):
    try:
        signature = signature_from_token(token)
    except signing.SignatureExpired:
        return _invalid_link(request, expired=True, status=410)
    except signing.BadSignature:
        return _invalid_link(request, expired=False, status=404)
    if signature is None or signature.anonymised_at is not None:
        # Withdrawn, erased, anonymised or never confirmed and deleted since: nothing of theirs is left.
        return _private(render(request, "petitions/signer_page_gone.html", status=410))
    petition = signature.petition

    if request.method == "POST":
        name = request.POST.get("change", "")
        if name not in CHANGES:
            return _private(
                render(
                    request,
                    "petitions/signer_page_bad_request.html",
                    {"petition": petition, "page_url": request.path},
                    status=400,
                )
            )
        changed = apply_change(signature, name)
        if name == "withdraw":
            return redirect("petitions:signer_page_withdrawn")
        # Back to the page, which says what changed: reloading it sends nothing again.
        return redirect(f"{request.path}?done={name}" if changed else request.path)

    asked = CHANGES.get(request.GET.get("change", ""))
    if asked is not None and asked not in available_changes(signature):
        asked = None
    done = CHANGES.get(request.GET.get("done", ""))
    context = {
        "signature": signature,
        "petition": petition,
        "page": petition,
        "consents": _consents(signature, petition),
        "changes": available_changes(signature),
        "asked": asked,
        "done": done,
        "page_url": request.path,
    }
    if asked is not None and asked.name in ("contact-on", "public-on"):
        contact, public = ConsentWording.current_ids(petition)
        wording_id = contact if asked.name == "contact-on" else public
        context["new_wording"] = ConsentWording.objects.get(pk=wording_id)
    template = "petitions/signer_page_confirm.html" if asked else "petitions/signer_page.html"
    return _private(render(request, template, context))


@require_http_methods(["GET", "HEAD"])
def signature_withdrawn(request):
    return _private(render(request, "petitions/signer_page_withdrawn.html"))
