"""Wagtail wiring: the accessibility checker editors see in the preview panel and the userbar, the
campaign dashboard on the admin home, and the sign banner registered with the site frame."""

from wagtail import hooks
from wagtail.admin.userbar import ContentCheckerItem

from campaign.dashboard import dashboard_panels
from campaign.sign_banner import sign_banner
from core.templatetags.site_frame import BANNER_HOOK


class CampaignContentCheckerItem(ContentCheckerItem):
    """Wagtail's checker, plus the WCAG 2.2 AA rules our templates and editors can break.

    Wagtail's default list checks headings, link and button names and alt text; editors can
    also break colour contrast (text over images), target size and page language, so those
    rules run too.
    """

    axe_run_only = [
        *ContentCheckerItem.axe_run_only,
        "color-contrast",
        "image-alt",
        "html-has-lang",
        "document-title",
        "duplicate-id-aria",
        "target-size",
    ]


@hooks.register("construct_wagtail_userbar")
def use_campaign_content_checker(request, items, page):
    """Swap Wagtail's checker for ours, both in the userbar and in the editor's Checks panel."""
    for position, item in enumerate(items):
        if isinstance(item, ContentCheckerItem) and not isinstance(item, CampaignContentCheckerItem):
            items[position] = CampaignContentCheckerItem(in_editor=item.in_editor)


@hooks.register("construct_homepage_panels")
def add_campaign_dashboard(request, panels):
    """The campaign team's panels (campaign/dashboard.py), each only for those allowed to see it."""
    panels.extend(dashboard_panels(request.user))


@hooks.register(BANNER_HOOK)
def draw_sign_banner(context):
    return sign_banner(context)
