"""Share links: the addresses that let a visitor share a page on social networks or by email.

Used by campaign's share links block and by the petition's pages after signing; each link is drawn by
`templates/includes/share_links.html`, and `templates/includes/copy_link.html` offers the address to copy.
"""

from urllib.parse import quote, urlencode

from django.db import models


class ShareNetwork(models.TextChoices):
    FACEBOOK = "facebook", "Facebook"
    X = "x", "X (Twitter)"
    WHATSAPP = "whatsapp", "WhatsApp"
    LINKEDIN = "linkedin", "LinkedIn"
    EMAIL = "email", "Email"


def share_links(networks, url, text, subject=""):
    """The share addresses for a page's full address and a short message, in the order given.

    An email has `subject` for its subject and the message with the address for its body, if a subject
    is given; otherwise the message is the subject and the address the body.
    """
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
    return [{"network": ShareNetwork(network), "href": links[network]} for network in networks]
