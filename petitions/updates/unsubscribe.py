"""One-click unsubscribe from updates (RFC 8058): the link's token, the headers, and the public page.

Every update mail carries `List-Unsubscribe: <https://…/petitions/unsubscribe/<token>/>` with
`List-Unsubscribe-Post: List-Unsubscribe=One-Click`, and the same link in its body. A mailbox provider's
one-click button POSTs `List-Unsubscribe=One-Click` to it, with no login and no CSRF token (a mail
client has none), so the view is exempt from CSRF; opening the link (GET) only shows a page with a
button, because mail scanners open every link. The POST withdraws the contact consent of every
signature of that address in the petition's campaign (`withdraw_contact_consent`), once: posting
again changes nothing and answers the same.

The token holds the signature id only, signed with a salt of its own; it has no expiry, because an
unsubscribe link in an old mail must still work. It sits in the path through the `<secret:…>`
converter, so no log line shows it.
"""

from django.core import signing
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from petitions.models import Signature
from petitions.personal_data.consent_changes import same_campaign_signatures, withdraw_contact_consent

_UNSUBSCRIBE_SALT = "petitions.unsubscribe-from-updates"
ONE_CLICK_BODY = "List-Unsubscribe=One-Click"
VIA = "unsubscribe-link"


def make_unsubscribe_token(signature_id):
    return signing.Signer(salt=_UNSUBSCRIBE_SALT).sign(str(signature_id))


def read_unsubscribe_token(token):
    """The signature id in a token; raises signing.BadSignature for a forged or broken one."""
    value = signing.Signer(salt=_UNSUBSCRIBE_SALT).unsign(token)
    try:
        return int(value)
    except ValueError as error:
        raise signing.BadSignature("Not a signature id") from error


def unsubscribe_url(root_url, signature_id):
    return root_url + reverse("petitions:unsubscribe", args=[make_unsubscribe_token(signature_id)])


def add_unsubscribe_headers(message, url):
    """The RFC 8058 headers on an outgoing update mail."""
    message.extra_headers["List-Unsubscribe"] = f"<{url}>"
    message.extra_headers["List-Unsubscribe-Post"] = ONE_CLICK_BODY


def _never_cached(response):
    # The URL holds a token: no cache on the way (the page cache keeps only Wagtail's pages anyway).
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token):
    """GET: a page with one button. POST (that button, or a mail provider's one click): unsubscribe."""
    try:
        signature_id = read_unsubscribe_token(token)
    except signing.BadSignature:
        return _never_cached(render(request, "petitions/unsubscribe_invalid.html", status=404))
    signature = Signature.objects.select_related("petition").filter(pk=signature_id).first()
    if request.method == "POST":
        if signature is not None:
            withdraw_contact_consent(same_campaign_signatures(signature), via=VIA)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            # A mail provider's one-click POST: the answer itself, no redirect to follow.
            return _never_cached(render(request, "petitions/unsubscribed.html"))
        return _never_cached(redirect("petitions:unsubscribed"))
    # A signature erased since gets no more mail either: the same page, whose button changes nothing.
    context = {"petition": signature.petition if signature else None}
    return _never_cached(render(request, "petitions/unsubscribe.html", context))


@require_http_methods(["GET", "HEAD"])
def unsubscribed(request):
    """After the button: the done page (no token in its URL, so reloading it sends nothing)."""
    return _never_cached(render(request, "petitions/unsubscribed.html"))
