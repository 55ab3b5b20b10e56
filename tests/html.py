"""Reading rendered HTML as a person would: elements by role or attribute, and their text."""

from bs4 import BeautifulSoup


def soup(content):
    """The parsed page: `content` is a response, bytes or a string of HTML."""
    return BeautifulSoup(getattr(content, "content", content), "html.parser")


def text(element):
    """The element's text as it reads, whitespace collapsed ("25% of the target reached.")."""
    return " ".join(element.get_text().split())
