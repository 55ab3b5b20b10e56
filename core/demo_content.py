"""Reading the demo's words: each app keeps the copy `manage.py load_demo` puts on the site in a `demo.toml`
beside the `demo.py` that builds it, so a campaigner can read and change the words without reading Python.

Why TOML: Python 3.11 reads it with the standard library (`tomllib`), so it needs no new dependency, and
what is written as text stays text (YAML would need PyYAML pinned, and reads an unquoted `no` as false and
`2019-03-31` as a date). In the files, a long text may run over several lines: its
line breaks are spaces. In a rich text field (one edited with the admin's rich text editor), a blank line
starts a new paragraph.
"""

import re
import tomllib

from wagtail.fields import RichTextField

_BLANK_LINE = re.compile(r"\n\s*\n")


def read_demo_content(path):
    """The TOML file at `path` as a dict, in the order it is written."""
    with open(path, "rb") as file:
        return tomllib.load(file)


def plain_text(text):
    """A text from the file on one line, as a plain text field holds it."""
    return " ".join(text.split())


def rich_text(text):
    """A text from the file as rich text: one paragraph for each part between blank lines."""
    return "".join(f"<p>{plain_text(paragraph)}</p>" for paragraph in _BLANK_LINE.split(text.strip()))


def field_values(model, copy):
    """The copy's values for `model`'s fields as stored: rich text as paragraphs, other text on one line."""
    values = {}
    for name, value in copy.items():
        if isinstance(model._meta.get_field(name), RichTextField):
            value = rich_text(value)
        elif isinstance(value, str):
            value = plain_text(value)
        values[name] = value
    return values
