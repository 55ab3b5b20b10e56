"""Template tags for the pages after signing: the share panel, and the letters to sign again."""

from django import template

from core.sharing import COPY_LINK_SOURCE_CODE, ShareNetwork, share_links, with_source
from petitions.models import PetitionPage

register = template.Library()

# The networks people share a letter on most, then email; copying the link comes after them.
PETITION_SHARE_NETWORKS = [ShareNetwork.WHATSAPP, ShareNetwork.FACEBOOK, ShareNetwork.X, ShareNetwork.EMAIL]


@register.inclusion_tag("petitions/share_panel.html", takes_context=True)
def petition_share_panel(context, petition, heading="Ask others to sign"):
    url = petition.get_full_url(context.get("request"))
    return {
        "petition": petition,
        "heading": heading,
        # The address to copy carries its own source code, as each share link does its channel's.
        "share_url": with_source(url, COPY_LINK_SOURCE_CODE),
        "share_text": petition.share_text,
        "share_links": share_links(
            PETITION_SHARE_NETWORKS, url, petition.share_text, subject=petition.share_email_subject
        ),
    }


@register.simple_tag
def open_letters():
    """The letters anyone may sign, for a page that cannot tell which one a visitor came from."""
    letters = PetitionPage.objects.live().public().order_by("-first_published_at")
    return [letter for letter in letters if not letter.signing_closed_message()]
