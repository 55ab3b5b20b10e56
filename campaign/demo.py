"""The demo site: the Wild West Web campaign as a first run should show it.

`load_demo()` builds the page tree, images, site settings, the "Campaign review" workflow and a
demo admin account. It is idempotent: whatever exists already (found by slug, title or name)
is left as it is, so a second run changes nothing and an editor's changes survive a re-run.
"""

import io
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from django.db import transaction
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.images import get_image_model
from wagtail.models import GroupApprovalTask, Page, Site, Workflow, WorkflowPage, WorkflowTask

from campaign.blocks import CallToActionStyle
from campaign.models import CampaignPage, HomePage, NewsArticlePage, NewsIndexPage, StandardPage
from core.blocks import HeadingLevel
from core.models import SiteSettings
from core.sharing import ShareNetwork
from petitions.blocks import PetitionBlockDisplay
from petitions.demo import add_demo_signatures, create_demo_petition
from statistics.demo import create_demo_widgets

DEMO_ADMIN_USERNAME = "admin"
DEMO_ADMIN_PASSWORD = "wildwestweb-demo"  # noqa: S105 - a published demo credential, printed on purpose
WORKFLOW_NAME = "Campaign review"
MODERATORS_GROUP = "Moderators"

BURROWS = "Andy Burrows"
BURROWS_ROLE = "NSPCC Head of Child Safety Online Policy"


@dataclass
class DemoReport:
    """What a run created, for the command to print."""

    created: list[str] = field(default_factory=list)
    admin_created: bool = False
    admin_username: str = DEMO_ADMIN_USERNAME

    def add(self, what):
        self.created.append(what)


def block(block_type, value):
    """One StreamField item in the stored (JSON) form, with a stable id of its own."""
    return {"type": block_type, "value": value, "id": str(uuid.uuid4())}


def rich_text(*paragraphs):
    return "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)


def get_or_create_image(title, alt_text, lines, report):
    """A generated 1200x630 image (the share size), found by title on later runs."""
    image_model = get_image_model()
    existing = image_model.objects.filter(title=title).first()
    if existing is not None:
        return existing
    canvas = PILImage.new("RGB", (1200, 630), "#2c1a5c")
    draw = ImageDraw.Draw(canvas)
    for position, line in enumerate(lines):
        draw.text((80, 200 + position * 90), line, fill="#ffffff", font_size=64)
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    image = image_model(title=title, description=alt_text)
    image.file = ImageFile(buffer, name=f"{title.lower().replace(' ', '-')}.png")
    image.save()
    report.add(f"image “{title}”")
    return image


def get_or_create_child(parent, model, slug, report, tags=(), **fields):
    """The child page of `parent` with this slug; created and published if missing."""
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing is not None:
        return existing
    page = model(slug=slug, **fields)
    if tags:
        page.tags.add(*tags)
    parent.add_child(instance=page)
    page.save_revision().publish()
    report.add(f"{model._meta.verbose_name} “{page.title}”")
    return page


def get_or_create_home_page(report):
    """The HomePage as the default site's root, replacing Wagtail's welcome page."""
    home = HomePage.objects.filter(depth=2).first()
    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        home = HomePage(
            title="Wild West Web",
            slug="wild-west-web",
            hero_heading="Facebook must not give child abusers a place to hide",
            hero_text="Facebook, Instagram and WhatsApp were used in more than 4,000 child sex offences "
            "in a single year. Encrypting children's messages without safeguards would hide many more.",
            seo_title="Wild West Web: keep children safe on Facebook's apps",
            search_description="The NSPCC's Wild West Web campaign: sign the open letter asking Facebook "
            "not to encrypt children's messages until abuse can still be detected.",
            show_in_menus=True,
        )
        root.add_child(instance=home)
        home.save_revision().publish()
        report.add("home page “Wild West Web”")
    if site is None or site.root_page_id != home.pk:
        base_url = urlsplit(settings.WAGTAILADMIN_BASE_URL)
        site = site or Site(is_default_site=True)
        site.root_page = home
        site.site_name = "Wild West Web"
        site.hostname = base_url.hostname or "localhost"
        site.port = base_url.port or (443 if base_url.scheme == "https" else 80)
        site.save()
        report.add(f"site at {site.root_url}")
    welcome = Page.objects.filter(depth=2, content_type__model="page", content_type__app_label="wagtailcore")
    for page in welcome:
        if not Site.objects.filter(root_page=page).exists():
            page.delete()
            report.add("removal of Wagtail's welcome page")
    return home, site


def pull_quote(quote):
    return block("pull_quote", {"quote": quote, "speaker": BURROWS, "role": BURROWS_ROLE, "source_url": ""})


def share_block():
    return block(
        "share_links",
        {
            "heading": "Share the campaign",
            "message": "Facebook must not give child abusers a place to hide. Sign the open letter.",
            "networks": [network.value for network in ShareNetwork],
        },
    )


def demands_block():
    return block(
        "demands",
        {
            "heading": "The campaign calls for",
            "demands": [
                {
                    "type": "item",
                    "id": str(uuid.uuid4()),
                    "value": {
                        "title": "An independent regulator with mandatory child safety rules",
                        "detail": "A regulator, independent of the tech industry, that can set rules social "
                        "networks must follow to keep children safe, and act when they do not.",
                    },
                },
                {
                    "type": "item",
                    "id": str(uuid.uuid4()),
                    "value": {
                        "title": "Safe accounts for children",
                        "detail": "Children's accounts that are safe by default, with no encrypted messages "
                        "to or from them.",
                    },
                },
                {
                    "type": "item",
                    "id": str(uuid.uuid4()),
                    "value": {
                        "title": "Detailed reporting on how social networks keep children safe",
                        "detail": "Regular, detailed public reports on the risks children face on each "
                        "network and what is being done about them.",
                    },
                },
            ],
        },
    )


def statistic_block(widget, heading_level="h2", width="text"):
    return block("statistic", {"widget": widget.pk, "heading_level": heading_level, "width": width})


def statistics_stream(widgets, *names, heading_level="h2"):
    return [statistic_block(widgets[name], heading_level) for name in names]


def petition_block(petition, display):
    return block("petition", {"petition": petition.pk, "heading": "", "display": display})


def build_petition(home, report):
    """The open letter (made by the petitions app) under the home page, with demo signatures."""
    petition = create_demo_petition(home)
    added = add_demo_signatures(petition)
    if added:
        report.add(f"open letter “{petition.title}” with {added} demo signatures")
    return petition


def link_privacy_notice(petition, privacy, report):
    """Point the open letter at the privacy notice, once."""
    if petition.privacy_notice_id is None:
        petition.privacy_notice = privacy
        petition.save_revision().publish()
        report.add("privacy notice on the open letter")


def build_pages(home, petition, widgets, report):
    """The campaign, news and standard pages under the home page, with their blocks."""
    campaign_image = get_or_create_image(
        "Wild West Web campaign banner",
        "The words 'Wild West Web' in white on a deep purple background.",
        ["Wild West Web", "Keep children safe online"],
        report,
    )
    campaign = get_or_create_child(
        home,
        CampaignPage,
        "campaign",
        report,
        title="The Wild West Web campaign",
        show_in_menus=True,
        search_description="Why Facebook's plan to encrypt messages puts children at risk, and the three "
        "changes the campaign asks for.",
        intro=rich_text(
            "Facebook plans to encrypt messages on Facebook and Instagram from end to end. Without clear "
            "safeguards, the company would no longer be able to see child sexual abuse on its own apps "
            "or report it to the police, and offenders could groom children without ever moving them to "
            "another platform.",
            "The Wild West Web campaign asks the next government to regulate big tech firmly, and asks "
            "supporters to sign an open letter telling Facebook that children's safety must not be the "
            "price of encryption.",
        ),
        demands=[demands_block()],
        body=[
            block(
                "heading",
                {"text": "What the police figures show", "level": HeadingLevel.H2, "anchor": "figures"},
            ),
            block(
                "text",
                rich_text(
                    "Freedom of Information answers from 32 UK police forces show that Facebook, Instagram "
                    "and WhatsApp were used in more than 4,000 child abuse image and online child sexual "
                    "offences in 2018/19: on average, about 11 every day.",
                    "Only 299 of those offences, about three per cent, were on WhatsApp, which is already "
                    "encrypted. The charity believes that is because abuse there is so much harder to find, "
                    "not because it happens less.",
                ),
            ),
            statistic_block(widgets["facebook_apps_total"]),
            statistic_block(widgets["whatsapp_share_bar"]),
            pull_quote(
                "Instead of working to protect children and make the online world they live in safer, "
                "Facebook is actively choosing to give offenders a place to hide in the shadows."
            ),
            block(
                "image",
                {
                    "image": campaign_image.pk,
                    "alt_text": "The words 'Wild West Web' in white on a deep purple background.",
                    "caption": "Wild West Web: the campaign for a safer internet for children.",
                    "credit": "Wild West Web",
                },
            ),
            block(
                "video",
                {
                    "url": "https://vimeo.com/76979871",
                    "title": "Example video (the campaign film goes here)",
                    "caption": "Demo content: editors replace this example with the campaign's own film.",
                    "transcript_url": "",
                },
            ),
            pull_quote(
                "If Facebook fails to guarantee encryption won't be detrimental to children's safety, the "
                "next government must make clear they will face tough consequences from day one."
            ),
            petition_block(petition, PetitionBlockDisplay.FORM),
            share_block(),
        ],
    )
    news_index = get_or_create_child(
        home,
        NewsIndexPage,
        "news",
        report,
        title="News",
        show_in_menus=True,
        intro="Press releases and updates from the Wild West Web campaign.",
        search_description="News from the Wild West Web campaign, with an RSS feed.",
    )
    national = get_or_create_child(
        news_index,
        NewsArticlePage,
        "facebook-apps-used-in-more-than-4000-child-sex-offences",
        report,
        title="Facebook apps used in more than 4,000 child sex offences in a year",
        standfirst="Police figures for 2018/19 show Facebook, Instagram and WhatsApp were used in child "
        "abuse image and online child sexual offences about 11 times a day.",
        body=[
            block(
                "text",
                rich_text(
                    "Freedom of Information requests to 32 UK police forces found that Facebook's apps were "
                    "used in more than 4,000 child abuse image and online child sexual offences in 2018/19.",
                    "The NSPCC warns that if Facebook encrypts messages on Facebook and Instagram without "
                    "safeguards, it will no longer be able to see illegal content and report it, leaving "
                    "the police working in the dark.",
                ),
            ),
            pull_quote(
                "For far too long Facebook's mantra has been to move fast and break things, but these "
                "figures provide a clear snapshot of the thousands of child sex crimes that could go "
                "undetected."
            ),
            block("heading", {"text": "What the campaign asks for", "level": HeadingLevel.H2, "anchor": ""}),
            block(
                "text",
                rich_text(
                    "The Wild West Web campaign calls for an independent regulator with mandatory child "
                    "safety rules, safe accounts for children and detailed reporting on how social networks "
                    "keep children safe."
                ),
            ),
        ],
        related_statistics=statistics_stream(
            widgets, "facebook_apps_per_day", "known_platform_total", "whatsapp_share", heading_level="h3"
        ),
    )
    regional = get_or_create_child(
        news_index,
        NewsArticlePage,
        "nearly-500-child-sex-crimes-on-facebook-apps-in-the-east-of-england",
        report,
        tags=["East of England"],
        title="Nearly 500 child sex crimes on Facebook apps in the East of England",
        standfirst="Police in the East of England recorded 482 child sex crimes on Facebook, Instagram and "
        "WhatsApp in 2018/19, and the NSPCC fears encryption could hide many more.",
        body=[
            block(
                "text",
                rich_text(
                    "Of the 482 offences recorded in the region, which include sharing child abuse images "
                    "and online sexual offences, 162 took place on Facebook, 288 on Instagram and 32 on "
                    "WhatsApp.",
                    "In Hertfordshire, 40 of the 94 online child sex offences the police recorded in "
                    "2018/19 were on Facebook's apps.",
                    "Across England and Wales, police knew which platform was used in 9,259 offences; just "
                    "over 4,000 of them were on Facebook, Instagram or WhatsApp, and only 299 on WhatsApp, "
                    "where messages are already encrypted.",
                ),
            ),
            pull_quote("Facebook risks making itself a one-stop grooming shop."),
            block(
                "text",
                rich_text(
                    "Facebook said there was no place for grooming or child exploitation on its platforms, "
                    "that it uses technology to remove it, and that it is consulting experts on safety "
                    "measures before fully introducing end-to-end encryption."
                ),
            ),
            statistic_block(widgets["east_of_england_chart"], width="wide"),
        ],
        related_statistics=statistics_stream(
            widgets,
            "east_of_england_total",
            "hertfordshire_facebook_apps",
            "east_of_england_table",
            heading_level="h3",
        ),
    )

    about = get_or_create_child(
        home,
        StandardPage,
        "about",
        report,
        title="About the campaign",
        show_in_menus=True,
        intro="Wild West Web is the NSPCC's campaign to make social networks keep children safe.",
        body=[
            block(
                "text",
                rich_text(
                    "The NSPCC is the UK's leading children's charity. Its Wild West Web campaign asks for "
                    "social networks to be regulated so that keeping children safe is a duty, not a choice.",
                ),
            ),
            block(
                "call_to_action",
                {
                    "heading": "Read the campaign",
                    "text": "The figures, the risks of encryption without safeguards, and what we ask for.",
                    "link": {"page": campaign.pk, "url": ""},
                    "link_text": "Read about the campaign",
                    "style": CallToActionStyle.SECONDARY,
                },
            ),
        ],
    )
    privacy = get_or_create_child(
        home,
        StandardPage,
        "privacy-notice",
        report,
        title="Privacy notice",
        intro="How the campaign uses the personal details you give when you sign the open letter.",
        body=[
            block("heading", {"text": "What we keep", "level": HeadingLevel.H2, "anchor": ""}),
            block(
                "text",
                rich_text(
                    "When you sign the open letter we keep the details the form asks for, to count your "
                    "signature, confirm it by email and, only if you ask us to, keep you informed.",
                    "We do not sell your details or share them with Facebook.",
                ),
            ),
            block("heading", {"text": "Your rights", "level": HeadingLevel.H2, "anchor": ""}),
            block(
                "text",
                rich_text(
                    "You can ask to see the details we hold about you, to correct them, or to have them "
                    "deleted, at any time."
                ),
            ),
        ],
    )
    contact = get_or_create_child(
        home,
        StandardPage,
        "contact",
        report,
        title="Contact",
        show_in_menus=True,
        intro="How to reach the campaign, and where to get help if you are worried about a child.",
        body=[
            block(
                "text",
                rich_text(
                    "If you are worried about a child, contact the NSPCC helpline on 0808 800 5000. "
                    "Children and young people can call Childline on 0800 1111.",
                ),
            ),
        ],
    )
    return {
        "campaign": campaign,
        "news_index": news_index,
        "national": national,
        "regional": regional,
        "about": about,
        "privacy": privacy,
        "contact": contact,
        "campaign_image": campaign_image,
    }


def fill_home_page(home, pages, petition, widgets, report):
    """The home page's hero link, petition and body, once: an editor's later changes are kept."""
    if home.body:
        return
    home.headline_statistics = statistics_stream(
        widgets, "facebook_apps_per_day", "facebook_apps_total", "whatsapp_share"
    )
    home.petition_call_to_action = [petition_block(petition, PetitionBlockDisplay.LINK)]
    home.hero_link_page = pages["campaign"]
    home.hero_link_text = "Read about the campaign"
    home.hero_image = pages["campaign_image"]
    home.hero_image_alt = "The words 'Wild West Web' in white on a deep purple background."
    home.body = [
        block("heading", {"text": "Why it matters", "level": HeadingLevel.H2, "anchor": ""}),
        block(
            "text",
            rich_text(
                "Facebook plans to encrypt messages across its apps. Without safeguards, it could no longer "
                "see child abuse on them or report it to the police."
            ),
        ),
        demands_block(),
        block(
            "call_to_action",
            {
                "heading": "Tell Facebook: children's safety first",
                "text": "Add your name to the open letter asking Facebook not to encrypt children's "
                "messages.",
                "link": {"page": pages["campaign"].pk, "url": ""},
                "link_text": "Read the campaign and sign",
                "style": CallToActionStyle.PRIMARY,
            },
        ),
        share_block(),
    ]
    home.save_revision().publish()
    report.add("home page content")


def configure_site_settings(site, pages, share_image, report):
    """Site settings, filled in on the first run only."""
    if SiteSettings.objects.filter(site=site).exists():
        return
    SiteSettings.objects.create(
        site=site,
        organisation_name="Wild West Web",
        x_handle="@NSPCC",
        social_accounts=[
            block("account", {"network": "facebook", "url": "https://www.facebook.com/nspcc"}),
            block("account", {"network": "x", "url": "https://x.com/NSPCC"}),
            block("account", {"network": "instagram", "url": "https://www.instagram.com/nspcc_official/"}),
        ],
        footer_links=[
            block("link", {"text": "About the campaign", "link": {"page": pages["about"].pk, "url": ""}}),
            block("link", {"text": "Contact", "link": {"page": pages["contact"].pk, "url": ""}}),
            block("link", {"text": "NSPCC", "link": {"page": None, "url": "https://www.nspcc.org.uk/"}}),
        ],
        privacy_notice_page=pages["privacy"],
        default_share_image=share_image,
    )
    report.add("site settings")


def configure_workflow(home, report):
    """The "Campaign review" workflow: editors submit, a member of Moderators approves."""
    moderators, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    workflow, created = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    if created:
        task = GroupApprovalTask.objects.create(name="Moderator approval")
        task.groups.set([moderators])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
        report.add(f"workflow “{WORKFLOW_NAME}”")
    if not WorkflowPage.objects.filter(page=home).exists():
        WorkflowPage.objects.create(page=home, workflow=workflow)
        report.add(f"workflow “{WORKFLOW_NAME}” on the home page and below")
    return workflow


def ensure_demo_admin(report):
    user_model = get_user_model()
    if user_model.objects.filter(username=DEMO_ADMIN_USERNAME).exists():
        return
    user_model.objects.create_superuser(
        username=DEMO_ADMIN_USERNAME, email="admin@example.org", password=DEMO_ADMIN_PASSWORD
    )
    report.admin_created = True


def load_demo():
    """Build (or complete) the demo site. Returns what was created."""
    report = DemoReport()
    with transaction.atomic():
        widgets = create_demo_widgets()
        home, site = get_or_create_home_page(report)
        petition = build_petition(home, report)
        pages = build_pages(home, petition, widgets, report)
        link_privacy_notice(petition, pages["privacy"], report)
        fill_home_page(home, pages, petition, widgets, report)
        configure_site_settings(site, pages, pages["campaign_image"], report)
        configure_workflow(home, report)
        ensure_demo_admin(report)
    return report
