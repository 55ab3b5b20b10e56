"""A page's HTML without the templates' indentation, before it is stored: the same page in fewer bytes.

The templates are indented for the people who edit them, and about a fifth of a rendered page is that
indentation: runs of spaces after a line break. Browsers show a run of white space between words or
tags as one space (CSS `white-space: normal`, and `nowrap`, the only other value the site's CSS uses),
so a run that holds a line break can become a single line break and the page looks the same. A page
stored that way costs less on every view served from the cache: fewer bytes to fill with the visitor's
tokens, to compress and to send.

Left exactly as they are: everything inside a tag (attribute values among it), comments, and the
contents of `<pre>`, `<textarea>`, `<script>` and `<style>`, where white space can be meaningful.
"""

import re

_PIECES = re.compile(
    r"(?P<kept><!--.*?-->"
    r"|<(?P<raw>pre|textarea|script|style)\b.*?</(?P=raw)\s*>"
    r"|<[^>]*>)"
    r"|(?P<space>[ \t\r\f]*\n\s*)",
    re.DOTALL | re.IGNORECASE,
)


def _piece(match):
    return match.group("kept") or "\n"


def compact_html(html):
    """`html` with every run of white space outside tags that holds a line break made one line break."""
    return _PIECES.sub(_piece, html)
