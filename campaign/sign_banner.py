"""The site-wide sign banner (`SignBannerSettings`): the open letter's count and a button to sign it.

Registered with the site frame (`core.templatetags.site_frame.BANNER_HOOK`) in `wagtail_hooks.py`, so
every page shows it, data pages included, unless the page turns it off or is the letter's own.
It draws the petition block's context (live, not private, open) with the banner's template.
"""

from django.template.loader import render_to_string

from campaign.models import SignBannerSettings
from petitions.blocks import PetitionBlock, PetitionBlockDisplay


def _shows_the_letter_already(context, petition_id):
    # The letter's own page and its check-your-email, thank-you and signers pages name it so.
    return any(getattr(context.get(name), "pk", None) == petition_id for name in ("page", "petition"))


def sign_banner(context):
    """The banner's HTML for the page this context draws, or "" where it has no place."""
    request = context.get("request")
    if request is None:
        return ""
    banner = SignBannerSettings.for_request(request)
    if banner.petition_id is None:
        return ""
    page = context.get("page")
    if not getattr(page, "show_sign_banner", True) or _shows_the_letter_already(context, banner.petition_id):
        return ""
    block = PetitionBlock()
    value = block.to_python(
        {"petition": banner.petition_id, "heading": banner.heading, "display": PetitionBlockDisplay.LINK}
    )
    block_context = block.get_context(value, parent_context=context.flatten())
    petition = block_context.get("petition")
    if (
        petition is None
        or not petition.live
        or block_context.get("private")
        or block_context.get("closed_message")
    ):
        return ""
    return render_to_string("campaign/includes/sign_banner.html", block_context, request=request)
