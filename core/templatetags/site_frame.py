"""Template tags for the site frame (`base.html`, `includes/`): navigation, banners and sharing metadata."""

from urllib.parse import urljoin

from django import template
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from wagtail import hooks
from wagtail.models import Site

from core.images import get_images_with_renditions
from core.models import SiteSettings

register = template.Library()

# The hook an app registers a banner under: a function of the template context returning HTML ("" for
# none). The frame draws what the apps above it register without importing them.
BANNER_HOOK = "site_frame_banner"


@register.inclusion_tag("includes/navigation.html", takes_context=True)
def main_navigation(context):
    """The home page and its live, public children marked "show in menus", in tree order.

    Three queries whatever the size of the menu: the site's root page, its children, and the
    view restrictions that `public()` leaves out. Page URLs come from the site root paths
    cached on the request.
    """
    request = context.get("request")
    site = Site.find_for_request(request) if request is not None else None
    if site is None:
        return {"items": []}
    current = context.get("page")
    root = site.root_page
    children = root.get_children().live().public().in_menu().order_by("path")
    items = [
        {
            # A page type may name itself in the menu (`menu_label`), where its title is too long.
            "title": "Home" if page.pk == root.pk else getattr(page.specific_class, "menu_label", page.title),
            "url": page.get_url(request=request),
            # The home page is current only on itself; a section is current on its own pages too.
            "current": current is not None
            and (current.pk == page.pk or (page.pk != root.pk and current.path.startswith(page.path))),
        }
        for page in [root, *children]
    ]
    return {"items": items}


@register.simple_tag(takes_context=True)
def site_banners(context):
    """The banners the apps register (`BANNER_HOOK`), under the header of every page."""
    return mark_safe("".join(str(banner(context)) for banner in hooks.get_hooks(BANNER_HOOK)))  # noqa: S308 - each hook returns rendered, escaped HTML


@register.simple_tag(takes_context=True)
def share_image(context):
    """The image to show when the page is shared: the page's own, else the site's default.

    Returned with its renditions loaded, so drawing it costs no further query once it exists.
    """
    page = context.get("page")
    image_id = getattr(page, "share_image_id", None)
    request = context.get("request")
    if image_id is None and request is not None:
        image_id = SiteSettings.for_request(request).default_share_image_id
    if image_id is None:
        return None
    return get_images_with_renditions([image_id]).get(image_id)


@register.simple_tag(takes_context=True)
def absolute_url(context, url):
    """The full address of a URL, on the site's own address like the canonical URL.

    An address that is already absolute (media on a CDN) is returned as it is.
    """
    request = context.get("request")
    site = Site.find_for_request(request) if request is not None else None
    return urljoin(site.root_url + "/", url) if site is not None else url


@register.simple_tag(takes_context=True)
def head_meta(context, title="", description="", path=""):
    """What the head says about the page shown: its title, description and full canonical address.

    A Wagtail page gives its own (the canonical address keeps the `canonical_query` a listing sets);
    any other page (data pages, the list of signers) gives them as arguments, the address as a path.
    Empty when there is neither.
    """
    page = context.get("page")
    if path:
        url = absolute_url(context, path)
    elif page is not None and getattr(page, "url", None) is not None:
        url = page.get_full_url(context.get("request"))
        if query := context.get("canonical_query"):
            url = f"{url}?{query}"
    else:
        return {}
    return {
        "title": title or (page.seo_title or page.title if page is not None else ""),
        "description": description or (meta_description(page) if page is not None else ""),
        "url": url,
    }


@register.simple_tag
def meta_description(page):
    """The page's search description, else its standfirst or introduction, as plain text."""
    for attribute in ("search_description", "standfirst", "intro"):
        if value := getattr(page, attribute, ""):
            return Truncator(strip_tags(str(value)).strip()).chars(200)
    return ""
