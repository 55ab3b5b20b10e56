"""Pages are stored without the templates' indentation, and look the same (core.page_cache.compact)."""

import re

from bs4 import BeautifulSoup

from core.page_cache.compact import compact_html


def shown_text(html):
    """The words a browser shows, white space collapsed as `white-space: normal` does."""
    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["script", "style"]):
        hidden.decompose()
    return re.sub(r"\s+", " ", soup.get_text()).strip()


def test_indentation_between_tags_and_around_words_becomes_one_line_break():
    html = "<ul>\n    <li>\n        <a href='/x'>Sign   the\n      letter</a>\n    </li>\n</ul>\n"

    assert compact_html(html) == "<ul>\n<li>\n<a href='/x'>Sign   the\nletter</a>\n</li>\n</ul>\n"


def test_white_space_without_a_line_break_is_left_alone():
    # Between inline elements a space is a space; it is not the templates' indentation.
    html = "<p><strong>1,234</strong> <em>offences</em>  in a year</p>"

    assert compact_html(html) == html


def test_tags_comments_and_preformatted_contents_are_kept_exactly():
    html = (
        '<input value="two\n    lines" data-x="a > b">\n   '
        "<!-- a\n     comment -->\n   "
        "<pre>\n    indented\n        code\n</pre>\n   "
        "<TEXTAREA name=t>\n  typed\n    text</TEXTAREA>\n   "
        '<script type="application/ld+json">{"name": "Wild\n      West"}</script>\n   '
        "<style>\n  p {\n    color: red;\n  }\n</style>\n   "
        "<p>\n   end\n</p>"
    )

    compact = compact_html(html)

    for kept in (
        '<input value="two\n    lines" data-x="a > b">',
        "<!-- a\n     comment -->",
        "<pre>\n    indented\n        code\n</pre>",
        "<TEXTAREA name=t>\n  typed\n    text</TEXTAREA>",
        '{"name": "Wild\n      West"}',
        "<style>\n  p {\n    color: red;\n  }\n</style>",
    ):
        assert kept in compact
    assert compact.endswith("</style>\n<p>\nend\n</p>")


def test_the_letters_page_is_stored_smaller_and_shows_the_same(
    client, demo_petition, page_cache_on, settings
):
    rendered = client.get(demo_petition.url)
    served = client.get(demo_petition.url)
    settings.PAGE_CACHE_SECONDS = 0
    as_the_templates_give_it = client.get(demo_petition.url)

    assert rendered["X-Page-Cache"] == "MISS"
    assert served["X-Page-Cache"] == "HIT"
    assert "X-Page-Cache" not in as_the_templates_give_it
    # The visitor who rendered it got it as the next one does, and smaller than the templates give it.
    assert len(served.content) == len(rendered.content)
    assert len(served.content) < 0.9 * len(as_the_templates_give_it.content)
    assert not re.search(r"\n[ \t]+<", served.text.split("<script")[0])
    assert shown_text(served.text) == shown_text(as_the_templates_give_it.text)
    # Its sign form still carries the visitor's own tokens, filled in the cached copy as before.
    assert re.search(r'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{64}"', served.text)
    assert re.search(r'name="form_token" value="(?!__page_cache)[^"]+"', served.text)
