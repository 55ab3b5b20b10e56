"""The source code of a signature: which link a signer came by (`?source=whatsapp-share`), as a short code.

A code is lowercase letters and digits in words joined by single hyphens, at most 40 characters (the
width of `Signature.source`). Anything else (a whole URL, a referrer, an email address, markup) is
dropped without a word: a visitor who follows a mangled link still signs, only without a source.
No cookie keeps it: the sign form carries it in a hidden field from the page to the POST and back.
"""

import re

MAX_LENGTH = 40
# Query parameters read for the code, in order: our own, then the one newsletters and ads add.
QUERY_PARAMETERS = ("source", "utm_source")

_CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def clean_source_code(value):
    """`value` as a source code (lowercased, spaces around it dropped), or "" if it is not one."""
    if not isinstance(value, str):
        return ""
    code = value.strip().lower()
    if len(code) > MAX_LENGTH or not _CODE.fullmatch(code):
        return ""
    return code


def source_from_query(query):
    """The source code in a request's query (a QueryDict): `source`, else `utm_source`, else ""."""
    for name in QUERY_PARAMETERS:
        code = clean_source_code(query.get(name, ""))
        if code:
            return code
    return ""
