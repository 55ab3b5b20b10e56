"""Signing a webhook body, and checking a signature as a CRM does (docs/petitions.md shows the same).

The header is `X-Webhook-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>`: the
time is signed with the body, so a message replayed later than REPLAY_WINDOW_SECONDS is refused.
"""

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Webhook-Signature"
REPLAY_WINDOW_SECONDS = 300


def signature_header(secret, body, timestamp):
    """The header's value for `body` (bytes) sent at `timestamp` (whole seconds since 1970)."""
    signed = f"{int(timestamp)}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={int(timestamp)},v1={digest}"


def verify_signature(secret, body, header, now=None, window=REPLAY_WINDOW_SECONDS):
    """True if `header` signs `body` with `secret` and was made within `window` seconds of `now`."""
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > window:
        return False
    expected = signature_header(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, given)
