"""URL segments that are secrets (confirmation tokens, and any later unsubscribe or self-service link),
kept out of every log line.

A URL opts in by capturing its secret with the `secret` converter, which matches what `str` does:
`path("confirm/<secret:token>/", ...)`. `mask_secrets` (part of `core.log.redact`, which every log line
passes through) then finds the paths of those URLs in any text (an access line, a "Not Found: /..."
warning, a traceback) and puts `[token]` in place of the secret, so the path keeps its shape:
`/petitions/confirm/[token]/`. The patterns come from the URLconf itself, so a new URL needs nothing
else. A secret the converter matched or built during a request is also masked wherever it appears in
that request's log lines (an exception quoting it, say).
"""

import contextvars
import itertools
import re
import threading

from django.apps import apps
from django.urls import URLResolver, get_resolver, register_converter
from django.urls.converters import StringConverter

REDACTED_SECRET = "[token]"  # noqa: S105 - what a log line shows instead of a secret

# Secrets met while serving the current request; a fresh set per request (core.middleware).
request_secrets = contextvars.ContextVar("request_secrets", default=None)

# Shorter values are not worth a secret's name, and masking them would garble the line.
_MIN_SECRET_LENGTH = 8
# In free text a path ends at white space; inside it, a secret segment ends at the next slash.
_SEGMENT_IN_TEXT = r"[^/\s]+"
_GROUP = re.compile(r"\(\?P<(\w+)>")
_SECRET_GROUP = re.compile(r"\(\?P<secret_\w+>" + re.escape(_SEGMENT_IN_TEXT) + r"\)")


class SecretConverter(StringConverter):
    """`<secret:name>`: one path segment, like `<str:name>`, that never appears in a log line."""

    def to_python(self, value):
        _remember(value)
        return value

    def to_url(self, value):
        _remember(value)
        return value


def register():
    """Make `<secret:...>` available to URL patterns (called when the apps are ready)."""
    register_converter(SecretConverter, "secret")


def _remember(value):
    seen = request_secrets.get()
    if seen is not None and len(value) >= _MIN_SECRET_LENGTH:
        seen.add(value)


def mask_secrets(text):
    """`text` with every secret path segment, and every secret seen in this request, masked."""
    seen = request_secrets.get()
    if seen:
        for value in sorted(seen, key=len, reverse=True):
            text = text.replace(value, REDACTED_SECRET)
    for pattern in _secret_path_patterns():
        text = pattern.sub(_masked_match, text)
    return text


def _masked_match(match):
    """The matched path with each secret group's text replaced (groups named `secret_...`)."""
    start = match.start()
    pieces, position = [], start
    for name, value in match.groupdict().items():
        if name.startswith("secret_") and value is not None:
            pieces.append(match.string[position : match.start(name)])
            pieces.append(REDACTED_SECRET)
            position = match.end(name)
    pieces.append(match.string[position : match.end()])
    return "".join(pieces)


_cache = {"resolver": None, "patterns": []}
_building = threading.local()


def _secret_path_patterns():
    """One regex per URL with a secret segment, built from the URLconf once it can be loaded."""
    if not apps.ready or getattr(_building, "active", False):
        return []
    resolver = get_resolver()
    if _cache["resolver"] is not resolver:
        # Loading the URLconf may itself log: those lines are masked without the patterns.
        _building.active = True
        try:
            patterns = [re.compile("/" + source) for source in _secret_route_sources(resolver.url_patterns)]
        except Exception:  # noqa: BLE001 - a URLconf that cannot load is reported elsewhere, not by a log line
            return []
        finally:
            _building.active = False
        _cache.update(resolver=resolver, patterns=patterns)
    return _cache["patterns"]


def _secret_route_sources(url_patterns, prefix="", numbers=None):
    """Regex sources (without the leading slash) of the routes below `url_patterns` with a secret,
    each cut after its last secret segment: what follows cannot hold one."""
    numbers = numbers or itertools.count()
    for entry in url_patterns:
        source = prefix + _level_source(entry.pattern, next(numbers))
        if isinstance(entry, URLResolver):
            yield from _secret_route_sources(entry.url_patterns, source, numbers)
            continue
        secret_ends = [match.end() for match in _SECRET_GROUP.finditer(source)]
        if secret_ends:
            yield source[: secret_ends[-1]]


def _level_source(pattern, number):
    """One level of a URL pattern as regex source: anchors dropped, groups renamed so that levels can be
    joined, and secret groups named `secret_...` and made to stop at white space."""
    source = pattern.regex.pattern.removeprefix("^").removesuffix(r"\Z").removesuffix("$")
    secret_names = {
        name
        for name, converter in getattr(pattern, "converters", {}).items()
        if isinstance(converter, SecretConverter)
    }

    def rename(match):
        kind = "secret" if match[1] in secret_names else "group"
        return f"(?P<{kind}_{number}_{match[1]}>"

    source = _GROUP.sub(rename, source)
    return re.sub(
        rf"(\(\?P<secret_\w+>){re.escape(SecretConverter.regex)}\)",
        lambda match: f"{match[1]}{_SEGMENT_IN_TEXT})",
        source,
    )
