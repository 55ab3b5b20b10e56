"""The campaign team's panels on the Wagtail admin home: signing, pages awaiting review, recent imports.

Here, in campaign, because it is the app that may use both petitions and statistics. Each panel costs a
fixed number of queries whatever the number of signatures (the signing figures come from the
counters, `petitions.models.counts.signing_activity`), and each is shown only to those allowed to see it:
signing figures to those who may view signatures (counts only: no panel names a signer), imports to
those who may import. Wired up by `construct_homepage_panels` in wagtail_hooks.py.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import IntegerField
from django.db.models.functions import Cast
from django.forms import Media
from django.urls import reverse
from wagtail.admin.ui.components import Component
from wagtail.models import ModelLogEntry, Page, WorkflowState

from petitions.models.counts import signing_activity
from statistics.figures.presenters import Bar
from statistics.import_views import IMPORT_PERMISSION
from statistics.importers.plan import IMPORT_ACTION

SIGNATURES_VIEW_PERMISSION = "petitions.view_signature"
CHART_DAYS = 14
LISTED = 5


def _share(value, largest):
    return round(value * 100 / largest, 2) if largest else 0.0


class DashboardPanel(Component):
    """A panel of the admin home, with the dashboard's styles (the public bar chart's, in admin colours)."""

    @property
    def media(self):
        return Media(css={"all": ["css/bar-chart.css", "campaign/css/dashboard.css"]})


class SigningPanel(DashboardPanel):
    name = "signing"
    order = 50
    template_name = "campaign/dashboard/signing.html"

    def get_context_data(self, parent_context):
        activity = signing_activity(CHART_DAYS)
        most = max((n for _day, n in activity.days), default=0)
        bars = [
            Bar(
                label=f"{day.day} {day:%b}",
                value_text=f"{n:,}",
                length=round(n * 100 / most, 2) if most else 0,
            )
            for day, n in activity.days
        ]
        return {
            "activity": activity,
            "chart": {"bars": bars, "orientation": "vertical"},
            "days": [(day, n) for day, n in reversed(activity.days)],
            "regions": activity.regions[:LISTED],
            "signatures_url": reverse("signatories:index"),
        }


class PagesAwaitingReviewPanel(DashboardPanel):
    name = "pages_awaiting_review"
    order = 60
    template_name = "campaign/dashboard/pages_awaiting_review.html"

    def get_context_data(self, parent_context):
        in_review = WorkflowState.objects.filter(
            status=WorkflowState.STATUS_IN_PROGRESS,
            base_content_type=ContentType.objects.get_for_model(Page),
        ).values(page_id=Cast("object_id", IntegerField()))
        pages = Page.objects.filter(pk__in=in_review)
        return {
            "count": pages.count(),
            "pages": list(pages.order_by("-latest_revision_created_at")[:LISTED]),
            "report_url": reverse("wagtailadmin_reports:workflow"),
        }


class RecentImportsPanel(DashboardPanel):
    name = "recent_imports"
    order = 70
    template_name = "campaign/dashboard/recent_imports.html"

    def get_context_data(self, parent_context):
        entries = ModelLogEntry.objects.filter(action=IMPORT_ACTION).select_related("user")
        return {
            "imports": list(entries.order_by("-timestamp", "-pk")[:LISTED]),
            "import_url": reverse("statistics_import:upload"),
        }


def dashboard_panels(user):
    """The panels this user may see, in their order."""
    panels = []
    if user.has_perm(SIGNATURES_VIEW_PERMISSION):
        panels.append(SigningPanel())
    panels.append(PagesAwaitingReviewPanel())
    if user.has_perm(IMPORT_PERMISSION):
        panels.append(RecentImportsPanel())
    return panels
