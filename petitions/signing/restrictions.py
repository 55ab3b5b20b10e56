"""Wagtail's page privacy on the petition's own URLs: they let in exactly who the petition page lets in.

An editor can make a petition, or a section above it, private (Settings → Privacy: a password, signed-in
users, or some groups). Wagtail checks that when it serves the page; the sign, check-your-email,
confirmation, count and signers URLs are this app's own views, so `petition_endpoint` asks the same
question for them with Wagtail's own `PageViewRestriction.accept_request` and gives the page's answer: the
password form or the sign-in redirect (or a plain 404 where a page makes no sense, `count.json`). The sign
POST asks it through `refusal` in `petitions.signing.submission`, once the facts it reads with the rate
limit are in.

Signing is the hot path, so the question costs nothing for a petition without restrictions: whether it
has any is one of its `SigningFacts`, cached with the rest and purged when a restriction is added,
changed or removed (`core.page_cache.purge.connect_purge_signals`).
"""

from functools import wraps

from django.http import Http404
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from wagtail.forms import PasswordViewRestrictionForm
from wagtail.models import PageViewRestriction
from wagtail.wagtail_hooks import require_wagtail_login

from petitions.models import PetitionPage
from petitions.signing.facts import signing_facts


def refusal(request, facts, *, return_url=None):
    """Wagtail's answer to a visitor the petition's view restrictions keep out; None lets them in.

    Wagtail's own check (`wagtail.wagtail_hooks.check_view_restrictions`) sends the visitor back to the
    URL they asked for once they have given the password or signed in. For a GET that is right here too;
    a POST endpoint cannot be returned to, so they go back to `return_url` (the petition page unless the
    caller says otherwise). Otherwise this is that check, answer for answer.
    """
    if not facts.restricted:
        return None
    page = PetitionPage.objects.filter(pk=facts.pk).first()
    if page is None:
        raise Http404("No such petition")
    for restriction in page.get_view_restrictions():
        if restriction.accept_request(request):
            continue
        if return_url is None:
            safe_method = request.method in ("GET", "HEAD")
            return_url = request.get_full_path() if safe_method else page.get_url(request) or "/"
        if restriction.restriction_type == PageViewRestriction.PASSWORD:
            form = PasswordViewRestrictionForm(instance=restriction, initial={"return_url": return_url})
            action_url = reverse("wagtailcore_authenticate_with_password", args=[restriction.id, page.id])
            response = page.serve_password_required_response(request, form, action_url)
        else:
            response = require_wagtail_login(next=return_url)
        add_never_cache_headers(response)
        return response
    return None


def petition_endpoint(view=None, *, refuse_as_not_found=False):
    """For a view of one petition by id: 404 without such a petition, and the page's answer to a
    visitor its view restrictions keep out. The view is called with the petition's SigningFacts.

    `refuse_as_not_found` answers such a visitor with a plain 404 instead, for URLs that are not pages.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, petition_id):
            facts = signing_facts(petition_id)
            if facts is None:
                raise Http404("No such petition")
            refused = refusal(request, facts)
            if refused is not None:
                if refuse_as_not_found:
                    raise Http404("No such petition")
                return refused
            return view(request, facts)

        return wrapped

    return decorator if view is None else decorator(view)
