"""Every block renders what it holds with its own template, and refuses bad input with a clear message;
the editor's block picker offers each one, described and previewed."""

import json

import pytest
from bs4 import BeautifulSoup
from django.test import RequestFactory
from django.urls import reverse
from wagtail.blocks import StreamValue
from wagtail.blocks.struct_block import StructBlockValidationError

from campaign.blocks import (
    BaseStreamBlock,
    CallToActionBlock,
    CaptionedImageBlock,
    HeadingBlock,
    VideoEmbedBlock,
    video_embed_url,
)
from campaign.models import CampaignPage
from core.blocks import FooterLinkBlock, LinkBlock, SocialAccountBlock
from core.sharing import share_links

from .factories import every_block

pytestmark = pytest.mark.django_db


def render_stream(raw, page, request=None):
    stream_block = BaseStreamBlock()
    value = StreamValue(stream_block, raw, is_lazy=True)
    request = request or RequestFactory().get("/")
    html = stream_block.render(value, context={"page": page, "request": request})
    return BeautifulSoup(html, "html.parser")


def block_picker(page_form, field_name):
    """{block name: what the editor's block picker shows of it} for a StreamField of an admin page form.

    Wagtail hands the editor's browser each block's description as JSON on the field's element; an
    object it sends twice is sent once with an `_id` and then as a `_ref` to it.
    """
    element = BeautifulSoup(page_form.content, "html.parser").find(
        id=field_name, attrs={"data-w-block-data-value": True}
    )
    definition = json.loads(element["data-w-block-data-value"])
    sent = {}

    def remember(value):
        if isinstance(value, dict):
            if "_id" in value:
                sent[value["_id"]] = value
            for item in value.values():
                remember(item)
        elif isinstance(value, list):
            for item in value:
                remember(item)

    remember(definition)
    children = [
        sent.get(child.get("_ref"), child) for _group, group in definition["_args"][1] for child in group
    ]
    return {child["_args"][0]: child["_args"][-1] for child in children}


def test_editors_find_every_body_block_in_the_picker_with_an_icon_a_label_a_description_and_a_preview(
    client, editor, home_page
):
    client.force_login(editor)

    form = client.get(reverse("wagtailadmin_pages:add", args=["campaign", "campaignpage", home_page.pk]))

    picker = block_picker(form, "body")
    assert list(picker) == list(BaseStreamBlock().child_blocks)
    for name, shown in picker.items():
        assert shown["icon"] not in ("", "placeholder"), name
        assert shown["label"] and shown["description"], name
        assert shown["isPreviewable"], name
    assert len({shown["label"] for shown in picker.values()}) == len(picker), "no two blocks share a label"


def test_every_block_preview_value_renders(image, demo_petition, demo_widgets):
    for name, child in BaseStreamBlock().child_blocks.items():
        html = child.render(child.get_preview_value(), context={"request": RequestFactory().get("/")})
        assert html.strip(), name


def test_each_block_renders_its_own_content(home_page, campaign_page, image, demo_petition, demo_widgets):
    widget = demo_widgets["facebook_apps_total"]
    soup = render_stream(every_block(image, campaign_page, demo_petition, widget), page=home_page)

    heading = soup.find("h2", id="our-demands")
    assert heading.get_text() == "Our demands"
    assert soup.select_one(".rich-text b").get_text() == "4,000"
    assert soup.select_one(".rich-text a")["href"] == "/campaign/"

    quote = soup.select_one("figure.pull-quote")
    assert quote.blockquote["cite"] == "https://www.nspcc.org.uk/"
    assert "Give offenders no place to hide." in quote.blockquote.get_text()
    assert "Andy Burrows" in quote.figcaption.get_text()
    assert "NSPCC Head of Child Safety Online Policy" in quote.figcaption.get_text()

    cta = soup.select_one(".call-to-action--secondary")
    button = cta.find("a", class_="button--secondary")
    assert button["href"] == "/campaign/"
    assert button.get_text() == "Add your name"

    demands = [item.strong.get_text() for item in soup.select(".demands__list li")]
    assert demands == ["A regulator", "Safe accounts"]

    img = soup.select_one("figure.captioned-image img")
    assert img["alt"] == "A phone in a dark room"
    assert "width-800" in img["src"]
    # WebP first, for every browser that reads it; the JPEG above is the fallback.
    webp = soup.select_one("figure.captioned-image picture source")
    assert webp["type"] == "image/webp" and ".format-webp.width-800.webp " in webp["srcset"]
    assert "Late at night" in soup.select_one("figure.captioned-image figcaption").get_text()

    iframe = soup.select_one("figure.video iframe")
    assert iframe["src"] == "https://www.youtube-nocookie.com/embed/abcdefghijk"
    assert iframe["title"] == "Campaign film"
    assert soup.select_one('figure.video a[href="https://example.org/transcript"]')

    statistic = soup.select_one(".statistic--wide")
    assert statistic.h3.get_text() == widget.title
    assert "4,000" in statistic.get_text()

    petition_block = soup.select_one(".petition-block")
    assert petition_block.h2.get_text() == "Sign our letter"
    assert petition_block.find("a", class_="button")["href"] == "/open-letter-to-facebook/#sign"

    share = [a["href"] for a in soup.select(".share-links a")]
    # Each channel's address carries its own source code, so signatures are counted by channel.
    assert (
        share[0]
        == "https://www.facebook.com/sharer/sharer.php?u=http%3A%2F%2Flocalhost%2F%3Fsource%3Dfacebook-share"
    )
    assert share[1].startswith("mailto:?subject=Sign%20it")
    assert share[1].endswith("http%3A//localhost/%3Fsource%3Demail-share")
    assert len(share) == 2
    # Networks open in a new tab and say so; email opens the mail program, not a tab.
    facebook, email = soup.select(".share-links a")
    assert facebook["target"] == "_blank" and "opens in a new tab" in facebook.get_text()
    assert not email.has_attr("target") and email.get_text() == "Email"


def test_heading_level_is_the_one_chosen():
    html = HeadingBlock().render(HeadingBlock().to_python({"text": "Figures", "level": "h3", "anchor": ""}))
    assert html.strip() == '<h3 class="block-heading">Figures</h3>'


def test_heading_level_outside_the_choices_falls_back_to_a_section_heading():
    value = HeadingBlock().to_python({"text": "Figures", "level": "script", "anchor": ""})
    assert HeadingBlock().render(value).strip() == '<h2 class="block-heading">Figures</h2>'


@pytest.mark.parametrize("anchor", ["Our Demands", "our--demands", "our demands", "-x"])
def test_heading_anchor_must_be_lower_case_words_joined_by_hyphens(anchor):
    block = HeadingBlock()
    with pytest.raises(StructBlockValidationError) as error:
        block.clean(block.to_python({"text": "Demands", "level": "h2", "anchor": anchor}))
    assert "lower-case letters" in str(error.value.block_errors["anchor"])


def test_link_needs_exactly_one_of_page_and_web_address(home_page):
    block = LinkBlock()
    for raw in ({"page": None, "url": ""}, {"page": home_page.pk, "url": "https://example.org/"}):
        with pytest.raises(StructBlockValidationError) as error:
            block.clean(block.to_python(raw))
        assert "not both and not neither" in str(error.value.block_errors["url"])
    assert block.clean(block.to_python({"page": home_page.pk, "url": ""}))["page"].pk == home_page.pk


def test_call_to_action_to_another_website_links_there():
    block = CallToActionBlock()
    value = block.to_python(
        {
            "heading": "Read more",
            "text": "",
            "link": {"page": None, "url": "https://www.nspcc.org.uk/"},
            "link_text": "NSPCC",
            "style": "primary",
        }
    )
    soup = BeautifulSoup(block.render(value), "html.parser")
    assert soup.find("a", class_="button--primary")["href"] == "https://www.nspcc.org.uk/"


def test_image_block_requires_alternative_text(image):
    block = CaptionedImageBlock()
    with pytest.raises(StructBlockValidationError) as error:
        block.clean(block.to_python({"image": image.pk, "alt_text": "", "caption": "", "credit": ""}))
    assert "alt_text" in error.value.block_errors


@pytest.mark.parametrize(
    ("url", "embed"),
    [
        ("https://www.youtube.com/watch?v=abcdefghijk", "https://www.youtube-nocookie.com/embed/abcdefghijk"),
        (
            "https://www.youtube.com/watch?feature=share&v=abcdefghijk",
            "https://www.youtube-nocookie.com/embed/abcdefghijk",
        ),
        ("https://youtu.be/abcdefghijk", "https://www.youtube-nocookie.com/embed/abcdefghijk"),
        ("https://vimeo.com/76979871", "https://player.vimeo.com/video/76979871?dnt=1"),
        ("https://example.org/watch?v=abcdefghijk", None),
        ("http://www.youtube.com/watch?v=abcdefghijk", None),
    ],
)
def test_video_addresses_become_privacy_friendly_embeds(url, embed):
    assert video_embed_url(url) == embed


def test_video_block_refuses_other_websites_with_an_example_of_what_works():
    block = VideoEmbedBlock()
    with pytest.raises(StructBlockValidationError) as error:
        block.clean(
            block.to_python(
                {"url": "https://example.org/film", "title": "Film", "caption": "", "transcript_url": ""}
            )
        )
    assert "YouTube or Vimeo" in str(error.value.block_errors["url"])


def test_share_links_encode_the_address_and_message():
    links = share_links(["x", "whatsapp"], "https://example.org/a b/", "Sign & share")
    assert (
        links[0]["href"]
        == "https://x.com/intent/post?url=https%3A%2F%2Fexample.org%2Fa+b%2F%3Fsource%3Dx-share&text=Sign+%26+share"
    )
    assert (
        links[1]["href"]
        == "https://wa.me/?text=Sign+%26+share+https%3A%2F%2Fexample.org%2Fa+b%2F%3Fsource%3Dwhatsapp-share"
    )


def test_share_links_replace_a_source_the_address_had_and_keep_other_parameters():
    (link,) = share_links(["facebook"], "https://example.org/p/?page=2&source=partner-a&utm_source=mail", "")

    assert link["href"] == (
        "https://www.facebook.com/sharer/sharer.php?u="
        "https%3A%2F%2Fexample.org%2Fp%2F%3Fpage%3D2%26source%3Dfacebook-share"
    )


def test_footer_and_social_blocks_render_their_links(home_page):
    footer = FooterLinkBlock()
    html = footer.render(footer.to_python({"text": "Home", "link": {"page": home_page.pk, "url": ""}}))
    assert BeautifulSoup(html, "html.parser").a["href"] == "/"
    social = SocialAccountBlock()
    html = social.render(social.to_python({"network": "instagram", "url": "https://www.instagram.com/x/"}))
    assert BeautifulSoup(html, "html.parser").a.get_text() == "Instagram"


def test_block_picker_previews_render_with_the_site_styles(
    superuser_client, image, demo_petition, demo_widgets
):
    stream_block = CampaignPage._meta.get_field("body").stream_block
    for name, child in stream_block.child_blocks.items():
        response = superuser_client.get(
            reverse("wagtailadmin_block_preview"), {"id": child.definition_prefix}
        )
        assert response.status_code == 200, name
        soup = BeautifulSoup(response.content, "html.parser")
        assert soup.find("link", rel="stylesheet", href="/static/css/site.css"), name
        assert soup.main.get_text(strip=True), name
