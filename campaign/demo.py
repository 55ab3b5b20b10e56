"""The demo site: the Wild West Web campaign as a first run should show it.

`load_demo()` builds the page tree, images, site settings, the sign banner, the "Campaign review"
workflow and a demo admin account. It is idempotent: whatever exists already (found by slug, title or name)
is left as it is, so a second run changes nothing and an editor's changes survive a re-run.

The words (pages, their blocks, quotes, links, settings) are in `demo.toml` beside this file, for a
campaigner to read and change without reading Python (why TOML: `core.demo_content`); this module
builds the site from them, and `campaign.demo_blocks` turns each block and field the file describes
into what Wagtail stores. The open letter's words belong to `petitions/demo.toml` and the figures'
to `statistics/demo.toml`: each app builds its own part.

The admin account gets the published demo password only with `DEBUG` on (`make run`, a machine of
one's own). With `DEBUG` off the same command may be building a staging or live site that anyone can
reach, so the password is random and shown once: the developer can still log in straight away and
show the demo, which refusing would not allow, and nobody else knows the password.
"""

import io
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from django.db import transaction
from django.db.models import Case, When
from wagtail.images import get_image_model
from wagtail.models import GroupApprovalTask, Page, Site, Workflow, WorkflowPage, WorkflowTask

from campaign.demo_blocks import Demo, Names, model_fields
from campaign.demo_images import DESIGNS
from campaign.models import (
    CampaignPage,
    HomePage,
    NewsArticlePage,
    NewsIndexPage,
    SignBannerSettings,
    StandardPage,
)
from core.demo_content import plain_text, read_demo_content
from core.models import SiteSettings
from petitions.demo import add_demo_signatures, create_demo_petition
from statistics.demo import create_demo_widgets

DEMO_CONTENT = Path(__file__).resolve().parent / "demo.toml"
DEMO_ADMIN_USERNAME = "admin"
# Published in the README and printed by `make run`: only ever given with DEBUG on.
DEMO_ADMIN_PASSWORD = "wildwestweb-demo"  # noqa: S105 - a published demo credential, printed on purpose
WORKFLOW_NAME = "Campaign review"
TASK_NAME = "Moderator approval"
# What Wagtail's migrations and earlier versions of this demo named the same thing.
SPARE_WORKFLOW_NAMES = ("Moderators approval", "Moderator approval")
TASK_NAMES = (TASK_NAME, "Moderators approval")
MODERATORS_GROUP = "Moderators"

# The home page's fields that point at other pages, images, figures or the letter: filled in once those
# exist, and only while the home page has no body.
HOME_CONTENT_FIELDS = (
    "hero_link_page",
    "hero_link_text",
    "hero_image",
    "hero_image_alt",
    "headline_statistics",
    "petition_call_to_action",
    "body",
)


@dataclass
class DemoReport:
    """What a run created, for the command to print."""

    created: list[str] = field(default_factory=list)
    admin_username: str = DEMO_ADMIN_USERNAME
    # The new admin account's password, to be shown once; None if the account existed already.
    admin_password: str | None = None
    # An existing admin account still has the published password while DEBUG is off.
    admin_password_published: bool = False

    @property
    def admin_created(self):
        return self.admin_password is not None

    def add(self, what):
        self.created.append(what)


# A page's `type` in the file: the page type's name as the admin shows it.
PAGE_TYPES = Names(
    "a page type",
    {
        model._meta.verbose_name: model
        for model in (CampaignPage, NewsIndexPage, NewsArticlePage, StandardPage)
    },
)


def get_or_create_image(title, alt_text, design, report, **words):
    """An image drawn for the demo (`campaign.demo_images`), found by title on later runs."""
    image_model = get_image_model()
    existing = image_model.objects.filter(title=title).first()
    if existing is not None:
        return existing
    buffer = io.BytesIO()
    DESIGNS[design](**words).save(buffer, format="PNG", optimize=True)
    image = image_model(title=title, description=plain_text(alt_text))
    image.file = ImageFile(buffer, name=f"{title.lower().replace(' ', '-')}.png")
    image.save()
    report.add(f"image “{title}”")
    return image


def get_or_create_child(parent, model, slug, report, tags=(), draft=False, **fields):
    """The child page of `parent` with this slug; created and published (or kept a draft) if missing."""
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing is not None:
        return existing
    page = model(slug=slug, live=not draft, **fields)
    if tags:
        page.tags.add(*tags)
    parent.add_child(instance=page)
    revision = page.save_revision()
    if not draft:
        revision.publish()
    report.add(f"{model._meta.verbose_name} “{page.title}”{' (a draft)' if draft else ''}")
    return page


def get_or_create_home_page(demo, report):
    """The HomePage as the default site's root, replacing Wagtail's welcome page."""
    home = HomePage.objects.filter(depth=2).first()
    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        copy = {
            name: value for name, value in demo.content["home"].items() if name not in HOME_CONTENT_FIELDS
        }
        home = HomePage(**model_fields(HomePage, copy, demo))
        root.add_child(instance=home)
        home.save_revision().publish()
        report.add(f"home page “{home.title}”")
    if site is None or site.root_page_id != home.pk:
        base_url = urlsplit(settings.WAGTAILADMIN_BASE_URL)
        site = site or Site(is_default_site=True)
        site.root_page = home
        site.site_name = demo.content["site"]["name"]
        site.hostname = base_url.hostname or "localhost"
        site.port = base_url.port or (443 if base_url.scheme == "https" else 80)
        site.save()
        report.add(f"site at {site.root_url}")
    welcome = Page.objects.filter(depth=2, content_type__model="page", content_type__app_label="wagtailcore")
    for page in welcome:
        if not Site.objects.filter(root_page=page).exists():
            page.delete()
            report.add("removal of Wagtail's welcome page")
    demo.pages["home"] = home
    return home, site


def build_petition(home, report):
    """The open letter (made by the petitions app) under the home page, with demo signatures."""
    petition = create_demo_petition(home)
    added = add_demo_signatures(petition)
    if added:
        report.add(f"open letter “{petition.title}” with {added} demo signatures")
    return petition


def link_privacy_notice(demo, report):
    """Point the open letter at the privacy notice, once."""
    petition = demo.petition
    if petition.privacy_notice_id is None:
        petition.privacy_notice = demo.pages[demo.content["open_letter"]["privacy_notice"]]
        petition.save_revision().publish()
        report.add("privacy notice on the open letter")


def build_pages(demo, report):
    """The images, then the pages under the home page in the file's order, with their blocks."""
    for name, copy in demo.content["images"].items():
        demo.images[name] = get_or_create_image(report=report, **copy)
    for name, copy in demo.content["pages"].items():
        copy = dict(copy)
        model = PAGE_TYPES[copy.pop("type")]
        parent = demo.pages[copy.pop("parent")]
        slug, tags, draft = copy.pop("slug"), copy.pop("tags", ()), copy.pop("draft", False)
        demo.pages[name] = get_or_create_child(
            parent, model, slug, report, tags=tags, draft=draft, **model_fields(model, copy, demo)
        )


def fill_home_page(home, demo, report):
    """The home page's hero link, figures, petition and body, once: an editor's later changes are kept."""
    if home.body:
        return
    copy = {name: value for name, value in demo.content["home"].items() if name in HOME_CONTENT_FIELDS}
    for name, value in model_fields(HomePage, copy, demo).items():
        setattr(home, name, value)
    home.save_revision().publish()
    report.add("home page content")


def configure_site_settings(site, demo, report):
    """Site settings, filled in on the first run only."""
    if SiteSettings.objects.filter(site=site).exists():
        return
    SiteSettings.objects.create(site=site, **model_fields(SiteSettings, demo.content["site_settings"], demo))
    report.add("site settings")


def configure_sign_banner(site, demo, report):
    """The sign banner, asking for the demo's open letter on every page but the home page, once."""
    if SignBannerSettings.objects.filter(site=site).exists():
        return
    SignBannerSettings.objects.create(site=site, petition=demo.petition)
    report.add("sign banner")


def configure_workflow(home, report):
    """The one "Campaign review" workflow: editors submit, a member of Moderators approves.

    Wagtail's migrations already make a "Moderators approval" workflow and task for the Moderators
    group (on the root page); that pair is taken over and renamed, not added to. Databases filled by
    earlier runs may hold both it and a "Campaign review" with its own "Moderator approval" task: the
    spare ones go (or are switched off, Wagtail's way, if pages have been through them, to keep their
    history), so the admin lists one workflow and one task, whichever state the database was in.
    """
    moderators, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    names = [WORKFLOW_NAME, *SPARE_WORKFLOW_NAMES]
    workflow = (
        Workflow.objects.filter(name__in=names, active=True).order_by(
            Case(When(name=WORKFLOW_NAME, then=0), default=1), "pk"
        )
    ).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
        report.add(f"workflow “{WORKFLOW_NAME}”")
    elif workflow.name != WORKFLOW_NAME:
        report.add(f"workflow “{workflow.name}” renamed “{WORKFLOW_NAME}”")
        workflow.name = WORKFLOW_NAME
        workflow.save(update_fields=["name"])

    task = GroupApprovalTask.objects.filter(workflow_tasks__workflow=workflow, active=True).first()
    if task is None:
        task = GroupApprovalTask.objects.filter(name__in=TASK_NAMES, active=True).order_by("pk").first()
        task = task or GroupApprovalTask.objects.create(name=TASK_NAME)
        task.groups.add(moderators)
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
        report.add(f"task “{task.name}” in workflow “{WORKFLOW_NAME}”")
    if task.name != TASK_NAME:
        task.name = TASK_NAME
        task.save(update_fields=["name"])
        report.add(f"task renamed “{TASK_NAME}”")

    for spare in Workflow.objects.filter(name__in=names, active=True).exclude(pk=workflow.pk):
        _retire(spare, report, f"spare workflow “{spare.name}”")
    for spare in GroupApprovalTask.objects.filter(name__in=TASK_NAMES, active=True).exclude(pk=task.pk):
        _retire(spare, report, f"spare task “{spare.name}”")

    if not WorkflowPage.objects.filter(page=home).exists():
        WorkflowPage.objects.create(page=home, workflow=workflow)
        report.add(f"workflow “{WORKFLOW_NAME}” on the home page and below")
    return workflow


def _retire(workflow_or_task, report, what):
    """Delete a spare workflow or task nothing has been through; otherwise switch it off (keeps history)."""
    if isinstance(workflow_or_task, Workflow):
        used = workflow_or_task.workflow_states.exists()
    else:
        used = workflow_or_task.task_states.exists()
    if used:
        workflow_or_task.deactivate()
        report.add(f"{what} switched off")
    else:
        workflow_or_task.delete()
        report.add(f"{what} removed")


def ensure_demo_admin(report):
    """The demo superuser, if there is none: the published password with DEBUG on, a random one without."""
    user_model = get_user_model()
    existing = user_model.objects.filter(username=DEMO_ADMIN_USERNAME).first()
    if existing is not None:
        # A database first filled by `make run` and then served with DEBUG off keeps a known password.
        report.admin_password_published = not settings.DEBUG and existing.check_password(DEMO_ADMIN_PASSWORD)
        return
    password = DEMO_ADMIN_PASSWORD if settings.DEBUG else secrets.token_urlsafe(18)
    user_model.objects.create_superuser(
        username=DEMO_ADMIN_USERNAME, email="admin@example.org", password=password
    )
    report.admin_password = password


def load_demo():
    """Build (or complete) the demo site. Returns what was created."""
    report = DemoReport()
    with transaction.atomic():
        demo = Demo(content=read_demo_content(DEMO_CONTENT), widgets=Names("a figure", create_demo_widgets()))
        home, site = get_or_create_home_page(demo, report)
        demo.petition = build_petition(home, report)
        build_pages(demo, report)
        link_privacy_notice(demo, report)
        fill_home_page(home, demo, report)
        configure_site_settings(site, demo, report)
        configure_sign_banner(site, demo, report)
        configure_workflow(home, report)
        ensure_demo_admin(report)
    return report
