"""StreamField blocks editors compose campaign pages from, and the shared `BaseStreamBlock`.

Each block renders with its own template under `templates/campaign/blocks/`; page types add to
`BaseStreamBlock` rather than copy it. Blocks the site settings use too (links, social accounts) and
the heading levels are in `core.blocks`.
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.template.loader import render_to_string
from wagtail import blocks
from wagtail.blocks.struct_block import BlockGroup, StructBlockValidationError
from wagtail.images import get_image_model
from wagtail.images.blocks import ImageChooserBlock
from wagtail.rich_text import RichText, expand_db_html

from core.blocks import HeadingLevel, LinkBlock, heading_tag
from core.images import get_images_with_renditions
from core.sharing import ShareNetwork, share_links
from petitions.blocks import PetitionBlock
from statistics.blocks import StatisticWidgetBlock

# Rich text stays simple on purpose: headings come from the heading block, so the outline
# of every page stays in order (WCAG 1.3.1) and editors cannot skip levels inside text.
RICH_TEXT_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul"]


class PrefetchingImageChooserBlock(ImageChooserBlock):
    """An image chooser that loads the images' public renditions in the same round trip."""

    def bulk_to_python(self, values):
        images = get_images_with_renditions(values)
        return [images.get(pk) for pk in values]


class CallToActionStyle(models.TextChoices):
    PRIMARY = "primary", "Primary: bold, for the one action that matters most"
    SECONDARY = "secondary", "Secondary: outlined, for other actions"


class HeadingValue(blocks.StructValue):
    @property
    def tag(self):
        return heading_tag(self.get("level"))


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(
        max_length=120, help_text="The heading's words. Keep it short: it is how people skim the page."
    )
    level = blocks.ChoiceBlock(
        choices=HeadingLevel.choices,
        default=HeadingLevel.H2,
        help_text="Use heading 2 unless this sits under another heading in the same section.",
    )
    anchor = blocks.CharBlock(
        required=False,
        max_length=50,
        label="Link anchor",
        help_text="Optional. Lower-case words joined by hyphens, e.g. 'our-demands', so other pages can "
        "link straight to this heading.",
    )

    def clean(self, value):
        value = super().clean(value)
        if value.get("anchor") and not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", value["anchor"]):
            raise StructBlockValidationError(
                block_errors={
                    "anchor": ValidationError(
                        "Use only lower-case letters, digits and single hyphens, e.g. 'our-demands'."
                    )
                }
            )
        return value

    class Meta:
        icon = "title"
        label = "Heading"
        template = "campaign/blocks/heading.html"
        value_class = HeadingValue
        description = "A heading that starts a new section of the page."
        preview_value = {"text": "Our demands", "level": HeadingLevel.H2}
        form_layout = BlockGroup(children=["text", "level"], settings=["anchor"])


# Marks where one text ends and the next begins while a stream's texts are expanded together. An HTML
# comment survives expansion untouched, and the editor's HTML whitelist strips comments from content.
_RICH_TEXT_BOUNDARY = "<!--campaign-rich-text-boundary-->"


class ExpandedRichText(RichText):
    """Rich text whose links to pages and documents were already expanded with the rest of its stream."""

    def __init__(self, source, expanded_html):
        super().__init__(source)
        self.expanded_html = expanded_html

    def __html__(self):
        return render_to_string("wagtailcore/shared/richtext.html", {"html": self.expanded_html})


class RichTextBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        super().__init__(**kwargs)

    def bulk_to_python(self, values):
        """Expand the internal links of all the stream's texts at once.

        Expanding each text on its own costs queries per text that links to a page; expanding them
        joined costs the same few queries for the whole stream.
        """
        sources = [value or "" for value in values]
        expanded = expand_db_html(_RICH_TEXT_BOUNDARY.join(sources)).split(_RICH_TEXT_BOUNDARY)
        if len(expanded) != len(sources):
            return super().bulk_to_python(values)
        return [ExpandedRichText(source, html) for source, html in zip(sources, expanded, strict=True)]

    class Meta:
        icon = "pilcrow"
        label = "Text"
        template = "campaign/blocks/rich_text.html"
        description = "Paragraphs of text with bold, italics, lists and links."
        preview_value = (
            "<p>Facebook apps were used in more than <b>4,000</b> child abuse image and online "
            "child sexual offences in one year.</p>"
        )


class PullQuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(help_text="The words quoted, without quotation marks: they are added for you.")
    speaker = blocks.CharBlock(max_length=100, help_text="Who said it, e.g. 'Andy Burrows'.")
    role = blocks.CharBlock(
        required=False,
        max_length=150,
        help_text="Their role and organisation, e.g. 'NSPCC Head of Child Safety Online Policy'.",
    )
    source_url = blocks.URLBlock(
        required=False,
        label="Source address",
        help_text="Optional. Where the quote was first published, for readers who want to check it.",
    )

    class Meta:
        icon = "openquote"
        label = "Pull quote"
        template = "campaign/blocks/pull_quote.html"
        description = "A short quote, set large, with who said it."
        preview_value = {
            "quote": "Facebook is actively choosing to give offenders a place to hide in the shadows.",
            "speaker": "Andy Burrows",
            "role": "NSPCC Head of Child Safety Online Policy",
        }
        form_layout = BlockGroup(children=["quote", "speaker", "role"], settings=["source_url"])


class CallToActionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120, help_text="What you ask people to do, e.g. 'Sign the letter'.")
    text = blocks.TextBlock(required=False, help_text="Optional. One or two sentences saying why it matters.")
    link = LinkBlock(help_text="Where the button takes people.")
    link_text = blocks.CharBlock(
        max_length=60,
        help_text="The words on the button. Say what happens, e.g. 'Add your name', not 'Click here'.",
    )
    style = blocks.ChoiceBlock(
        choices=CallToActionStyle.choices,
        default=CallToActionStyle.PRIMARY,
        help_text="Use the primary style for at most one call to action per page.",
    )

    class Meta:
        icon = "pick"
        label = "Call to action"
        template = "campaign/blocks/call_to_action.html"
        description = "A short appeal with a button, e.g. to sign the open letter."
        preview_value = {
            "heading": "Tell Facebook: don't give offenders a place to hide",
            "text": "Add your name to our open letter.",
            "link": {"url": "https://example.org/sign"},
            "link_text": "Sign the open letter",
            "style": CallToActionStyle.PRIMARY,
        }
        form_layout = BlockGroup(children=["heading", "text", "link", "link_text"], settings=["style"])


class DemandBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=150, help_text="The demand in a few words.")
    detail = blocks.TextBlock(required=False, help_text="Optional. A sentence or two explaining it.")

    class Meta:
        icon = "tick"
        label = "Demand"


class DemandsListBlock(blocks.StructBlock):
    heading = blocks.CharBlock(
        max_length=120, default="We are calling for", help_text="The heading above the list."
    )
    demands = blocks.ListBlock(DemandBlock(), min_num=1, help_text="The demands, most important first.")

    class Meta:
        icon = "list-ol"
        label = "Demands list"
        template = "campaign/blocks/demands_list.html"
        description = "The campaign's demands as a numbered list."
        preview_value = {
            "heading": "We are calling for",
            "demands": [
                {"title": "An independent regulator with mandatory child safety rules"},
                {"title": "Safe accounts for children"},
                {"title": "Detailed reporting on how social networks keep children safe"},
            ],
        }


class CaptionedImageBlock(blocks.StructBlock):
    image = PrefetchingImageChooserBlock(help_text="Choose or upload the image.")
    alt_text = blocks.CharBlock(
        max_length=250,
        label="Alternative text",
        help_text="Required. Describe what the image shows for people who cannot see it, in a sentence. "
        "Do not start with 'Image of'.",
    )
    caption = blocks.CharBlock(
        required=False, max_length=250, help_text="Optional. Shown under the image for everyone."
    )
    credit = blocks.CharBlock(
        required=False, max_length=120, help_text="Optional. Who took or owns the image, e.g. 'NSPCC'."
    )

    def get_preview_value(self):
        # The newest image in the library stands in for the picture.
        image = get_image_model().objects.order_by("-created_at").first()
        return self.to_python({**self.meta.preview_value, "image": image.pk if image else None})

    class Meta:
        icon = "image"
        label = "Image"
        template = "campaign/blocks/captioned_image.html"
        description = "A picture with a description for screen readers and an optional caption."
        preview_value = {
            "alt_text": "A child looking at a phone screen in a dark room.",
            "caption": "Children deserve to be safe online.",
        }
        form_layout = BlockGroup(children=["image", "alt_text", "caption"], settings=["credit"])


# Videos are drawn from the address itself, not fetched through oEmbed: rendering needs no
# network call and no database query, and YouTube videos use the no-cookie domain.
_YOUTUBE = re.compile(r"^https://(?:www\.|m\.)?(?:youtube\.com/watch\?(?:.*&)?v=|youtu\.be/)([\w-]{11})")
_VIMEO = re.compile(r"^https://(?:www\.)?vimeo\.com/(\d+)")


def video_embed_url(url):
    """The address to embed for a YouTube or Vimeo page address, or None for any other address."""
    if match := _YOUTUBE.match(url or ""):
        return f"https://www.youtube-nocookie.com/embed/{match[1]}"
    if match := _VIMEO.match(url or ""):
        return f"https://player.vimeo.com/video/{match[1]}?dnt=1"
    return None


class VideoValue(blocks.StructValue):
    def embed_url(self):
        return video_embed_url(self.get("url"))


class VideoEmbedBlock(blocks.StructBlock):
    url = blocks.URLBlock(
        label="Video address",
        help_text="The address of the video's page on YouTube or Vimeo, "
        "e.g. https://www.youtube.com/watch?v=abcdefghijk",
    )
    title = blocks.CharBlock(
        max_length=150,
        help_text="Required. What the video is, e.g. 'Wild West Web campaign film'. "
        "Screen readers announce it.",
    )
    caption = blocks.CharBlock(required=False, max_length=250, help_text="Optional. Shown under the video.")
    transcript_url = blocks.URLBlock(
        required=False,
        label="Transcript address",
        help_text="Optional. A page with the video's words written out, for people who cannot hear it.",
    )

    def clean(self, value):
        value = super().clean(value)
        if not video_embed_url(value.get("url")):
            raise StructBlockValidationError(
                block_errors={
                    "url": ValidationError(
                        "Give the address of a YouTube or Vimeo video, "
                        "e.g. https://www.youtube.com/watch?v=abcdefghijk or https://vimeo.com/123456."
                    )
                }
            )
        return value

    class Meta:
        icon = "media"
        label = "Video"
        template = "campaign/blocks/video_embed.html"
        description = "A YouTube or Vimeo video played on the page."
        value_class = VideoValue
        preview_value = {
            "url": "https://vimeo.com/76979871",
            "title": "An example video",
            "caption": "Videos play on the page, with a link to watch them elsewhere.",
        }
        form_layout = BlockGroup(children=["url", "title", "caption"], settings=["transcript_url"])


class ShareLinksBlock(blocks.StructBlock):
    heading = blocks.CharBlock(
        max_length=80, default="Share this page", help_text="The heading above the share links."
    )
    message = blocks.CharBlock(
        required=False,
        max_length=200,
        help_text="Optional. Suggested words for the post; the page title is used when empty.",
    )
    networks = blocks.MultipleChoiceBlock(
        choices=ShareNetwork.choices,
        default=list(ShareNetwork.values),
        help_text="Where people can share the page.",
    )

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        parent_context = parent_context or {}
        page, request = parent_context.get("page"), parent_context.get("request")
        url = page.get_full_url(request=request) if page is not None else ""
        text = value.get("message") or (page.title if page is not None else "")
        context["share_links"] = share_links(value.get("networks") or [], url or "", text)
        return context

    class Meta:
        icon = "site"
        label = "Share links"
        template = "campaign/blocks/share_links.html"
        description = "Links that let visitors share this page on social networks or by email."
        preview_value = {
            "heading": "Share this page",
            "networks": [ShareNetwork.FACEBOOK, ShareNetwork.X, ShareNetwork.EMAIL],
        }


class BaseStreamBlock(blocks.StreamBlock):
    """The blocks every page body allows."""

    heading = HeadingBlock()
    text = RichTextBlock()
    pull_quote = PullQuoteBlock()
    call_to_action = CallToActionBlock()
    demands = DemandsListBlock()
    image = CaptionedImageBlock()
    video = VideoEmbedBlock()
    statistic = StatisticWidgetBlock()
    petition = PetitionBlock()
    share_links = ShareLinksBlock()
