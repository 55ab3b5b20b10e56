"""The link to a signer's own page: a signed, expiring token holding the signature id only.

Every mail to a signer (the confirmation, updates) carries it. The token has its own salt, so a
confirmation token cannot open the page, nor the page's token confirm a signature. It is a secret: its
URL captures it with the `<secret:...>` converter, which keeps it out of every log line.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from petitions.models import Signature

_SIGNER_PAGE_SALT = "petitions.signer-page"


def signer_page_token(signature):
    """A signed, timestamped token for `signature`'s page (the id only: nothing personal in the URL)."""
    return signing.TimestampSigner(salt=_SIGNER_PAGE_SALT).sign(str(signature.pk))


def signature_id_from_token(token):
    """The signature id in a token; raises signing.SignatureExpired or signing.BadSignature."""
    max_age = settings.SIGNER_PAGE_MAX_AGE_DAYS * 86_400
    value = signing.TimestampSigner(salt=_SIGNER_PAGE_SALT).unsign(token, max_age=max_age)
    try:
        return int(value)
    except ValueError as error:
        raise signing.BadSignature("Not a signature id") from error


def signature_from_token(token):
    """The signature a token opens, or None if it has gone (erased); raises signing.SignatureExpired or
    signing.BadSignature for a link that is too old or not one of ours."""
    return Signature.objects.select_related("petition").filter(pk=signature_id_from_token(token)).first()


def site_root_url(petition):
    """The base of absolute links in mails about `petition` (the confirmation, updates, the signer's
    page): its Wagtail site, else WAGTAILADMIN_BASE_URL, without a trailing slash.

    Kept on the petition object: a batch of update mails asks once per mail, and the answer is a query.
    """
    if getattr(petition, "_mail_root_url", None) is None:
        site = petition.get_site()
        petition._mail_root_url = (site.root_url if site else settings.WAGTAILADMIN_BASE_URL).rstrip("/")
    return petition._mail_root_url


def signer_page_url(signature, petition=None):
    """The absolute URL of the signer's own page, for a mail."""
    path = reverse("petitions:signer_page", args=[signer_page_token(signature)])
    return site_root_url(petition or signature.petition) + path
