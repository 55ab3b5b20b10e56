"""Blocks and choices more than one app uses: heading levels, links, and the footer's blocks.

`HeadingLevel` and `heading_tag` serve every block that puts a heading in a page's outline (campaign's
heading block, statistics' widget titles); the link and footer blocks serve the site settings.
"""

from django.core.exceptions import ValidationError
from django.db import models
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError


class HeadingLevel(models.TextChoices):
    H2 = "h2", "Heading 2 (starts a section of the page)"
    H3 = "h3", "Heading 3 (inside a section)"
    H4 = "h4", "Heading 4 (inside a sub-section)"


def heading_tag(level):
    """The tag name for a stored heading level: only an offered level becomes one, whatever the JSON says."""
    return level if level in HeadingLevel.values else HeadingLevel.H2


class LinkBlock(blocks.StructBlock):
    """Either a page of this site or a web address: exactly one of the two."""

    page = blocks.PageChooserBlock(
        required=False, help_text="Choose a page of this site, or leave empty and give a web address."
    )
    url = blocks.URLBlock(
        required=False,
        label="Web address",
        help_text="A full address on another website, starting with https://",
    )

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("page")) == bool(value.get("url")):
            message = "Choose a page of this site or give a web address, not both and not neither."
            raise StructBlockValidationError(block_errors={"url": ValidationError(message)})
        return value

    class Meta:
        icon = "link"
        label = "Link"


class SocialNetwork(models.TextChoices):
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    X = "x", "X (Twitter)"
    YOUTUBE = "youtube", "YouTube"
    LINKEDIN = "linkedin", "LinkedIn"
    TIKTOK = "tiktok", "TikTok"


class SocialAccountValue(blocks.StructValue):
    def network_label(self):
        return SocialNetwork(self["network"]).label


class SocialAccountBlock(blocks.StructBlock):
    network = blocks.ChoiceBlock(choices=SocialNetwork.choices, help_text="Which social network.")
    url = blocks.URLBlock(
        label="Profile address", help_text="The full address of the organisation's profile there."
    )

    class Meta:
        icon = "site"
        label = "Social media account"
        template = "core/blocks/social_account.html"
        value_class = SocialAccountValue
        description = "A link to one of the organisation's social media profiles, shown in the footer."
        preview_value = {"network": SocialNetwork.FACEBOOK, "url": "https://www.facebook.com/nspcc"}


class FooterLinkBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=60, help_text="The link's words, e.g. 'Privacy notice'.")
    link = LinkBlock()

    class Meta:
        icon = "link"
        label = "Footer link"
        template = "core/blocks/footer_link.html"
        description = "A link shown in the footer of every page."
        preview_value = {"text": "Contact us", "link": {"url": "https://www.nspcc.org.uk/"}}
