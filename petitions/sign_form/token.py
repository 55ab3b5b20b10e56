"""The sign form's token: a signed note of when the form was shown, with an id one signature spends.

A form sent faster than a person could fill it in, or long after it was shown, is refused.
"""

import secrets
import time

from django.conf import settings
from django.core import signing

_FORM_TOKEN_SALT = "petitions.sign-form-shown"  # noqa: S105 - a namespace for signing, not a secret


# One answer to every problem with the form token (missing, forged, too old, too new, spent on another
# signature), so that a bot learns nothing from it; the form it comes with lets a person send at once.
FORM_PROBLEM_MESSAGE = "Something went wrong with the form. Check your details, then send it again."
# Marks the token of a form shown again after a refused POST (see `make_form_token`).
_SENT_BACK = "r"


def make_form_token(*, sent_back=False):
    """A signed note for the hidden field: when the form was shown, and an id spent by one signature.

    `sent_back` is for a form shown again after a POST was refused (a mistake to correct, a form sent
    too fast, a token spent). Its person has already been on the page, so no minimum time applies to
    it: someone whose browser filled in and sent the form at once, and who presses the button again,
    is not refused a second time.
    """
    note = f"{int(time.time())}.{secrets.token_urlsafe(12)}.{_SENT_BACK if sent_back else ''}"
    return signing.Signer(salt=_FORM_TOKEN_SALT).sign(note)


class FormTokenError(ValueError):
    """The form token is missing, tampered with, too old or too new; `str()` says which, for the logs.

    Visitors are told FORM_PROBLEM_MESSAGE whatever the reason.
    """


def check_form_token(token):
    """The token's id if the form was shown between the minimum and maximum times ago; else FormTokenError."""
    try:
        shown_at, token_id, sent_back = signing.Signer(salt=_FORM_TOKEN_SALT).unsign(token or "").split(".")
        age = time.time() - int(shown_at)
    except (signing.BadSignature, ValueError) as error:
        raise FormTokenError("tampered with or missing") from error
    if age > settings.PETITION_FORM_MAX_AGE_SECONDS:
        raise FormTokenError("expired")
    if age < settings.PETITION_FORM_MIN_SECONDS and sent_back != _SENT_BACK:
        raise FormTokenError("sent very quickly")
    return token_id
