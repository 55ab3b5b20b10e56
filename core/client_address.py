"""The client's IP address, the same way for everything that keys on it.

django-axes (`AXES_CLIENT_IP_CALLABLE`), the sign-form rate limit (`petitions.signing.rate_limit.client_ip`)
and the page and document password throttle (`core.password_throttle`) all call `client_ip`. One setting
drives it: `TRUSTED_PROXY_COUNT`, the number of reverse proxies in front of the app servers.

- 0 (no proxy): the address that connected, `REMOTE_ADDR`. X-Forwarded-For is ignored.
- N > 0: each proxy appends the address it received the request from to X-Forwarded-For, so the
  last N entries were written by our own proxies and the N-th from the right is the address the
  outermost one saw: the client. Anything to its left came from the client and is ignored, so a
  client cannot choose its address by sending the header itself.

With fewer entries than proxies (a request that did not come through them all), or an entry that is not
an address, it falls back to `REMOTE_ADDR`, which nobody can forge.
"""

import ipaddress

from django.conf import settings


def client_ip(request):
    """The client's IP address as text (IPv4-mapped IPv6 addresses as IPv4), or "" if unknown."""
    remote = _address(request.META.get("REMOTE_ADDR", "")) or ""
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [entry for entry in forwarded if entry]
    if len(forwarded) < count:
        return remote
    return _address(forwarded[-count]) or remote


def _address(text):
    """`text` as a normalised IP address, allowing a port ("203.0.113.7:51234", "[2001:db8::1]:443");
    None when it is not one."""
    candidates = [text]
    if text.startswith("[") and "]" in text:
        candidates.append(text[1 : text.index("]")])
    elif text.count(":") == 1:
        candidates.append(text.split(":", 1)[0])
    for candidate in candidates:
        try:
            address = ipaddress.ip_address(candidate)
        except ValueError:
            continue
        mapped = getattr(address, "ipv4_mapped", None)
        return str(mapped or address)
    return None
