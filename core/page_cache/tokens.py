"""Making a rendered page fit to store for anyone, and personal again each time it is served.

The CSRF token a page was rendered with is cut out before the page is stored, and each visitor gets a
token of their own (and the matching cookie) when it is served; values registered with
`renew_on_every_view` (the sign form's timing token) are made afresh the same way, and values
registered with `fill_on_every_view` (the sign form's source code, read from the query string the
page cache leaves out of its key) are taken from each request.
"""

import os
import re
from functools import partial

from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, _unmask_cipher_token
from django.utils.html import escape

# Stands in for the visitor's CSRF token in a stored page; never a valid token itself.
CSRF_PLACEHOLDER = "__page_cache_csrf_token__"
# Django's masked CSRF tokens: 64 characters from its alphabet. Only those that unmask to the request's
# own secret are replaced, so a 64-character id elsewhere in a page is left alone.
_TOKEN_CANDIDATE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")

# Values a page must show afresh on every view, cached or not: name -> (pattern, value for a request).
# The pattern's one group is the value; it is cut out before a page is stored and a new one is made
# for each visitor the page is served to. Apps register theirs with `renew_on_every_view` or
# `fill_on_every_view`.
_RENEWED_VALUES = {}


def renew_on_every_view(name, pattern, make_value):
    """Have cached pages serve a new `make_value()` wherever `pattern`'s group matched when rendered.

    For values that are wrong once stale, like a sign form's note of when it was shown.
    """
    _RENEWED_VALUES[name] = (re.compile(pattern), lambda request: make_value())


def fill_on_every_view(name, pattern, value_for_request):
    """Have cached pages serve `value_for_request(request)` (HTML-escaped) where `pattern`'s group matched.

    For values that come from the request but must not split the cache, like the source code of the
    link a visitor came by: the page is stored once, whatever the value, and each view gets its own.
    """
    _RENEWED_VALUES[name] = (re.compile(pattern), lambda request: escape(value_for_request(request)))


def used_csp_nonce(request):
    """Whether the response carries a CSP nonce: stored, it would be replayed while the header changes."""
    return getattr(request, "_csp_nonce", None) is not None


def _placeholder(name):
    return f"__page_cache_renewed_{name}__"


def _strip_renewed_values(content):
    for name, (pattern, _make_value) in _RENEWED_VALUES.items():
        content = pattern.sub(partial(_group_replaced, _placeholder(name)), content)
    return content


def _group_replaced(replacement, match):
    """The whole match, with its first group replaced."""
    whole, (start, end) = match.group(), match.span(1)
    offset = match.start()
    return whole[: start - offset] + replacement + whole[end - offset :]


def _renew_values(request, content):
    for name, (_pattern, make_value) in _RENEWED_VALUES.items():
        placeholder = _placeholder(name)
        while placeholder in content:
            content = content.replace(placeholder, make_value(request), 1)
    return content


def _strip_csrf_tokens(request, content):
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return content

    # Django's own unmasking: private, but stable since 4.1, and a copy of it could drift.
    def replace(match):
        return CSRF_PLACEHOLDER if _unmask_cipher_token(match.group()) == secret else match.group()

    return _TOKEN_CANDIDATE.sub(replace, content)


def shareable(request, html):
    """`html` with this visitor's CSRF token and renewed values cut out, fit to serve to anyone."""
    return _strip_renewed_values(_strip_csrf_tokens(request, html))


_ALPHABET_SIZE = len(CSRF_ALLOWED_CHARS)
# Bytes below this are spread evenly over the alphabet's 62 characters (248 = 4 x 62); higher ones are
# dropped, so every character is equally likely.
_EVEN_BYTES_BELOW = 256 - 256 % _ALPHABET_SIZE
_POSITION = {character: n for n, character in enumerate(CSRF_ALLOWED_CHARS)}


def _random_csrf_string():
    """CSRF_SECRET_LENGTH characters of Django's CSRF alphabet, from the OS's randomness.

    What Django's `get_random_string` gives, from one `os.urandom` call instead of one per character:
    on a cached page that made two fifths of a view's CPU (a secret and a mask for every visitor
    without the cookie).
    """
    characters = []
    while len(characters) < CSRF_SECRET_LENGTH:
        characters += [
            CSRF_ALLOWED_CHARS[b % _ALPHABET_SIZE] for b in os.urandom(48) if b < _EVEN_BYTES_BELOW
        ]
    return "".join(characters[:CSRF_SECRET_LENGTH])


def csrf_token(request):
    """What Django's `get_token` does: this visitor's CSRF secret (a new one, for the cookie, if none)
    masked afresh; the same token format, which Django's middleware checks as its own."""
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        secret = request.META["CSRF_COOKIE"] = _random_csrf_string()
    # The cookie is sent (its expiry renewed), as `get_token` has it.
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    mask = _random_csrf_string()
    pairs = zip(secret, mask, strict=True)
    cipher = (CSRF_ALLOWED_CHARS[(_POSITION[s] + _POSITION[m]) % _ALPHABET_SIZE] for s, m in pairs)
    return mask + "".join(cipher)


def _slot_pattern():
    """One pattern for every placeholder a stored page may hold (the CSRF token's and the renewed values')."""
    names = tuple(_RENEWED_VALUES)
    pattern = _SLOT_PATTERNS.get(names)
    if pattern is None:
        placeholders = [CSRF_PLACEHOLDER, *(_placeholder(name) for name in names)]
        pattern = re.compile("(" + "|".join(re.escape(placeholder) for placeholder in placeholders) + ")")
        _SLOT_PATTERNS[names] = pattern
    return pattern


# {registered names: their pattern}: values are registered when the apps are ready, once per process.
_SLOT_PATTERNS = {}
_RENEWED_PREFIX = _placeholder("")[:-2]


def split_at_slots(shareable_html, charset):
    """`shareable()`'s HTML cut where per-view values go: (the text around them as bytes, the slots).

    A slot is None for the CSRF token, or the name of a renewed value. Stored this way, a page served
    from the cache is one join of bytes (`filled`), not a search of the whole page for placeholders.
    """
    pieces = _slot_pattern().split(shareable_html)
    texts = tuple(piece.encode(charset) for piece in pieces[::2])
    slots = tuple(
        None if piece == CSRF_PLACEHOLDER else piece[len(_RENEWED_PREFIX) : -2] for piece in pieces[1::2]
    )
    return texts, slots


def filled(request, texts, slots, charset):
    """The page `split_at_slots` gave, as bytes, with this visitor's CSRF token and fresh renewed values.

    The same token goes in every CSRF slot, as `{% csrf_token %}` gives within one response; each
    renewed value is made afresh for each slot, as `personalised` does.
    """
    if not slots:
        return texts[0]
    token = None
    pieces = [texts[0]]
    for slot, text in zip(slots, texts[1:], strict=True):
        if slot is None:
            if token is None:
                token = csrf_token(request).encode("ascii")
            pieces.append(token)
        else:
            # A value no longer registered (a page stored by an older release) is left empty.
            renewed = _RENEWED_VALUES.get(slot)
            pieces.append(renewed[1](request).encode(charset) if renewed else b"")
        pieces.append(text)
    return b"".join(pieces)


def personalised(request, html):
    """Stored `html` with this visitor's CSRF token and freshly renewed values put in."""
    html = _renew_values(request, html)
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, csrf_token(request))
    return html
