"""The Partner sites screens of the admin: staff list the partners that show a petition on their site,
and copy the code for the partner's page. Wagtail's ModelViewSet, with the model permissions
`petitions.{add,change,delete,view}_embedpartner` (the "Campaign staff" group has them); each change is
in the audit log, as Wagtail records for every model it edits.
"""

from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from wagtail.admin.panels import FieldPanel, Panel
from wagtail.admin.viewsets.model import ModelViewSet

from petitions.models import EmbedPartner

# Tall enough for the count and the whole form with a mistake to correct, on a phone, without scrolling
# inside the frame; staff can tell the partner to change it (docs/staff.md).
FRAME_HEIGHT = 1150


def embed_url(partner):
    """The frame's full address, on the site that serves the petition."""
    path = reverse("petitions:embed", args=(partner.petition_id, partner.source_code))
    site = partner.petition.get_site()
    root = site.root_url if site is not None else settings.WAGTAILADMIN_BASE_URL
    return root.rstrip("/") + path


def embed_snippet(partner):
    """The HTML the partner pastes into their page: the frame, with a title for screen reader users."""
    return format_html(
        '<iframe src="{}" title="{}" width="100%" height="{}" loading="lazy"></iframe>',
        embed_url(partner),
        f"Sign the open letter: {partner.petition.title}",
        FRAME_HEIGHT,
    )


class EmbedSnippetPanel(Panel):
    """The code to give the partner, ready to copy, once the partner is saved."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "petitions/admin/embed_snippet_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            saved = None
            if self.instance.pk:
                saved = EmbedPartner.objects.select_related("petition").filter(pk=self.instance.pk).first()
            context["partner"] = saved
            if saved is not None:
                context["snippet"] = embed_snippet(saved)
                context["url"] = embed_url(saved)
                context["frame_height"] = FRAME_HEIGHT
                # The frame shows only a live letter without privacy settings: say so rather than leave
                # staff wondering why the partner sees an error.
                letter = saved.petition
                context["letter_not_shown"] = not letter.live or letter.get_view_restrictions().exists()
            return context


class EmbedPartnerViewSet(ModelViewSet):
    model = EmbedPartner
    icon = "site"
    menu_label = "Partner sites"
    menu_order = 905
    add_to_admin_menu = True
    name = "partner_sites"
    list_display = ["name", "petition", "source_code", "active", "updated_at"]
    list_filter = ["petition", "active"]
    search_fields = ["name", "source_code"]
    ordering = ["name"]
    panels = [
        FieldPanel("name"),
        FieldPanel("petition"),
        FieldPanel("source_code"),
        FieldPanel("allowed_origins", widget=forms.Textarea(attrs={"rows": 3})),
        FieldPanel("active"),
        EmbedSnippetPanel(heading="The code for the partner's page"),
    ]
