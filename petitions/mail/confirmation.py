"""The confirmation mail: the token in its link, and the message composed from templates (text and HTML)."""

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from petitions.selfservice.links import signer_page_url, site_root_url

_CONFIRMATION_SALT = "petitions.confirm-signature"


def make_confirmation_token(signature_id):
    """A signed, timestamped token holding the signature id only (it ends up in a URL)."""
    return signing.TimestampSigner(salt=_CONFIRMATION_SALT).sign(str(signature_id))


def read_confirmation_token(token):
    """The signature id in a token; raises signing.SignatureExpired or signing.BadSignature."""
    max_age = settings.PETITION_CONFIRMATION_MAX_AGE_DAYS * 86_400
    value = signing.TimestampSigner(salt=_CONFIRMATION_SALT).unsign(token, max_age=max_age)
    try:
        return int(value)
    except ValueError as error:
        raise signing.BadSignature("Not a signature id") from error


def build_confirmation_email(signature, petition):
    path = reverse("petitions:confirm", args=[make_confirmation_token(signature.pk)])
    context = {
        "first_name": signature.first_name,
        "petition": petition,
        "confirm_url": site_root_url(petition) + path,
        "signer_page_url": signer_page_url(signature, petition),
        "signer_page_days": settings.SIGNER_PAGE_MAX_AGE_DAYS,
        "valid_days": settings.PETITION_CONFIRMATION_MAX_AGE_DAYS,
    }
    subject = render_to_string("petitions/emails/confirmation_subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("petitions/emails/confirmation.txt", context),
        to=[signature.email],
    )
    message.attach_alternative(render_to_string("petitions/emails/confirmation.html", context), "text/html")
    return message
