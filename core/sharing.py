"""Share links: the addresses that let a visitor share a page on social networks or by email.

Used by campaign's share links block and by the petition's pages after signing; each link is drawn by
`templates/includes/share_links.html`, and `templates/includes/copy_link.html` offers the address to copy.
Each channel's address carries its own `?source=` code, so signatures that come from a share are
counted by channel without a cookie (petitions reads the code; see docs/petitions.md).
"""

from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from django.db import models


class ShareNetwork(models.TextChoices):
    FACEBOOK = "facebook", "Facebook"
    X = "x", "X (Twitter)"
    WHATSAPP = "whatsapp", "WhatsApp"
    LINKEDIN = "linkedin", "LinkedIn"
    EMAIL = "email", "Email"


# The `source` code each channel's shared address carries; the copied address has its own.
SHARE_SOURCE_CODES = {
    ShareNetwork.FACEBOOK: "facebook-share",
    ShareNetwork.X: "x-share",
    ShareNetwork.WHATSAPP: "whatsapp-share",
    ShareNetwork.LINKEDIN: "linkedin-share",
    ShareNetwork.EMAIL: "email-share",
}
COPY_LINK_SOURCE_CODE = "copy-link"


def with_source(url, code):
    """`url` with `?source=code` (replacing a `source` or `utm_source` it had); "" stays ""."""
    if not url:
        return url
    parts = urlsplit(url)
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("source", "utm_source")
    ]
    query.append(("source", code))
    return urlunsplit(parts._replace(query=urlencode(query)))


def share_links(networks, url, text, subject=""):
    """The share addresses for a page's full address and a short message, in the order given.

    An email has `subject` for its subject and the message with the address for its body, if a subject
    is given; otherwise the message is the subject and the address the body. The address shared on
    each channel carries that channel's source code (`SHARE_SOURCE_CODES`).
    """
    return [
        _share_link(ShareNetwork(network), with_source(url, SHARE_SOURCE_CODES[network]), text, subject)
        for network in networks
    ]


def _share_link(network, url, text, subject):
    email = (
        f"mailto:?subject={quote(subject)}&body={quote(f'{text} {url}'.strip())}"
        if subject
        else f"mailto:?subject={quote(text)}&body={quote(url)}"
    )
    links = {
        ShareNetwork.FACEBOOK: "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url}),
        ShareNetwork.X: "https://x.com/intent/post?" + urlencode({"url": url, "text": text}),
        ShareNetwork.WHATSAPP: "https://wa.me/?" + urlencode({"text": f"{text} {url}".strip()}),
        ShareNetwork.LINKEDIN: "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url}),
        ShareNetwork.EMAIL: email,
    }
    return {"network": network, "href": links[network]}
