"""Partner sites that show a petition on their own pages, in a frame: who they are, where they may frame it.

Each partner has its own source code (stored on the signatures made through its frame) and a list of
the web addresses (origins) allowed to frame the petition; `petitions.embeds.views` sends that list as
the embed's `Content-Security-Policy: frame-ancestors`, and nothing else of the site may be framed.
"""

import ipaddress
import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from petitions.sign_form.source import MAX_LENGTH as SOURCE_MAX_LENGTH
from petitions.sign_form.source import clean_source_code

# A host name: labels of letters, digits and inner hyphens, joined by dots (after IDNA encoding).
_HOST_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_DEFAULT_PORTS = {"https": 443, "http": 80}
# Plain http is allowed only for the computer itself, and only where PETITION_EMBED_ALLOW_HTTP_LOOPBACK
# says so (local runs and tests): a partner's real site is always https.
_LOOPBACK_NAMES = {"localhost"}


def _is_loopback(host):
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_host(host):
    """The host in the form browsers send in `Origin` (lowercase, IDNA), or ValidationError."""
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            raise ValidationError("the address after https:// is not a valid web address") from None
        return host
    try:
        ipaddress.IPv4Address(host)
        return host
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValidationError("the address after https:// is not a valid web address") from None
    labels = ascii_host.split(".")
    if not all(_HOST_LABEL.fullmatch(label) for label in labels):
        raise ValidationError("the address after https:// is not a valid web address")
    if len(labels) < 2 and ascii_host not in _LOOPBACK_NAMES:
        raise ValidationError("give the full address of the site, like https://www.example.org")
    return ascii_host


def normalise_origin(value):
    """`value` as the origin a browser reports for a page of that site: `https://host[:port]`.

    Lowercase scheme and host, the host IDNA-encoded, the default port dropped, a trailing slash
    dropped. Anything more than an origin (a path, a query, a user name), a wildcard or a scheme other
    than https is a ValidationError with a message for staff; `http://` only for loopback hosts where
    PETITION_EMBED_ALLOW_HTTP_LOOPBACK is on.
    """
    text = value.strip()
    shown = text if len(text) <= 80 else text[:77] + "..."
    if "*" in text:
        raise ValidationError(f"{shown}: list each site in full; wildcards (*) are not allowed")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise ValidationError(f"{shown}: this is not a valid web address") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValidationError(f"{shown}: start the address with https://, like https://www.example.org")
    if parts.username is not None or parts.password is not None:
        raise ValidationError(f"{shown}: leave out any user name or password")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValidationError(
            f"{shown}: give only the site's address, like https://www.example.org, without the page's path"
        )
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    try:
        host = _check_host(host)
    except ValidationError as error:
        raise ValidationError(f"{shown}: {error.messages[0]}") from None
    if scheme == "http" and not (_is_loopback(host) and settings.PETITION_EMBED_ALLOW_HTTP_LOOPBACK):
        raise ValidationError(f"{shown}: the partner's site must use https://")
    origin = f"{scheme}://{host}"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        origin += f":{port}"
    return origin


def normalise_origins(text):
    """The origins in `text` (one a line, or separated by spaces or commas), normalised, without repeats.

    Every line's problem is reported at once, so staff can correct them all in one go.
    """
    origins, problems = [], []
    for item in re.split(r"[\s,]+", text or ""):
        if not item:
            continue
        try:
            origin = normalise_origin(item)
        except ValidationError as error:
            problems.extend(error.messages)
            continue
        if origin not in origins:
            origins.append(origin)
    if problems:
        raise ValidationError(problems)
    if not origins:
        raise ValidationError("List at least one web address, like https://www.example.org")
    return origins


def validate_source_code(value):
    if clean_source_code(value) != value:
        raise ValidationError(
            "Use lowercase letters, digits and single hyphens only, like partner-barnardos "
            f"({SOURCE_MAX_LENGTH} characters at most)."
        )


class EmbedPartnerQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class EmbedPartner(models.Model):
    """A partner organisation's site that shows one petition's count and sign form in a frame."""

    wagtail_reference_index_ignore = True

    name = models.CharField(
        max_length=100,
        help_text='The partner organisation, as your team knows it, e.g. "Barnardo\'s". Staff only see it.',
    )
    petition = models.ForeignKey(
        "petitions.PetitionPage",
        on_delete=models.CASCADE,
        related_name="embed_partners",
        help_text="The open letter the partner shows on their site.",
    )
    source_code = models.CharField(
        max_length=SOURCE_MAX_LENGTH,
        validators=[validate_source_code],
        verbose_name="source code",
        help_text=(
            "Stored with every signature made on the partner's site, so you can count them: lowercase "
            "letters, digits and hyphens, like partner-barnardos. It is also part of the frame's address."
        ),
    )
    allowed_origins = models.TextField(
        verbose_name="partner's web addresses",
        help_text=(
            "The addresses of the partner's sites that may show the letter, one a line, like "
            "https://www.barnardos.org.uk. Only the site's address, without the page. No other site can "
            "show it."
        ),
    )
    active = models.BooleanField(
        default=True,
        help_text="Untick to stop the letter showing on the partner's site at once: the frame on their page "
        "then shows the browser's error instead.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EmbedPartnerQuerySet.as_manager()

    class Meta:
        verbose_name = "partner site"
        verbose_name_plural = "partner sites"
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "source_code"],
                name="petitions_embedpartner_unique_source_per_petition",
                violation_error_message="Another partner of this letter already has this source code.",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        try:
            self.allowed_origins = "\n".join(normalise_origins(self.allowed_origins))
        except ValidationError as error:
            raise ValidationError({"allowed_origins": error.messages}) from None

    @property
    def origins(self):
        """The origins as stored (normalised by `clean`), for the frame-ancestors directive."""
        return [line for line in self.allowed_origins.split() if line]
