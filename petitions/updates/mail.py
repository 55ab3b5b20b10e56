"""One update mail for one signer: HTML and plain text from templates, with the unsubscribe link in the body.

The sending engine supplies the links (the unsubscribe and signer-page tokens are its and the signer
page's) and adds the List-Unsubscribe headers; this module only composes.
"""

import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urljoin

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from wagtail.rich_text import expand_db_html

from petitions.models import Audience
from petitions.selfservice.links import site_root_url

# The first name the preview and the test mail use: never a real signer's.
SAMPLE_FIRST_NAME = "Alex"


_RELATIVE_HREF = re.compile(r'href="(/[^"]*)"')


def body_html(update):
    """The body as HTML for a mail: links to pages and documents expanded, and made absolute."""
    root = site_root_url(update.petition) + "/"
    html = expand_db_html(update.body or "")
    return _RELATIVE_HREF.sub(lambda match: f'href="{urljoin(root, match.group(1))}"', html)


class _PlainText(HTMLParser):
    """Rich text (the update's small feature set) as readable plain text: headings, lists, links."""

    _BLOCKS = {"p", "h2", "h3", "h4", "ul", "ol", "div", "blockquote"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.lists = []
        self.href = None
        self.link_text = []

    def _newlines(self, count=2):
        text = "".join(self.parts).rstrip(" ")
        self.parts = [text.rstrip("\n") + "\n" * count] if text else []

    def handle_starttag(self, tag, attrs):
        if tag in self._BLOCKS and not (tag in {"ul", "ol"} and self.lists):
            self._newlines()
        if tag in {"ul", "ol"}:
            self.lists.append([tag, 0])
        elif tag == "li" and self.lists:
            if not "".join(self.parts).endswith("\n"):
                self._newlines(1)
            kind = self.lists[-1]
            kind[1] += 1
            indent = "  " * (len(self.lists) - 1)
            self.parts.append(f"{indent}{kind[1]}. " if kind[0] == "ol" else f"{indent}- ")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "a":
            self.href = dict(attrs).get("href")
            self.link_text = []

    def handle_endtag(self, tag):
        if tag in {"ul", "ol"} and self.lists:
            self.lists.pop()
            if not self.lists:
                self._newlines()
        elif tag in self._BLOCKS:
            self._newlines()
        elif tag == "a" and self.href is not None:
            text = "".join(self.link_text).strip()
            if self.href and self.href != text:
                self.parts.append(f" ({self.href})")
            self.href = None

    def handle_data(self, data):
        data = re.sub(r"\s+", " ", data)
        if self.href is not None:
            self.link_text.append(data)
        self.parts.append(data)

    def text(self):
        lines = "".join(self.parts).splitlines()
        return re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in lines)).strip()


def body_text(html):
    parser = _PlainText()
    parser.feed(html)
    parser.close()
    return unescape(parser.text())


def petition_url(petition):
    return site_root_url(petition) + (petition.url or "/")


def _update_parts(update):
    """What every recipient's copy shares (the body as HTML and text, the letter's address), made once
    per update object and body: a sending batch composes hundreds of mails from one object."""
    parts = getattr(update, "_mail_parts", None)
    if parts is None or parts[0] != update.body:
        html = body_html(update)
        parts = (update.body, html, body_text(html), petition_url(update.petition))
        update._mail_parts = parts
    return parts


def update_context(update, first_name, unsubscribe_url, signer_page_url, is_test=False):
    _body, html, text, letter_url = _update_parts(update)
    return {
        "is_test": is_test,
        "update": update,
        "petition": update.petition,
        "first_name": first_name,
        "body_html": mark_safe(html),  # noqa: S308 -- expanded from the admin's rich text, as pages show it
        "body_text": text,
        "is_outcome": update.audience == Audience.OUTCOME,
        "unsubscribe_url": unsubscribe_url,
        "signer_page_url": signer_page_url,
        "petition_url": letter_url,
    }


def render_update(update, first_name, unsubscribe_url, signer_page_url, is_test=False):
    """The subject, plain text and HTML of an update as one recipient sees it."""
    context = update_context(update, first_name, unsubscribe_url, signer_page_url, is_test)
    return (
        f"[Test] {update.subject}" if is_test else update.subject,
        render_to_string("petitions/emails/update.txt", context),
        render_to_string("petitions/emails/update.html", context),
    )


def compose_update_message(update, signature, unsubscribe_url, signer_page_url):
    """The update mail to one signature, HTML and plain text, addressed to the signer only."""
    return build_message(update, signature.email, signature.first_name, unsubscribe_url, signer_page_url)


def compose_test_message(update, to_address):
    """The update as a sample signer would get it, for a member of staff to check in their own inbox.

    A sample first name, and links that lead to the letter's page: a test must not unsubscribe anyone
    or open anyone's page.
    """
    url = petition_url(update.petition)
    return build_message(update, to_address, SAMPLE_FIRST_NAME, url, url, is_test=True)


def build_message(update, to_address, first_name, unsubscribe_url, signer_page_url, is_test=False):
    subject, text, html = render_update(update, first_name, unsubscribe_url, signer_page_url, is_test)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to_address])
    message.attach_alternative(html, "text/html")
    return message
